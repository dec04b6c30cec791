"""The pages of replies: the staff list, drafting a reply to a message, one reply with its text,
its actions (redraft, clear, send) and history; the liaison portal's sent replies with their
text and receipt; and the reply panels on a message's pages (staff and portal), registered with
``chancery.pages.register_panel`` (correspondence may not import records).

Thin: access through ``records.access_replies``, every change through
``records.services.replies`` (whose ``allowed_actions`` decides which buttons a panel offers); a
``ChanceryError`` becomes a message on the page with its 4xx status. Every showing of a reply's
text is recorded in the access audit (``access_replies.read_reply``)."""

from __future__ import annotations

import json
from typing import Any

import django_tables2 as tables
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, is_sender_only, profile_of, roles_of
from chancery.correspondence.access import access_message
from chancery.correspondence.models import Message
from chancery.directory.access import liaison_mission
from chancery.errors import ChanceryError, InvalidInput, NotFound
from chancery.ledger.receipts import log_proofs
from chancery.ledger.services import history
from chancery.lists import Table, list_context, render_list
from chancery.pages import register_panel, web_view
from chancery.records.access_replies import (
    SUBJECT,
    access_liaison_reply,
    access_reply,
    liaison_replies,
    message_replies,
    read_reply,
    visible_replies,
)
from chancery.records.models import Reply
from chancery.records.services import replies as services

# --------------------------------------------------------------------------- panels


def _staff_of(user: Any, message: Message) -> bool:
    """The operations center, or the principal's office of the message's principal."""
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return True
    return Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id == message.principal_id


def message_panel(request: HttpRequest, message: Message) -> str:
    """On the staff message page: the replies with their state, and "Draft a reply" when the
    person may. Nothing for anyone else (a translator, a liaison)."""
    user = request.user
    if not _staff_of(user, message):
        return ""
    return render_to_string("records/reply_panel_message.html", {
        "message": message,
        "replies": list(message_replies(user, message)),
        "may_draft": services.may_draft(message, user),
    }, request=request)


def portal_message_panel(request: HttpRequest, message: Message) -> str:
    """On the liaison portal's message page: the sent replies with their text, date and a
    receipt download (each showing of a text is recorded). Nothing when none is sent."""
    user = request.user
    if Role.LIAISON not in roles_of(user):
        return ""
    try:
        sent = list(liaison_replies(user).filter(message=message).order_by("sent_at", "id"))
    except ChanceryError:  # a liaison bound to no mission
        return ""
    if not sent:
        return ""
    for reply in sent:
        read_reply(user, reply, via="web")
    return render_to_string("records/reply_panel_portal.html", {
        "message": message, "replies": sent,
    }, request=request)


def register_panels() -> None:
    """Register the reply panels on a message's pages (``chancery.pages.register_panel``)."""
    register_panel("message", message_panel, order=50)
    register_panel("portal_message", portal_message_panel, order=50)


# --------------------------------------------------------------------------- the staff list


class ReplyTable(Table):
    """The replies the person sees (``access_replies.visible_replies``), newest first."""

    tracking = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'reply_detail\' record.tracking %}">'
        "{{ record.tracking }}</a>",
        verbose_name="Tracking", order_by=("id",),
    )
    message = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'message_detail\' record.message.tracking %}">'
        "{{ record.message.tracking }}</a>",
        verbose_name="To message", order_by=("message_id",),
    )
    to = tables.TemplateColumn(
        "{{ record.message.sender_office }}", verbose_name="To",
        order_by=("message__sender_office__title",),
    )
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.message.principal.title|short_title }}",
        verbose_name="From", order_by=("message__principal__title",),
        attrs={"td": {"class": "nowrap"}},
    )
    kind = tables.Column(verbose_name="Kind", accessor="kind")
    version = tables.Column(verbose_name="Version")
    created_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.created_at|when }}", verbose_name="Drafted",
        attrs={"td": {"class": "nowrap"}},
    )
    state = tables.Column(verbose_name="State")

    list_id = "replies-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "replies"}
        empty_text = "No replies."

    def render_kind(self, record: Reply) -> str:
        return str(Reply.Kind(record.kind).label)

    def render_state(self, record: Reply) -> str:
        return format_html('<span class="badge state-{}">{}</span>', record.state,
                           Reply.State(record.state).label)

    def row_data(self, record: Reply) -> dict[str, str]:
        return {"state": record.state}


@web_view
@require_GET
def reply_list(request: HttpRequest) -> HttpResponseBase:
    if is_sender_only(request.user):
        return redirect("reply_portal")
    qs = visible_replies(request.user).order_by("-created_at", "-id")
    state = request.GET.get("state", "")
    if state in Reply.State.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    context = list_context(request, ReplyTable, qs)
    return render_list(request, "records/reply_list.html", {
        **context, "state": state, "states": Reply.State.choices, "nav_active": "records",
    })


# --------------------------------------------------------------------------- drafting


