"""The telcon pages: thin. Existence through ``records.access_telcons.access_telcon`` (404),
content through ``access_telcon_content`` (403 for someone who may know it exists but is not a
reader), every change through ``records.services.telcons``; a ``ChanceryError`` becomes a
message on the page with its 4xx status, what was typed kept. Every page or PDF that shows a
version's content records the read (``access_telcons.read_version``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chancery import clock
from chancery.accounts.roles import internal_users
from chancery.calls.access import access_call
from chancery.calls.models import CallRequest
from chancery.directory.access import principals
from chancery.errors import ChanceryError, InvalidInput
from chancery.ledger.services import history
from chancery.pages import web_view
from chancery.records import access_telcons as access
from chancery.records import telcon_view as view
from chancery.records.models import Level, Reason, Regime, Telcon
from chancery.records.services import telcons as services

PER_PAGE = 50


@web_view
@require_GET
def telcon_list(request: HttpRequest) -> HttpResponseBase:
    g = request.GET
    filters = {k: (g.get(k) or "").strip() or None for k in ("principal", "state", "level")}
    qs = view.filtered(access.visible_telcons(request.user), **filters)
    readable = set(access.readable_telcons(request.user).values_list("pk", flat=True))
    try:
        page = max(1, int(g.get("page") or 1))
    except ValueError:
        page = 1
    rows = list(qs[(page - 1) * PER_PAGE : page * PER_PAGE + 1])
    return render(request, "records/telcon_list.html", {
        "telcons": rows[:PER_PAGE], "readable": readable, "filters": filters,
        "page": page, "more": len(rows) > PER_PAGE,
        "principals": principals().order_by("name"),
        "states": Telcon.State.choices, "levels": Level.choices,
    })


# --------------------------------------------------------------------------- the form


def _form_values(post: Any) -> dict[str, Any]:
    """The form's fields as the services take them (lists one per line)."""
    values: dict[str, Any] = {
        "location": post.get("location", ""),
        "participants": post.get("participants", ""),
        "interpreter": post.get("interpreter", ""),
        "note_takers": post.getlist("note_takers"),
        "classification": post.get("classification", ""),
        "classified_by": post.get("classified_by", ""),
        "reasons": post.getlist("reasons"),
        "declassify_on": post.get("declassify_on") or None,
        "body": post.get("body", ""),
        "time_zone": post.get("time_zone") or None,
    }
    return values


def _form_page(request: HttpRequest, context: dict[str, Any], *, status: int = 200
               ) -> HttpResponse:
    context.setdefault("levels", Level.choices)
    context.setdefault("reasons", Reason.choices)
    context.setdefault("regimes", Regime.choices)
    context.setdefault("kinds", Telcon.Kind.choices)
    return render(request, "records/telcon_form.html", context, status=status)


def _prefill(call: CallRequest) -> dict[str, Any]:
    office, principal = call.office, call.principal
    leader = f"{office.leader.name}, {office.title}" if office.leader else office.title
    start = call.connected_at or call.start
    end = call.completed_at or call.end
    return {
        "location": "Telephone",
        "participants": f"{principal.name}, {principal.title}\n{leader}",
        "interpreter": call.interpreter.name if call.interpreter else "",
        "note_takers": ["", ""],
        "classification": "U",
        "classified_by": "",
        "reasons": [],
        "declassify_on": "",
        "body": "(U) ",
        "time_zone": principal.time_zone,
        "regime": Regime.PRESIDENTIAL,
        "kind": Telcon.Kind.TELCON,
        "start": start,
        "end": end,
    }


