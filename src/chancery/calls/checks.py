"""How ``chancery verify`` (and the worker's integrity step) checks calls against the log.

Registered from ``CallsConfig.ready()`` (see ``chancery.ledger.checks``). Three subjects:

- ``call``: a call request's events are replayed in log order and the result compared with its
  row and its contact attempts. What the request said (office, channel, window, language,
  duration, the purpose the log commits to) is ``call.requested``'s; the state is the last
  lifecycle event's (see ``_STATES``: a schedule puts an approved call to SCHEDULED, a lost time
  puts a scheduled one back to APPROVED, talking points redrafted after clearance put a cleared
  one back to SCHEDULED); the time, interpreter, fixed flag and iCalendar sequence are those of
  the last ``call.scheduled`` / ``rescheduled`` / ``unscheduled`` / ``interpreter`` event (a
  reassignment raises the sequence by one); the gate (``waits_for``) is the last of
  ``call.requested`` / ``gated`` / ``gate_released``; tier, rank and the triage note the last
  ``call.triaged``'s; the talking points the last ``call.talking_points``' text; the clearance
  (who, when) the last ``call.package_cleared``'s, whose text must be the talking points of that
  moment; the reasons, connection and completion their events'. The package's own rules are
  checked too, though logged: talking points only for an approved, scheduled or cleared call, a
  clearance only of a scheduled call with talking points. Every contact attempt row is
  its ``call.attempt`` event's. A request row without its ``call.requested`` event was written
  behind the application; events without a row mean it was deleted.
- ``interpreter``: the roster row against its last ``interpreter.enrolled`` event (an
  interpreter never recorded, made before the event existed, has nothing to compare with).
- ``call_settings``: a principal's call settings against its last ``calls.settings`` event
  (settings never recorded have nothing to compare with, as for interpreters).
- ``blocked_time``: a blocked period against its last event, which must be ``calls.blocked``
  (principal, start, end, label); a row without one was written behind the application, a row
  gone without ``calls.unblocked`` was deleted behind it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from chancery.calls.models import (
    CALL,
    SCHEDULABLE_STATES,
    BlockedTime,
    CallRequest,
    CallSettings,
    CallState,
    ContactAttempt,
    Interpreter,
)
from chancery.directory.models import Principal
from chancery.ledger import checks
from chancery.ledger.checks import Entry, Finding, Subject

CALL_FIELDS = (
    "id", "principal_id", "office_id", "channel", "received_at", "purpose", "language",
    "brings_interpreter", "duration", "time_zone", "earliest", "latest", "local_start",
    "local_end", "state", "waits_for", "tier", "rank", "triage_note", "decline_reason",
    "defer_reason", "start", "end", "interpreter_id", "fixed", "sequence", "talking_points",
    "cleared_by_id", "cleared_at", "connected_at", "completed_at",
)
ATTEMPT_FIELDS = ("call_id", "id", "at", "by_id", "outcome", "note")

_STATES: dict[str, str] = {
    "call.requested": CallState.REQUESTED,
    "call.triaged": CallState.TRIAGED,
    "call.approved": CallState.APPROVED,
    "call.deferred": CallState.DEFERRED,
    "call.declined": CallState.DECLINED,
    "call.package_cleared": CallState.CLEARED,
    "call.connected": CallState.CONNECTED,
    "call.completed": CallState.COMPLETED,
    "call.failed": CallState.FAILED,
}
"""The state each lifecycle event leaves a call in (the others: see ``CallReplay.step``)."""

_KINDS = frozenset({
    *_STATES, "call.gate_released", "call.gated", "call.scheduled", "call.rescheduled",
    "call.unscheduled", "call.interpreter", "call.talking_points", "call.attempt",
})


def call_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Call requests by id, each a dict of its columns with ``slug`` (its principal's) and
    ``attempts`` (its contact attempts' columns, by id).

    Plain querysets, not ``.iterator()``: verify reads these beside the events it streams
    through ``ledger.checks.stream`` (a psycopg named cursor in a transaction), and the calls'
    rows are few (the messages' use ``ledger.checks.stream`` themselves)."""
    slugs = dict(Principal.objects.values_list("id", "slug"))
    attempts = {
        key: list(group)
        for key, group in itertools.groupby(
            checks.ranged(ContactAttempt.objects, lo, hi, "call_id")
            .order_by("call_id", "id").values(*ATTEMPT_FIELDS),
            lambda a: a["call_id"],
        )
    }
    calls = checks.ranged(CallRequest.objects, lo, hi).order_by("id").values(*CALL_FIELDS)
    for values in calls:
        values["slug"] = slugs.get(values["principal_id"])
        values["attempts"] = attempts.get(values["id"], [])
        yield values["id"], values


