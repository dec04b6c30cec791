"""State changed behind the application's back: the worker compares every recently changed row
with the state its events produce, and records an alert event when they disagree.

Database triggers, created by the migrations of the apps that own the tables, queue ``(table,
row id)`` in ``ledger_changedrow`` on every change of a stateful row, whoever made it: the
application, the admin, or someone with SQL. Each worker pass (the step ``integrity``, first
in every pass, so the steps after it do not act on a row it has just found disputed; see
:func:`disputed`) takes a bounded batch of the queue in one transaction, maps each row
to its subject through the tables each app registered with its checks (``ledger.checks``), runs
the same registered ``check`` that ``chancery verify`` runs (the subject's rows against its
events), and records:

- ``integrity.alert`` when a subject's findings are new (not the ones its open alert already
  names): public fields name the subject, the changed rows and the events the findings point
  at; the findings' text is private (a salted commitment in the log), since it may quote what
  someone wrote into a row;
- ``integrity.cleared`` when a subject with an open alert checks clean again.

The queue rows are deleted in the same transaction, so a worker that dies half-way loses
nothing (the batch is taken again), and two workers never both alert: on PostgreSQL the step
takes a transaction-level advisory lock (a second worker skips the step for that pass) and reads
in one REPEATABLE READ snapshot (rows and events as of one moment); on SQLite the transaction is
IMMEDIATE, so there is one writer at a time and nothing changes under the reads.

The application's own changes go through the same queue (a trigger cannot tell who wrote);
they agree with their events and raise nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet

from chancery.ledger import checks
from chancery.ledger.kinds import declare
from chancery.ledger.models import ChangedRow, Event
from chancery.ledger.services import record_event

log = logging.getLogger(__name__)

SUBJECT = "integrity"
ALERT = "integrity.alert"
CLEARED = "integrity.cleared"
STEP = "integrity"
ORDER = 10
"""First in every pass: a principal's status changed with SQL must raise its alert before the
policy-gate step would act on it (``correspondence.services.gate.sync_policy_gates`` leaves a
disputed principal alone)."""
"""After the domain apps' steps (their changes are compared in the same pass), before the log
integration (``ledger.background.LAST``), so the alerts enter the log in the same pass."""
LOCK_KEY = 0x43484E4349  # "CHNCI": the PostgreSQL advisory lock of this step
GAP = 64
"""Ids of one subject type at most this far apart are read with one ranged ``rows`` call."""
IN_CHUNK = 500


def register_events() -> None:
    declare(
        ALERT, subject=SUBJECT,
        public=["subject", "id", "rows", "events", "entries", "findings_count"],
        private=["findings"],
        description="A changed row disagrees with its subject's events (rows and events named).",
        declared_in=__name__,
    )
    declare(
        CLEARED, subject=SUBJECT, public=["subject", "id", "rows"],
        description="A subject with an open integrity alert agrees with its events again.",
        declared_in=__name__,
    )


# --- verify's view of the alerts themselves ------------------------------------------------------


def _no_rows(lo: int | None, hi: int | None) -> Any:
    return iter(())


def check_alerts(subject: checks.Subject) -> Iterable[checks.Finding]:
    """An alert's events name a subject type someone registered checks for."""
    for e in subject.events:
        if e.kind not in (ALERT, CLEARED):
            yield checks.Finding(f"integrity #{subject.id}: {e} is not an integrity event", e)
        elif checks.get(str(e.data.get("subject"))) is None:
            yield checks.Finding(f"{e} names subject type {e.data.get('subject')!r}, unknown", e)


def register() -> None:
    from chancery.worker import register_step

    register_events()
    checks.register(SUBJECT, rows=_no_rows, check=check_alerts, declared_in=__name__)
    register_step(STEP, check_changed_rows, order=ORDER)


# --- the worker step -----------------------------------------------------------------------------


@dataclass
class Alert:
    """An open alert: the subject it is about, when it was raised, what it names."""

    subject: str
    id: int
    at: dt.datetime
    event_id: int
    seq: int | None
    rows: list[str]
    events: list[int]
    entries: list[int]
    findings_count: int
    findings: list[str]
    """Private: for the operations center's pages, never the public page."""

    @property
    def label(self) -> str:
        return f"{self.subject} #{self.id}"

    @property
    def headline(self) -> str:
        """One line, public fields only (for `chancery status` and logs)."""
        where = (
            f"log entries {', '.join(map(str, self.entries))}" if self.entries
            else f"events {', '.join(f'#{e}' for e in self.events)}" if self.events
            else "no event"
        )
        return (
            f"{self.label} disagrees with the log since {self.at:%Y-%m-%d %H:%M:%S} UTC: "
            f"{self.findings_count} finding(s); rows {', '.join(self.rows)}; {where}; run "
            "chancery verify"
        )

    def as_json(self, *, private: bool = False) -> dict[str, Any]:
        """The alert as JSON; the findings' text only with ``private`` (it is not public)."""
        out: dict[str, Any] = {
            "subject": self.subject, "id": self.id, "at": self.at.isoformat(),
            "event": self.event_id, "seq": self.seq, "rows": self.rows, "events": self.events,
            "entries": self.entries, "findings_count": self.findings_count,
        }
        if private:
            out["findings"] = self.findings
        return out


