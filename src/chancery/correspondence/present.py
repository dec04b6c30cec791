"""Read-side helpers shared by the API and the HTML views (no rules here, only shapes)."""

from __future__ import annotations

from typing import Any

from chancery import clock
from chancery.accounts.roles import is_sender_only
from chancery.correspondence.access import can_read_content, read_content
from chancery.correspondence.models import PRE_DELIVERY, Hold, Message, Translation
from chancery.correspondence.services import active_hold, receipt, sender_status
from chancery.ledger.services import history


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def hold_dict(hold: Hold | None) -> dict[str, Any] | None:
    if hold is None:
        return None
    return {
        "id": hold.pk,
        "category": hold.category,
        "category_label": hold.get_category_display(),
        "reason": hold.reason,
        "status": hold.status,
        "is_policy": hold.is_policy,
        "placed_by": _name(hold.placed_by),
        "placed_at": hold.placed_at,
        "confirmed_by": _name(hold.confirmed_by),
        "confirmed_at": hold.confirmed_at,
        "expires_at": hold.expires_at,
        "renewal_requested_by": _name(hold.renewal_requested_by),
        "renewals": hold.renewals,
        "released_at": hold.released_at,
        "release_reason": hold.release_reason,
    }


def translation_dict(t: Translation, *, with_text: bool) -> dict[str, Any]:
    return {
        "id": t.pk,
        "tracking": t.message.tracking,
        "source_language": t.source_language,
        "target_language": t.target_language,
        "status": t.status,
        "translator": _name(t.translator),
        "signed_off_at": t.signed_off_at,
        "text": t.text if with_text else None,
    }


def current_hold(message: Message) -> Hold | None:
    """The active hold that matters most: an officer's hold before a policy hold."""
    return active_hold(message)


def is_overdue(message: Message) -> bool:
    return message.state in PRE_DELIVERY and message.due_at <= clock.now()


def message_dict(
    message: Message, user: Any, *, via: str, full: bool = True
) -> dict[str, Any]:
    """The message as ``user`` may see it; reading the content is recorded in the access audit.

    A sender (a liaison, with no operations role) sees its message, status, receipt data and
    any policy hold and the kinds and times of its events, but not the operations center's
    internal deliberations: an officer's hold reason, officers' names, event details."""
    visible = can_read_content(user, message)
    sender_only = is_sender_only(user)
    hold = current_hold(message)
    if sender_only and hold is not None and not hold.is_policy:
        hold = None
    out: dict[str, Any] = {
        "tracking": message.tracking,
        "principal": message.principal.slug,
        "sender": str(message.sender_office),
        "sender_polity": message.sender_office.polity,
        "channel": message.channel,
        "subject": message.subject if visible else None,
        "state": message.state,
        "sender_status": sender_status(message),
        "received_at": message.received_at,
        "due_at": message.due_at,
        "overdue": is_overdue(message),
        "escalated_at": message.escalated_at,
        "delivered_at": message.delivered_at,
        "acknowledged_at": message.acknowledged_at,
        "language": message.language,
        "rejection_reason": message.rejection_reason,
        "hold": hold_dict(hold),
        "content_visible": visible,
    }
    if not full:
        return out
    if visible:
        read_content(user, message, via=via)
        out["body"] = message.body
        out["attachments"] = receipt(message)["attachments"]
    events = history("message", message.pk)
    if sender_only:
        out["events"] = [
            {"id": e.pk, "at": e.at, "kind": e.kind, "actor": None, "data": {}, "log_index": e.seq}
            for e in events
        ]
        return out
    out["translations"] = [
        translation_dict(t, with_text=visible)
        for t in message.translations.select_related("translator", "message")
    ]
    out["events"] = [
        {
            "id": e.pk, "at": e.at, "kind": e.kind, "actor": _name(e.actor), "data": e.data,
            "log_index": e.seq,
        }
        for e in events
    ]
    return out
