"""Invitations (RFC 5546 over email) and calendar feed tokens.

``invite(call)`` / ``cancel(call)`` queue an :class:`Invitation` row (the exact iCalendar text,
its method, sequence and recipients) in the caller's transaction: the one that scheduled, moved,
reassigned or unscheduled the call, so an invitation exists exactly when its change committed.
The worker's ``send_pending`` sends them afterwards.

Sending: a row is due when ``sent_at`` is null, ``attempts < INVITE_ATTEMPTS`` and
``next_attempt_at <= now`` (set to the queueing time on insert). A worker claims a due row with a
conditional UPDATE on the ``next_attempt_at`` it read (pushing it CLAIM_TIMEOUT ahead and
counting the attempt), so two workers never send one twice and a claim left by a worker that
died falls due again. A failed send keeps its error and is retried after a backoff that doubles
with every attempt (RETRY_BASE, 2×, 4×, …).
"""

from __future__ import annotations

import datetime as dt
import secrets
from email.mime.text import MIMEText
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F

from chancery import clock
from chancery.accounts.models import Role, hash_token
from chancery.accounts.roles import require_role
from chancery.calls import ical
from chancery.calls.models import (
    ON_CALENDAR,
    CallRequest,
    FeedToken,
    Interpreter,
    Invitation,
)
from chancery.calls.services.common import OFFICERS
from chancery.directory.models import Principal
from chancery.errors import Forbidden, InvalidInput, NotFound

INVITE_ATTEMPTS = 5
"""A failed invitation is tried this many times in all; then it stays unsent with its error."""
RETRY_BASE = dt.timedelta(minutes=2)
"""The wait after the first failure; doubled after each further one."""
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
"""A claimed row not marked sent by then (its worker died) falls due again."""

FEED_PREFIX = "chf_"


# --- queueing -------------------------------------------------------------------------------------


def _recipients(call: CallRequest) -> list[str]:
    return [address for address, _ in ical.attendees(call)]


def invite(call: CallRequest) -> Invitation:
    """Queue a METHOD:REQUEST of the call at its current time, interpreter and ``sequence`` (the
    caller raised the sequence in the same transaction for an update). Whoever the previous
    invitation went to and this one does not (an interpreter replaced, an address changed) is
    sent a CANCEL (RFC 5546: an attendee removed from the event)."""
    if call.start is None or call.end is None:
        raise ValueError(f"{call.tracking} has no time: schedule it before inviting")
    now = clock.now()
    recipients = _recipients(call)
    previous = Invitation.objects.filter(call=call).order_by("-id").first()
    if previous is not None and previous.method == Invitation.Method.REQUEST:
        dropped = [r for r in previous.recipients if r not in recipients]
        if dropped:
            Invitation.objects.create(
                call=call, method=Invitation.Method.CANCEL, sequence=call.sequence,
                recipients=dropped,
                ics=ical.call_event_ics(call, "CANCEL", only=dropped).decode(),
                created_at=now, next_attempt_at=now,
            )
    return Invitation.objects.create(
        call=call, method=Invitation.Method.REQUEST, sequence=call.sequence,
        recipients=recipients, ics=ical.call_event_ics(call, "REQUEST").decode(),
        created_at=now, next_attempt_at=now,
    )


def _last_request(call: CallRequest) -> Invitation | None:
    return (
        Invitation.objects.filter(call=call, method=Invitation.Method.REQUEST)
        .order_by("-sequence", "-id").first()
    )


def _times_of(invitation: Invitation) -> tuple[dt.datetime | None, dt.datetime | None]:
    """DTSTART/DTEND of a queued invitation (the time a cancellation takes back)."""
    for component in ical.parse(invitation.ics).walk("VEVENT"):
        start, end = component.get("dtstart"), component.get("dtend")
        return (start.dt if start else None, end.dt if end else None)
    return None, None


def cancel(call: CallRequest) -> Invitation | None:
    """Queue a METHOD:CANCEL (STATUS:CANCELLED) of the call, at its current ``sequence`` (raised
    by the caller), to everyone the last invitation went to and whoever is an attendee now.
    None when no invitation was ever queued for the call (nobody holds it in a calendar)."""
    last = _last_request(call)
    if last is None:
        return None
    start, end = (call.start, call.end) if call.start is not None else _times_of(last)
    recipients = list(last.recipients)
    for address in _recipients(call):
        if address not in recipients:
            recipients.append(address)
    now = clock.now()
    return Invitation.objects.create(
        call=call, method=Invitation.Method.CANCEL, sequence=call.sequence,
        recipients=recipients,
        ics=ical.call_event_ics(call, "CANCEL", start=start, end=end).decode(),
        created_at=now, next_attempt_at=now,
    )


# --- sending ------------------------------------------------------------------------------------


def _subject(invitation: Invitation, call: CallRequest) -> str:
    earlier = Invitation.objects.filter(
        call_id=invitation.call_id, method=Invitation.Method.REQUEST, id__lt=invitation.pk
    ).exists()
    what = "Cancelled" if invitation.method == Invitation.Method.CANCEL else (
        "Updated" if earlier else "Invitation")
    return f"[Chancery] {what}: {ical.summary(call)}"