def check_changed_rows() -> int:
    """The worker step: compare the queued changed rows' subjects with their events, in
    batches of CHANCERY_INTEGRITY_BATCH, at most CHANCERY_INTEGRITY_BATCHES per pass. Returns
    how many alert events (raised or cleared) it recorded."""
    recorded = 0
    for _ in range(settings.CHANCERY_INTEGRITY_BATCHES):
        done, alerts = _one_batch(settings.CHANCERY_INTEGRITY_BATCH)
        recorded += alerts
        if done:
            break
    return recorded


def _one_batch(size: int) -> tuple[bool, int]:
    """Returns (queue drained or taken by another worker, events recorded)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    # One snapshot for the rows and the events: under READ COMMITTED a change
                    # committed between the two reads would look like a disagreement.
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return True, 0  # another worker is at it
        queued = list(
            ChangedRow.objects.order_by("id").values_list("id", "table", "row_id")[:size]
        )
        if not queued:
            return True, 0
        recorded = compare(queued)
        ids = [pk for pk, _, _ in queued]
        for start in range(0, len(ids), IN_CHUNK):
            ChangedRow.objects.filter(id__in=ids[start : start + IN_CHUNK]).delete()
    return len(queued) < size, recorded


def compare(queued: list[tuple[int, str, int]]) -> int:
    """Check the subjects of ``queued`` changed rows ``(queue id, table, row id)`` and record
    the alerts (in the caller's transaction). Returns how many events it recorded."""
    named: dict[tuple[str, int], set[str]] = defaultdict(set)
    for stype, sid, table, row_id in _subjects_of(queued):
        named[(stype, sid)].add(f"{table}#{row_id}")
    by_type: dict[str, list[int]] = defaultdict(list)
    for stype, sid in named:
        by_type[stype].append(sid)
    recorded = 0
    for stype, sids in sorted(by_type.items()):
        findings = check_subjects(stype, sids)
        last = _last_integrity_events(stype, sids)
        for sid in sorted(sids):
            recorded += _record(stype, sid, sorted(named[(stype, sid)]), findings.get(sid),
                                last.get(sid))
    return recorded


def _subjects_of(queued: list[tuple[int, str, int]]) -> list[tuple[str, int, str, int]]:
    """(subject type, subject id, table, row id) of each queued row its table's app mapped."""
    by_table: dict[str, set[int]] = defaultdict(set)
    for _, table, row_id in queued:
        by_table[table].add(row_id)
    out: list[tuple[str, int, str, int]] = []
    for table, row_ids in sorted(by_table.items()):
        owner = checks.table_owner(table)
        if owner is None:
            log.warning("changed rows of table %s: no app maps it to a subject", table)
            continue
        query = owner.tables[table]
        if query is None:
            out += [(owner.subject_type, pk, table, pk) for pk in row_ids]
            continue
        ordered = sorted(row_ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ordered), IN_CHUNK):
                chunk = ordered[start : start + IN_CHUNK]
                cursor.execute(
                    query.format(ids="(" + ", ".join(["%s"] * len(chunk)) + ")"), chunk
                )
                out += [
                    (owner.subject_type, sid, table, pk) for pk, sid in cursor.fetchall()
                    if sid is not None
                ]
    return out


