"""Holds: a category, a reason and a second officer; they lapse, expire and deliver."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from chancery import clock
from chancery import holds as rules  # the two-officer rules, whatever is held
from chancery.correspondence.models import (
    PRE_DELIVERY,
    Hold,
    Message,
)
from chancery.correspondence.services.actions import require_may, require_now
from chancery.correspondence.services.common import (
    MAX_REASON,
    _deliver,
    _lock,
    _lock_hold,
    _message_event,
    _place_policy_hold,
    _release,
    active_hold,
)
from chancery.directory.models import Principal
from chancery.directory.services import lock_principal
from chancery.errors import InvalidInput, NotFound
from chancery.inputs import clean_text as _clean_text

# --- holds ------------------------------------------------------------------------------------


def place_hold(message: Message, *, by: Any, category: str, reason: str) -> Hold:
    require_may("place_hold", by, message)
    if category not in Hold.OFFICER_CATEGORIES:
        raise InvalidInput(
            f"category {category!r} is unknown; use one of {', '.join(Hold.OFFICER_CATEGORIES)}.",
            field="category",
        )
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        require_now("place_hold", by, message, active_hold(message, officer_only=True))
        now = clock.now()
        hold = Hold.objects.create(
            message=message, category=category, reason=reason, placed_by=by, placed_at=now,
            expires_at=rules.lapse_expiry(now),
        )
        _message_event(
            message, "hold.placed", by, hold=hold.pk, category=category, reason=reason,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def _locked_hold(hold: Hold, action: str, by: Any) -> Hold:
    """Lock the hold's message, then the hold, and check ``action`` is allowed on it now."""
    message = _lock(hold.message_id)
    hold = _lock_hold(hold.pk)
    hold.message = message
    require_now(action, by, message, hold)
    return hold


def confirm_hold(hold: Hold, *, by: Any) -> Hold:
    require_may("confirm_hold", by, hold.message)
    with transaction.atomic():
        hold = _locked_hold(hold, "confirm_hold", by)
        hold.save(update_fields=rules.confirm(hold, by, now=clock.now()))
        _message_event(
            hold.message, "hold.confirmed", by, hold=hold.pk,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def renew_hold(hold: Hold, *, by: Any) -> Hold:
    """Renewal needs two officers: the first call asks, a different officer's call renews."""
    require_may("renew_hold", by, hold.message)
    with transaction.atomic():
        hold = _locked_hold(hold, "renew_hold", by)
        fields, first = rules.renew(hold, by, now=clock.now())
        hold.save(update_fields=fields)
        if first is None:  # the first officer asked; a second one renews
            _message_event(hold.message, "hold.renewal_requested", by, hold=hold.pk)
            return hold
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
    require_may("release_hold", by, hold.message)
    reason = _clean_text(reason, field="reason", max_len=300, required=True)
    with transaction.atomic():
        principal = lock_principal(_hold_principal_id(hold))
        hold = _locked_hold(hold, "release_hold", by)
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
            principal = lock_principal(principal_id)
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