def _time(value: Any) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        return None


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


class CallReplay:
    """The call the events describe, built step by step."""

    def __init__(self, subject: Subject) -> None:
        self.subject = subject
        self.findings: list[Finding] = []
        self.state: str | None = None
        self.requested: Entry | None = None
        self.gate: Entry | None = None
        self.triaged: Entry | None = None
        self.deferred: Entry | None = None
        self.declined: Entry | None = None
        self.placed: Entry | None = None
        """The last event that set the call's time (scheduled, rescheduled, unscheduled)."""
        self.assigned: Entry | None = None
        """The last event that set the interpreter (those, or call.interpreter)."""
        self.fixed: Entry | None = None
        """The last event that said whether the call is fixed (a placement, or a
        reassignment, which fixes it)."""
        self.sequence: int | None = None
        self.sequence_by: Entry | None = None
        self.points: Entry | None = None
        self.cleared: Entry | None = None
        self.connected: Entry | None = None
        self.completed: Entry | None = None
        self.attempts: dict[Any, Entry] = {}
        self.last_state: Entry | None = None

    def bad(self, entry: Entry | None, text: str) -> None:
        self.findings.append(Finding(f"call #{self.subject.id}: {text}", entry))

    def step(self, e: Entry) -> None:  # noqa: C901, PLR0912 - one branch per event kind
        kind, data = e.kind, e.data
        if kind not in _KINDS:
            self.bad(e, f"{e} is not an event of a call")
            return
        if self.state is None and kind != "call.requested":
            self.bad(e, f"{e} comes before the call was requested")
            return
        if kind == "call.requested":
            if self.requested is not None:
                self.bad(e, f"{e}: requested a second time")
                return
            self.requested = self.gate = e
        elif kind in ("call.gated", "call.gate_released"):
            self.gate = e
        elif kind == "call.triaged":
            self.triaged = e
        elif kind == "call.deferred":
            self.deferred = e
        elif kind == "call.declined":
            self.declined = e
        elif kind in ("call.scheduled", "call.rescheduled"):
            self.placed = self.assigned = self.fixed = e
            self.sequence, self.sequence_by = data.get("sequence"), e
            if self.state == CallState.APPROVED:
                self.state, self.last_state = CallState.SCHEDULED, e
        elif kind == "call.unscheduled":
            self.placed = self.assigned = self.fixed = e
            self.sequence, self.sequence_by = data.get("sequence"), e
            if self.state == CallState.SCHEDULED:
                self.state, self.last_state = CallState.APPROVED, e
        elif kind == "call.interpreter":
            self.assigned = e
            if "fixed" in data:
                self.fixed = e
            if self.sequence is not None:
                self.sequence, self.sequence_by = self.sequence + 1, e
        elif kind == "call.talking_points":
            if self.state not in SCHEDULABLE_STATES:
                self.bad(e, f"{e}: talking points drafted for a {self.state} call")
            self.points = e
            self.cleared = None
            if self.state == CallState.CLEARED:
                self.state, self.last_state = CallState.SCHEDULED, e
        elif kind == "call.package_cleared":
            text = self.points.data.get("text") if self.points else ""
            if self.state != CallState.SCHEDULED:
                self.bad(e, f"{e}: the package of a {self.state} call was cleared (only a "
                         "scheduled call's is)")
            if not text:
                self.bad(e, f"{e}: a package cleared with no talking points")
            elif data.get("text") != text:
                self.bad(e, f"{e} clears talking points other than the last drafted")
            self.cleared = e
        elif kind == "call.attempt":
            self.attempts[data.get("attempt")] = e
        elif kind == "call.connected":
            self.connected = e
        elif kind == "call.completed":
            self.completed = e
        if kind in _STATES:
            self.state, self.last_state = _STATES[kind], e


