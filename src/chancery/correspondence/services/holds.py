"""Holds: a category, a reason and a second officer; they lapse, expire and deliver."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.accounts.roles import require_role
from chancery.correspondence.models import (
    PRE_DELIVERY,
    Hold,
    Message,
)
from chancery.correspondence.services.common import (
    MAX_REASON,
    OFFICERS,
    _deliver,
    _hours,
    _lock,
    _lock_hold,
    _lock_principal,
    _message_event,
    _place_policy_hold,
    _release,
    _require_open,
    _when,
    active_hold,
)
from chancery.directory.models import Principal
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound
from chancery.inputs import clean_text as _clean_text

# --- holds ------------------------------------------------------------------------------------


def place_hold(message: Message, *, by: Any, category: str, reason: str) -> Hold:
    require_role(by, *OFFICERS, action="place holds")
    if category not in Hold.OFFICER_CATEGORIES:
        raise InvalidInput(
            f"category {category!r} is unknown; use one of {', '.join(Hold.OFFICER_CATEGORIES)}.",
            field="category",
        )
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "hold it")
        current = active_hold(message, officer_only=True)
        if current is not None:
            raise Conflict(
                f"{message.tracking} is already held "
                f"({current.get_category_display().lower()}, {current.status})."
            )
        last = message.holds.filter(is_policy=False).order_by("-placed_at", "-id").first()
        if last is not None and last.confirmed_at is None and last.placed_by_id == by.pk:
            raise Forbidden(
                f"Your last hold on {message.tracking} ended without a second officer's "
                "confirmation; a hold cannot be kept alive by placing it again. Another officer "
                "must place the new hold."
            )
        now = clock.now()
        hold = Hold.objects.create(
            message=message, category=category, reason=reason, placed_by=by, placed_at=now,
            expires_at=now + _hours("CHANCERY_HOLD_LAPSE_HOURS"),
        )
        _message_event(
            message, "hold.placed", by, hold=hold.pk, category=category, reason=reason,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def _officer_hold(hold: Hold, action: str, *, allow_expired: bool = False) -> Hold:
    """Lock the hold's message, then the hold, and check it is an active officer's hold."""
    message = _lock(hold.message_id)
    hold = _lock_hold(hold.pk)
    hold.message = message
    if hold.released_at is not None:
        raise Conflict(
            f"This hold on {message.tracking} already ended at {_when(hold.released_at)} "
            f"({hold.release_reason})."
        )
    if hold.is_policy:
        raise Conflict(
            f"This is a policy hold on {message.tracking}; it ends when the "
            f"{message.principal.title}'s transition status changes, not by an officer."
        )
    if not allow_expired and hold.expires_at is not None and hold.expires_at <= clock.now():
        raise Conflict(
            f"This hold on {message.tracking} expired at {_when(hold.expires_at)}; it can no "
            f"longer be {action}. The message is being released to delivery."
        )
    return hold


def confirm_hold(hold: Hold, *, by: Any) -> Hold:
    require_role(by, *OFFICERS, action="confirm holds")
    with transaction.atomic():
        hold = _officer_hold(hold, "confirmed")
        if hold.confirmed_at is not None:
            raise Conflict(
                f"This hold is already confirmed by {hold.confirmed_by}; a further extension is "
                "a renewal (two officers)."
            )
        if hold.placed_by_id == by.pk:
            raise Forbidden(
                "A hold must be confirmed by a different officer from the one who placed it."
            )
        now = clock.now()
        hold.confirmed_by = by
        hold.confirmed_at = now
        hold.expires_at = hold.placed_at + _hours("CHANCERY_HOLD_MAX_HOURS")
        hold.save(update_fields=["confirmed_by", "confirmed_at", "expires_at"])
        _message_event(
            hold.message, "hold.confirmed", by, hold=hold.pk,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def renew_hold(hold: Hold, *, by: Any) -> Hold:
    """Renewal needs two officers: the first call asks, a different officer's call renews."""
    require_role(by, *OFFICERS, action="renew holds")
    with transaction.atomic():
        hold = _officer_hold(hold, "renewed")
        if hold.confirmed_at is None:
            raise Conflict(
                "Only a confirmed hold can be renewed; have a second officer confirm it first."
            )
        now = clock.now()
        if hold.renewal_requested_by_id is None:
            hold.renewal_requested_by = by
            hold.renewal_requested_at = now
            hold.save(update_fields=["renewal_requested_by", "renewal_requested_at"])
            _message_event(hold.message, "hold.renewal_requested", by, hold=hold.pk)
            return hold
        if hold.renewal_requested_by_id == by.pk:
            raise Forbidden(
                "A renewal needs a second officer; you have already asked for this one."
            )
        hold.expires_at = now + _hours("CHANCERY_HOLD_MAX_HOURS")
        hold.renewals += 1
        first = hold.renewal_requested_by
        hold.renewal_requested_by = None
        hold.renewal_requested_at = None
        hold.save(update_fields=[
            "expires_at", "renewals", "renewal_requested_by", "renewal_requested_at",
        ])
        _message_event(
            hold.message, "hold.renewed", by, hold=hold.pk,
            first_officer=first.get_username() if first else None,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold



def _after_hold(message: Message, principal: Principal, *, deliver: bool, why: str) -> bool:
    """After an officer's hold ends: a closed policy gate takes over (visibly); otherwise an
    expired hold delivers the message. Returns True if the message was delivered."""
    if message.state not in PRE_DELIVERY:
        return False
    if principal.gate_active:
        if not message.holds.filter(released_at__isnull=True, is_policy=True).exists():
            _place_policy_hold(message, principal)
        return False
    if deliver and active_hold(message) is None:
        # Even a message still waiting for its translation: the original goes now (the office
        # always sees it beside any translation), the translation follows when signed off.
        _deliver(message, None, why)
        return True
    return False


def _hold_principal_id(hold: Hold) -> int:
    pk = Hold.objects.filter(pk=hold.pk).values_list("message__principal_id", flat=True).first()
    if pk is None:
        raise NotFound("No such hold.", field="hold")
    return pk


def release_hold(hold: Hold, *, by: Any, reason: str = "released by an officer") -> Hold:
    """An officer ends a hold. The message goes back to the queue (or, if the hold had already
    expired, is delivered as the expiry would have done; under a closed policy gate, it is held
    by the policy instead)."""
    require_role(by, *OFFICERS, action="release holds")
    reason = _clean_text(reason, field="reason", max_len=300, required=True)
    with transaction.atomic():
        principal = _lock_principal(_hold_principal_id(hold))
        hold = _officer_hold(hold, "released", allow_expired=True)
        expired = hold.expires_at is not None and hold.expires_at <= clock.now()
        _release(hold, by, reason)
        _after_hold(hold.message, principal, deliver=expired, why="hold expired")
    return hold


def expire_holds(now: dt.datetime | None = None) -> list[Message]:
    """Release every hold past its expiry and deliver its message (worker)."""
    now = now or clock.now()
    delivered: list[Message] = []
    due = Hold.objects.filter(
        released_at__isnull=True, is_policy=False, expires_at__lte=now
    ).order_by("expires_at", "id")
    for hold_id, message_id, principal_id in list(
        due.values_list("id", "message_id", "message__principal_id")
    ):
        with transaction.atomic():
            principal = _lock_principal(principal_id)
            message = _lock(message_id)
            hold = _lock_hold(hold_id)
            if hold.released_at is not None or hold.expires_at is None or hold.expires_at > now:
                continue  # confirmed, renewed or released meanwhile
            hold.message = message
            why = "expired unconfirmed" if hold.confirmed_at is None else "expired at its maximum"
            _release(hold, None, why)
            if _after_hold(message, principal, deliver=True, why=f"hold {why}"):
                delivered.append(message)
    return delivered


