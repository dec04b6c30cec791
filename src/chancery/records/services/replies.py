"""Replies to messages: the principal's office (or an officer) drafts a reply or an
acknowledgement to a delivered message, the principal's office clears it (a person other than the
drafter of that version), and it is sent to the liaison portal, where the sender's liaison reads
it with its receipt.

draft -> cleared -> sent. A redraft (of a draft or a cleared reply) raises the version and puts
the reply back to draft; a sent reply is never changed. Every change is one transaction with its
event (``reply.drafted`` / ``reply.cleared`` / ``reply.sent``); the text is private: the log
holds ``sha256(salt || utf8(text))``, and the receipt (:func:`reply_receipt`) gives the liaison
the ``reply.sent`` leaf and its salt to recompute it, with the inclusion proof once the log has
integrated it.

As for calls (``calls/services/actions.py``), each action has two checks, read by the services
and by every page's panel (:func:`allowed_actions`): ``who`` (403: the role, the principal's
office of the message's principal) and ``now`` (409: the state, with the row locked; the drafter
clearing its own version is refused here too, with 403: a colleague can).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, profile_of, role_refusal
from chancery.correspondence.models import Message, State
from chancery.correspondence.services.actions import Allowed
from chancery.errors import ChanceryError, Conflict, Forbidden, InvalidInput
from chancery.inputs import clean_text, language_code
from chancery.ledger.models import Event
from chancery.ledger.receipts import log_proofs
from chancery.ledger.services import record_event
from chancery.records.models import Reply
from chancery.records.services.common import reply_event

__all__ = [
    "ACTIONS", "MAX_BODY", "SUBJECT", "allowed_actions", "clear_reply", "draft_reply", "drafter_of",
    "may", "may_draft", "redraft_reply", "reply_receipt", "send_reply",
]

SUBJECT = "reply"
"""The subject type of a reply in the ledger (events and the access audit)."""

MAX_BODY = 20_000
OFFICERS = (Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER)
"""The officers who may draft and send replies (with the principal's office)."""
REPLYABLE = (State.DELIVERED, State.ACKNOWLEDGED)

ACTIONS = ("redraft", "clear", "send")
"""Every action on a reply, in the order a panel lists them."""

_OFFICE = (Role.PRINCIPAL_OFFICE,)
_WHO: dict[str, tuple[tuple[str, ...], str]] = {
    "draft": ((*OFFICERS, *_OFFICE), "draft replies to messages"),
    "redraft": ((*OFFICERS, *_OFFICE), "redraft replies"),
    "clear": (_OFFICE, "clear replies"),
    "send": ((*OFFICERS, *_OFFICE), "send replies"),
}


# --------------------------------------------------------------------------- the rules


def _own_office(user: Any, message: Message) -> bool:
    return (
        has_role(user, Role.PRINCIPAL_OFFICE)
        and profile_of(user).principal_id == message.principal_id
    )


def _who(action: str, user: Any, message: Message) -> ChanceryError | None:
    roles, what = _WHO[action]
    refusal = role_refusal(user, *roles, action=what)
    if refusal is not None:
        return refusal
    if action != "clear" and has_role(user, *OFFICERS):
        return None
    if not _own_office(user, message):
        return Forbidden(
            f"{message.tracking} is addressed to the {message.principal.title}; only its office"
            + (" clears its replies." if action == "clear" else " or an officer may do this.")
        )
    return None


def _message_refusal(message: Message) -> ChanceryError | None:
    if message.state not in REPLYABLE:
        return Conflict(
            f"{message.tracking} is {State(message.state).label.lower()}; a reply is drafted "
            "only to a delivered or acknowledged message (deliver it first)."
        )
    return None


def drafter_of(reply: Reply) -> int | None:
    """The id of the user who drafted the reply's current version (its last ``reply.drafted``)."""
    event = (
        Event.objects.filter(subject_type=SUBJECT, subject_id=reply.pk, kind="reply.drafted")
        .order_by("-id").only("actor_id").first()
    )
    return event.actor_id if event is not None else reply.created_by_id


def _sent(reply: Reply) -> Conflict:
    return Conflict(f"{reply.tracking} was sent; a sent reply is never changed.")


def _now(action: str, user: Any, reply: Reply) -> ChanceryError | None:
    state = reply.state
    if action == "redraft":
        return _sent(reply) if state == Reply.State.SENT else None
    if action == "clear":
        if state == Reply.State.SENT:
            return _sent(reply)
        if state == Reply.State.CLEARED:
            return Conflict(f"Version {reply.version} of {reply.tracking} is cleared already.")
        if user is not None and drafter_of(reply) == user.pk:
            return Forbidden(
                f"You drafted version {reply.version} of {reply.tracking}; another person of "
                "the principal's office clears it."
            )
        return None
    if state == Reply.State.SENT:
        return Conflict(f"{reply.tracking} was sent already.")
    if state != Reply.State.CLEARED:
        return Conflict(
            f"{reply.tracking} is not cleared; the principal's office clears version "
            f"{reply.version} before it is sent."
        )
    return None


def may(reply: Reply, user: Any, action: str) -> Allowed:
    """One action's verdict: exactly what the service accepts (``bool(...)``; ``.reason``)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown reply action {action!r}; one of {', '.join(ACTIONS)}")
    refusal = _who(action, user, reply.message)
    if refusal is not None:
        return Allowed(action, refusal, "who")
    refusal = _now(action, user, reply)
    return Allowed(action, refusal, "now" if refusal is not None else "")


def allowed_actions(reply: Reply, user: Any) -> list[Allowed]:
    """Every action on ``reply`` and whether ``user`` may take it now (with the reason if not),
    in the order of ``ACTIONS``."""
    return [may(reply, user, action) for action in ACTIONS]


def may_draft(message: Message, user: Any) -> Allowed:
    """Whether ``user`` may draft a reply to ``message`` now (the "Draft a reply" link)."""
    refusal = _who("draft", user, message)
    if refusal is not None:
        return Allowed("draft", refusal, "who")
    refusal = _message_refusal(message)
    return Allowed("draft", refusal, "now" if refusal is not None else "")


def _require(reply: Reply, user: Any, action: str, *, stage: str) -> None:
    refusal = (
        _who(action, user, reply.message) if stage == "who" else _now(action, user, reply)
    )
    if refusal is not None:
        raise refusal


def _lock(reply: Reply) -> Reply:
    """Re-read the reply under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    return (
        Reply.objects.select_for_update(of=("self",))
        .select_related("message__principal")
        .get(pk=reply.pk)
    )


def _drafted(reply: Reply, by: Any) -> None:
    """``reply.drafted`` for the reply's current version. Written out with ``record_event``:
    the event's ``kind`` key would collide with ``reply_event``'s own ``kind`` parameter."""
    message = reply.message
    record_event(
        "reply", reply.pk, "reply.drafted", actor=by,
        data={"message": message.tracking, "principal": message.principal.slug,
              "kind": reply.kind, "language": reply.language, "version": reply.version,
              "text": reply.body},
    )


def _body(body: Any) -> str:
    return clean_text(body, field="body", max_len=MAX_BODY, required=True).strip()


# --------------------------------------------------------------------------- the workflow


def draft_reply(
    message: Message, *, by: Any, body: str, kind: str = "reply", language: str = "en"
) -> Reply:
    """Draft a reply (or an acknowledgement) to a delivered or acknowledged message: version 1,
    in draft."""
    refusal = _who("draft", by, message)
    if refusal is not None:
        raise refusal
    if kind not in Reply.Kind.values:
        raise InvalidInput(
            f"kind {kind!r} is unknown; use one of {', '.join(Reply.Kind.values)}.", field="kind"
        )
    text = _body(body)
    lang = language_code(language, field="language")
    with transaction.atomic():
        locked = Message.objects.select_for_update(of=("self",)).select_related(
            "principal").get(pk=message.pk)
        refusal = _message_refusal(locked)
        if refusal is not None:
            raise refusal
        reply = Reply.objects.create(
            message=locked, kind=kind, language=lang, body=text, version=1, created_by=by,
            created_at=clock.now(),
        )
        _drafted(reply, by)
    return reply


def redraft_reply(reply: Reply, *, by: Any, body: str) -> Reply:
    """A new version of a draft or cleared reply: back to draft (its clearance is gone)."""
    _require(reply, by, "redraft", stage="who")
    text = _body(body)
    with transaction.atomic():
        reply = _lock(reply)
        _require(reply, by, "redraft", stage="now")
        reply.body = text
        reply.version += 1
        reply.state = Reply.State.DRAFT
        reply.cleared_by = None
        reply.cleared_at = None
        reply.save(update_fields=["body", "version", "state", "cleared_by", "cleared_at"])
        _drafted(reply, by)
    return reply


def clear_reply(reply: Reply, *, by: Any, version: int) -> Reply:
    """The principal's office clears ``version`` (the one it read) for sending; a person other
    than its drafter. A stale version (redrafted since) is a conflict."""
    _require(reply, by, "clear", stage="who")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidInput("version must be the whole number of the version you read.",
                           field="version")
    with transaction.atomic():
        reply = _lock(reply)
        if version != reply.version:
            raise Conflict(
                f"{reply.tracking} is at version {reply.version}, not {version}: it was "
                "redrafted since you read it; read the new version and clear that."
            )
        _require(reply, by, "clear", stage="now")
        reply.state = Reply.State.CLEARED
        reply.cleared_by = by
        reply.cleared_at = clock.now()
        reply.save(update_fields=["state", "cleared_by", "cleared_at"])
        reply_event(reply, "reply.cleared", by, version=reply.version)
    return reply


def send_reply(reply: Reply, *, by: Any) -> Reply:
    """Send the cleared reply to the liaison portal; ``reply.sent`` commits to the text sent."""
    _require(reply, by, "send", stage="who")
    with transaction.atomic():
        reply = _lock(reply)
        _require(reply, by, "send", stage="now")
        reply.state = Reply.State.SENT
        reply.sent_by = by
        reply.sent_at = clock.now()
        reply.save(update_fields=["state", "sent_by", "sent_at"])
        reply_event(reply, "reply.sent", by, version=reply.version, text=reply.body)
    return reply


# --------------------------------------------------------------------------- the receipt


def sent_event(reply: Reply) -> Event | None:
    return (
        Event.objects.filter(subject_type=SUBJECT, subject_id=reply.pk, kind="reply.sent")
        .order_by("id").first()
    )


def reply_receipt(reply: Reply) -> dict[str, Any]:
    """What the sender's liaison downloads: the reply as sent, the ``reply.sent`` event's leaf
    (canonical JSON, whose ``data.text`` is ``sha256(salt || utf8(text))``) and its salt, so the
    commitment recomputes from the text; ``log``: the event's C2SP tlog-proof@v1 once the log
    has integrated it (``ledger.receipts.log_proofs``; saved as a file, ``chancery receipt verify
    FILE --key VKEY`` checks it)."""
    event = sent_event(reply)
    if reply.state != Reply.State.SENT or event is None:
        raise Conflict(f"{reply.tracking} is not sent; a receipt exists once it is.")
    message = reply.message
    leaf = bytes(event.leaf).decode()
    return {
        "tracking": reply.tracking,
        "message": message.tracking,
        "principal": message.principal.slug,
        "kind": reply.kind,
        "language": reply.language,
        "version": reply.version,
        "sent_at": reply.sent_at.isoformat() if reply.sent_at else None,
        "text": reply.body,
        "text_commitment": {
            "algorithm": "sha256(salt || utf8(text))",
            "salt": event.salt,
            "value": json.loads(leaf)["data"]["text"],
        },
        "event": {"id": event.pk, "kind": event.kind, "at": event.at.isoformat(), "leaf": leaf},
        "log": log_proofs(SUBJECT, reply.pk, kind="reply.sent"),
    }
