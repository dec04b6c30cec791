"""The call scheduler (issue 10, part 3): plain dataclasses in, a :class:`Schedule` out.

Time: every wall-clock hour (the principal's, each leader's, each interpreter's) is converted
through ``zoneinfo`` for the actual date, so daylight-saving changes on different dates in Europe
and the US move a leader's 09:00 against the principal's zone in those weeks. Internally a time
is a whole number of minutes from the horizon's start (midnight of ``Problem.start`` in the
principal's zone) in UTC; a call's *day* is the principal's local day it falls on.

Constraints: the principal's working hours minus blocked time, the leader's acceptable local
hours on the leader's dates ``earliest..latest``, durations (doubled for consecutive
interpretation when the leader brings no interpreter), one call at a time with a buffer after
each call, a daily cap, interpreters (language, hours in their own zone, calls per day, counted
per principal's day) chosen through per-day assignment literals, and note-takers.

Note-takers: a pool with a ``count`` and hours (principal's zone). Every call includes the
principal and calls never overlap, so at any instant at most one call needs note-takers; a pool
of at least two people available during the call is therefore exactly "two note-takers per call"
and a count constraint suffices (no per-person assignment needed at this layer).

Objective, lexicographic, solved **in phases** (not with weights): (1) most calls placed; the
count is then fixed (``==`` when proven optimal, ``>=`` the value found otherwise) and (2) the
weighted lateness minimised, then fixed likewise; (3) priority inversions; (4) compactness (sum
over days of the principal's span from the first start to the last end). Lateness: the request
at position ``p`` in rank order is due on day ``p // daily_cap`` and weighs ``n - p``; a call on
day ``d`` costs ``weight * max(0, d - due)``, and a request left unplaced costs as if it were
placed on the day after the horizon (``d = horizon_days``). Without that charge the lateness
phase, free to choose *which* requests fill the places the first phase counted, would leave out
the high-priority requests that can only be served late and place low-priority ones that are
never late: a schedule with lateness 0 that drops Canada for the 190th caller. An inversion is
a pair on the same day where the later-ranked call starts first. Each phase starts from the
previous phase's schedule as a full hint, and the first from :func:`greedy`'s, so CP-SAT never
returns anything worse than greedy (the better of the two is returned in any case).

Unplaced requests are explained by checking the constraints one at a time (:func:`explain`).
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ortools.sat.python import cp_model

from chancery.errors import InvalidInput

Interval = tuple[int, int]


class SchedulingError(InvalidInput, ValueError):
    """A problem that cannot be scheduled as given; ``field`` names the culprit."""


# ---------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class DailyHours:
    """Local hours every day, ``start`` < ``end`` (a window does not cross midnight)."""

    start: time
    end: time

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class CallRequest:
    id: str
    rank: int
    """0 = first (from precedence)."""
    zone: str
    hours: DailyHours
    """Acceptable local hours in the leader's zone."""
    earliest: date
    latest: date
    """Leader's local dates, inclusive."""
    duration: int
    """Minutes of speaking time."""
    language: str | None = None
    """The language needing an interpreter, or None."""
    consecutive: bool = True
    brings_interpreter: bool = False
    fixed_start: datetime | None = None
    """Already placed: the call stays exactly here on a re-solve."""
    fixed_interpreter: str | None = None

    @property
    def needs_interpreter(self) -> bool:
        return self.language is not None and not self.brings_interpreter

    @property
    def minutes(self) -> int:
        """Duration in the principal's diary: doubled for consecutive interpretation."""
        if self.language is not None and self.consecutive and not self.brings_interpreter:
            return 2 * self.duration
        return self.duration


@dataclass(frozen=True)
class Principal:
    zone: str
    hours: DailyHours
    blocked: tuple[tuple[datetime, datetime], ...] = ()
    daily_cap: int = 6
    buffer: int = 10
    """Minutes kept free after each call."""


@dataclass(frozen=True)
class Interpreter:
    id: str
    languages: frozenset[str]
    zone: str
    hours: DailyHours
    daily_cap: int = 4
    """Calls per principal's day."""


@dataclass(frozen=True)
class NoteTakers:
    count: int = 2
    hours: DailyHours | None = None
    """In the principal's zone; None = whenever the principal works."""


