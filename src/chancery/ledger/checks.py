"""The registry of subject checks: how ``chancery verify`` checks the rows behind the log.

The ledger knows no domain. Each app that records events about a subject type registers, in
its own ``<app>/checks.py`` (called from ``AppConfig.ready()``), how to read its rows and how to
check one subject against its events::

    checks.register("message", rows=message_rows, check=check_message, declared_in=__name__)

``rows(lo, hi)`` yields ``(subject id, row)`` in ascending id order for ids in ``[lo, hi)``
(``None``: unbounded), the row being whatever the app's ``check`` wants (with its dependent rows:
a message's holds, a principal's status changes). ``check(subject)`` gets a :class:`Subject`:
the id, the row (None if there is none) and the subject's events in log order, and yields a
:class:`Finding` for everything that disagrees: a row field that differs from what an event
carries (every field a leaf commits to must be compared), a lifecycle step the app's rules do
not allow (even though it was logged), a final state the replay does not reach. A finding names
the event where the row and the log part (its ``seq`` becomes the divergent index), or none.

``chancery verify`` merges events and rows by subject id in parallel processes over id ranges
(``ledger/verify.py``); a check must not write and must not depend on other subjects.

``tables`` says which database tables hold the subject's rows, for the worker's comparison of
recently changed rows (``ledger/integrity.py``): the domain apps' triggers queue ``(table, row
id)`` in ``ledger_changedrow`` on every change, and the worker maps each queued row to its
subject through this map, then runs the same ``check``. A table maps to ``None`` when its row
id is the subject's id (the message table for messages), or to a query giving ``(row id,
subject id)`` for the ids in ``{ids}``::

    tables={
        "correspondence_message": None,
        "correspondence_hold": "SELECT id, message_id FROM correspondence_hold WHERE id IN {ids}",
    }

A deleted dependent row cannot be mapped by a query: the triggers of a dependent table queue its
subject's row too (a hold's message), so the subject is checked all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

CHUNK = 5000


class Entry:
    """One event as a check sees it: ``data`` is the row's data (private fields in clear: the
    checks compare them with the rows); ``when`` the time as the database gave it (text),
    ``at`` the same as an aware UTC datetime (parsed when first asked for)."""

    __slots__ = ("_at", "actor_id", "data", "id", "kind", "seq", "when")

    def __init__(
        self, seq: int | None, id: int, kind: str, when: Any, actor_id: int | None,
        data: dict[str, Any],
    ) -> None:
        self.seq, self.id, self.kind, self.when = seq, id, kind, when
        self.actor_id, self.data = actor_id, data
        self._at: dt.datetime | None = None

    @property
    def at(self) -> dt.datetime:
        if self._at is None:
            self._at = parse_time(self.when)
        return self._at

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "pending entry"
        return f"{where} (event #{self.id}, {self.kind})"

    def __repr__(self) -> str:
        return f"Entry({self.seq}, #{self.id}, {self.kind}, {self.when})"


@dataclass(frozen=True, slots=True)
class Finding:
    text: str
    entry: Entry | None = None


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a microsecond to make
class Subject:
    type: str
    id: int
    row: Any
    events: list[Entry]
    tolerance: dt.timedelta
    """How far two times written in one transaction (a row's and its event's) may differ: the
    ``CHANCERY_VERIFY_CLOCK_SKEW`` setting."""

    def close(self, a: Any, b: Any) -> bool:
        """Both empty, or both set and within the tolerance of each other (times as datetimes,
        or as the database's or ISO 8601 text: equal text is equal without parsing)."""
        if a is None or b is None:
            return a is None and b is None
        if a == b:
            return True
        return abs(parse_time(a) - parse_time(b)) <= self.tolerance


Rows = Callable[[int | None, int | None], Iterator[tuple[int, Any]]]
Check = Callable[[Subject], Iterable[Finding]]


@dataclass(frozen=True)
class SubjectChecks:
    subject_type: str
    rows: Rows
    check: Check
    declared_in: str
    tables: dict[str, str | None] = field(default_factory=dict)
    """Table -> how its row ids map to subject ids (see the module's text)."""


_CHECKS: dict[str, SubjectChecks] = {}


def register(
    subject_type: str, *, rows: Rows, check: Check, declared_in: str,
    tables: dict[str, str | None] | None = None,
) -> None:
    previous = _CHECKS.get(subject_type)
    if previous is not None and previous.declared_in != declared_in:
        raise ValueError(
            f"subject type {subject_type!r} has checks registered by {previous.declared_in} "
            f"already; {declared_in} cannot register others"
        )
    for table, query in (tables or {}).items():
        owner = table_owner(table)
        if owner is not None and owner.subject_type != subject_type:
            raise ValueError(
                f"table {table!r} is mapped to subject {owner.subject_type!r} already "
                f"({owner.declared_in}); {declared_in} cannot map it to {subject_type!r}"
            )
        if query is not None and "{ids}" not in query:
            example = f"SELECT id, parent_id FROM {table} WHERE id IN {{ids}}"  # noqa: S608
            raise ValueError(
                f"{declared_in}: the query mapping table {table!r} to {subject_type!r} must "
                f"select (row id, subject id) for the ids in {{ids}}, e.g. {example!r}"
            )
    _CHECKS[subject_type] = SubjectChecks(
        subject_type, rows, check, declared_in, dict(tables or {})
    )


def table_owner(table: str) -> SubjectChecks | None:
    """The registered checks whose subject ``table``'s rows belong to (None: no app said)."""
    for registered in _CHECKS.values():
        if table in registered.tables:
            return registered
    return None


def registered() -> list[SubjectChecks]:
    return [_CHECKS[k] for k in sorted(_CHECKS)]


def get(subject_type: str) -> SubjectChecks | None:
    return _CHECKS.get(subject_type)


def ranged(qs: Any, lo: int | None, hi: int | None, key: str = "id") -> Any:
    """``qs`` cut to the subjects in ``[lo, hi)`` (``None``: unbounded), the id range a
    ``rows(lo, hi)`` function is given; ``key`` is the field holding the subject's id
    (``"telcon_id"`` for a telcon's versions)."""
    if lo is not None:
        qs = qs.filter(**{f"{key}__gte": lo})
    if hi is not None:
        qs = qs.filter(**{f"{key}__lt": hi})
    return qs


def same_time(column: Any, logged: Any) -> bool:
    """A column's time (as the database gave it) is exactly the ISO 8601 time an event logged.
    Text in the two usual forms (UTC) is compared without parsing."""
    if column is None or logged is None:
        return column is None and logged is None
    if (
        type(column) is str and type(logged) is str and logged.endswith("+00:00")
        and column[:10] == logged[:10] and column[11:].removesuffix("+00") == logged[11:-6]
    ):
        return True
    try:
        return parse_time(column) == parse_time(logged)
    except (TypeError, ValueError):
        return False


def stream(sql: str, params: list[Any] | None = None) -> Iterator[tuple[Any, ...]]:
    """Rows streamed from the database a chunk at a time, for checks over every row.

    On PostgreSQL a named (server-side) cursor with binary results (bytea would otherwise cross
    the wire as hex); elsewhere Django's chunked cursor."""
    if connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            # A named cursor lives in a transaction. Callers reading several streams side by
            # side open one around them all (generators cannot nest their own).
            with transaction.atomic():
                yield from stream(sql, params)
            return
        with connection.connection.cursor(
            name=f"chancery_stream_{id(sql)}", binary=True
        ) as cursor:
            cursor.itersize = CHUNK
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(CHUNK):
                yield from rows
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def parse_time(value: Any) -> dt.datetime:
    """A time from event data (ISO 8601 text) or a column (a datetime, or its text as SQLite
    or PostgreSQL give it: ``2020-11-09 14:06:04.5[+00]``), as an aware datetime (naive: UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise ValueError(f"not a time: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
