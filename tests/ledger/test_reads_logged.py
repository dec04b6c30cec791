"""Every opening of a record is recorded in the log (issue 11, part 4): ``record_read`` writes
the read row and its ``read.recorded`` event in one transaction; ``chancery verify`` (subject
``read``, ``ledger/reads_check.py``) reports a read row deleted, edited or inserted behind the
application's back, and the worker's integrity step (triggers of ``ledger/0007``) alerts on a
deleted or edited one within a pass."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from chancery import clock, worker
from chancery.ledger import integrity, kinds, reads, sequencer
from chancery.ledger.models import ChangedRow, Event, Read
from chancery.ledger.reads import record_read
from chancery.ledger.verify import Report, verify_log


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


def _broken(expected: str) -> Report:
    report = verify_log()
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    return report


@pytest.fixture
def logged(people: dict[str, User]) -> Iterator[dict[str, Read]]:
    """Three reads by the auditor and the records officer, in the log; verify clean."""
    made = {
        "web": record_read(people["auditor"], "telcon", 3, via="web"),
        "api": record_read(people["records"], "readout", 7, via="api", part="title"),
        "export": record_read(people["auditor"], "reply", 11, via="export", part="pdf"),
    }
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems
    assert report.subjects["read"] == 3
    yield made


def test_a_read_is_one_event_with_the_reader_committed(people: dict[str, User]) -> None:
    auditor = people["auditor"]
    before = Event.objects.count()
    read = record_read(auditor, "telcon", 3, via="export", part="pdf")
    assert Event.objects.count() == before + 1
    event = Event.objects.get(subject_type="read", subject_id=read.pk)
    assert event.kind == "read.recorded" and event.actor_id == auditor.pk and event.at == read.at
    assert event.data == {"subject_type": "telcon", "subject_id": 3, "via": "export",
                          "part": "pdf"}
    leaf = json.loads(bytes(event.leaf))
    assert leaf["subject"] == f"read:{read.pk}"
    assert leaf["data"] == event.data  # all public
    salt = bytes.fromhex(event.salt)
    assert leaf["actor"] == "sha256:" + hashlib.sha256(salt + str(auditor.pk).encode()).hexdigest()
    assert auditor.username.encode() not in bytes(event.leaf)
    assert reads.log_entries([read.pk]) == {read.pk: None}  # pending
    sequencer.integrate_all()
    seq = Event.objects.get(pk=event.pk).seq
    assert seq is not None and reads.log_entries([read.pk]) == {read.pk: seq}


def test_a_read_that_fails_to_log_leaves_no_row(
    people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row and event in one transaction: an event the log refuses (here: its kind undeclared)
    leaves no read row."""
    monkeypatch.delitem(kinds._KINDS, reads.RECORDED)
    rows = Read.objects.count()
    with pytest.raises(kinds.UndeclaredEvent):
        record_read(people["auditor"], "telcon", 3, via="web")
    assert Read.objects.count() == rows


def test_inside_an_outer_transaction_the_read_goes_with_it(people: dict[str, User]) -> None:
    rows, events = Read.objects.count(), Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_read(people["auditor"], "telcon", 3, via="web")
        raise RuntimeError("the page failed after the access check")
    assert (Read.objects.count(), Event.objects.count()) == (rows, events)


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("DELETE FROM ledger_read WHERE id = {web}", "has no read row (deleted"),
        ("UPDATE ledger_read SET user_id = {other} WHERE id = {web}", "the row's reader"),
        ("UPDATE ledger_read SET at = '2020-01-01 10:00:00' WHERE id = {api}", "the row's time"),
        ("UPDATE ledger_read SET part = 'nothing' WHERE id = {export}", "the row's part"),
        ("UPDATE ledger_read SET subject_id = 4 WHERE id = {web}", "the row's subject id"),
        ("UPDATE ledger_read SET via = 'web' WHERE id = {api}", "the row's via"),
    ],
)
def test_verify_names_each_read_changed_behind_the_applications_back(
    logged: dict[str, Read], people: dict[str, User], sql: str, expected: str
) -> None:
    ids = {name: read.pk for name, read in logged.items()}
    _sql(sql.format(other=people["officer"].pk, **ids))
    _broken(expected)


def test_a_read_written_without_its_event_is_reported(
    logged: dict[str, Read], people: dict[str, User]
) -> None:
    forged = Read.objects.create(
        subject_type="telcon", subject_id=3, user=people["officer"], at=clock.now(), via="web"
    )
    _broken(f"read #{forged.pk} has no read.recorded event: written behind the application")


def test_the_worker_alerts_on_reads_deleted_or_edited(
    logged: dict[str, Read], people: dict[str, User]
) -> None:
    record_read(people["auditor"], "telcon", 3, via="web")  # the application's own: no alert
    assert _settle() == 0
    assert not Event.objects.filter(kind=integrity.ALERT).exists()
    web, api, export = logged["web"], logged["api"], logged["export"]
    _sql("DELETE FROM ledger_read WHERE id = %s", web.pk)
    _sql("UPDATE ledger_read SET user_id = %s WHERE id = %s", people["officer"].pk, api.pk)
    _sql("UPDATE ledger_read SET at = %s, part = 'body' WHERE id = %s",
         export.at - dt.timedelta(days=1), export.pk)
    assert _settle() == 3
    alerts = {e.data["id"]: e for e in Event.objects.filter(kind=integrity.ALERT)}
    assert set(alerts) == {web.pk, api.pk, export.pk}
    assert {e.data["subject"] for e in alerts.values()} == {"read"}
    assert any("deleted" in f for f in alerts[web.pk].data["findings"])
    assert any("reader" in f for f in alerts[api.pk].data["findings"])
    assert any("time, part" in f for f in alerts[export.pk].data["findings"])
    # Put back, the read agrees with its event again: the alert is cleared.
    _sql("UPDATE ledger_read SET user_id = %s WHERE id = %s", people["records"].pk, api.pk)
    _settle()
    assert Event.objects.filter(kind=integrity.CLEARED, subject_id=api.pk).exists()


def test_reads_before_the_log_are_covered_by_the_baseline(people: dict[str, User]) -> None:
    """A database upgraded with reads already in it: ``ledger/0007`` records one baseline
    event; those rows are not reported, a row added later without its event is."""
    old = [
        Read.objects.create(subject_type="message", subject_id=i, user=people["officer"],
                            at=clock.now(), via="web")
        for i in (1, 2)
    ]
    from importlib import import_module

    from django.apps import apps

    migration = import_module("chancery.ledger.migrations.0007_reads_logged")
    migration.baseline(apps, None)
    baseline = Event.objects.get(kind="read.baseline")
    assert baseline.data == {"upto": old[-1].pk, "count": 2}
    record_read(people["auditor"], "telcon", 3, via="web")
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems
    forged = Read.objects.create(subject_type="telcon", subject_id=3, user=people["officer"],
                                 at=clock.now(), via="web")
    _broken(f"read #{forged.pk} has no read.recorded event")


def test_the_audit_page_shows_each_read_in_the_log_or_pending(
    logged: dict[str, Read], people: dict[str, User]
) -> None:
    pending = record_read(people["auditor"], "telcon", 3, via="api")
    client = Client()
    client.force_login(people["auditor"])
    each = client.get("/audit/?each=1").content.decode()
    seq = Event.objects.get(subject_type="read", subject_id=logged["web"].pk).seq
    assert f"entry {seq}" in each
    assert reads.log_entries([pending.pk]) == {pending.pk: None}
    assert "pending" in each
    grouped = client.get("/audit/").content.decode()
    assert "In the log" in grouped and "pending" in grouped