@web_view
@require_http_methods(["GET", "POST"])
def reply_new(request: HttpRequest, tracking: str) -> HttpResponseBase:
    message = access_message(request.user, tracking)
    allowed = services.may_draft(message, request.user)
    if not allowed and allowed.refusal is not None:
        raise allowed.refusal
    posted: dict[str, str] = {"kind": "reply", "language": "en", "body": ""}
    error: ChanceryError | None = None
    status = 200
    if request.method == "POST":
        posted = {k: request.POST.get(k, posted[k]) for k in posted}
        try:
            reply = services.draft_reply(
                message, by=request.user, body=posted["body"], kind=posted["kind"],
                language=posted["language"],
            )
        except ChanceryError as exc:
            error, status = exc, exc.status
        else:
            flash.success(request, f"{reply.tracking} drafted (version 1). Another person of "
                          "the principal's office clears it before it is sent.")
            return redirect("reply_detail", reply.tracking)
    return render(request, "records/reply_new.html", {
        "message": message, "posted": posted, "error": error, "kinds": Reply.Kind.choices,
        "max_body": services.MAX_BODY, "nav_active": "records",
    }, status=status)


# --------------------------------------------------------------------------- one reply


def _detail(
    request: HttpRequest, reply: Reply, *, error: ChanceryError | None = None,
    posted: dict[str, str] | None = None, status: int = 200,
) -> HttpResponse:
    read_reply(request.user, reply, via="web")
    actions = {a.action: a for a in services.allowed_actions(reply, request.user)}
    return render(request, "records/reply_detail.html", {
        "reply": reply,
        "message": reply.message,
        "actions": actions,
        "any_action": any(actions.values()),
        "notes": [a.reason for a in actions.values() if a.personal],
        "events": list(history(SUBJECT, reply.pk)),
        "error": error,
        "posted": posted or {},
        "nav_active": "records",
    }, status=status)


@web_view
@require_GET
def reply_detail(request: HttpRequest, tracking: str) -> HttpResponseBase:
    if is_sender_only(request.user):
        return redirect("reply_portal_detail", tracking)
    return _detail(request, access_reply(request.user, tracking))


def _version(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput("version must be the number of the version you read.",
                           field="version") from None


@web_view
@require_POST
def reply_action(request: HttpRequest, tracking: str, action: str) -> HttpResponseBase:
    reply = access_reply(request.user, tracking)
    if action not in services.ACTIONS:
        raise NotFound(f"No action {action!r} on a reply; one of {', '.join(services.ACTIONS)}.")
    posted = {k: str(request.POST.get(k, "")) for k in ("body", "version")}
    try:
        if action == "redraft":
            reply = services.redraft_reply(reply, by=request.user,
                                           body=request.POST.get("body", ""))
            done = f"Version {reply.version} drafted; it goes back for clearance."
        elif action == "clear":
            reply = services.clear_reply(reply, by=request.user,
                                         version=_version(request.POST.get("version", "")))
            done = f"Version {reply.version} cleared for sending."
        else:
            reply = services.send_reply(reply, by=request.user)
            done = "Sent: the sender's liaison reads it in the portal, with its receipt."
    except ChanceryError as exc:
        fresh = access_reply(request.user, tracking)
        return _detail(request, fresh, error=exc, posted=posted, status=exc.status)
    flash.success(request, done)
    return redirect("reply_detail", reply.tracking)


# --------------------------------------------------------------------------- the portal


class PortalReplyTable(Table):
    """The sent replies to the liaison's polity's messages."""

    tracking = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'reply_portal_detail\' record.tracking %}">'
        "{{ record.tracking }}</a>",
        verbose_name="Tracking", order_by=("id",),
    )
    message = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'portal_message\' record.message.tracking %}">'
        "{{ record.message.tracking }}</a>",
        verbose_name="To your message", order_by=("message_id",),
    )
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.message.principal.title|short_title }}",
        verbose_name="From", order_by=("message__principal__title",),
        attrs={"td": {"class": "nowrap"}},
    )
    kind = tables.Column(verbose_name="Kind")
    sent_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.sent_at|when }}", verbose_name="Sent",
        attrs={"td": {"class": "nowrap"}},
    )

    list_id = "portal-replies-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "portal-replies"}
        empty_text = "No replies yet."

    def render_kind(self, record: Reply) -> str:
        return str(Reply.Kind(record.kind).label)


@web_view
@require_GET
def portal_replies(request: HttpRequest) -> HttpResponseBase:
    mission = liaison_mission(request.user)
    qs = liaison_replies(request.user).order_by("-sent_at", "-id")
    context = list_context(request, PortalReplyTable, qs)
    return render_list(request, "records/reply_portal_list.html", {
        **context, "mission": mission, "nav_active": "portal-replies",
    })


@web_view
@require_GET
def portal_reply(request: HttpRequest, tracking: str) -> HttpResponseBase:
    reply = access_liaison_reply(request.user, tracking)
    read_reply(request.user, reply, via="web")
    log = log_proofs(SUBJECT, reply.pk, proofs=False, kind="reply.sent")
    return render(request, "records/reply_portal_detail.html", {
        "reply": reply, "message": reply.message, "log": log, "nav_active": "portal-replies",
    })


@web_view
@require_GET
def portal_reply_receipt(request: HttpRequest, tracking: str) -> HttpResponseBase:
    reply = access_liaison_reply(request.user, tracking)
    read_reply(request.user, reply, via="web", part="receipt")
    body = json.dumps(
        services.reply_receipt(reply), indent=2, ensure_ascii=False, sort_keys=True
    )
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"receipt-{reply.tracking}.json"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
