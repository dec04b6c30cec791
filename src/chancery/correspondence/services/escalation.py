"""The delivery target: overdue messages no hold accounts for are escalated once, and mailed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q

from chancery import clock
from chancery.accounts.models import Role
from chancery.correspondence.models import (
    PRE_DELIVERY,
    Message,
    Notification,
)
from chancery.correspondence.services.common import (
    MAIL_ATTEMPTS,
    MAIL_RETRY_AFTER,
    _lock,
    _message_event,
    active_hold,
)
from chancery.correspondence.services.counts import count_messages, filter_messages
from chancery.directory.models import Principal


def principal_counts(principal: Principal) -> dict[str, int]:
    """The principal's messages counted as every page counts them (``counts.DEFINITIONS``);
    ``held_by_policy`` and ``held_by_officer`` are older names of ``held_policy`` and
    ``held_officer``."""
    counts: dict[str, int] = count_messages(Message.objects.filter(principal=principal))
    return {
        **counts,
        "held_by_policy": counts["held_policy"],
        "held_by_officer": counts["held_officer"],
    }


# --- delivery target and escalation ------------------------------------------------------------


def overdue_messages(now: dt.datetime | None = None) -> Any:
    """Open, past the delivery target and not held (``counts.DEFINITIONS["overdue"]``)."""
    return filter_messages(Message.objects.all(), "overdue", now or clock.now())


def _escalation_recipients(principal: Principal) -> list[str]:
    if principal.office_email:
        return [principal.office_email]
    staff = get_user_model().objects.filter(
        profile__principal=principal, groups__name=Role.PRINCIPAL_OFFICE, is_active=True
    ).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)))


def escalate_overdue(now: dt.datetime | None = None) -> list[Message]:
    """Flag, record and mail every open message past its target that no hold accounts for."""
    now = now or clock.now()
    candidates = (
        overdue_messages(now)
        .filter(escalated_at__isnull=True)
        .order_by("due_at", "id")
    )
    escalated: list[Message] = []
    for message_id in list(candidates.values_list("id", flat=True)):
        with transaction.atomic():
            message = _lock(message_id)
            if message.escalated_at is not None or message.state not in PRE_DELIVERY:
                continue
            if active_hold(message) is not None:
                continue
            message.escalated_at = now
            message.save(update_fields=["escalated_at"])
            late = now - message.due_at
            _message_event(
                message, "message.escalated", None, overdue_seconds=int(late.total_seconds())
            )
            Notification.objects.create(
                message=message, kind="escalation",
                recipients=_escalation_recipients(message.principal), created_at=now,
                subject=f"[Chancery] {message.tracking} is past its delivery target",
            )
            escalated.append(message)
    return escalated


def _escalation_body(message: Message) -> str:
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(message.principal.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC

    def local(moment: dt.datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return (
        f"{message.tracking}, from {message.sender_office}, received "
        f"{local(message.received_at)}, is past its delivery target ({local(message.due_at)}) "
        f"and is {message.get_state_display().lower()}.\n"
        "It has not been delivered to your office. The operations center has been alerted; "
        "the escalation is recorded in the message's history and in the public log.\n"
    )


def _body(note: Notification, message: Message) -> str:
    """A queued mail's text, by its kind: an escalation, or a sender told of a policy hold."""
    from chancery.correspondence.services.gate import POLICY_HOLD_NOTICE, policy_hold_body

    if note.kind == POLICY_HOLD_NOTICE:
        return policy_hold_body(message)
    return _escalation_body(message)


def _no_recipient(note: Notification) -> str:
    from chancery.correspondence.services.gate import POLICY_HOLD_NOTICE

    if note.kind == POLICY_HOLD_NOTICE:
        return (
            "no recipient: no liaison of the sender's mission has an email address (set one in "
            "the admin; the portal shows the hold meanwhile)"
        )
    return "no recipient: set the principal's office email (or the staffers' emails)"


def send_pending_notifications(limit: int = 100) -> int:
    """Send escalation mails after the commit that recorded them (worker).

    Each mail is claimed with a conditional update, so two workers never send it twice; a claim
    left by a worker that died goes stale after MAIL_RETRY_AFTER, and a failed send is retried
    on later passes, up to MAIL_ATTEMPTS times, with the last error kept on the row."""
    stale = clock.now() - MAIL_RETRY_AFTER
    due = (
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAIL_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=stale))
        .order_by("id")
        .values_list("id", "claimed_at")[:limit]
    )
    sent = 0
    for pk, claimed_at in list(due):
        claimed = Notification.objects.filter(
            pk=pk, sent_at__isnull=True, claimed_at=claimed_at
        ).update(claimed_at=clock.now(), attempts=F("attempts") + 1)
        if not claimed:
            continue  # another worker has it
        note = Notification.objects.select_related(
            "message__principal", "message__sender_office"
        ).get(pk=pk)
        message = note.message
        if not note.recipients or message is None:
            note.error = _no_recipient(note)
            note.attempts = MAIL_ATTEMPTS
            note.save(update_fields=["error", "attempts"])
            continue
        try:
            send_mail(note.subject, _body(note, message), None, note.recipients)
        except Exception as exc:  # noqa: BLE001 - the failure is recorded, shown and retried
            note.error = f"attempt {note.attempts}: {exc}"[:1000]
            note.save(update_fields=["error"])
            continue
        note.sent_at = clock.now()
        note.error = ""
        note.save(update_fields=["sent_at", "error"])
        sent += 1
    return sent


