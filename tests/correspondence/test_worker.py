"""The background worker: what one pass does, and that it keeps going when a step fails."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from chancery import clock, worker
from chancery.correspondence import services
from chancery.correspondence.models import Hold, Message, Notification, State
from chancery.ledger.models import Event


def test_an_idle_pass_does_nothing(db: Any) -> None:
    result = worker.run_once()
    assert not result
    assert result == worker.PassResult()


def test_one_pass_does_every_job(
    submit: Any, people: dict[str, Any], settings: Any, mailoutbox: list[Any]
) -> None:
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    held = submit("Je vous félicite chaleureusement pour votre élection.")
    services.place_hold(held, by=people["officer"], category="security", reason="Scan")
    late = submit("Congratulations on your election, Mr President-elect.")
    with clock.travel(timedelta(hours=5)):
        result = worker.run_once()
    assert result.expired == 1  # the hold lapsed: delivered
    assert result.escalated == 1  # the other is overdue: escalated and mailed
    assert result.mailed == 1 and len(mailoutbox) == 1
    assert result.detected == 2
    assert bool(result)
    assert Message.objects.get(pk=held.pk).state == State.DELIVERED
    assert Message.objects.get(pk=late.pk).escalated_at is not None

    with clock.travel(timedelta(hours=6)):  # the next pass finds nothing left to do
        assert not worker.run_once()
    assert Event.objects.filter(kind="message.escalated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_run_forever_survives_a_failing_pass(monkeypatch: Any, caplog: Any) -> None:
    # transaction=True: the sequencer thread beside the passes writes the log head on its own
    # connection, outside any test transaction; the tables are emptied after the test instead,
    # so no later test finds a log head it did not make.
    calls: list[int] = []

    def broken() -> list[Message]:
        calls.append(1)
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "expire_holds", broken)
    # the test's database connection lives in the test's transaction: keep it open
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    worker.run_forever(interval=0, max_passes=3)
    assert len(calls) == 3  # every pass retried; none stopped the worker
    assert "worker pass failed" in caplog.text


def test_expiry_is_claimed_once(submit: Any, people: dict[str, Any], settings: Any) -> None:
    """Two workers (or one restarted half-way) never release or deliver twice."""
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    message = submit()
    services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    with clock.travel(timedelta(hours=2)):
        first = services.expire_holds()
        second = services.expire_holds()
    assert [m.pk for m in first] == [message.pk] and second == []
    assert Event.objects.filter(kind="message.delivered").count() == 1
    assert Hold.objects.filter(released_at__isnull=False).count() == 1


def test_a_hold_confirmed_between_listing_and_release_is_kept(
    submit: Any, people: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    """The worker re-reads each hold under lock: a hold confirmed after the worker listed it
    (but before it got to it) stays."""
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    with clock.travel(timedelta(minutes=59)):
        services.confirm_hold(hold, by=people["officer2"])
    # the worker's clock says the lapse has passed, but the hold now runs to its maximum
    assert hold.expires_at is not None
    services.expire_holds(now=hold.expires_at + timedelta(seconds=1))
    assert Hold.objects.get(pk=hold.pk).released_at is None
    assert Message.objects.get(pk=message.pk).state == State.RECEIVED


def test_notifications_without_recipients_are_marked(
    submit: Any, world: dict[str, Any]
) -> None:
    from chancery.directory.models import Principal

    Principal.objects.filter(pk=world["pe"].pk).update(office_email="")
    submit()
    with clock.travel(timedelta(hours=5)):
        worker.run_once()
    note = Notification.objects.get()
    assert note.sent_at is None and "no recipient" in note.error
    assert note.attempts == services.MAIL_ATTEMPTS  # not retried until someone fixes it


# --------------------------------------------------------------------- several workers at once


def _in_threads(n: int, job: Any) -> list[Any]:
    """Run ``job`` in ``n`` threads at once (each with its own database connection)."""
    from django.db import connections

    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(job())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_act_once(
    submit: Any, people: dict[str, Any], settings: Any, mailoutbox: list[Any]
) -> None:
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    held = [submit(f"held {i}") for i in range(6)]
    for message in held:
        services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    late = [submit(f"late {i}") for i in range(6)]
    with clock.travel(timedelta(hours=5)):
        _in_threads(4, worker.run_once)
    assert Event.objects.filter(kind="message.delivered").count() == len(held)
    assert Event.objects.filter(kind="hold.released").count() == len(held)
    assert Event.objects.filter(kind="message.escalated").count() == len(late)
    assert Notification.objects.filter(sent_at__isnull=False).count() == len(late)
    assert len(mailoutbox) == len(late)  # one mail per escalation, whatever the workers did


@pytest.mark.django_db(transaction=True)
def test_gate_opening_while_liaisons_submit_leaves_nothing_held(
    gated: Any, submit: Any, people: dict[str, Any]
) -> None:
    """Submissions racing the ascertainment: whatever interleaving happens, once the worker
    has passed no message is still held by a policy that no longer applies."""
    import itertools

    counter = itertools.count()

    def liaison() -> None:
        for _ in range(5):
            submit(f"message {next(counter)}")

    def admin() -> None:
        services.set_principal_status(gated, by=people["admin"], status="ascertained")

    jobs = iter([admin, liaison, liaison, liaison])
    lock = threading.Lock()

    def next_job() -> None:
        with lock:
            job = next(jobs)
        job()

    _in_threads(4, next_job)
    worker.run_once()
    assert Message.objects.count() == 15
    assert not Hold.objects.filter(released_at__isnull=True).exists()
    assert set(Message.objects.values_list("state", flat=True)) <= {State.DELIVERED, State.RECEIVED}
    for message in Message.objects.all():
        assert services.sender_status(message) in {"delivered", "received"}