@web_view
@require_http_methods(["GET", "POST"])
def telcon_new(request: HttpRequest, call_tracking: str) -> HttpResponseBase:
    call = access_call(request.user, call_tracking)
    allowed = services.may_draft(call, request.user)
    if allowed.refusal is not None and allowed.stage == "who":
        raise allowed.refusal
    existing = access.visible_telcons(request.user).filter(call=call).first()
    if existing is not None and request.method == "GET":
        return redirect("telcon_detail", tracking=existing.tracking)
    context: dict[str, Any] = {"call": call, "mode": "new", "values": _prefill(call)}
    if request.method == "GET":
        if allowed.refusal is not None:
            context["error"] = allowed.refusal
        return _form_page(request, context, status=200)
    values = _form_values(request.POST)
    kind = request.POST.get("kind", Telcon.Kind.TELCON)
    regime = request.POST.get("regime", "")
    try:
        telcon = services.draft_telcon(call, by=request.user, kind=kind, regime=regime, **values)
    except ChanceryError as exc:
        context["values"] = {**context["values"], **values, "kind": kind, "regime": regime,
                             "note_takers": values["note_takers"] or ["", ""]}
        context["error"] = exc
        return _form_page(request, context, status=exc.status)
    flash.success(request, f"{telcon.tracking} drafted (version 1).")
    return redirect("telcon_detail", tracking=telcon.tracking)


@web_view
@require_http_methods(["GET", "POST"])
def telcon_revise(request: HttpRequest, tracking: str) -> HttpResponseBase:
    telcon = access.access_telcon_content(request.user, tracking)
    allowed = services.may(telcon, request.user, "revise")
    if allowed.refusal is not None and allowed.stage == "who":
        raise allowed.refusal
    current = telcon.versions.get(number=telcon.version)
    values = {name: getattr(current, name) for name in services.CONTENT_FIELDS}
    values["participants"] = "\n".join(current.participants)
    values["declassify_on"] = current.declassify_on.isoformat() if current.declassify_on else ""
    context: dict[str, Any] = {"call": telcon.call, "telcon": telcon, "mode": "revise",
                               "values": {**values, "start": current.start, "end": current.end,
                                          "note": ""}}
    if request.method == "GET":
        if allowed.refusal is not None:
            context["error"] = allowed.refusal
        return _form_page(request, context)
    posted = _form_values(request.POST)
    note = request.POST.get("note", "")
    try:
        version = services.revise_telcon(telcon, by=request.user, note=note, **posted)
    except ChanceryError as exc:
        context["values"] = {**context["values"], **posted, "note": note,
                             "note_takers": posted["note_takers"] or ["", ""]}
        context["error"] = exc
        return _form_page(request, context, status=exc.status)
    flash.success(request, f"{telcon.tracking}: version {version.number} saved; it is back to "
                  "draft for review.")
    return redirect("telcon_detail", tracking=telcon.tracking)


# --------------------------------------------------------------------------- the record


def _internal_users() -> list[Any]:
    return list(internal_users().select_related("profile"))


def document_context(telcon: Telcon, user: Any, number: int | None, *, via: str
                     ) -> dict[str, Any]:
    """What the page and the PDF show of a version (the read is recorded)."""
    version = access.read_version(user, telcon, number, via=via)
    return {
        "telcon": telcon,
        "call": telcon.call,
        "v": view.version_dict(telcon, version),
        "version": version,
        "regime_label": Regime(telcon.regime).label,
        "kind_label": Telcon.Kind(telcon.kind).label,
        "generated_at": clock.now(),
    }


def _detail(request: HttpRequest, telcon: Telcon, *, status: int = 200, **extra: Any
            ) -> HttpResponse:
    telcon.refresh_from_db()
    raw = request.GET.get("version")
    try:
        number = int(raw) if raw else None
    except ValueError:
        raise InvalidInput(f"version {raw!r} is not a version number.", field="version") from None
    context = document_context(telcon, request.user, number, via="web")
    actions = {a.action: a for a in services.allowed_actions(telcon, request.user)}
    recipients = list(telcon.recipients.select_related("user").order_by("user__username"))
    context.update({
        "actions": actions,
        "reviewers": view.user_names(list(telcon.reviewers or [])),
        "reviewer_ids": list(telcon.reviewers or []),
        "recipients": recipients,
        "recipient_ids": [r.user_id for r in recipients],
        "reviews": list(telcon.reviews.select_related("reviewer").order_by("id")),
        "versions": list(telcon.versions.select_related("created_by").order_by("number")),
        "events": list(history(access.SUBJECT, telcon.pk)),
        "people": _internal_users() if any(
            actions[a] for a in ("name_reviewers", "distribute", "set_distribution")
        ) else [],
    })
    context.update(extra)
    return render(request, "records/telcon_detail.html", context, status=status)


