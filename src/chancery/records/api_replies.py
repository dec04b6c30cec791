"""The API of replies: thin wrappers over ``records.services.replies``, access through
``records.access_replies``. Staff (the principal's office of the message's principal, officers)
draft, redraft, clear and send; everyone who sees a reply reads it (the read is recorded); the
sender's liaison sees only its polity's SENT replies and downloads each one's receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.renderers import JSONRenderer

from chancery.accounts.roles import is_sender_only
from chancery.correspondence.access import access_message
from chancery.correspondence.models import Message
from chancery.correspondence.schemas import LogProofsOut
from chancery.errors import InvalidInput, NotFound
from chancery.ledger.services import history
from chancery.records.access_replies import (
    SUBJECT,
    access_reply,
    read_reply,
    visible_replies,
)
from chancery.records.models import Reply
from chancery.records.services import replies as services
from chancery.schemas import ErrorOut, InSchema

router = Router(tags=["records"])
_JSON = JSONRenderer()
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: ErrorOut, 429: ErrorOut,
}


class ReplyIn(InSchema):
    message: str = Field(..., max_length=40, description="The message's tracking number, "
                         "e.g. CH-2020-000123 (delivered or acknowledged)")
    body: str = Field(..., max_length=services.MAX_BODY,
                      description="The text (private: the log holds a salted commitment)")
    kind: str = Field("reply", max_length=16, description="reply or acknowledgement")
    language: str = Field("en", max_length=8, description="ISO 639-1 code of the text")


class RedraftIn(InSchema):
    body: str = Field(..., max_length=services.MAX_BODY, description="The new version's text")


class ClearIn(InSchema):
    version: int = Field(..., ge=1, le=2**31,
                         description="The version you read and clear (a stale one is a 409)")


class ReplyEventOut(Schema):
    kind: str
    at: dt.datetime
    version: int | None = None
    by: str | None = None


class ReplyOut(Schema):
    tracking: str
    message: str
    principal: str
    kind: str
    language: str
    state: str
    version: int
    body: str
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    actions: list[str] = Field(default_factory=list,
                               description="What you may do with it now (staff)")
    events: list[ReplyEventOut]


class ReplyReceiptOut(Schema):
    tracking: str
    message: str
    principal: str
    kind: str
    language: str
    version: int
    sent_at: str | None
    text: str
    text_commitment: dict[str, str]
    event: dict[str, Any] = Field(
        ..., description="The reply.sent event: id, kind, at and its leaf (canonical JSON)"
    )
    log: LogProofsOut


def reply_dict(reply: Reply, user: Any, *, via: str = "api") -> dict[str, Any]:
    """The reply as ``user`` may see it, with its text (the read is recorded). A sender-only user
    (the liaison) gets no actions and no names in the events."""
    read_reply(user, reply, via=via)
    liaison = is_sender_only(user)
    events = [
        {
            "kind": e.kind, "at": e.at, "version": e.data.get("version"),
            "by": None if liaison or e.actor is None else e.actor.get_username(),
        }
        for e in history(SUBJECT, reply.pk)
    ]
    return {
        "tracking": reply.tracking,
        "message": reply.message.tracking,
        "principal": reply.message.principal.slug,
        "kind": reply.kind,
        "language": reply.language,
        "state": reply.state,
        "version": reply.version,
        "body": reply.body,
        "created_at": reply.created_at,
        "sent_at": reply.sent_at,
        "actions": [] if liaison else [
            a.action for a in services.allowed_actions(reply, user) if a
        ],
        "events": events,
    }


def _named_message(user: Any, tracking: str) -> Message:
    """The message a ``message`` input names (a 404 naming that input, not a path's
    ``tracking``)."""
    try:
        return access_message(user, tracking)
    except NotFound as exc:
        raise NotFound(exc.message, field="message") from None


@router.post("/replies", response={201: ReplyOut, **ERRORS}, summary="Draft a reply to a message")
def draft(request: HttpRequest, payload: ReplyIn) -> HttpResponse:
    """Draft a reply or acknowledgement (version 1) to a delivered or acknowledged message: the
    principal's office of its principal, or an officer. Returns 201 with the reply."""
    message = _named_message(request.user, payload.message)
    reply = services.draft_reply(message, by=request.user, body=payload.body,
                                 kind=payload.kind, language=payload.language)
    out = ReplyOut(**reply_dict(reply, request.user))
    return HttpResponse(
        _JSON.render(request, out.model_dump(mode="json"), response_status=201), status=201,
        content_type=f"{_JSON.media_type}; charset={_JSON.charset}",
    )


@router.get("/replies", response={200: list[ReplyOut], **ERRORS}, summary="Replies you can see")
def list_replies(
    request: HttpRequest,
    state: str | None = Query(None, max_length=16, description="draft, cleared or sent"),
    message: str | None = Query(None, max_length=40, description="A message's tracking number"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    """Staff: the replies they see, in every state; a liaison: the sent replies to its polity's
    messages. With their texts (each read is recorded)."""
    qs = visible_replies(request.user).order_by("-created_at", "-id")
    if state:
        if state not in Reply.State.values:
            raise InvalidInput(
                f"state {state!r} is unknown; use one of {', '.join(Reply.State.values)}.",
                field="state",
            )
        qs = qs.filter(state=state)
    if message:
        qs = qs.filter(message=_named_message(request.user, message))
    return [reply_dict(r, request.user) for r in qs[offset : offset + limit]]


@router.get("/replies/{tracking}", response={200: ReplyOut, **ERRORS}, summary="A reply")
def get_reply(request: HttpRequest, tracking: str) -> dict[str, Any]:
    return reply_dict(access_reply(request.user, tracking), request.user)


@router.get("/replies/{tracking}/receipt", response={200: ReplyReceiptOut, **ERRORS},
            summary="A sent reply's receipt")
def get_receipt(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """The reply as sent, the ``reply.sent`` event's leaf and salt (recompute
    ``sha256(salt || utf8(text))`` and find it in the leaf's ``data.text``), and the event's
    C2SP tlog-proof@v1 once the log has integrated it. 409 before the reply is sent."""
    reply = access_reply(request.user, tracking)
    read_reply(request.user, reply, via="api", part="receipt")
    return services.reply_receipt(reply)


@router.post("/replies/{tracking}/redraft", response={200: ReplyOut, **ERRORS})
def redraft(request: HttpRequest, tracking: str, payload: RedraftIn) -> dict[str, Any]:
    """A new version of a draft or cleared reply (back to draft); a sent reply is a 409."""
    reply = services.redraft_reply(access_reply(request.user, tracking), by=request.user,
                                   body=payload.body)
    return reply_dict(reply, request.user)


@router.post("/replies/{tracking}/clear", response={200: ReplyOut, **ERRORS})
def clear(request: HttpRequest, tracking: str, payload: ClearIn) -> dict[str, Any]:
    """The principal's office clears the version it read (not its own draft; 409 if stale)."""
    reply = services.clear_reply(access_reply(request.user, tracking), by=request.user,
                                 version=payload.version)
    return reply_dict(reply, request.user)


@router.post("/replies/{tracking}/send", response={200: ReplyOut, **ERRORS})
def send(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """Send a cleared reply to the sender's liaison portal."""
    reply = services.send_reply(access_reply(request.user, tracking), by=request.user)
    return reply_dict(reply, request.user)
