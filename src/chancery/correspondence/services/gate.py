"""The transition status and the support-policy gate: messages held visibly, released in order."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from chancery import clock
from chancery.accounts.models import Role
from chancery.correspondence.models import (
    PRE_DELIVERY,
    Hold,
    Message,
    Notification,
)
from chancery.correspondence.services.common import (
    _active_hold_exists,
    _deliver,
    _lock,
    _lock_hold,
    _place_policy_hold,
    _release,
    active_hold,
)
from chancery.directory.models import Principal
from chancery.directory.services import lock_principal, on_status_change, on_status_preview
from chancery.ledger import integrity

# --- transition status and the policy gate -----------------------------------------------------


def _open_gate(principal: Principal, by: Any, why: str) -> list[Message]:
    """Release the principal's policy holds and deliver in order of receipt (principal locked)."""
    released: list[Message] = []
    holds = (
        Hold.objects.filter(message__principal=principal, is_policy=True, released_at__isnull=True)
        .order_by("message__received_at", "message_id")
        .values_list("id", "message_id")
    )
    for hold_id, message_id in list(holds):
        message = _lock(message_id)
        hold = _lock_hold(hold_id)
        if hold.released_at is not None:
            continue
        hold.message = message
        _release(hold, by, why)
        if message.state in PRE_DELIVERY and active_hold(message) is None:
            # A message an officer also holds stays held; its own hold's expiry delivers it.
            _deliver(message, None, "policy gate lifted")
            released.append(message)
    return released


def _close_gate(principal: Principal) -> int:
    """Hold, by the policy, every open message of the principal not already held."""
    held = 0
    unheld = (
        Message.objects.filter(principal=principal, state__in=PRE_DELIVERY)
        .filter(~_active_hold_exists())
        .order_by("received_at", "id")
        .values_list("id", flat=True)
    )
    for message_id in list(unheld):
        message = _lock(message_id)
        if message.state in PRE_DELIVERY and active_hold(message) is None:
            _place_policy_hold(message, principal)
            _tell_sender_held(message, principal)
            held += 1
    return held


# --- telling the sender --------------------------------------------------------------------------

POLICY_HOLD_NOTICE = "policy_hold"
"""``Notification.kind`` of the mail that tells a sender its message is held (again) by the
support policy: the first gate tells the sender in intake's answer ("received, delivery pending
the transition"); a gate that closes later, on a message already received, tells it by mail and
on the portal."""


def sender_recipients(message: Message) -> list[str]:
    """Who speaks for the message's sender: the liaison who submitted it and the active
    liaisons of a mission of the same country or organisation (their emails)."""
    office = message.sender_office
    polity = (
        Q(profile__mission__country_id=office.country_id) if office.country_id
        else Q(profile__mission__organisation_id=office.organisation_id)
    )
    liaisons = get_user_model().objects.filter(
        polity, groups__name=Role.LIAISON, is_active=True
    ).exclude(email="")
    emails = set(liaisons.values_list("email", flat=True))
    submitter = message.submitted_by
    if submitter is not None and submitter.is_active and submitter.email:
        emails.add(submitter.email)
    return sorted(emails)


def _tell_sender_held(message: Message, principal: Principal) -> None:
    """Queue the mail telling the sender that the message it was told was on its way is held
    by the policy now (sent after commit by the worker's ``send_pending_notifications``)."""
    Notification.objects.create(
        message=message, kind=POLICY_HOLD_NOTICE, recipients=sender_recipients(message),
        created_at=clock.now(),
        subject=f"[Chancery] {message.tracking}: delivery is pending the transition again",
    )


def policy_hold_body(message: Message) -> str:
    """The text of the mail ``_tell_sender_held`` queues (no reason, no content: the policy and
    the status are public)."""
    principal = message.principal
    return (
        f"{message.tracking}, your message to the {principal.title}, received "
        f"{message.received_at:%Y-%m-%d %H:%M} UTC, is held by the {principal.title}'s support "
        f"policy: the transition status is now '{principal.get_status_display()}', and the "
        "policy holds messages until it reaches "
        f"'{Principal.Status(principal.delivery_requires).label}'.\n"
        "Your message is received, counted and visible to the principal's office; it will be "
        "delivered in order of receipt when the status is reached. The hold is recorded in the "
        "message's history and in the public log; the liaison portal shows it.\n"
    )


def policy_rehold(message: Message) -> Notification | None:
    """The latest notice that the message was held by the policy after it was received (the
    portal says so), or None."""
    return (
        Notification.objects.filter(message=message, kind=POLICY_HOLD_NOTICE)
        .order_by("-id").first()
    )


@on_status_change
def _status_changed(principal: Principal, by: Any, was_gated: bool) -> list[Message]:
    """The gate follows the principal's new status (``directory.services.set_principal_status``
    calls this with the principal locked): opening it delivers the held messages in order of
    receipt, closing it holds every open message visibly."""
    if was_gated and not principal.gate_active:
        return _open_gate(principal, by, f"transition status is now {principal.status}")
    if not was_gated and principal.gate_active:
        _close_gate(principal)
    return []


@on_status_preview
def _status_would_move(principal: Principal, status: str) -> int:
    """How many messages ``_status_changed`` would release (opening the gate: every policy
    hold ends) or hold (closing it: every open message no hold covers)."""
    if principal.gate_active and not principal.gated_at(status):
        return Hold.objects.filter(
            message__principal=principal, is_policy=True, released_at__isnull=True
        ).count()
    if not principal.gate_active and principal.gated_at(status):
        return (
            Message.objects.filter(principal=principal, state__in=PRE_DELIVERY)
            .filter(~_active_hold_exists())
            .count()
        )
    return 0


def sync_policy_gates() -> int:
    """Make the policy holds agree with each principal's status (worker).

    ``set_principal_status`` does this itself (through ``_status_changed``); the sweep covers
    what it cannot see: a submission that read the gate just before it opened, a support
    policy changed in the admin, an officer's hold that ended under a closed gate. Returns how
    many messages were held or delivered.

    A principal whose row disagrees with its events (an open integrity alert: its status was
    set with SQL, say) is left alone: acting on that status would hold or release messages
    on a change nobody recorded. The alert is on the pages until the row is put back."""
    changed = 0
    disputed = integrity.disputed("principal")
    for principal in Principal.objects.exclude(pk__in=disputed):
        if principal.gate_active:
            pending = (
                Message.objects.filter(principal=principal, state__in=PRE_DELIVERY)
                .filter(~_active_hold_exists())
                .exists()
            )
        else:
            pending = Hold.objects.filter(
                message__principal=principal, is_policy=True, released_at__isnull=True
            ).exists()
        if not pending:
            continue
        with transaction.atomic():
            principal = lock_principal(principal.pk)
            if principal.gate_active:
                changed += _close_gate(principal)
            else:
                changed += len(_open_gate(
                    principal, None,
                    f"transition status is {principal.status}; the policy no longer holds it",
                ))
    return changed


