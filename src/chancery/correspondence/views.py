"""Correspondence pages: thin. Access goes through ``correspondence.access``; every change
goes through ``correspondence.services``; a ``ChanceryError`` becomes a message on the page with
its 4xx status.

Each page serves htmx requests too: message actions return the action panel (plus the history,
out of band). Without JavaScript every form is a plain POST answered by a redirect (or, on
error, the page with the error and its status).
"""

from __future__ import annotations

import json
from typing import Any

import django_tables2 as tables
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, is_sender_only, profile_of
from chancery.correspondence import access, services, transparency
from chancery.correspondence.access import (
    AUDIT_ROLES,
    SUBJECT,
    access_message,
    can_read_content,
    parse_tracking,
    read_content,
    require_role,
    visible_messages,
)
from chancery.correspondence.forms import ACCEPT, SubmissionForm
from chancery.correspondence.lists import (
    SHOW,
    GroupedReadTable,
    InboxTable,
    MessageFilter,
    MessageTable,
    PortalTable,
    ReadTable,
    TranslationFilter,
    TranslationTable,
    grouped_reads,
)
from chancery.correspondence.models import (
    Channel,
    Hold,
    Message,
    Translation,
)
from chancery.correspondence.present import current_hold
from chancery.correspondence.services.actions import acknowledges_for, allowed_translation_actions
from chancery.correspondence.services.gate import policy_rehold
from chancery.directory import access as directory_access
from chancery.directory.access import liaison_mission, sending_offices
from chancery.errors import ChanceryError, Conflict, InvalidInput, NotFound
from chancery.ledger.models import Event, Read
from chancery.ledger.reads import log_entries, subject_labels
from chancery.ledger.services import history
from chancery.lists import list_context, render_list
from chancery.pages import error_page, is_htmx, safe_next, signed_in, web_view

OFFICERS = (Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER)


def _active_holds() -> Prefetch:
    return Prefetch(
        "holds",
        queryset=Hold.objects.filter(released_at__isnull=True)
        .select_related("placed_by", "confirmed_by", "renewal_requested_by")
        .order_by("is_policy", "id"),
        to_attr="active_holds",
    )


# --------------------------------------------------------------------------- message list


@web_view
@require_GET
def message_list(request: HttpRequest) -> HttpResponseBase:
    q = (request.GET.get("q") or "").strip()
    if q.upper().startswith("CH-"):
        return redirect("message_detail", tracking=q.upper())
    qs = services.with_overdue_action(
        visible_messages(request.user).prefetch_related(_active_holds())
    ).order_by("-received_at", "-id")
    context = list_context(
        request, MessageTable, qs, filterset=MessageFilter(request.GET, queryset=qs)
    )
    context["nav_active"] = "messages"
    return render_list(request, "correspondence/message_list.html", context)


# --------------------------------------------------------------------------- message detail


def _history(message: Message) -> list[Event]:
    return list(history(SUBJECT, message.pk))


def panel_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    """The state, hold and action forms of a message (no content: safe to re-render often)."""
    user = request.user
    hold = current_hold(message)
    # The other active hold (at most one officer's and one policy hold coexist): shown too, so
    # the policy hold does not vanish from the page while an officer holds the message.
    other_holds = (
        list(message.holds.filter(released_at__isnull=True).exclude(pk=hold.pk).order_by("id"))
        if hold is not None
        else []
    )
    actions = services.allowed_actions(message, user)
    # Why an action this person could otherwise take is not theirs now (they placed the hold;
    # they asked for the renewal): a colleague can do it.
    notes = [a.reason for a in actions.values() if a.personal]
    return {
        "message": message,
        "hold": hold,
        "other_holds": other_holds,
        "actions": actions,
        "action_notes": notes,
        "any_action": any(a.allowed for a in actions.values()) or bool(notes),
        "categories": [(c, Hold.Category(c).label) for c in Hold.OFFICER_CATEGORIES],
        "translations": list(message.translations.select_related("translator", "requested_by")),
        "sender_status": services.sender_status(message),
        "hold_max_hours": settings.CHANCERY_HOLD_MAX_HOURS,
    }


def detail_context(request: HttpRequest, message: Message) -> dict[str, Any]:
    context = panel_context(request, message)
    content = can_read_content(request.user, message)
    if content:
        read_content(request.user, message, via="web")
        context["attachments"] = list(message.attachments.select_related("blob"))
    context.update({
        "content": content,
        "signed_off": [
            t for t in context["translations"] if t.status == Translation.Status.SIGNED_OFF
        ],
        "events": _history(message),
    })
    return context