def _message(invitation: Invitation) -> EmailMessage:
    call = invitation.call
    body = ical.description(call)
    if invitation.method == Invitation.Method.CANCEL:
        body = "This call is cancelled.\n\n" + body
    message = EmailMessage(
        subject=_subject(invitation, call), body=body, from_email=ical.organizer_address(),
        to=list(invitation.recipients),
    )
    part = MIMEText(invitation.ics, "calendar", "utf-8")
    part.set_param("method", invitation.method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    message.attach(part)
    return message


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after ``attempts`` failed ones."""
    return RETRY_BASE * (2 ** max(0, attempts - 1))


def due(now: dt.datetime | None = None) -> Any:
    """Invitations the worker should send now."""
    now = now or clock.now()
    return Invitation.objects.filter(
        sent_at__isnull=True, attempts__lt=INVITE_ATTEMPTS, next_attempt_at__lte=now
    )


def overdue(cutoff: dt.datetime) -> Any:
    """Invitations whose sending fell due before ``cutoff`` and is not done (what counts as the
    worker's overdue action): the same condition as :func:`due` at the cutoff."""
    return due(cutoff)


def send_pending(limit: int = 100) -> int:
    """Send the due invitations (worker step); returns how many went out."""
    rows = list(
        due().order_by("next_attempt_at", "id").values_list("id", "next_attempt_at")[:limit]
    )
    sent = 0
    for pk, seen in rows:
        now = clock.now()
        claimed = Invitation.objects.filter(
            pk=pk, sent_at__isnull=True, attempts__lt=INVITE_ATTEMPTS, next_attempt_at=seen
        ).update(next_attempt_at=now + CLAIM_TIMEOUT, attempts=F("attempts") + 1)
        if not claimed:
            continue  # another worker has it
        invitation = Invitation.objects.select_related(
            "call__principal", "call__office__leader", "call__submitted_by",
            "call__interpreter__user",
        ).get(pk=pk)
        if not invitation.recipients:
            invitation.last_error = (
                "no recipient: set the principal's office email, the liaison's or the "
                "interpreter's email address"
            )
            invitation.attempts = INVITE_ATTEMPTS
            invitation.next_attempt_at = None
            invitation.save(update_fields=["last_error", "attempts", "next_attempt_at"])
            continue
        try:
            _message(invitation).send()
        except Exception as exc:  # noqa: BLE001 - the failure is recorded, shown and retried
            invitation.last_error = f"attempt {invitation.attempts}: {exc}"[:1000]
            invitation.next_attempt_at = (
                clock.now() + backoff(invitation.attempts)
                if invitation.attempts < INVITE_ATTEMPTS else None
            )
            invitation.save(update_fields=["last_error", "next_attempt_at"])
            continue
        invitation.sent_at = clock.now()
        invitation.last_error = ""
        invitation.next_attempt_at = None
        invitation.save(update_fields=["sent_at", "last_error", "next_attempt_at"])
        sent += 1
    return sent


# --- feeds ----------------------------------------------------------------------------------------


def issue_feed_token(*, by: Any, principal: Principal | None = None,
                     interpreter: Interpreter | None = None) -> tuple[FeedToken, str]:
    """A new secret for a feed (a principal's: officers and admin; an interpreter's: that
    interpreter). Revokes the feed's earlier tokens (a rotation); only the SHA-256 is stored,
    the secret is returned once."""
    if (principal is None) == (interpreter is None):
        raise InvalidInput("A feed is a principal's or an interpreter's: give exactly one.",
                           field="principal")
    if principal is not None:
        require_role(by, *OFFICERS, Role.ADMIN, action="issue a principal's calendar feed")
        scope: dict[str, Any] = {"principal": principal}
    else:
        assert interpreter is not None
        if getattr(by, "pk", None) is None or interpreter.user_id != by.pk:
            raise Forbidden("Only the interpreter may issue its own calendar feed.")
        scope = {"interpreter": interpreter}
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        FeedToken.objects.filter(revoked_at__isnull=True, **scope).update(revoked_at=now)
        token = FeedToken.objects.create(
            digest=hash_token(secret), prefix=secret[:10], created_at=now, created_by=by,
            **scope,
        )
    return token, secret


def revoke_feed_tokens(*, by: Any, principal: Principal | None = None,
                       interpreter: Interpreter | None = None) -> int:
    """Revoke a feed's tokens (same permissions as issuing them)."""
    if principal is not None:
        require_role(by, *OFFICERS, Role.ADMIN, action="revoke a principal's calendar feed")
        scope: dict[str, Any] = {"principal": principal}
    elif interpreter is not None:
        if getattr(by, "pk", None) is None or interpreter.user_id != by.pk:
            raise Forbidden("Only the interpreter may revoke its own calendar feed.")
        scope = {"interpreter": interpreter}
    else:
        raise InvalidInput("Name the feed: a principal or an interpreter.", field="principal")
    return FeedToken.objects.filter(revoked_at__isnull=True, **scope).update(
        revoked_at=clock.now())


def feed_token(secret: str) -> FeedToken:
    """The live token for ``secret``; 404 for an unknown or revoked one."""
    token = (
        FeedToken.objects.select_related("principal", "interpreter")
        .filter(digest=hash_token(secret or ""), revoked_at__isnull=True).first()
    )
    if token is None:
        raise NotFound("No such calendar feed (the link is wrong or was replaced).")
    return token


def feed_for(secret: str) -> tuple[str, bytes]:
    """(file name, iCalendar text) of the feed ``secret`` opens."""
    token = feed_token(secret)
    calls = CallRequest.objects.filter(state__in=ON_CALENDAR, start__isnull=False).select_related(
        "principal", "office__leader", "submitted_by", "interpreter__user"
    ).order_by("start")
    if token.principal is not None:
        calls = calls.filter(principal=token.principal)
        name = f"Calls of the {token.principal.title}"
        filename = f"{token.principal.slug}-calls.ics"
    else:
        assert token.interpreter is not None
        calls = calls.filter(interpreter=token.interpreter)
        name = f"Interpreting: {token.interpreter.name}"
        filename = "my-assignments.ics"
    return filename, ical.feed_ics(calls, name)