def check_subjects(stype: str, ids: Iterable[int]) -> dict[int, list[checks.Finding]]:
    """Run the registered check of each subject ``ids`` of type ``stype`` (rows and events, as
    ``chancery verify`` gives them) and return the findings of those that have any."""
    from chancery.ledger.verify import _clock_skew, _log_order

    registered = checks.get(stype)
    wanted = sorted(set(ids))
    if registered is None or not wanted:
        return {}
    wanted_ids = frozenset(wanted)
    rows: dict[int, Any] = {}
    for lo, hi in _runs(wanted):
        for sid, row in registered.rows(lo, hi + 1):
            if sid in wanted_ids:
                rows[sid] = row
    events: dict[int, list[checks.Entry]] = defaultdict(list)
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                "SELECT subject_id, seq, id, kind, CAST(at AS TEXT), actor_id, "  # noqa: S608
                f"CAST(data AS TEXT) FROM {Event._meta.db_table} WHERE subject_type = %s "
                f"AND subject_id IN ({marks}) ORDER BY subject_id, id",
                [stype, *chunk],
            )
            for sid, seq, pk, kind, at, actor_id, text in cursor.fetchall():
                events[sid].append(checks.Entry(seq, pk, kind, at, actor_id, orjson.loads(text)))
    tolerance = _clock_skew()
    found: dict[int, list[checks.Finding]] = {}
    for sid in wanted:
        entries = events.get(sid, [])
        row = rows.get(sid)
        if row is None and not entries:
            continue  # neither a row nor an event: nothing to compare
        entries.sort(key=_log_order)
        findings = list(registered.check(checks.Subject(stype, sid, row, entries, tolerance)))
        if findings:
            found[sid] = findings
    return found


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as inclusive ranges, ids at most GAP apart in one."""
    runs: list[tuple[int, int]] = []
    for pk in ids:
        if runs and pk - runs[-1][1] <= GAP:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


def _last_integrity_events(stype: str, ids: list[int]) -> dict[int, Event]:
    """The latest alert or clearance of each subject (none: it never had an alert)."""
    last: dict[int, Event] = {}
    for start in range(0, len(ids), IN_CHUNK):
        for event in Event.objects.filter(
            subject_type=SUBJECT, subject_id__in=ids[start : start + IN_CHUNK]
        ).order_by("id"):
            if event.data.get("subject") == stype:
                last[event.subject_id] = event
    return last


def _record(
    stype: str, sid: int, rows: list[str], findings: list[checks.Finding] | None,
    last: Event | None,
) -> int:
    open_alert = last is not None and last.kind == ALERT
    if not findings:
        if not open_alert:
            return 0
        record_event("integrity", sid, "integrity.cleared",
                     data={"subject": stype, "id": sid, "rows": rows})
        return 1
    texts = [f.text for f in findings]
    if open_alert and last is not None and _same(last.data.get("findings") or [], texts):
        return 0  # the open alert says this already
    named = sorted({f.entry.id for f in findings if f.entry is not None})
    entries = sorted(
        {f.entry.seq for f in findings if f.entry is not None and f.entry.seq is not None}
    )
    record_event(
        "integrity", sid, "integrity.alert",
        data={
            "subject": stype, "id": sid, "rows": rows, "events": named, "entries": entries,
            "findings_count": len(texts), "findings": texts,
        },
    )
    log.error("integrity alert: %s #%s disagrees with its events: %s", stype, sid, texts)
    return 1


_ENTRY = re.compile(r"(?:pending entry|entry \d+) \(event #")


def _same(before: list[str], now: list[str]) -> bool:
    """The same findings, whether the events they name were in the log yet or pending."""
    return [_ENTRY.sub("(event #", t) for t in before] == [_ENTRY.sub("(event #", t) for t in now]


# --- what the pages and `chancery status` read --------------------------------------------------


def _open(subject_type: str | None = None) -> QuerySet[Event]:
    """The open alerts' events: alerts with no later integrity event about the same subject
    (the one rule for "open", read by the pages and by the worker's steps)."""
    events = Event.objects.filter(subject_type=SUBJECT)
    if subject_type is not None:
        events = events.filter(data__subject=subject_type)
    later = Event.objects.filter(
        subject_type=SUBJECT, subject_id=OuterRef("subject_id"),
        data__subject=OuterRef("data__subject"), id__gt=OuterRef("id"),
    )
    return events.filter(kind=ALERT).exclude(Exists(later))


def open_alerts() -> list[Alert]:
    """The alerts still open (raised, not cleared), newest first: one query."""
    return [
        Alert(
            subject=str(e.data.get("subject")), id=e.subject_id, at=e.at, event_id=e.pk,
            seq=e.seq, rows=list(e.data.get("rows", [])), events=list(e.data.get("events", [])),
            entries=list(e.data.get("entries", [])),
            findings_count=int(e.data.get("findings_count", 0)),
            findings=list(e.data.get("findings", [])),
        )
        for e in _open().order_by("-id")
    ]


def disputed(subject_type: str) -> QuerySet[Event, int]:
    """The ids of the subjects of a type whose open alert says their rows disagree with their
    events: the worker's steps must not act on such a row (a status set with SQL would
    otherwise hold or release messages as if it had been recorded). A lazy query, so
    ``pk__in=disputed(...)`` costs no query of its own."""
    return _open(subject_type).values_list("subject_id", flat=True)


def queued_rows() -> int:
    """Changed rows waiting for the worker's comparison."""
    return ChangedRow.objects.count()
