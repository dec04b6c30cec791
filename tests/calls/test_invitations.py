"""Sending invitations (the worker's step): Django's email with the .ics attached as
text/calendar with its method, sent once even when the step runs twice, retried with a growing
wait when the mail server fails, given up after INVITE_ATTEMPTS with the error kept."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from chancery import clock
from chancery.calls.models import Interpreter, Invitation
from chancery.calls.services import invitations
from chancery.testing import fresh
from tests.calls.placed import ny, place

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
FAILING = "tests.calls.test_invitations.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def queued(world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter) -> Invitation:
    people["liaison_fr"].email = "liaison@france.example"
    people["liaison_fr"].save()
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    with transaction.atomic():
        return invitations.invite(call)


def test_send_pending_mails_the_ics_once(queued: Invitation, settings: Any) -> None:
    settings.EMAIL_BACKEND = LOCMEM
    assert invitations.send_pending() == 1
    assert invitations.send_pending() == 0  # a second pass sends nothing again
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sorted(sent.to) == ["liaison@france.example", "office@example.org"]
    assert "Invitation" in sent.subject and "Emmanuel Macron" in sent.subject
    raw = sent.message()
    parts = [p for p in raw.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == "REQUEST"
    cal = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
    assert str(cal["method"]) == "REQUEST"
    row = fresh(queued)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""
    assert row.next_attempt_at is None


def test_a_failing_mail_server_is_retried_with_backoff(queued: Invitation, settings: Any) -> None:
    settings.EMAIL_BACKEND = FAILING
    assert invitations.send_pending() == 0
    row = fresh(queued)
    assert row.sent_at is None and row.attempts == 1
    assert "attempt 1: Connection unexpectedly closed" in row.last_error
    assert row.next_attempt_at is not None
    wait = row.next_attempt_at - clock.now()
    assert dt.timedelta(minutes=1) < wait <= invitations.RETRY_BASE

    assert invitations.send_pending() == 0  # not due yet: no second try at once
    assert fresh(queued).attempts == 1

    with clock.travel(invitations.RETRY_BASE + dt.timedelta(seconds=1)):
        assert invitations.send_pending() == 0
        row = fresh(queued)
        assert row.attempts == 2
        wait = row.next_attempt_at - clock.now()  # type: ignore[operator]
        assert invitations.RETRY_BASE < wait <= 2 * invitations.RETRY_BASE  # doubled

        settings.EMAIL_BACKEND = LOCMEM
        with clock.travel(2 * invitations.RETRY_BASE + dt.timedelta(seconds=1)):
            assert invitations.send_pending() == 1
    row = fresh(queued)
    assert row.sent_at is not None and row.attempts == 3 and row.last_error == ""
    assert len(mail.outbox) == 1


def test_gives_up_after_the_last_attempt_and_keeps_the_error(
    queued: Invitation, settings: Any
) -> None:
    settings.EMAIL_BACKEND = FAILING
    for _ in range(invitations.INVITE_ATTEMPTS + 2):
        with clock.travel(dt.timedelta(days=1)):
            invitations.send_pending()
        # each pass far enough later for the retry to be due
        queued = fresh(queued)
        if queued.next_attempt_at is not None:
            Invitation.objects.filter(pk=queued.pk).update(next_attempt_at=clock.now())
    row = fresh(queued)
    assert row.attempts == invitations.INVITE_ATTEMPTS
    assert row.sent_at is None and row.next_attempt_at is None
    assert f"attempt {invitations.INVITE_ATTEMPTS}:" in row.last_error
    assert not invitations.due(clock.now() + dt.timedelta(days=30)).exists()


def test_a_row_claimed_by_another_worker_is_not_sent_twice(
    queued: Invitation, settings: Any
) -> None:
    """A worker claims the row by the ``next_attempt_at`` it read; the other worker's claim,
    made with the value it read before, matches nothing."""
    settings.EMAIL_BACKEND = LOCMEM
    seen = fresh(queued).next_attempt_at
    assert invitations.send_pending() == 1
    late_claim = Invitation.objects.filter(
        pk=queued.pk, sent_at__isnull=True, next_attempt_at=seen
    ).update(attempts=99)
    assert late_claim == 0
    assert len(mail.outbox) == 1


def test_a_stale_claim_falls_due_again(queued: Invitation, settings: Any) -> None:
    """A worker that claimed the row and died: after CLAIM_TIMEOUT another one sends it."""
    now = clock.now()
    Invitation.objects.filter(pk=queued.pk).update(
        next_attempt_at=now + invitations.CLAIM_TIMEOUT, attempts=1
    )
    settings.EMAIL_BACKEND = LOCMEM
    assert invitations.send_pending() == 0
    assert invitations.overdue(now).count() == 0
    with clock.travel(invitations.CLAIM_TIMEOUT + dt.timedelta(seconds=1)):
        assert invitations.overdue(clock.now()).count() == 1
        assert invitations.send_pending() == 1
    assert fresh(queued).attempts == 2


def test_no_recipient_is_recorded_not_retried(
    world: dict[str, Any], people: dict[str, Any], settings: Any
) -> None:
    pe = world["pe"]
    pe.office_email = ""
    pe.save()
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), office="pm_ca", language="en")
    with transaction.atomic():
        inv = invitations.invite(call)
    assert inv.recipients == []
    settings.EMAIL_BACKEND = LOCMEM
    assert invitations.send_pending() == 0
    row = fresh(inv)
    assert "no recipient" in row.last_error and row.sent_at is None
    assert row.attempts == invitations.INVITE_ATTEMPTS
    assert mail.outbox == []


def test_cancellation_mail_says_cancel(queued: Invitation, settings: Any) -> None:
    call = queued.call
    with transaction.atomic():
        call.start = call.end = None
        call.sequence += 1
        call.save()
        invitations.cancel(call)
    settings.EMAIL_BACKEND = LOCMEM
    assert invitations.send_pending() == 2
    cancel = mail.outbox[1]
    assert cancel.subject.startswith("[Chancery] Cancelled:")
    part = next(p for p in cancel.message().walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL"


@pytest.mark.django_db(transaction=True)
def test_workers_at_once_send_each_invitation_once(
    world: dict[str, Any], people: dict[str, Any], settings: Any
) -> None:
    """Four workers' steps at the same moment, each on its own connection: every invitation
    goes out exactly once."""
    from django.db import connections

    settings.EMAIL_BACKEND = LOCMEM
    for hour in range(8):
        call = place(world, people, at=ny(2020, 11, 10, 8 + hour, 0), office="pm_ca",
                     language="en")
        with transaction.atomic():
            invitations.invite(call)
    barrier = threading.Barrier(4)
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            sent.append(invitations.send_pending())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(sent) == 8
    assert len(mail.outbox) == 8
    assert Invitation.objects.filter(sent_at__isnull=False, attempts=1).count() == 8


def test_the_services_path_move_move_decline(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter, settings: Any
) -> None:
    """Through the services people use: an officer places the call (REQUEST), moves it (the
    same UID, SEQUENCE + 1), then it is declined (CANCEL, STATUS:CANCELLED); the worker mails
    all three."""
    from chancery.calls.services import requests, scheduling
    from tests.calls.test_scheduling import approve, slot

    people["liaison_fr"].email = "liaison@france.example"
    people["liaison_fr"].save()
    pe = world["pe"]
    call = approve(people, world["pres_fr"], language="fr", by="liaison_fr")
    scheduling.move_call(call, slot(pe, 1, 10), by=people["officer"])
    scheduling.move_call(call, slot(pe, 1, 11), by=people["officer"])
    requests.decline_call(call, by=people["protocol"], reason="The leader's side withdrew.")
    rows = list(Invitation.objects.filter(call=call).order_by("id"))
    assert [r.method for r in rows] == ["REQUEST", "REQUEST", "CANCEL"]
    events = [icalendar.Calendar.from_ical(r.ics).walk("VEVENT")[0] for r in rows]
    assert len({str(e["uid"]) for e in events}) == 1
    sequences = [int(e["sequence"]) for e in events]
    assert sequences[1] == sequences[0] + 1 and sequences[2] > sequences[1]
    assert [r.sequence for r in rows] == sequences
    assert events[1]["dtstart"].dt == slot(pe, 1, 11)
    assert str(events[2]["status"]) == "CANCELLED"
    assert events[2]["dtstart"].dt == slot(pe, 1, 11)  # the time taken back
    assert "withdrew" not in rows[2].ics  # the reason stays private
    settings.EMAIL_BACKEND = LOCMEM
    assert invitations.send_pending() == 3
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "[Chancery] Invitation", "[Chancery] Updated", "[Chancery] Cancelled",
    ]
