"""How ``chancery verify`` (and the worker's integrity step) checks the access audit against the
log: subject ``read``, one per ``ledger_read`` row (see ``ledger/reads.py``).

Each read row must have exactly one ``read.recorded`` event whose actor is the row's reader and
whose time, subject type, subject id, way and part are the row's: a field that differs was
altered behind the application; an event without its row means the row was deleted; a row
without its event was written behind the application, unless the row is older than the log's
reads (its id is at most the ``read.baseline`` event's ``upto``: recorded before ``ledger/0007``).

Rows are streamed (``ledger.checks.stream``): reads are the largest table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from django.db import connection

from chancery.ledger import checks
from chancery.ledger.checks import Finding, Subject
from chancery.ledger.models import Event, Read
from chancery.ledger.reads import BASELINE, PUBLIC, RECORDED, SUBJECT

FIELDS = ("id", "user_id", "CAST(at AS TEXT)", "subject_type", "subject_id", "via", "part")


def _baseline() -> int:
    """The last read id recorded before reads were logged (0: none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(data AS TEXT) FROM {Event._meta.db_table} "  # noqa: S608
            "WHERE subject_type = %s AND subject_id = 0 AND kind = %s ORDER BY id",
            [SUBJECT, BASELINE],
        )
        found = cursor.fetchall()
    if not found:
        return 0
    return int(orjson.loads(found[0][0]).get("upto") or 0)


def read_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Read rows by id: (id, user id, at as the database's text, subject type, subject id,
    via, part, whether the row predates the log's reads)."""
    upto = _baseline()
    where, params = [], []
    if lo is not None:
        where.append("id >= %s")
        params.append(lo)
    if hi is not None:
        where.append("id < %s")
        params.append(hi)
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"SELECT {', '.join(FIELDS)} FROM {Read._meta.db_table} "  # noqa: S608
        f"{condition} ORDER BY id"
    )
    for row in checks.stream(sql, params):
        yield row[0], (*row, row[0] <= upto)


def check_read(subject: Subject) -> Iterator[Finding]:
    name = f"read #{subject.id}"
    events = []
    for e in subject.events:
        if subject.id == 0 and e.kind == BASELINE:
            continue
        if e.kind != RECORDED:
            yield Finding(f"{name}: {e} is not a read.recorded event", e)
        else:
            events.append(e)
    row = subject.row
    if len(events) > 1:
        yield Finding(f"{name}: recorded {len(events)} times ({events[1]} again)", events[1])
    if row is None:
        if events:
            yield Finding(
                f"{name}: {events[0]} has no read row (deleted behind the application)",
                events[0],
            )
        return
    _, user_id, at, subject_type, subject_id, via, part, before_log = row
    if not events:
        if not before_log:
            yield Finding(
                f"{name} has no read.recorded event: written behind the application", None
            )
        return
    e = events[0]
    d = e.data
    wrong = [
        field
        for field, same in (
            ("reader", user_id == e.actor_id),
            ("time", at == e.when or _same_time(at, e)),
            ("subject type", subject_type == d.get("subject_type")),
            ("subject id", subject_id == d.get("subject_id")),
            ("via", via == d.get("via")),
            ("part", part == d.get("part")),
        )
        if not same
    ]
    if wrong:
        yield Finding(f"{name}: the row's {', '.join(wrong)} differ(s) from {e}", e)
    extra = set(d) - set(PUBLIC)
    if extra:
        yield Finding(f"{name}: {e} carries keys {sorted(extra)} a read does not have", e)


def _same_time(at: Any, e: checks.Entry) -> bool:
    try:
        return checks.parse_time(at) == e.at
    except (TypeError, ValueError):
        return False


def register() -> None:
    checks.register(
        SUBJECT, rows=read_rows, check=check_read, declared_in=__name__,
        tables={Read._meta.db_table: None},
    )