def check_call(subject: Subject) -> Iterator[Finding]:
    row: dict[str, Any] | None = subject.row
    if row is None:
        last = subject.events[-1]
        yield Finding(f"{last} (call #{subject.id}): its call request row is gone (deleted)", last)
        return
    if not subject.events or subject.events[0].kind != "call.requested":
        yield Finding(
            f"call #{subject.id} has no call.requested event: written behind the application",
            subject.events[0] if subject.events else None,
        )
        return
    replay = CallReplay(subject)
    tracking = CALL.format(_year(row["received_at"]), subject.id)
    for e in subject.events:
        replay.step(e)
        if e.data.get("principal") != row["slug"] or e.data.get("call") != tracking:
            replay.bad(e, f"{e} names call {e.data.get('call')!r} of principal "
                       f"{e.data.get('principal')!r}, the row {tracking} of {row['slug']!r}")
    _compare_request(replay, row)
    _compare_state(replay, row)
    _compare_attempts(replay, row["attempts"])
    yield from replay.findings


def _year(value: Any) -> int:
    return checks.parse_time(value).year


def _differs(r: CallReplay, what: str, wrong: Sequence[tuple[str, Entry | None]]) -> None:
    if wrong:
        names = ", ".join(name for name, _ in wrong)
        entries = [e for _, e in wrong if e is not None]
        first = min(entries, key=lambda e: e.id) if entries else None
        r.bad(first, f"{what} differs from its events: {names}")


def _compare_request(r: CallReplay, row: dict[str, Any]) -> None:
    e = r.requested
    assert e is not None  # noqa: S101 - checked by the caller
    d = e.data
    close = r.subject.close
    wrong = [
        (name, e)
        for name, same in (
            ("office", row["office_id"] == d.get("office")),
            ("channel", row["channel"] == d.get("channel")),
            ("received time", close(row["received_at"], d.get("received_at"))),
            ("purpose", row["purpose"] == d.get("purpose")),
            ("language", row["language"] == d.get("language")),
            ("interpreter brought", row["brings_interpreter"] == d.get("brings_interpreter")),
            ("duration", row["duration"] == d.get("duration")),
            ("time zone", row["time_zone"] == d.get("time_zone")),
            ("earliest", row["earliest"] == _date(d.get("earliest"))),
            ("latest", row["latest"] == _date(d.get("latest"))),
            ("local start", row["local_start"] == _time(d.get("local_start"))),
            ("local end", row["local_end"] == _time(d.get("local_end"))),
        )
        if not same
    ]
    _differs(r, "the request", wrong)


def _compare_state(r: CallReplay, row: dict[str, Any]) -> None:  # noqa: C901 - one rule each
    close = r.subject.close
    if row["state"] != r.state:
        last = r.last_state
        r.bad(last, f"the row's state is {row['state']}, the events leave it {r.state} ({last})")
    wrong: list[tuple[str, Entry | None]] = []
    gate = r.gate
    if gate is not None and row["waits_for"] != (
        "" if gate.kind == "call.gate_released" else gate.data.get("waits_for", "")
    ):
        wrong.append(("waits for (the gate)", gate))
    if (t := r.triaged) is not None:
        if row["tier"] != t.data.get("tier") or row["rank"] != t.data.get("rank"):
            wrong.append(("tier or rank", t))
        if row["triage_note"] != t.data.get("note", ""):
            wrong.append(("triage note", t))
    if r.state == CallState.DECLINED and r.declined is not None and (
        row["decline_reason"] != r.declined.data.get("reason")
    ):
        wrong.append(("decline reason", r.declined))
    if r.state == CallState.DEFERRED and r.deferred is not None and (
        row["defer_reason"] != r.deferred.data.get("reason")
    ):
        wrong.append(("defer reason", r.deferred))
    placed = r.placed
    if placed is not None:
        timed = placed.kind != "call.unscheduled"
        start = placed.data.get("start") if timed else None
        end = placed.data.get("end") if timed else None
        if not close(row["start"], start) or not close(row["end"], end):
            wrong.append(("start or end", placed))
        fixed = r.fixed or placed
        if row["fixed"] != (bool(fixed.data.get("fixed")) if fixed.kind != "call.unscheduled"
                            else False):
            wrong.append(("fixed", fixed))
    elif row["start"] is not None or row["end"] is not None:
        wrong.append(("start or end (never scheduled)", None))
    assigned = r.assigned
    if assigned is not None:
        expected = (
            None if assigned.kind == "call.unscheduled" else assigned.data.get("interpreter")
        )
        if row["interpreter_id"] != expected:
            wrong.append(("interpreter", assigned))
    elif row["interpreter_id"] is not None:
        wrong.append(("interpreter (never assigned)", None))
    if r.sequence is not None and row["sequence"] != r.sequence:
        wrong.append(("sequence", r.sequence_by))
    points = r.points.data.get("text", "") if r.points is not None else ""
    if row["talking_points"] != points:
        wrong.append(("talking points", r.points))
    cleared = r.cleared
    if row["cleared_by_id"] != (cleared.actor_id if cleared else None) or not close(
        row["cleared_at"], cleared.when if cleared else None
    ):
        wrong.append(("clearance (who or when)", cleared or r.points))
    connected = r.connected.data.get("at") if r.connected else None
    if not close(row["connected_at"], connected):
        wrong.append(("connected at", r.connected))
    completed = r.completed.data.get("at") if r.completed else None
    if not close(row["completed_at"], completed):
        wrong.append(("completed at", r.completed))
    _differs(r, "the call", wrong)