@dataclass(frozen=True)
class Problem:
    principal: Principal
    requests: tuple[CallRequest, ...]
    start: date
    """First day of the horizon (principal's zone)."""
    horizon_days: int = 14
    interpreters: tuple[Interpreter, ...] = ()
    note_takers: NoteTakers = field(default_factory=NoteTakers)
    granularity: int = 5
    now: datetime | None = None
    """Nothing is placed before this instant (None: no lower limit)."""


# ---------------------------------------------------------------------------------------------
# Outputs


@dataclass(frozen=True)
class Placement:
    request_id: str
    start: datetime  # UTC
    end: datetime  # UTC
    day: date  # principal's local date
    interpreter: str | None


@dataclass(frozen=True)
class Unplaced:
    request_id: str
    reason: str


@dataclass(frozen=True)
class Metrics:
    placed: int
    lateness: int
    inversions: int
    compactness: int

    def key(self) -> tuple[int, int, int, int]:
        """Smaller is better, lexicographically."""
        return (-self.placed, self.lateness, self.inversions, self.compactness)


@dataclass(frozen=True)
class Progress:
    phase: str
    solutions: int
    objective: float
    bound: float
    seconds: float


@dataclass(frozen=True)
class PhaseResult:
    name: str  # placed, lateness, inversions, compactness
    objective: int
    bound: int
    optimal: bool


@dataclass(frozen=True)
class Schedule:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    metrics: Metrics
    solver: str  # "greedy" or "cp-sat"
    status: str  # "optimal" (every phase proven), "feasible", "greedy"
    placed_bound: int
    """Proven upper bound on the number of calls placed."""
    seconds: float
    first_feasible_seconds: float
    """Greedy's schedule (the first feasible one): grid and greedy, before any model build."""
    build_seconds: float = 0.0
    """CP-SAT: from the call to the model built (grid, greedy and model)."""
    phases: tuple[PhaseResult, ...] = ()
    """CP-SAT: each phase's objective found and the solver's proven bound."""


# ---------------------------------------------------------------------------------------------
# Validation and the time grid


def _zone(name: str, fld: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SchedulingError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Paris'", field=fld
        ) from None


def _check_hours(h: DailyHours, fld: str) -> None:
    if not h.start < h.end:
        raise SchedulingError(
            f"hours {h.label()} are empty: the start must be before the end (same day)",
            field=fld,
        )


