"""What every correspondence rule shares: input checks, row locks in the one lock order
(principal -> message -> hold/translation), and the primitive state changes (deliver, release a
hold, place the policy hold), each of which records its event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef

from chancery import clock
from chancery.accounts.models import Role
from chancery.correspondence.models import (
    Channel,
    Hold,
    Message,
    State,
)
from chancery.directory.models import Principal
from chancery.ledger.services import record_event

LIAISON_CHANNELS = {Channel.PORTAL, Channel.API, Channel.DIPLOMATIC_NOTE}
OFFICERS = (Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER)
MAX_SUBJECT = 300
MAX_REASON = 2000
MAIL_ATTEMPTS = 5
MAIL_RETRY_AFTER = dt.timedelta(minutes=5)
"""A notification mail is tried this many times; a claim (or a failed try) is retried after
MAIL_RETRY_AFTER (``escalation.send_pending_notifications``; ``counts`` says when one is late)."""


def _hours(name: str) -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, name)))


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def _message_event(message: Message, kind: str, by: Any, **data: Any) -> None:
    record_event(
        "message", message.pk, kind, actor=by,
        data={"tracking": message.tracking, "principal": message.principal.slug, **data},
    )


def _lock(message: Message | int) -> Message:
    """Re-read the message under a row lock (PostgreSQL; SQLite serialises writers anyway).

    Only the message row is locked (``of=("self",)``): locking the joined principal too would
    block every intake for that principal while the lock is held."""
    pk = message if isinstance(message, int) else message.pk
    return (
        Message.objects.select_for_update(of=("self",))
        .select_related("principal")
        .get(pk=pk)
    )


def _lock_hold(pk: int) -> Hold:
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("placed_by", "confirmed_by", "renewal_requested_by")
        .get(pk=pk)
    )


def active_hold(message: Message, *, officer_only: bool = False) -> Hold | None:
    """The active hold that matters most: an officer's hold before a policy hold."""
    holds = message.holds.filter(released_at__isnull=True)
    if officer_only:
        holds = holds.filter(is_policy=False)
    return (
        holds.select_related("placed_by", "confirmed_by", "renewal_requested_by")
        .order_by("is_policy", "id")
        .first()
    )



def _active_hold_exists() -> Exists:
    return Exists(Hold.objects.filter(message=OuterRef("pk"), released_at__isnull=True))


def _policy_text(message: Message, principal: Principal) -> str:
    waits_for = (
        Principal.Status(principal.delivery_requires).label if principal.delivery_requires else ""
    )
    return (
        f"{message.tracking} is held by the {principal.title}'s transition support policy: "
        f"delivery waits until the status is '{waits_for}' (now "
        f"'{Principal.Status(principal.status).label}'). An admin records the change; held "
        "messages are then delivered in order of receipt."
    )


def _held_text(message: Message, hold: Hold) -> str:
    if hold.is_policy:
        return _policy_text(message, message.principal)
    by = hold.placed_by.get_username() if hold.placed_by else "the system"
    return (
        f"{message.tracking} is held for {hold.get_category_display().lower()} by {by} "
        f"({hold.status}, expires {_when(hold.expires_at)}): release the hold first."
    )


def _policy_reason(principal: Principal) -> str:
    return (
        f"Support policy of the {principal.title}: delivery waits until the transition status is "
        f"'{Principal.Status(principal.delivery_requires).label}' (now "
        f"'{Principal.Status(principal.status).label}'). The message is received and counted."
    )


def _place_policy_hold(message: Message, principal: Principal) -> Hold:
    hold = Hold.objects.create(
        message=message, is_policy=True, category=Hold.Category.TRANSITION_POLICY,
        reason=_policy_reason(principal), placed_at=clock.now(),
    )
    _message_event(
        message, "hold.policy", None, hold=hold.pk, waits_for=principal.delivery_requires
    )
    return hold


def _deliver(message: Message, by: Any, reason: str) -> None:
    now = clock.now()
    message.state = State.DELIVERED
    message.delivered_at = now
    message.save(update_fields=["state", "delivered_at"])
    _message_event(message, "message.delivered", by, reason=reason)


def _release(hold: Hold, by: Any, reason: str) -> None:
    hold.released_at = clock.now()
    hold.released_by = by
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    _message_event(hold.message, "hold.released", by, hold=hold.pk, reason=reason)