def _compare_attempts(r: CallReplay, rows: list[dict[str, Any]]) -> None:
    seen = set()
    for a in rows:
        seen.add(a["id"])
        e = r.attempts.get(a["id"])
        if e is None:
            r.bad(None, f"contact attempt #{a['id']} has no event: written behind the application")
            continue
        if (
            a["outcome"] != e.data.get("outcome") or a["note"] != e.data.get("note", "")
            or a["by_id"] != e.actor_id or not r.subject.close(a["at"], e.when)
        ):
            r.bad(e, f"contact attempt #{a['id']} differs from {e}")
    for pk, e in r.attempts.items():
        if pk not in seen:
            r.bad(e, f"contact attempt #{pk} of {e} has no row (deleted)")


# --------------------------------------------------------------------------- interpreters


INTERPRETER_FIELDS = (
    "id", "name", "languages", "time_zone", "day_start", "day_end", "daily_cap", "active",
)


def _rows(model: Any, fields: tuple[str, ...], lo: int | None, hi: int | None,
          *, slug: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """A registered subject's rows by id, each a dict of ``fields`` (with its principal's
    ``slug`` when asked: what the events name)."""
    slugs = dict(Principal.objects.values_list("id", "slug")) if slug else {}
    for values in checks.ranged(model.objects, lo, hi).order_by("id").values(*fields):
        if slug:
            values["slug"] = slugs.get(values["principal_id"])
        yield values["id"], values


def interpreter_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    return _rows(Interpreter, INTERPRETER_FIELDS, lo, hi)


def _against_last(subject: Subject, name: str, kind: str,
                  compare: Any) -> Iterator[Finding]:
    """A row whose whole state each ``kind`` event records: every event of the subject is of
    that kind, a deleted row is a finding, and the row agrees with the last event
    (``compare(row, data)``: the names of what differs). A row never recorded (made before
    its event existed) has nothing to compare with."""
    events = []
    for e in subject.events:
        if e.kind == kind:
            events.append(e)
        else:
            yield Finding(f"{name} #{subject.id}: {e} is not an event of {name}", e)
    if subject.row is None:
        if subject.events:
            yield Finding(f"{name} #{subject.id}: its row is gone (deleted)", subject.events[-1])
        return
    if not events:
        return
    last = events[-1]
    if wrong := compare(subject.row, last.data):
        yield Finding(
            f"{name} #{subject.id}: the row's {', '.join(wrong)} differ from {last}", last
        )


def _differ(pairs: tuple[tuple[str, bool], ...]) -> list[str]:
    return [name for name, same in pairs if not same]


def check_interpreter(subject: Subject) -> Iterator[Finding]:
    def compare(row: dict[str, Any], d: dict[str, Any]) -> list[str]:
        return _differ((
            ("interpreter", d.get("interpreter") == subject.id),
            ("name", row["name"] == d.get("name")),
            ("languages", list(row["languages"] or []) == list(d.get("languages") or [])),
            ("time zone", row["time_zone"] == d.get("time_zone")),
            ("day start", row["day_start"] == _time(d.get("day_start"))),
            ("day end", row["day_end"] == _time(d.get("day_end"))),
            ("daily cap", row["daily_cap"] == d.get("daily_cap")),
            ("active", row["active"] == d.get("active")),
        ))

    return _against_last(subject, "interpreter", "interpreter.enrolled", compare)


# --------------------------------------------------------------------------- call settings


SETTINGS_FIELDS = (
    "id", "principal_id", "policy", "day_start", "day_end", "daily_cap", "buffer_minutes",
    "note_takers", "dial_in",
)


def settings_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    return _rows(CallSettings, SETTINGS_FIELDS, lo, hi, slug=True)


def check_settings(subject: Subject) -> Iterator[Finding]:
    def compare(row: dict[str, Any], d: dict[str, Any]) -> list[str]:
        return _differ((
            ("principal", row["slug"] == d.get("principal")),
            ("policy", row["policy"] == d.get("policy")),
            ("day start", row["day_start"] == _time(d.get("day_start"))),
            ("day end", row["day_end"] == _time(d.get("day_end"))),
            ("daily cap", row["daily_cap"] == d.get("daily_cap")),
            ("buffer", row["buffer_minutes"] == d.get("buffer_minutes")),
            ("note-takers", row["note_takers"] == d.get("note_takers")),
            ("dial-in", row["dial_in"] == d.get("dial_in", "")),
        ))

    return _against_last(subject, "call settings", "calls.settings", compare)


# --------------------------------------------------------------------------- blocked time


BLOCKED_FIELDS = ("id", "principal_id", "start", "end", "label")


def blocked_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    return _rows(BlockedTime, BLOCKED_FIELDS, lo, hi, slug=True)


_BLOCKED_KINDS = ("calls.blocked", "calls.unblocked")


def check_blocked(subject: Subject) -> Iterator[Finding]:
    name = f"blocked time #{subject.id}"
    events = []
    for e in subject.events:
        if e.kind in _BLOCKED_KINDS:
            events.append(e)
        else:
            yield Finding(f"{name}: {e} is not an event of blocked time", e)
    if events and events[0].kind != "calls.blocked":
        yield Finding(f"{name}: {events[0]} comes before the time was blocked", events[0])
    row = subject.row
    last = events[-1] if events else None
    if row is None:
        if last is not None and last.kind != "calls.unblocked":
            yield Finding(f"{name}: the row is gone without calls.unblocked (deleted behind "
                          "the application)", last)
        return
    if last is None:
        yield Finding(f"{name} has no calls.blocked event: written behind the application", None)
        return
    if last.kind != "calls.blocked":
        yield Finding(f"{name}: the row is there but {last} unblocked it", last)
        return
    d = last.data
    wrong = [
        field
        for field, same in (
            ("principal", row["slug"] == d.get("principal")),
            ("start", subject.close(row["start"], d.get("start"))),
            ("end", subject.close(row["end"], d.get("end"))),
            ("label", row["label"] == d.get("label", "")),
        )
        if not same
    ]
    if wrong:
        yield Finding(f"{name}: the row's {', '.join(wrong)} differ from {last}", last)


def register() -> None:
    attempts = ContactAttempt._meta.db_table
    checks.register(
        "call", rows=call_rows, check=check_call, declared_in=__name__,
        tables={
            CallRequest._meta.db_table: None,
            attempts: f"SELECT id, call_id FROM {attempts} WHERE id IN {{ids}}",  # noqa: S608
        },
    )
    checks.register(
        "interpreter", rows=interpreter_rows, check=check_interpreter, declared_in=__name__,
        tables={Interpreter._meta.db_table: None},
    )
    checks.register(
        "call_settings", rows=settings_rows, check=check_settings, declared_in=__name__,
        tables={CallSettings._meta.db_table: None},
    )
    checks.register(
        "blocked_time", rows=blocked_rows, check=check_blocked, declared_in=__name__,
        tables={BlockedTime._meta.db_table: None},
    )