@web_view
@require_GET
def telcon_detail(request: HttpRequest, tracking: str) -> HttpResponseBase:
    telcon = access.access_telcon_content(request.user, tracking)
    if telcon.tracking != tracking:
        return redirect("telcon_detail", tracking=telcon.tracking)
    return _detail(request, telcon)


def _user_ids(request: HttpRequest) -> list[int]:
    out = []
    for raw in request.POST.getlist("users"):
        try:
            out.append(int(raw))
        except ValueError:
            raise InvalidInput(f"users: {raw!r} is not a user id.", field="users") from None
    return out


def _act(request: HttpRequest, telcon: Telcon, action: str) -> str:
    """Run ``action`` with the POSTed fields; the success message."""
    by, post = request.user, request.POST
    if action == "name_reviewers":
        services.name_reviewers(telcon, _user_ids(request), by=by)
        return "Reviewers named."
    if action == "review":
        services.review_telcon(telcon, by=by, version=post.get("version"),
                               note=post.get("note", ""))
        return f"You reviewed version {post.get('version')}."
    if action == "approve":
        services.approve_telcon(telcon, by=by, version=post.get("version"))
        return f"Version {post.get('version')} approved."
    if action == "distribute":
        services.distribute_telcon(telcon, _user_ids(request), by=by)
        return "Distributed."
    services.set_distribution(telcon, _user_ids(request), by=by)
    return "Distribution list saved."


@web_view
@require_POST
def telcon_action(request: HttpRequest, tracking: str, action: str) -> HttpResponseBase:
    telcon = access.access_telcon(request.user, tracking)
    if action not in ("name_reviewers", "review", "approve", "distribute", "set_distribution"):
        raise InvalidInput(f"No telcon action {action!r}.", field="action")
    try:
        done = _act(request, telcon, action)
    except ChanceryError as exc:
        if not access.may_read(request.user, telcon):
            raise
        return _detail(request, telcon, status=exc.status, error=exc)
    flash.success(request, f"{telcon.tracking}: {done}")
    return redirect("telcon_detail", tracking=telcon.tracking)


@web_view
@require_GET
def telcon_compare(request: HttpRequest, tracking: str) -> HttpResponseBase:
    telcon = access.access_telcon_content(request.user, tracking)
    numbers = []
    for name, default in (("a", max(1, telcon.version - 1)), ("b", telcon.version)):
        raw = request.GET.get(name) or str(default)
        try:
            numbers.append(int(raw))
        except ValueError:
            raise InvalidInput(f"{name} {raw!r} is not a version number.", field=name) from None
    a = access.read_version(request.user, telcon, numbers[0], via="web")
    b = access.read_version(request.user, telcon, numbers[1], via="web")
    context = view.compare(a, b)
    context.update({"telcon": telcon, "call": telcon.call,
                    "versions": list(range(1, telcon.version + 1))})
    return render(request, "records/telcon_compare.html", context)


@web_view
@require_GET
def telcon_pdf(request: HttpRequest, tracking: str) -> HttpResponseBase:
    from weasyprint import HTML  # a heavy import, for this page only

    telcon = access.access_telcon_content(request.user, tracking)
    raw = request.GET.get("version")
    number = int(raw) if raw and raw.isdigit() else None
    context = document_context(telcon, request.user, number, via="export")
    html = render_to_string("records/telcon_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{telcon.tracking}-v{context['version'].number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response