def _aware(dt: datetime, fld: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise SchedulingError(f"{dt} has no time zone: give an aware datetime", field=fld)
    return dt


def language_name(code: str) -> str:
    try:
        from babel import Locale

        return Locale("en").languages.get(code, code)
    except Exception:  # pragma: no cover - babel missing data
        return code


@dataclass
class _Grid:
    """The problem on the minute grid, with every request's candidate starts per day."""

    problem: Problem
    origin: datetime  # UTC
    day_starts: list[int]  # len horizon+1
    pzone: ZoneInfo
    reqs: list[CallRequest]
    due: dict[str, int]
    weight: dict[str, int]
    fixed: dict[str, tuple[int, int, str | None]]  # id -> (start, day, interpreter)
    # (request, day) -> interpreter id or "" (no interpreter) -> sorted candidate starts
    cand: dict[tuple[str, int], dict[str, list[int]]]

    def minute(self, dt: datetime) -> int:
        return int((dt.astimezone(UTC) - self.origin).total_seconds() // 60)

    def at(self, m: int) -> datetime:
        return self.origin + timedelta(minutes=m)

    def day_of(self, m: int) -> int:
        for d in range(len(self.day_starts) - 1):
            if self.day_starts[d] <= m < self.day_starts[d + 1]:
                return d
        return -1

    def date_of(self, d: int) -> date:
        return self.problem.start + timedelta(days=d)


def _local_windows(
    zone: ZoneInfo, hours: DailyHours, days: Iterable[date], g: _Grid
) -> list[Interval]:
    out = []
    for day in days:
        a = g.minute(datetime.combine(day, hours.start, zone))
        b = g.minute(datetime.combine(day, hours.end, zone))
        if b > a:
            out.append((a, b))
    return sorted(out)


def _intersect(xs: Sequence[Interval], ys: Sequence[Interval]) -> list[Interval]:
    out, i, j = [], 0, 0
    while i < len(xs) and j < len(ys):
        a, b = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if a < b:
            out.append((a, b))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def _subtract(xs: Sequence[Interval], blocks: Sequence[Interval]) -> list[Interval]:
    out = list(xs)
    for b0, b1 in blocks:
        nxt = []
        for a, b in out:
            if b1 <= a or b <= b0:
                nxt.append((a, b))
                continue
            if a < b0:
                nxt.append((a, b0))
            if b1 < b:
                nxt.append((b1, b))
        out = nxt
    return out


def _starts(windows: Sequence[Interval], dur: int, gran: int, lo: int) -> list[int]:
    out: list[int] = []
    for a, b in windows:
        s = max(a, lo)
        s = -(-s // gran) * gran
        while s + dur <= b:
            out.append(s)
            s += gran
    return out


def _span_dates(g: _Grid) -> list[date]:
    return [g.problem.start + timedelta(days=k) for k in range(-1, g.problem.horizon_days + 2)]


def _validate(p: Problem) -> None:
    pr = p.principal
    _zone(pr.zone, "principal.zone")
    _check_hours(pr.hours, "principal.hours")
    if p.granularity <= 0 or 60 % p.granularity:
        raise SchedulingError(
            "granularity must divide 60 minutes (5, 10, 15, 30)", field="granularity"
        )
    if p.horizon_days < 1:
        raise SchedulingError("the horizon must be at least one day", field="horizon_days")
    if pr.daily_cap < 1:
        raise SchedulingError(
            "the principal's daily cap must be at least 1", field="principal.daily_cap"
        )
    if pr.buffer < 0:
        raise SchedulingError("the buffer cannot be negative", field="principal.buffer")
    for k, (a, b) in enumerate(pr.blocked):
        _aware(a, f"principal.blocked[{k}]")
        _aware(b, f"principal.blocked[{k}]")
        if not a < b:
            raise SchedulingError(
                "a blocked interval must start before it ends", field=f"principal.blocked[{k}]"
            )
    if p.note_takers.count < 0:
        raise SchedulingError("the note-taker count cannot be negative", field="note_takers.count")
    if p.note_takers.hours is not None:
        _check_hours(p.note_takers.hours, "note_takers.hours")
    ids: set[str] = set()
    for it in p.interpreters:
        f = f"interpreters[{it.id}]"
        if it.id in ids:
            raise SchedulingError(f"interpreter {it.id!r} appears twice", field=f)
        ids.add(it.id)
        if not it.languages:
            raise SchedulingError(
                f"interpreter {it.id!r} has no languages: give at least one", field=f + ".languages"
            )
        _zone(it.zone, f + ".zone")
        _check_hours(it.hours, f + ".hours")
        if it.daily_cap < 1:
            raise SchedulingError(
                f"interpreter {it.id!r} needs a daily cap of at least 1", field=f + ".daily_cap"
            )
    rids: set[str] = set()
    last_day = p.start + timedelta(days=p.horizon_days - 1)
    for r in p.requests:
        f = f"requests[{r.id}]"
        if r.id in rids:
            raise SchedulingError(f"request {r.id!r} appears twice", field=f)
        rids.add(r.id)
        _zone(r.zone, f + ".zone")
        _check_hours(r.hours, f + ".hours")
        if r.rank < 0:
            raise SchedulingError("rank must be 0 or more (0 = first)", field=f + ".rank")
        if r.duration <= 0 or r.duration % p.granularity:
            raise SchedulingError(
                f"duration {r.duration} min of {r.id!r} must be a positive multiple of the "
                f"{p.granularity}-minute granularity",
                field=f + ".duration",
            )
        if r.earliest > r.latest:
            raise SchedulingError(
                f"the window of {r.id!r} is empty: earliest {r.earliest} is after "
                f"latest {r.latest}",
                field=f + ".latest",
            )
        if r.fixed_start is None:
            # leader dates may differ from the principal's by a day either side
            if r.latest < p.start - timedelta(days=1) or r.earliest > last_day + timedelta(days=1):
                raise SchedulingError(
                    f"the window {r.earliest}..{r.latest} of {r.id!r} lies outside the horizon "
                    f"{p.start}..{last_day}",
                    field=f + ".latest",
                )
            if p.now is not None:
                end = datetime.combine(r.latest, r.hours.end, ZoneInfo(r.zone))
                if end <= _aware(p.now, "now"):
                    raise SchedulingError(
                        f"the window of {r.id!r} (until {r.latest}) is in the past",
                        field=f + ".latest",
                    )
        else:
            _aware(r.fixed_start, f + ".fixed_start")
        if r.fixed_interpreter is not None:
            if r.fixed_interpreter not in ids:
                raise SchedulingError(
                    f"unknown interpreter {r.fixed_interpreter!r}", field=f + ".fixed_interpreter"
                )
        if r.needs_interpreter and r.language == "":
            raise SchedulingError(
                "the language must not be empty (None = no interpreter)", field=f + ".language"
            )


def _grid(p: Problem) -> _Grid:
    _validate(p)
    pz = ZoneInfo(p.principal.zone)
    origin = datetime.combine(p.start, time(0), pz).astimezone(UTC)

    def mins(dt: datetime) -> int:
        return int((dt.astimezone(UTC) - origin).total_seconds() // 60)

    day_starts = [
        mins(datetime.combine(p.start + timedelta(days=k), time(0), pz))
        for k in range(p.horizon_days + 1)
    ]
    reqs = sorted(p.requests, key=lambda r: (r.rank, r.id))
    n = len(reqs)
    cap = p.principal.daily_cap
    due = {r.id: pos // cap for pos, r in enumerate(reqs)}
    weight = {r.id: n - pos for pos, r in enumerate(reqs)}
    g = _Grid(p, origin, day_starts, pz, reqs, due, weight, {}, {})

    fixed_list: list[tuple[int, int, CallRequest]] = []
    for r in reqs:
        if r.fixed_start is not None:
            s = g.minute(r.fixed_start)
            d = g.day_of(s)
            if d < 0:
                raise SchedulingError(
                    f"fixed call {r.id!r} at {r.fixed_start} is outside the horizon",
                    field=f"requests[{r.id}].fixed_start",
                )
            g.fixed[r.id] = (s, d, r.fixed_interpreter)
            fixed_list.append((s, s + r.minutes, r))
    fixed_list.sort(key=lambda t: (t[0], t[1]))
    for (_a0, a1, ra), (b0, _b1, rb) in zip(fixed_list, fixed_list[1:], strict=False):
        if b0 < a1 + p.principal.buffer:
            raise SchedulingError(
                f"fixed calls {ra.id!r} and {rb.id!r} overlap (with the "
                f"{p.principal.buffer}-minute buffer): move one",
                field=f"requests[{rb.id}].fixed_start",
            )
    pdays = _principal_day_windows(g)
    iwin = {
        it.id: _local_windows(ZoneInfo(it.zone), it.hours, _span_dates(g), g)
        for it in p.interpreters
    }
    for r in reqs:
        if r.id in g.fixed:
            continue
        for d, ws in enumerate(_free_windows(g, r, pdays)):
            per: dict[str, list[int]] = {}
            if r.needs_interpreter:
                for it in p.interpreters:
                    if r.language in it.languages:
                        st = _starts(_intersect(ws, iwin[it.id]), r.minutes, p.granularity, _lo(g))
                        if st:
                            per[it.id] = st
            else:
                st = _starts(ws, r.minutes, p.granularity, _lo(g))
                if st:
                    per[""] = st
            if per:
                g.cand[(r.id, d)] = per
    return g


def _lo(g: _Grid) -> int:
    return g.minute(g.problem.now) if g.problem.now is not None else -(10**9)


def _principal_day_windows(g: _Grid) -> list[list[Interval]]:
    """Per principal's day: working hours (∩ note-taker hours, if any note-takers)."""
    p = g.problem
    out = []
    for d in range(p.horizon_days):
        w = _local_windows(g.pzone, p.principal.hours, [g.date_of(d)], g)
        if p.note_takers.hours is not None:
            w = _intersect(w, _local_windows(g.pzone, p.note_takers.hours, [g.date_of(d)], g))
        if p.note_takers.count < 2:
            w = []
        out.append(w)
    return out


def _free_windows(
    g: _Grid, r: CallRequest, pdays: list[list[Interval]] | None = None
) -> list[list[Interval]]:
    p = g.problem
    lw = _local_windows(ZoneInfo(r.zone), r.hours, _dates(r.earliest, r.latest), g)
    blocks = sorted((g.minute(a), g.minute(b)) for a, b in p.principal.blocked)
    if pdays is None:
        pdays = _principal_day_windows(g)
    return [_subtract(_intersect(w, lw), blocks) for w in pdays]


def _dates(a: date, b: date) -> list[date]:
    return [a + timedelta(days=k) for k in range((b - a).days + 1)]


# ---------------------------------------------------------------------------------------------
# Evaluation (shared by greedy and CP-SAT)

Slot = tuple[int, int, str | None]  # start minute, day, interpreter


def _metrics(g: _Grid, chosen: dict[str, Slot]) -> Metrics:
    by_id = {r.id: r for r in g.reqs}
    late = sum(g.weight[i] * max(0, d - g.due[i]) for i, (_s, d, _x) in chosen.items())
    late += sum(_unplaced_cost(g, r.id) for r in g.reqs if r.id not in chosen)
    inv = 0
    items = list(chosen.items())
    for a, (sa, da, _) in items:
        for b, (sb, db, _) in items:
            if da == db and by_id[a].rank < by_id[b].rank and sb < sa:
                inv += 1
    span = 0
    for d in {d for (_s, d, _x) in chosen.values()}:
        on = [(s, s + by_id[i].minutes) for i, (s, dd, _x) in chosen.items() if dd == d]
        span += max(e for _s, e in on) - min(s for s, _e in on)
    return Metrics(len(chosen), late, inv, span)


def _unplaced_cost(g: _Grid, rid: str) -> int:
    """The lateness of a request left out: as if placed the day after the horizon."""
    return g.weight[rid] * max(0, g.problem.horizon_days - g.due[rid])


def _greedy_chosen(g: _Grid) -> dict[str, Slot]:
    p = g.problem
    caps = {it.id: it.daily_cap for it in p.interpreters}
    minutes = {r.id: r.minutes for r in g.reqs}
    buf = p.principal.buffer
    chosen: dict[str, Slot] = dict(g.fixed)
    per_day: dict[int, int] = {}
    per_it: dict[tuple[int, str], int] = {}
    busy: list[Interval] = []  # placed calls, end including the buffer
    for i, (t, d, x) in chosen.items():
        per_day[d] = per_day.get(d, 0) + 1
        if x:
            per_it[(d, x)] = per_it.get((d, x), 0) + 1
        busy.append((t, t + minutes[i] + buf))
    by_req: dict[str, list[tuple[int, dict[str, list[int]]]]] = {}
    for (rid, d), per in g.cand.items():
        by_req.setdefault(rid, []).append((d, per))
    for r in g.reqs:
        if r.id in chosen:
            continue
        options = sorted(
            (s, d, i)
            for d, per in by_req.get(r.id, [])
            for i, starts in per.items()
            for s in starts
        )
        for s, d, i in options:
            if per_day.get(d, 0) >= p.principal.daily_cap:
                continue
            if i and per_it.get((d, i), 0) >= caps[i]:
                continue
            e = s + r.minutes + buf
            if any(s < b1 and b0 < e for b0, b1 in busy):
                continue
            chosen[r.id] = (s, d, i or None)
            per_day[d] = per_day.get(d, 0) + 1
            if i:
                per_it[(d, i)] = per_it.get((d, i), 0) + 1
            busy.append((s, e))
            break
    return chosen


def _schedule(
    g: _Grid,
    chosen: dict[str, Slot],
    solver: str,
    status: str,
    bound: int,
    seconds: float,
    first: float,
) -> Schedule:
    by_id = {r.id: r for r in g.reqs}
    placements = tuple(
        Placement(i, g.at(s), g.at(s + by_id[i].minutes), g.date_of(d), x)
        for i, (s, d, x) in sorted(chosen.items(), key=lambda kv: kv[1][0])
    )
    unplaced = tuple(Unplaced(r.id, explain(g, chosen, r)) for r in g.reqs if r.id not in chosen)
    return Schedule(
        placements, unplaced, _metrics(g, chosen), solver, status, bound, seconds, first
    )


def greedy(problem: Problem) -> Schedule:
    """The baseline: by rank, the earliest feasible slot with an available interpreter."""
    t0 = _time.perf_counter()
    g = _grid(problem)
    chosen = _greedy_chosen(g)
    dt = _time.perf_counter() - t0
    return _schedule(g, chosen, "greedy", "greedy", len(g.reqs), dt, dt)


# ---------------------------------------------------------------------------------------------
# Explanations


def explain(g: _Grid, chosen: dict[str, Slot], r: CallRequest) -> str:
    """Why ``r`` is not placed: the constraints checked one at a time, first failure wins."""
    p = g.problem
    pr = p.principal
    dates = f"{r.earliest}..{r.latest}"
    lw = _local_windows(ZoneInfo(r.zone), r.hours, _dates(r.earliest, r.latest), g)
    work = [_local_windows(g.pzone, pr.hours, [g.date_of(d)], g) for d in range(p.horizon_days)]
    both = [_intersect(w, lw) for w in work]
    if not any(_starts(w, r.minutes, p.granularity, -(10**9)) for w in both):
        return (
            f"no {r.minutes}-minute slot is inside both the principal's working hours "
            f"({pr.hours.label()} {pr.zone}) and {r.hours.label()} in {r.zone} on any day "
            f"of {dates}"
        )
    if p.now is not None and not any(_starts(w, r.minutes, p.granularity, _lo(g)) for w in both):
        return f"every slot the hours allow on {dates} is already in the past"
    if p.note_takers.count < 2:
        return f"only {p.note_takers.count} note-taker(s) on the roster; every call needs two"
    if p.note_takers.hours is not None:
        nt = [
            _local_windows(g.pzone, p.note_takers.hours, [g.date_of(d)], g)
            for d in range(p.horizon_days)
        ]
        if not any(
            _starts(_intersect(w, n), r.minutes, p.granularity, _lo(g))
            for w, n in zip(both, nt, strict=True)
        ):
            return f"no note-takers are on duty ({p.note_takers.hours.label()}) in any window"
    free = _free_windows(g, r)
    if not any(_starts(w, r.minutes, p.granularity, _lo(g)) for w in free):
        return "the principal's blocked time covers every slot the hours allow"
    if r.needs_interpreter:
        lang = language_name(r.language or "")
        if not any(r.language in it.languages for it in p.interpreters):
            return f"no interpreter on the roster speaks {lang}"
        if not any(per for (rid, _d), per in g.cand.items() if rid == r.id):
            return f"no {lang} interpreter is free in any window"
    days = sorted({d for (rid, d) in g.cand if rid == r.id})
    capped = [
        d for d in days if sum(1 for (_s, dd, _x) in chosen.values() if dd == d) >= pr.daily_cap
    ]
    if len(capped) == len(days):
        return f"the daily cap of {pr.daily_cap} calls is reached on every day the windows allow"
    open_days = [d for d in days if d not in capped]
    if r.needs_interpreter:
        caps = {it.id: it.daily_cap for it in p.interpreters}
        ok = False
        for d in open_days:
            for i in g.cand[(r.id, d)]:
                if sum(1 for (_s, dd, x) in chosen.values() if dd == d and x == i) < caps[i]:
                    ok = True
        if not ok:
            return (
                f"every {language_name(r.language or '')} interpreter free in the windows "
                "has reached their calls-per-day cap"
            )
    return (
        f"every slot the windows allow is taken by other calls (with the {pr.buffer}-minute "
        f"buffer) or by a day at the cap of {pr.daily_cap}"
    )


# ---------------------------------------------------------------------------------------------
# CP-SAT


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, phase: str, progress: Callable[[Progress], None] | None, t0: float):
        super().__init__()
        self.phase, self.progress, self.t0, self.n = phase, progress, t0, 0

    def on_solution_callback(self) -> None:
        self.n += 1
        if self.progress is not None:
            try:
                self.progress(
                    Progress(
                        self.phase,
                        self.n,
                        self.objective_value,
                        self.best_objective_bound,
                        _time.perf_counter() - self.t0,
                    )
                )
            except Exception:  # noqa: S110 - a failing reporter must not stop the solve
                pass


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    progress: Callable[[Progress], None] | None = None,
    workers: int = 2,
) -> Schedule:
    """Schedule with CP-SAT in four phases (see the module docstring).

    Raises :class:`SchedulingError` only for invalid input; an infeasible or timed-out solve
    returns the best schedule known (at worst greedy's) with every unplaced request explained.
    """
    t0 = _time.perf_counter()
    g = _grid(problem)
    base = _greedy_chosen(g)
    first = _time.perf_counter() - t0
    if progress is not None:
        try:
            m = _metrics(g, base)
            progress(Progress("greedy", 1, m.placed, len(g.reqs), first))
        except Exception:  # noqa: S110
            pass

    p = problem
    pr = p.principal
    model = cp_model.CpModel()
    caps = {it.id: it.daily_cap for it in p.interpreters}
    H = p.horizon_days
    pres: dict[str, cp_model.IntVar] = {}
    start: dict[str, cp_model.IntVar] = {}
    idle: dict[str, int] = {}
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    z: dict[tuple[str, int, str], cp_model.IntVar] = {}
    intervals = []
    longest = max((r.minutes for r in g.reqs), default=0)
    for r in g.reqs:
        if r.id in g.fixed:
            s, d, it = g.fixed[r.id]
            pres[r.id] = model.new_constant(1)
            start[r.id] = model.new_constant(s)
            x[(r.id, d)] = model.new_constant(1)
            if it:
                z[(r.id, d, it)] = model.new_constant(1)
        else:
            days = [d for d in range(H) if (r.id, d) in g.cand]
            allv = sorted({s for d in days for st in g.cand[(r.id, d)].values() for s in st})
            pres[r.id] = model.new_bool_var(f"p_{r.id}")
            dom = cp_model.Domain.from_values(allv) if allv else cp_model.Domain(0, 0)
            start[r.id] = model.new_int_var_from_domain(dom, f"s_{r.id}")
            idle[r.id] = allv[0] if allv else 0
            if not allv:
                model.add(pres[r.id] == 0)
            for d in days:
                xv = model.new_bool_var(f"x_{r.id}_{d}")
                x[(r.id, d)] = xv
                per = g.cand[(r.id, d)]
                if r.needs_interpreter:
                    zs = []
                    for i, st in per.items():
                        zv = model.new_bool_var(f"z_{r.id}_{d}_{i}")
                        z[(r.id, d, i)] = zv
                        model.add_linear_expression_in_domain(
                            start[r.id], cp_model.Domain.from_values(st)
                        ).only_enforce_if(zv)
                        zs.append(zv)
                    model.add(sum(zs) == xv)
                else:
                    model.add_linear_expression_in_domain(
                        start[r.id], cp_model.Domain.from_values(per[""])
                    ).only_enforce_if(xv)
            model.add(sum(x[(r.id, d)] for d in days) == pres[r.id])
        intervals.append(
            model.new_optional_fixed_size_interval_var(
                start[r.id], r.minutes + pr.buffer, pres[r.id], f"i_{r.id}"
            )
        )
    model.add_no_overlap(intervals)
    for d in range(H):
        on = [v for (rid, dd), v in x.items() if dd == d]
        if on:
            model.add(sum(on) <= pr.daily_cap)
        for i in caps:
            zi = [v for (rid, dd, ii), v in z.items() if dd == d and ii == i]
            if len(zi) > caps[i]:
                model.add(sum(zi) <= caps[i])

    placed = sum(pres.values())
    lateness = sum(
        g.weight[rid] * max(0, d - g.due[rid]) * v for (rid, d), v in x.items()
    ) + sum(_unplaced_cost(g, r.id) * (1 - pres[r.id]) for r in g.reqs)
    rank = {r.id: r.rank for r in g.reqs}
    inv_vars: list[tuple[tuple[str, str], cp_model.IntVar]] = []
    first_v: list[cp_model.IntVar] = []
    last_v: list[cp_model.IntVar] = []

    # The inversion and compactness parts are added only when their phase comes (a model only
    # grows): the pairwise inversion literals would slow the presolve of the first two phases.
    def build_inversions() -> cp_model.LinearExprT:
        for a in g.reqs:
            for b in g.reqs:
                if rank[a.id] >= rank[b.id]:
                    continue
                shared = [d for d in range(H) if (a.id, d) in x and (b.id, d) in x]
                if not shared:
                    continue
                iv = model.new_bool_var(f"inv_{a.id}_{b.id}")
                for d in shared:
                    model.add(start[a.id] < start[b.id]).only_enforce_if(
                        [x[(a.id, d)], x[(b.id, d)], ~iv]
                    )
                inv_vars.append(((a.id, b.id), iv))
        return sum(v for _k, v in inv_vars)

    def build_span() -> cp_model.LinearExprT:
        for d in range(H):
            lo_d, hi_d = g.day_starts[d], g.day_starts[d + 1] + longest
            f = model.new_int_var(lo_d, hi_d, f"first_{d}")
            last = model.new_int_var(lo_d, hi_d, f"last_{d}")
            model.add(last >= f)
            for r in g.reqs:
                if (r.id, d) in x:
                    model.add(f <= start[r.id]).only_enforce_if(x[(r.id, d)])
                    model.add(last >= start[r.id] + r.minutes).only_enforce_if(x[(r.id, d)])
            first_v.append(f)
            last_v.append(last)
        return sum(last_v) - sum(first_v)

    def hint(ch: dict[str, Slot]) -> None:
        model.clear_hints()
        for r in g.reqs:
            if r.id in g.fixed:
                continue
            c = ch.get(r.id)
            model.add_hint(pres[r.id], c is not None)
            # a complete hint (unplaced starts too) lets CP-SAT take it as a first solution
            model.add_hint(start[r.id], c[0] if c is not None else idle[r.id])
            for (rid, d), v in x.items():
                if rid == r.id:
                    model.add_hint(v, c is not None and c[1] == d)
            for (rid, d, i), v in z.items():
                if rid == r.id:
                    model.add_hint(v, c is not None and c[1] == d and c[2] == i)
        for (a, b), v in inv_vars:
            ca, cb = ch.get(a), ch.get(b)
            model.add_hint(v, bool(ca and cb and ca[1] == cb[1] and cb[0] < ca[0]))
        for d in range(len(first_v)):
            on = [
                (c[0], c[0] + next(r.minutes for r in g.reqs if r.id == i))
                for i, c in ch.items()
                if c[1] == d
            ]
            model.add_hint(first_v[d], min((s for s, _ in on), default=g.day_starts[d]))
            model.add_hint(last_v[d], max((e for _, e in on), default=g.day_starts[d]))

    def read(solver: cp_model.CpSolver) -> dict[str, Slot]:
        out: dict[str, Slot] = {}
        for r in g.reqs:
            if solver.value(pres[r.id]):
                d = next(dd for (rid, dd), v in x.items() if rid == r.id and solver.value(v))
                it = next(
                    (
                        i
                        for (rid, dd, i), v in z.items()
                        if rid == r.id and dd == d and solver.value(v)
                    ),
                    None,
                )
                out[r.id] = (solver.value(start[r.id]), d, it)
        return out

    phases: list[tuple[str, Callable[[], cp_model.LinearExprT], bool, float]] = [
        ("placed", lambda: placed, True, 0.3),
        ("lateness", lambda: lateness, False, 0.45),
        ("inversions", build_inversions, False, 0.15),
        ("compactness", build_span, False, 0.1),
    ]
    best = base
    all_optimal = True
    placed_bound = len(g.reqs)
    built = _time.perf_counter() - t0
    results: list[PhaseResult] = []
    shares_left = sum(ph[3] for ph in phases)
    for name, make, maximise, share in phases:
        left = time_limit - (_time.perf_counter() - t0)
        if left <= 0.01:
            all_optimal = False
            break
        expr = make()
        if maximise:
            model.maximize(expr)
        else:
            model.minimize(expr)
        hint(best)
        left = time_limit - (_time.perf_counter() - t0)  # building the phase took time too
        solver = cp_model.CpSolver()
        # One presolve pass: on 200 requests the full presolve took most of a 10 s budget.
        solver.parameters.max_presolve_iterations = 1
        if os.environ.get("CHANCERY_CPSAT_LOG"):
            solver.parameters.log_search_progress = True
        solver.parameters.num_workers = workers
        # this phase's share of the time left (a phase proven early passes its time on)
        solver.parameters.max_time_in_seconds = max(0.02, left * share / shares_left)
        shares_left -= share
        cb = _Callback(name, progress, t0)
        try:
            status = solver.solve(model, cb)
        except Exception:  # never let the solver take the worker down: keep the best known
            all_optimal = False
            break
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            all_optimal = False
            break
        val = int(round(solver.objective_value))
        cand = read(solver)
        if _metrics(g, cand).key() <= _metrics(g, best).key():
            best = cand
        results.append(
            PhaseResult(
                name, val, int(round(solver.best_objective_bound)), status == cp_model.OPTIMAL
            )
        )
        if name == "placed":
            placed_bound = int(solver.best_objective_bound + 1e-6)
        # Fix this criterion at the best schedule's value (lexicographically best so far; it
        # satisfies every constraint added, so the next phase's hint stays feasible).
        m = _metrics(g, best)
        kept = {"placed": m.placed, "lateness": m.lateness, "inversions": m.inversions}.get(
            name, m.compactness
        )
        if status == cp_model.OPTIMAL and kept == val:
            model.add(expr == val)
        else:
            all_optimal = False
            model.add(expr >= kept if maximise else expr <= kept)
    dt = _time.perf_counter() - t0
    if _metrics(g, best).key() > _metrics(g, base).key():  # cannot happen; belt and braces
        best = base
    out = _schedule(
        g, best, "cp-sat", "optimal" if all_optimal else "feasible", placed_bound, dt, first
    )
    return replace(out, build_seconds=built, phases=tuple(results))
