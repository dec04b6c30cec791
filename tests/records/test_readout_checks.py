"""``chancery verify`` checks read-outs against their events (records/checks_readouts.py): the
application's own changes agree; a published body edited with SQL, a digest changed, a version
cleared or published behind the application's back, or a publication the rule did not allow
(even though logged) are findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from chancery import clock, worker
from chancery.calls.models import CallRequest
from chancery.ledger import integrity, sequencer
from chancery.ledger.models import ChangedRow, Event
from chancery.ledger.services import history
from chancery.ledger.verify import verify_log
from chancery.records.models import Readout, ReadoutVersion
from chancery.records.services import readouts as services
from chancery.records.services.common import readout_event


def _sql(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _problems() -> list[str]:
    """Verify's problems with read-outs (the shared ``scheduled_call`` is placed without the
    calls app's events, so verify reports the call itself: not this test's subject)."""
    sequencer.integrate_all()
    return [p for p in verify_log().problems if "read-out" in p]


@pytest.fixture
def published(completed_call: CallRequest, people: dict[str, User]) -> dict[str, Any]:
    """A read-out published, corrected (version 2 drafted and cleared, not yet published),
    embargoed then lifted, linked: verify clean."""
    v1 = services.draft_readout(completed_call, by=people["officer"], title="Read-out",
                                body="They spoke.")
    readout = v1.readout
    services.clear_readout(readout, by=people["staffer"], version=1)
    services.set_embargo(readout, by=people["officer"], until=clock.now() + dt.timedelta(hours=1))
    services.set_embargo(readout, by=people["officer"], until=None)
    services.link_counterpart(readout, by=people["officer"], url="https://www.elysee.fr/x")
    services.publish_readout(readout, by=people["staffer"])
    v2 = services.draft_readout(completed_call, by=people["officer"], title="Read-out",
                                body="They spoke twice.", correction_note="Twice, not once.")
    services.clear_readout(readout, by=people["staffer"], version=2)
    assert _problems() == []
    return {"readout": readout.pk, "v1": v1.pk, "v2": v2.pk}


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("UPDATE records_readoutversion SET body = 'Forged.' WHERE id = {v1}",
         "is not the text published"),
        ("UPDATE records_readoutversion SET digest = 'ab' WHERE id = {v1}", "(time, digest)"),
        ("UPDATE records_readoutversion SET cleared_at = NULL, cleared_by_id = NULL "
         "WHERE id = {v2}", "clearance"),
        ("UPDATE records_readoutversion SET published_at = cleared_at WHERE id = {v2}",
         "published without readout.published"),
        ("UPDATE records_readout SET state = 'published' WHERE id = {readout}", "state"),
        ("UPDATE records_readout SET counterpart_url = 'https://evil.example/' "
         "WHERE id = {readout}", "counterpart link"),
        ("UPDATE records_readout SET slug = 'other' WHERE id = {readout}", "slug"),
        ("UPDATE records_readout SET embargo_until = published_at_v1 WHERE id = {readout}",
         "embargo"),
    ],
)
def test_verify_names_each_row_changed_behind_the_applications_back(
    published: dict[str, Any], sql: str, expected: str
) -> None:
    if "published_at_v1" in sql:
        sql = sql.replace("published_at_v1", "'2031-01-01 00:00:00'")
    _sql(sql.format(**published))
    problems = _problems()
    assert any(expected in p for p in problems), problems


def test_a_publication_the_rule_did_not_allow_is_a_finding_though_logged(
    scheduled_call: CallRequest, people: dict[str, User]
) -> None:
    """A version published (row and event both) before its call ended and before clearance,
    inside the embargo, is reported even though the log agrees with the row."""
    v = services.draft_readout(scheduled_call, by=people["officer"], title="T", body="B.")
    readout = Readout.objects.select_related("call__principal").get(pk=v.readout_id)
    until = clock.now() + dt.timedelta(days=1)
    services.set_embargo(readout, by=people["officer"], until=until)
    readout.refresh_from_db()
    with transaction.atomic():
        now = clock.now()
        obj = services.published_object(readout.slug, v, services.call_date(readout.call))
        digest = services.digest_of(obj)
        ReadoutVersion.objects.filter(pk=v.pk).update(published_at=now, digest=digest)
        Readout.objects.filter(pk=readout.pk).update(
            state="published", published_version=1, first_published_at=now
        )
        readout_event(readout, "readout.published", people["officer"], version=1,
                      digest=digest, slug=readout.slug, correction=False)
    problems = _problems()
    for expected in ("before its call ended", "before it was cleared", "inside the embargo"):
        assert any(expected in p for p in problems), (expected, problems)


def _settle() -> None:
    for _ in range(3):
        worker.run_once()
        if not ChangedRow.objects.exists():
            return
    raise AssertionError(f"{ChangedRow.objects.count()} changed rows still queued")


def _readout_alerts() -> dict[int, Event]:
    return {
        e.data["id"]: e for e in Event.objects.filter(kind=integrity.ALERT)
        if e.data["subject"] == "readout"
    }


def test_the_worker_publishes_when_due_and_alerts_on_an_edited_body(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    v = services.draft_readout(completed_call, by=people["officer"], title="T", body="Said.")
    services.clear_readout(v.readout, by=people["staffer"], version=1)
    _settle()  # the worker's step publishes it (by nobody), its integrity step finds no fault
    v.refresh_from_db()
    assert v.published_at is not None
    assert history("readout", v.readout_id).last().actor is None  # type: ignore[union-attr]
    assert _readout_alerts() == {}
    _sql("UPDATE records_readoutversion SET body = 'Not said.' WHERE id = %s", v.pk)
    _settle()
    alert = _readout_alerts()[v.readout_id]
    assert any("is not the text published" in f for f in alert.data["findings"])
