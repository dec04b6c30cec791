"""``chancery verify`` and the worker's integrity step check calls, interpreters and call settings
against their events (calls/checks.py): the application's own changes agree; a row changed with
SQL behind its back, a row deleted, a request inserted without its event do not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from chancery import clock, worker
from chancery.calls.models import CallRequest, CallState, ContactAttempt, Interpreter
from chancery.calls.services import interpreters, package, requests, scheduling
from chancery.calls.services.common import _call_event
from chancery.directory.models import Office
from chancery.ledger import integrity, sequencer
from chancery.ledger.models import ChangedRow, Event
from chancery.ledger.verify import Report, verify_log
from tests.calls.test_package import NOW, approved, scheduled


@pytest.fixture(autouse=True)
def in_the_dst_gap() -> Iterator[None]:
    with clock.travel(NOW - clock.now()):
        yield


def _sql(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _settle() -> int:
    """Worker passes until no changed row is queued; the alerts they raised."""
    raised = 0
    for _ in range(3):
        raised += worker.run_once().integrity
        if not ChangedRow.objects.exists():
            return raised
    raise AssertionError(f"{ChangedRow.objects.count()} changed rows still queued")


@pytest.fixture
def lifecycle(world: dict[str, Any], people: dict[str, User]) -> dict[str, Any]:
    """Settings, an interpreter on the roster, a call through every step to completion, a
    scheduled one, a request just received: all recorded, verify clean."""
    officer, staffer = people["officer"], people["staffer"]
    settings = scheduling.save_settings(world["pe"], by=officer, daily_cap=5)
    interp = interpreters.enroll_interpreter(
        by=people["admin"], username="interp.fr", name="Claire Fontaine", languages=["fr"],
        time_zone="America/New_York", day_start=dt.time(7), day_end=dt.time(22), daily_cap=4,
    )
    macron: Office = world["pres_fr"]
    done = scheduled(people, macron, hour=10)
    package.draft_talking_points(done, "Congratulate.", by=officer)
    package.clear_package(done, by=staffer)
    requests.record_attempt(done, by=officer, outcome="no_answer", note="Rang out.")
    attempt = requests.record_attempt(done, by=officer, outcome="connected")
    requests.complete_call(done, by=officer, minutes=14)
    held = scheduled(people, macron, hour=12)
    waiting = approved(people, world["pm_ca"], language="en", by="liaison_ca")
    requests.decline_call(waiting, by=officer, reason="Not this week.")
    received, _ = requests.submit_call(
        requests.CallSubmission(
            principal="president-elect", office=macron.pk, purpose="A second call.",
            language="fr", earliest=NOW.date() + dt.timedelta(days=2),
            latest=NOW.date() + dt.timedelta(days=4),
        ),
        by=people["liaison_fr"],
    )
    scheduling.run_pending()  # the re-solves the moves queued (they keep the fixed calls)
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems
    assert report.subjects["call"] == 4
    assert report.subjects["interpreter"] == 1 and report.subjects["call_settings"] == 1
    assert CallRequest.objects.get(pk=done.pk).state == CallState.COMPLETED
    return {"done": done, "held": held, "waiting": waiting, "received": received,
            "attempt": attempt, "interpreter": interp, "settings": settings}


def _broken(expected: str) -> Report:
    report = verify_log()
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    return report


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("UPDATE calls_callrequest SET start = '2027-11-02 20:00:00' WHERE id = {held}",
         "start or end"),
        ("UPDATE calls_callrequest SET state = 'cleared' WHERE id = {held}",
         "the row's state is cleared, the events leave it scheduled"),
        ("UPDATE calls_callrequest SET state = 'approved' WHERE id = {received}",
         "the row's state is approved, the events leave it requested"),
        ("UPDATE calls_callrequest SET purpose = 'Forged.' WHERE id = {held}", "purpose"),
        ("UPDATE calls_callrequest SET interpreter_id = NULL WHERE id = {held}", "interpreter"),
        ("UPDATE calls_callrequest SET talking_points = 'Other words.' WHERE id = {done}",
         "talking points"),
        ("UPDATE calls_callrequest SET cleared_by_id = NULL WHERE id = {done}", "clearance"),
        ("UPDATE calls_callrequest SET decline_reason = 'x' WHERE id = {waiting}",
         "decline reason"),
        ("UPDATE calls_callrequest SET latest = '2027-12-31' WHERE id = {received}", "latest"),
        ("DELETE FROM calls_callrequest WHERE id = {received}",
         "its call request row is gone (deleted)"),
        ("UPDATE calls_contactattempt SET outcome = 'busy' WHERE id = {attempt}",
         "differs from"),
        ("DELETE FROM calls_contactattempt WHERE id = {attempt}", "has no row (deleted)"),
        ("UPDATE calls_interpreter SET daily_cap = 9 WHERE id = {interpreter}", "daily cap"),
        ("UPDATE calls_callsettings SET daily_cap = 1 WHERE id = {settings}", "daily cap"),
    ],
)
def test_verify_names_each_row_changed_behind_the_applications_back(
    lifecycle: dict[str, Any], sql: str, expected: str
) -> None:
    ids = {name: value.pk for name, value in lifecycle.items()}
    _sql(sql.format(**ids))
    _broken(expected)


def test_a_request_written_without_its_event_is_reported(
    lifecycle: dict[str, Any], world: dict[str, Any]
) -> None:
    row = CallRequest.objects.get(pk=lifecycle["received"].pk)
    row.pk = None
    row.idempotency_key = None
    row.save()
    _broken(f"call #{row.pk} has no call.requested event: written behind the application")


def test_the_worker_alerts_on_calls_changed_with_sql(lifecycle: dict[str, Any]) -> None:
    assert _settle() == 0
    assert not Event.objects.filter(kind=integrity.ALERT).exists(), (
        "the application's own changes raised an alert"
    )
    done, held, received = lifecycle["done"], lifecycle["held"], lifecycle["received"]
    interp: Interpreter = lifecycle["interpreter"]
    _sql("UPDATE calls_callrequest SET start = '2027-11-02 20:00:00', "
         "\"end\" = '2027-11-02 20:30:00' WHERE id = %s", held.pk)
    _sql("UPDATE calls_callrequest SET state = 'connected' WHERE id = %s", done.pk)
    _sql("UPDATE calls_callrequest SET purpose = 'Forged.' WHERE id = %s", received.pk)
    _sql("UPDATE calls_interpreter SET languages = %s WHERE id = %s", '["fr", "de"]', interp.pk)
    waiting = lifecycle["waiting"]
    _sql("DELETE FROM calls_callrequest WHERE id = %s", waiting.pk)
    assert _settle() == 5
    alerts = {
        (e.data["subject"], e.data["id"]): e
        for e in Event.objects.filter(kind=integrity.ALERT)
    }
    assert set(alerts) == {
        ("call", held.pk), ("call", done.pk), ("call", received.pk), ("call", waiting.pk),
        ("interpreter", interp.pk),
    }
    assert any("start or end" in f for f in alerts[("call", held.pk)].data["findings"])
    assert any("purpose" in f for f in alerts[("call", received.pk)].data["findings"])
    assert any("languages" in f for f in alerts[("interpreter", interp.pk)].data["findings"])
    # Put back, the call agrees again: the alert is cleared.
    _sql("UPDATE calls_callrequest SET purpose = 'A second call.' WHERE id = %s", received.pk)
    _settle()
    assert Event.objects.filter(kind=integrity.CLEARED, subject_id=received.pk).exists()
    assert ContactAttempt.objects.filter(call=done).count() == 2


def test_a_clearance_the_rules_do_not_allow_is_reported_though_logged(
    lifecycle: dict[str, Any], people: dict[str, User]
) -> None:
    received = lifecycle["received"]
    with transaction.atomic():  # as a buggy or forged service would: logged, rules broken
        received.state = CallState.CLEARED
        received.cleared_by, received.cleared_at = people["staffer"], clock.now()
        received.save(update_fields=["state", "cleared_by", "cleared_at"])
        _call_event(received, "call.package_cleared", people["staffer"], text="")
    report = _broken("the package of a requested call was cleared")
    assert any("a package cleared with no talking points" in p for p in report.problems)