@web_view
@require_GET
def message_detail(request: HttpRequest, tracking: str) -> HttpResponseBase:
    message = access_message(request.user, tracking)
    if is_sender_only(request.user):
        # The sender follows its message in the portal: status and receipt, not the
        # operations center's internal working (officers' names, hold deliberations).
        return redirect("portal_message", tracking=message.tracking)
    if message.tracking != tracking:
        return redirect("message_detail", tracking=message.tracking)
    return render(request, "correspondence/message_detail.html", detail_context(request, message))


@web_view
@require_GET
def attachment_download(
    request: HttpRequest, tracking: str, attachment_id: int
) -> HttpResponseBase:
    message = access_message(request.user, tracking)
    attachment = access.access_attachment(request.user, message, attachment_id)
    read_content(request.user, message, via="web", part=f"attachment:{attachment.pk}")
    blob = attachment.blob
    response = HttpResponse(bytes(blob.data), content_type=blob.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Content-Length"] = str(blob.size)
    response["Cache-Control"] = "private, no-store"
    return response


def _hold_from_form(request: HttpRequest, message: Message) -> Hold:
    """The hold the form was about; if it has changed since the page was loaded, say so."""
    hold = current_hold(message)
    raw = request.POST.get("hold", "")
    if hold is None:
        raise Conflict(f"{message.tracking} has no active hold any more; reload the page.")
    if raw and raw != str(hold.pk):
        raise Conflict("The hold on this message has changed since you loaded the page; reload it.")
    return hold


def _act(request: HttpRequest, message: Message, action: str) -> str:
    """Run one action through the services; return what to tell the person."""
    user = request.user
    post = request.POST
    if action == "triage":
        services.triage(message, by=user, note=post.get("note", ""))
        return f"{message.tracking} is triaged."
    if action == "request-translation":
        t = services.request_translation(
            message, by=user,
            source_language=post.get("source_language", "").strip(),
            target_language=(post.get("target_language") or "en").strip().lower(),
        )
        return f"Translation from {t.source_language} into {t.target_language} requested."
    if action == "place-hold":
        hold = services.place_hold(
            message, by=user, category=post.get("category", ""), reason=post.get("reason", "")
        )
        return (
            f"Hold placed ({hold.get_category_display()}). It lapses unless a second officer "
            "confirms it."
        )
    if action == "confirm-hold":
        services.confirm_hold(_hold_from_form(request, message), by=user)
        return "Hold confirmed."
    if action == "renew-hold":
        hold = services.renew_hold(_hold_from_form(request, message), by=user)
        if hold.renewal_requested_by_id:
            return "Renewal requested; a second officer must confirm it."
        return "Hold renewed."
    if action == "release-hold":
        services.release_hold(
            _hold_from_form(request, message), by=user,
            reason=post.get("reason", "") or "released by an officer",
        )
        return "Hold released."
    if action == "deliver":
        services.deliver(message, by=user)
        return f"{message.tracking} is delivered to the principal's office."
    if action == "reject":
        services.reject(message, by=user, reason=post.get("reason", ""))
        return f"{message.tracking} is rejected; the sender sees the reason."
    if action == "acknowledge":
        services.acknowledge(message, by=user)
        return f"{message.tracking} is acknowledged."
    raise NotFound(f"There is no action {action!r}.")


ACTIONS = {
    "triage", "request-translation", "place-hold", "confirm-hold", "renew-hold", "release-hold",
    "deliver", "reject", "acknowledge",
}


@signed_in
@require_POST
def message_action(request: HttpRequest, tracking: str, action: str) -> HttpResponseBase:
    try:
        message = access_message(request.user, tracking)
    except ChanceryError as exc:
        return error_page(request, exc)
    detail = reverse("message_detail", args=[message.tracking])
    try:
        if action not in ACTIONS:
            raise NotFound(f"There is no action {action!r}.")
        done = _act(request, message, action)
    except ChanceryError as exc:
        message.refresh_from_db()
        # Keep what the person typed and keep the form they used open, with the error beside it.
        kept = {"error": exc, "posted": request.POST, "open_form": action}
        if is_htmx(request):
            context = panel_context(request, message)
            context.update({**kept, "events": _history(message), "oob": True})
            return render(
                request, "correspondence/_panel_response.html", context, status=exc.status
            )
        context = detail_context(request, message)
        context.update(kept)
        return render(request, "correspondence/message_detail.html", context, status=exc.status)
    message.refresh_from_db()
    if is_htmx(request):
        context = panel_context(request, message)
        context.update({"done": done, "events": _history(message), "oob": True})
        return render(request, "correspondence/_panel_response.html", context)
    flash.success(request, done)
    return redirect(safe_next(request, detail))


# --------------------------------------------------------------------------- inbox


OVERDUE_NEXT_OFFICE = (
    "When it is late, Chancery's automatic processing has stopped, and messages may be "
    "waiting that should have reached you. Please tell the operations center."
)
"""What the principal's office is told to do about overdue action (no jargon: they need not
know what stopped)."""

INBOX_TABS: dict[str, tuple[str, str]] = {"": ("total", "All"), **SHOW}
"""The inbox's tabs: ``?show=`` key -> (the count and filter in ``services.counts``, label)."""


@web_view
@require_GET
def inbox(request: HttpRequest, slug: str) -> HttpResponseBase:
    principal = access.access_inbox(request.user, slug)
    own_office = acknowledges_for(request.user, principal)
    qs = services.with_overdue_action(
        access.inbox_messages(request.user, principal).prefetch_related(_active_holds())
    ).order_by("-received_at", "-id")
    show = request.GET.get("show", "")
    if show and show in INBOX_TABS:
        qs = services.filter_messages(qs, INBOX_TABS[show][0])
    else:
        show = ""
    context = list_context(
        request, InboxTable, qs, per_page=100, exclude=() if own_office else ("select",),
        empty_text="No messages in this list." if show else "No messages yet.",
    )
    # The bulk form is offered when a row of this page may be acknowledged (services.may).
    can_acknowledge = own_office and any(
        services.may("acknowledge", row.record, request.user)
        for row in context["table"].page.object_list
    )
    counts = services.count_messages(access.inbox_messages(request.user, principal))
    stuck = services.overdue_action(access.inbox_messages(request.user, principal))
    return render_list(request, "correspondence/inbox.html", {
        **context,
        "principal": principal,
        "show": show,
        "tabs": [
            (key, label, counts[name], services.COUNT_DEFINITIONS[name])
            for key, (name, label) in INBOX_TABS.items()
        ],
        "policy_held": counts["held_policy"],
        "overdue_action": stuck,
        "overdue_link": f"{reverse('inbox', args=[principal.slug])}?show=overdue_action",
        "overdue_next": OVERDUE_NEXT_OFFICE,
        "can_acknowledge": can_acknowledge,
        "nav_active": f"inbox-{principal.slug}",
    })


MAX_BULK = 200
"""At most this many messages acknowledged in one request (two pages of the inbox)."""


@signed_in
@require_POST
def inbox_acknowledge(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The principal's office acknowledges the ticked delivered messages at once: each through
    ``services.acknowledge`` (its own checks and event), all in one transaction, so one refusal
    leaves every message as it was."""
    back = safe_next(request, reverse("inbox", args=[slug]))
    trackings = list(dict.fromkeys(
        t.strip().upper() for t in request.POST.getlist("tracking") if t.strip()
    ))
    n = len(trackings)
    try:
        if not trackings:
            raise InvalidInput("Tick the delivered messages to acknowledge first.")
        if n > MAX_BULK:
            raise InvalidInput(f"At most {MAX_BULK} messages can be acknowledged at once.")
        principal = access.access_inbox(request.user, slug)
        with transaction.atomic():
            for tracking in trackings:
                message = access_message(request.user, tracking)
                if message.principal_id != principal.pk:
                    raise NotFound(f"{message.tracking} is not in this inbox.")
                services.acknowledge(message, by=request.user)
    except ChanceryError as exc:
        flash.error(
            request,
            f"None of the {n} selected messages was acknowledged: {exc.message}" if n > 1
            else f"Nothing was acknowledged: {exc.message}",
        )
        return redirect(back)
    flash.success(
        request,
        f"{n} message{'s' if n != 1 else ''} acknowledged: {', '.join(trackings)}.",
    )
    return redirect(back)


# --------------------------------------------------------------------------- translations


@web_view
@require_GET
def translation_queue(request: HttpRequest) -> HttpResponseBase:
    qs = access.translation_scope(request.user).order_by("requested_at", "id")
    data = request.GET.copy()
    data.setdefault("status", Translation.Status.REQUESTED)  # the open requests, oldest first
    codes = sorted(set(qs.order_by().values_list("source_language", flat=True)))
    filterset = TranslationFilter(data, queryset=qs, languages=[(c, c) for c in codes])
    context = list_context(request, TranslationTable, qs, filterset=filterset)
    languages = (
        profile_of(request.user).languages if has_role(request.user, Role.TRANSLATOR) else []
    )
    return render_list(request, "correspondence/translations.html", {
        **context,
        "languages": languages,
        "open_count": qs.filter(status=Translation.Status.REQUESTED).count(),
        "nav_active": "translations",
    })


@web_view
def translation_sign_off(request: HttpRequest, pk: int) -> HttpResponseBase:
    translation = access.access_translation(request.user, pk, field="pk")
    message = translation.message
    error: ChanceryError | None = None
    status = 200
    text = translation.text
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.sign_off_translation(translation, by=request.user, text=text)
        except ChanceryError as exc:
            error, status = exc, exc.status
        else:
            flash.success(request, f"Translation of {message.tracking} signed off. Thank you.")
            return redirect("translations")
    elif request.method != "GET":
        return HttpResponse(status=405)
    read_content(request.user, message, via="web")
    if error is not None:
        translation.refresh_from_db()
    # The button is offered exactly when sign_off_translation would accept it (one rule).
    sign_off = allowed_translation_actions(translation, request.user)["sign_off"]
    return render(request, "correspondence/translation_sign_off.html", {
        "t": translation, "message": message, "text": text, "error": error,
        "can_sign": sign_off.allowed, "sign_off": sign_off, "nav_active": "translations",
    }, status=status)


# --------------------------------------------------------------------------- liaison portal


_liaison = liaison_mission


@web_view
@require_GET
def portal(request: HttpRequest) -> HttpResponseBase:
    mission = _liaison(request.user)
    qs = access.sender_messages(request.user).order_by("-received_at", "-id")
    context = list_context(request, PortalTable, qs)
    return render_list(request, "correspondence/portal.html", {
        **context, "mission": mission, "nav_active": "portal",
    })


@web_view
def portal_new(request: HttpRequest) -> HttpResponseBase:
    mission = _liaison(request.user)
    offices = sending_offices(request.user)
    principals = list(directory_access.principals())
    languages = sorted({code for o in offices for code in o.languages} | {"en"})
    status = 200
    attachment_error = ""
    dropped: list[str] = []
    if request.method == "POST":
        form = SubmissionForm(request.POST, offices=offices, principals=principals)
        # A browser never refills a file input: on any error, name the files to choose again.
        dropped = [f.name or "" for f in request.FILES.getlist("attachments") if f.name]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["sender_office"] is None:
                    raise InvalidInput(
                        "Choose the office that sends the message.", field="sender_office"
                    )
                files = [(f.name or "", f.read()) for f in request.FILES.getlist("attachments")]
                message, _ = services.submit_message(
                    services.Submission(
                        principal=data["principal"],
                        sender_office=data["sender_office"],
                        channel=Channel.PORTAL,
                        subject=data["subject"],
                        body=data["body"],
                        language=data["language"],
                        attachments=files,
                    ),
                    by=request.user,
                )
            except ChanceryError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
                if exc.field == "attachments":
                    attachment_error = exc.message
                status = exc.status
            else:
                flash.success(
                    request,
                    f"Received: your message has the tracking number {message.tracking}. "
                    "Keep the receipt below.",
                )
                return redirect("portal_message", tracking=message.tracking)
        else:
            status = 422
    elif request.method == "GET":
        form = SubmissionForm(offices=offices, principals=principals)
    else:
        return HttpResponse(status=405)
    return render(request, "correspondence/portal_new.html", {
        "form": form, "mission": mission, "languages": languages, "accept": ACCEPT,
        "attachment_error": attachment_error,
        "dropped": dropped if status != 200 else [],
        "max_attachments": settings.CHANCERY_MAX_ATTACHMENTS,
        "max_mb": settings.CHANCERY_MAX_ATTACHMENT_BYTES / (1024 * 1024),
        "nav_active": "portal-new",
    }, status=status)


def _portal_message(request: HttpRequest, tracking: str) -> Message:
    return access.access_sender_message(request.user, tracking)


@web_view
@require_GET
def portal_message(request: HttpRequest, tracking: str) -> HttpResponseBase:
    message = _portal_message(request, tracking)
    status = services.sender_status(message)
    steps = ["received", "in review", "delivered", "acknowledged"]
    reached = {
        "received": 0, "received, delivery pending the transition": 1, "in review": 1,
        "delivered": 2, "acknowledged": 3,
    }.get(status, 0)
    read_content(request.user, message, via="web")
    return render(request, "correspondence/portal_message.html", {
        "message": message,
        "status": status,
        "steps": [(s, i <= reached) for i, s in enumerate(steps)],
        "receipt": services.receipt(message),
        "log": transparency.message_log_status(message),
        "rehold": policy_rehold(message) if "pending" in status else None,
        "nav_active": "portal",
    })


@web_view
@require_GET
def portal_receipt(request: HttpRequest, tracking: str) -> HttpResponseBase:
    message = access_message(request.user, tracking)
    body = json.dumps(
        services.receipt_with_proofs(message), indent=2, ensure_ascii=False, sort_keys=True
    )
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"receipt-{message.tracking}.json"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@web_view
@require_GET
def portal_received_proof(request: HttpRequest, tracking: str) -> HttpResponseBase:
    """The C2SP tlog-proof of the message's ``message.received`` entry, for offline checking
    (``chancery receipt verify FILE --key VKEY``, or any tlog-proof verifier)."""
    message = access_message(request.user, tracking)
    text = transparency.received_proof(message)
    if text is None:
        raise NotFound(
            f"The receipt of {message.tracking} is not in the log yet: the sequencer "
            "integrates new events within seconds. Reload the message page in a moment."
        )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"received-{message.tracking}.tlog-proof"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


# --------------------------------------------------------------------------- audit


class _InLog:
    """The audit's "In the log" column: each read is an event of the log (``ledger.reads``);
    the view sets ``entries`` (read id -> log index, None while pending) for the page shown. A
    folded row shows its last read's."""

    entries: dict[int, int | None] = {}

    def render_log(self, record: Any) -> str:
        pk = record["last_id"] if isinstance(record, dict) else record.pk
        if pk not in self.entries:
            return "not in the log"
        seq = self.entries[pk]
        return "pending" if seq is None else f"entry {seq}"


_LOG_COLUMN = {
    "verbose_name": "In the log", "empty_values": (), "orderable": False,
    "attrs": {"td": {"class": "nowrap"}},
}


class LoggedReadTable(_InLog, ReadTable):
    log = tables.Column(**_LOG_COLUMN)  # type: ignore[arg-type]

    class Meta(ReadTable.Meta):  # not inherited by django-tables2: the list's id, empty text
        pass


class LoggedGroupedReadTable(_InLog, GroupedReadTable):
    log = tables.Column(**_LOG_COLUMN)  # type: ignore[arg-type]

    class Meta(GroupedReadTable.Meta):  # not inherited by django-tables2: the list's id, empty text
        pass


@web_view
@require_GET
def audit(request: HttpRequest) -> HttpResponseBase:
    """Who read what: every subject type's reads (``ledger.reads``), repeated reads of a subject
    by one person one way within the hour folded into one row (``?each=1``: every read)."""
    require_role(request.user, *AUDIT_ROLES, action="review the access audit")
    qs = Read.objects.select_related("user").order_by("-at", "-id")
    username = (request.GET.get("user") or "").strip()
    tracking = (request.GET.get("message") or "").strip()
    subject = (request.GET.get("subject") or "").strip()
    via = (request.GET.get("via") or "").strip()
    each = request.GET.get("each") == "1"
    problem = ""
    if username:
        qs = qs.filter(user__username=username)
    if tracking:
        try:
            year, pk = parse_tracking(tracking)
        except ChanceryError as exc:
            problem = exc.message
            qs = qs.none()
        else:
            if not Message.objects.filter(pk=pk, received_at__year=year).exists():
                pk = 0
            qs = qs.filter(subject_type=SUBJECT, subject_id=pk)
    if subject:
        subject_type, _, subject_id = subject.partition(":")
        qs = qs.filter(
            subject_type=subject_type, subject_id=int(subject_id) if subject_id.isdigit() else 0
        )
    if via:
        qs = qs.filter(via=via)
    table_class = LoggedReadTable if each else LoggedGroupedReadTable
    rows = qs if each else grouped_reads(qs).annotate(last_id=Max("id"))
    context = list_context(request, table_class, rows, per_page=100)
    table = context["table"]
    records = [row.record for row in table.page.object_list]
    table.labels = subject_labels(
        (r.subject_type, r.subject_id) if each else (r["subject_type"], r["subject_id"])
        for r in records
    )
    table.entries = log_entries(r.pk if each else r["last_id"] for r in records)
    readers = User.objects.filter(
        pk__in=Read.objects.values("user_id").distinct()
    ).order_by("username")
    return render_list(request, "correspondence/audit.html", {
        **context, "username": username, "tracking": tracking, "via": via, "each": each,
        "subject": subject, "readers": readers, "vias": ["web", "api", "export"],
        "problem": problem, "total": qs.count(), "nav_active": "audit",
    })
