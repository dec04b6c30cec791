"""Scheduling on the models: a principal's call settings, the solver's problem built from the rows,
solves run by the worker with their progress visible, an officer's move of a call, and the CLI's
solve (``chancery calls schedule``).

A solve is queued (:func:`request_solve`: one queued or running solve per principal), claimed by
one worker with a conditional UPDATE (:func:`run_pending`) and run by :func:`run_solve`: the
problem is built from the rows (:func:`build_problem`), CP-SAT runs in a thread of its own while
this thread writes its progress to the run at most every half second, and the result is applied
in ONE transaction, each call re-checked under its row lock (a call declined during the solve is
left alone). Calls an officer placed by hand (``fixed``) and calls whose package is cleared stay
where they are.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time as _time
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import require_role
from chancery.calls import precedence, scheduler
from chancery.calls.models import (
    DIARY_GRID,
    SCHEDULABLE_STATES,
    BlockedTime,
    CallRequest,
    CallSettings,
    CallState,
    Interpreter,
    ScheduleRun,
)
from chancery.calls.services import invitations
from chancery.calls.services.common import (
    OFFICERS,
    _call_event,
    iso,
    lock_call,
    settings_for,
)
from chancery.directory.models import Principal
from chancery.errors import ChanceryError, Conflict, InvalidInput
from chancery.ledger.services import record_event

log = logging.getLogger(__name__)

GRID = DIARY_GRID
"""Minutes: every start is on this grid (the scheduler's granularity)."""
MAX_DAYS = 60
MAX_TIME_LIMIT = 300.0
PROGRESS_EVERY = 0.5
"""Seconds between two writes of a run's progress."""
STALE_AFTER = dt.timedelta(minutes=15)
"""A run still "running" this long after its time limit was abandoned by a stopped worker."""

SETTINGS_FIELDS = (
    "policy", "day_start", "day_end", "daily_cap", "buffer_minutes", "note_takers", "dial_in",
)
PINNED_STATES = (CallState.CLEARED, CallState.CONNECTED, CallState.COMPLETED)
"""States whose time a solve never moves (the package is cleared for that time, or it happened)."""


# ---------------------------------------------------------------------------------------------
# Settings


def _time_field(value: Any, name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip()).replace(second=0, microsecond=0)
        except ValueError:
            pass
    raise InvalidInput(f"{name} {value!r} is not a time of day: give HH:MM such as 08:00.",
                       field=name)


def _int_field(value: Any, name: str, low: int, high: int, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise InvalidInput(f"{name} {value!r} is not a whole number.", field=name) from None
    if not low <= value <= high:
        raise InvalidInput(
            f"{name} must be between {low} and {high}{why} (got {value}).", field=name
        )
    return value


def save_settings(principal: Principal, *, by: Any, **fields: Any) -> CallSettings:
    """Change a principal's call settings (officers or an admin); the fields not given keep their
    value. Everything is checked before anything is written; the row and its ``calls.settings``
    event go together."""
    require_role(by, *OFFICERS, Role.ADMIN, action="change a principal's call settings")
    unknown = sorted(set(fields) - set(SETTINGS_FIELDS))
    if unknown:
        raise InvalidInput(
            f"unknown setting(s) {', '.join(unknown)}; the settings are "
            f"{', '.join(SETTINGS_FIELDS)}.",
            field=unknown[0],
        )
    current = settings_for(principal)
    values: dict[str, Any] = {
        "policy": current.policy, "day_start": current.day_start, "day_end": current.day_end,
        "daily_cap": current.daily_cap, "buffer_minutes": current.buffer_minutes,
        "note_takers": current.note_takers, "dial_in": current.dial_in,
    }
    if "policy" in fields:
        data = fields["policy"]
        if isinstance(data, dict) and "time_zone" not in data:
            data = {**data, "time_zone": principal.time_zone}
        values["policy"] = precedence.Policy.from_dict(data).to_dict()  # PolicyError: 422
    for name in ("day_start", "day_end"):
        if name in fields:
            values[name] = _time_field(fields[name], name)
    for name in ("day_start", "day_end"):
        if values[name].minute % GRID:
            raise InvalidInput(f"{name} must be on the {GRID}-minute grid (e.g. 08:00, 08:05).",
                               field=name)
    if not values["day_start"] < values["day_end"]:
        raise InvalidInput(
            f"the day must start before it ends: day_start {values['day_start']:%H:%M} is not "
            f"before day_end {values['day_end']:%H:%M} (hours within one day).",
            field="day_end",
        )
    if "daily_cap" in fields:
        values["daily_cap"] = _int_field(fields["daily_cap"], "daily_cap", 1, 48)
    if "buffer_minutes" in fields:
        values["buffer_minutes"] = _int_field(fields["buffer_minutes"], "buffer_minutes", 0, 240)
    if "note_takers" in fields:
        values["note_takers"] = _int_field(
            fields["note_takers"], "note_takers", 2, 100,
            ": each call needs two note-takers on duty, so give at least 2",
        )
    if "dial_in" in fields:
        text = fields["dial_in"]
        if not isinstance(text, str) or len(text) > 2000:
            raise InvalidInput("dial_in must be text of at most 2,000 characters.",
                               field="dial_in")
        values["dial_in"] = text.strip()
    with transaction.atomic():
        row, _ = CallSettings.objects.select_for_update().update_or_create(
            principal=principal, defaults={**values, "updated_at": clock.now()},
        )
        record_event(
            "call_settings", row.pk, "calls.settings", actor=by,
            data={
                "principal": principal.slug, "policy": row.policy,
                "day_start": row.day_start.strftime("%H:%M"),
                "day_end": row.day_end.strftime("%H:%M"),
                "daily_cap": row.daily_cap, "buffer_minutes": row.buffer_minutes,
                "note_takers": row.note_takers, "dial_in": row.dial_in,
            },
        )
    return row


# ---------------------------------------------------------------------------------------------
# The problem from the rows


def today_for(principal: Principal) -> dt.date:
    """The principal's local date now (the first day of a default horizon)."""
    return clock.now().astimezone(ZoneInfo(principal.time_zone)).date()


def _origin(principal: Principal, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(principal.time_zone))


def _pinned(call: CallRequest) -> bool:
    """Stays where it is on a solve: placed by an officer, or its package cleared (or held).
    (A solve also keeps where they are the calls whose time has begun and the calls with a time
    that the support policy holds again.)"""
    return call.start is not None and (call.fixed or call.state in PINNED_STATES)


def _ordered(principal: Principal, calls: list[CallRequest]) -> list[CallRequest]:
    """``calls`` in the principal's precedence order (``ranking.ranked``); the calls the ranking
    leaves out (pinned ones it does not rank) after them, by their stored rank."""
    from chancery.calls.services import ranking

    pairs = ranking.ranked(principal, calls)
    order = [c for c, _r in pairs]
    seen = {c.pk for c in order}
    rest = sorted((c for c in calls if c.pk not in seen),
                  key=lambda c: (c.rank is None, c.rank or 0, c.received_at, c.pk))
    by_pk = {c.pk: c for c in calls}
    return [by_pk[c.pk] for c in order if c.pk in by_pk] + rest


def _hours(start: dt.time, end: dt.time) -> scheduler.DailyHours:
    return scheduler.DailyHours(start, end)


def _interpreter_id(interp_id: int | None) -> str | None:
    return None if interp_id is None else str(interp_id)


def _build(
    principal: Principal, start_day: dt.date, days: int, *, lead: float = 0.0,
) -> tuple[scheduler.Problem, dict[str, CallRequest], list[tuple[CallRequest, str]]]:
    """The problem, the calls by request id, and the calls left out with why (windows past).
    Nothing is placed before ``lead`` seconds from now (the solve's own time)."""
    conf = settings_for(principal)
    now = clock.now()
    earliest_start = now + dt.timedelta(seconds=lead)
    if earliest_start.second or earliest_start.microsecond:  # the scheduler counts whole minutes
        earliest_start = earliest_start.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    origin = _origin(principal, start_day)
    until = _origin(principal, start_day + dt.timedelta(days=days))
    blocked = tuple(
        (b.start, b.end)
        for b in BlockedTime.objects.filter(principal=principal, end__gt=origin, start__lt=until)
    )
    interps = [
        i for i in Interpreter.objects.filter(active=True).order_by("pk") if i.languages
    ]
    known = {i.pk for i in interps}
    movable = list(
        CallRequest.objects.filter(principal=principal, state__in=SCHEDULABLE_STATES)
        .select_related("office__leader", "office__country", "interpreter", "principal")
    )
    # Calls that happened or happen in the horizon take the principal's time and count for the
    # day's cap, so they are in the problem too, fixed.
    held = list(
        CallRequest.objects.filter(
            principal=principal, state__in=(CallState.CONNECTED, CallState.COMPLETED),
            start__gte=origin, start__lt=until,
        ).select_related("office__leader", "office__country", "interpreter", "principal")
    )
    first_day, last_day = start_day - dt.timedelta(days=1), start_day + dt.timedelta(days=days)
    calls: list[CallRequest] = []
    skipped: list[tuple[CallRequest, str]] = []
    for c in movable:
        if c.gated and c.start is None:
            continue  # held by the support policy: it enters the queue when the gate opens
        if _pinned(c) or c.gated or (c.start is not None and c.start < earliest_start):
            assert c.start is not None
            if origin <= c.start < until:
                calls.append(c)
            continue  # pinned outside the horizon: not this solve's business
        if c.start is not None and not origin <= c.start < until:
            continue  # placed outside the solved days: it keeps its time
        try:
            zone = ZoneInfo(c.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise scheduler.SchedulingError(
                f"{c.tracking}: its time zone {c.time_zone!r} is not a known IANA zone; "
                "correct the request's zone (e.g. Europe/Paris)", field="time_zone",
            ) from None
        window_end = dt.datetime.combine(c.latest, c.local_end, zone)
        if window_end <= earliest_start:
            skipped.append((c, f"its window ({c.earliest}..{c.latest}, "
                               f"{c.local_start:%H:%M}–{c.local_end:%H:%M} {c.time_zone}) "
                               "has passed: ask the other side for new dates"))
            continue
        if c.latest < first_day or c.earliest > last_day:
            skipped.append((c, f"its window {c.earliest}..{c.latest} is outside the solved "
                               f"days {start_day}..{start_day + dt.timedelta(days=days - 1)}"))
            continue
        calls.append(c)
    calls += held
    requests = []
    mapping: dict[str, CallRequest] = {}
    for rank, c in enumerate(_ordered(principal, calls)):
        rid = c.tracking
        pinned = (_pinned(c) or c.gated or c in held
                  or (c.start is not None and c.start < earliest_start))
        fixed_interp = None
        if pinned and c.interpreter_id in known:
            fixed_interp = _interpreter_id(c.interpreter_id)
        requests.append(scheduler.CallRequest(
            id=rid, rank=rank, zone=c.time_zone, hours=_hours(c.local_start, c.local_end),
            earliest=c.earliest, latest=c.latest, duration=c.diary_duration,
            language=c.language if c.interpreted else None, consecutive=True,
            brings_interpreter=c.brings_interpreter,
            fixed_start=c.start if pinned else None,
            fixed_interpreter=fixed_interp,
        ))
        mapping[rid] = c
    problem = scheduler.Problem(
        principal=scheduler.Principal(
            zone=principal.time_zone, hours=_hours(conf.day_start, conf.day_end),
            blocked=blocked, daily_cap=conf.daily_cap, buffer=conf.buffer_minutes,
        ),
        requests=tuple(requests),
        start=start_day,
        horizon_days=days,
        interpreters=tuple(
            scheduler.Interpreter(
                id=str(i.pk), languages=frozenset(i.languages), zone=i.time_zone,
                hours=_hours(i.day_start, i.day_end), daily_cap=i.daily_cap,
            )
            for i in interps
        ),
        note_takers=scheduler.NoteTakers(count=conf.note_takers),
        granularity=GRID,
        now=earliest_start,
    )
    return problem, mapping, skipped


def _diary(principal: Principal) -> dict[int, dt.datetime | None]:
    """The principal's calls on the diary and their starts (to tell, after a solve, which
    changed meanwhile)."""
    return dict(
        CallRequest.objects.filter(principal=principal, start__isnull=False, state__in=ON_DIARY)
        .values_list("pk", "start")
    )


def build_problem(
    principal: Principal, start_day: dt.date, days: int
) -> tuple[scheduler.Problem, dict[str, CallRequest]]:
    """The solver's problem for ``principal`` over ``days`` days from ``start_day`` (its zone),
    and the calls by request id (their tracking numbers). Requests are the principal's approved
    and scheduled calls not held by the support policy, in precedence order; calls placed by an
    officer, cleared, connected or completed in the horizon are fixed where they are."""
    problem, mapping, _skipped = _build(principal, start_day, days)
    return problem, mapping


# ---------------------------------------------------------------------------------------------
# Runs


def check_horizon(days: Any, time_limit: Any) -> tuple[int, float]:
    d = _int_field(days, "days", 1, MAX_DAYS)
    try:
        limit = float(time_limit)
    except (TypeError, ValueError):
        raise InvalidInput(f"time_limit {time_limit!r} is not a number of seconds.",
                           field="time_limit") from None
    if not 0.5 <= limit <= MAX_TIME_LIMIT:
        raise InvalidInput(
            f"time_limit must be between 0.5 and {MAX_TIME_LIMIT:g} seconds (got {limit:g}).",
            field="time_limit",
        )
    return d, limit


def request_solve(
    principal: Principal, *, by: Any, days: int = 14, start: dt.date | None = None,
    time_limit: float = 10.0,
) -> ScheduleRun:
    """Queue a solve for ``principal`` (the worker runs it). When one is already queued or
    running for that principal, that one is returned instead of a second."""
    if by is not None:
        require_role(by, *OFFICERS, action="schedule calls")
    days, time_limit = check_horizon(days, time_limit)
    today = today_for(principal)
    if start is None:
        start = today
    elif not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise InvalidInput("start must be a date (YYYY-MM-DD).", field="start")
    elif start < today:
        raise InvalidInput(
            f"start {start} is in the past (today is {today} in {principal.time_zone}): "
            "a solve places calls from today on.",
            field="start",
        )
    return _queue(principal, by, days=days, start=start, time_limit=time_limit)


def _queue(principal: Principal, by: Any, *, days: int, start: dt.date,
           time_limit: float) -> ScheduleRun:
    with transaction.atomic():
        _lock_principal(principal)
        existing = current_run(principal, active_only=True)
        if existing is not None:
            return existing
        return ScheduleRun.objects.create(
            principal=principal, requested_by=by, requested_at=clock.now(), start_day=start,
            days=days, time_limit=time_limit,
        )


def _lock_principal(principal: Principal) -> None:
    """Serialise a principal's diary changes (moves, applied solves, queued solves); taken
    before any call's lock, always in that order."""
    Principal.objects.select_for_update().filter(pk=principal.pk).first()


def current_run(principal: Principal, *, active_only: bool = False) -> ScheduleRun | None:
    """The principal's queued or running solve; else (unless ``active_only``) its latest."""
    runs = ScheduleRun.objects.filter(principal=principal).select_related("principal")
    active = runs.filter(state__in=(ScheduleRun.State.QUEUED, ScheduleRun.State.RUNNING))
    found = active.order_by("requested_at", "id").first()
    if found is not None or active_only:
        return found
    return runs.order_by("-requested_at", "-id").first()


def _claim(run: ScheduleRun) -> bool:
    """queued -> running, for exactly one worker (a conditional UPDATE)."""
    now = clock.now()
    n = ScheduleRun.objects.filter(pk=run.pk, state=ScheduleRun.State.QUEUED).update(
        state=ScheduleRun.State.RUNNING, started_at=now, progress={"phase": "building"},
    )
    if n:
        run.state, run.started_at = ScheduleRun.State.RUNNING, now
        run.progress = {"phase": "building"}
    return bool(n)


def _abandon_stale() -> None:
    now = clock.now()
    for run in ScheduleRun.objects.filter(state=ScheduleRun.State.RUNNING):
        started = run.started_at or run.requested_at
        if started + dt.timedelta(seconds=run.time_limit) + STALE_AFTER < now:
            ScheduleRun.objects.filter(pk=run.pk, state=ScheduleRun.State.RUNNING).update(
                state=ScheduleRun.State.FAILED, finished_at=now,
                error="the worker stopped during the solve; queue it again",
            )


def run_pending() -> int:
    """The worker step: run every queued solve, oldest first; each is claimed by one worker."""
    _abandon_stale()
    done = 0
    for pk in list(
        ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED)
        .order_by("requested_at", "id").values_list("pk", flat=True)
    ):
        run = ScheduleRun.objects.select_related("principal", "requested_by").get(pk=pk)
        if not _claim(run):
            continue  # another worker has it
        _execute(run, None)
        done += 1
    return done


def _progress_dict(p: scheduler.Progress) -> dict[str, Any]:
    def num(v: float) -> float | None:
        return None if v != v or v in (float("inf"), float("-inf")) else round(float(v), 3)

    return {
        "phase": p.phase, "solutions": p.solutions, "objective": num(p.objective),
        "bound": num(p.bound), "seconds": round(p.seconds, 2),
    }


def _solve_in_thread(
    run: ScheduleRun, problem: scheduler.Problem,
    progress: Callable[[scheduler.Progress], None] | None,
) -> scheduler.Schedule:
    """CP-SAT in a thread of its own; this thread (which owns the database connection) writes
    the latest progress to the run at most every ``PROGRESS_EVERY`` seconds."""
    latest: list[scheduler.Progress] = []
    out: dict[str, Any] = {}

    def report(p: scheduler.Progress) -> None:
        latest.append(p)

    def work() -> None:
        try:
            out["schedule"] = scheduler.solve(problem, time_limit=run.time_limit, progress=report)
        except BaseException as exc:  # handed to the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=work, name=f"solve-{run.pk}", daemon=True)
    thread.start()
    shown = 0
    while True:
        thread.join(PROGRESS_EVERY)
        if len(latest) > shown:
            shown = len(latest)
            p = latest[-1]
            run.progress = _progress_dict(p)
            ScheduleRun.objects.filter(pk=run.pk).update(progress=run.progress)
            if progress is not None:
                try:
                    progress(p)
                except Exception:  # a failing display must not fail the solve
                    log.exception("progress reporter of solve %s failed", run.pk)
        if not thread.is_alive():
            break
    if "error" in out:
        raise out["error"]
    schedule: scheduler.Schedule = out["schedule"]
    return schedule


def _fail(run: ScheduleRun, error: str) -> ScheduleRun:
    run.state, run.error, run.finished_at = ScheduleRun.State.FAILED, error, clock.now()
    ScheduleRun.objects.filter(pk=run.pk).update(
        state=run.state, error=error, finished_at=run.finished_at,
    )
    return run


def _wait(run: ScheduleRun, progress: Callable[[scheduler.Progress], None] | None) -> ScheduleRun:
    """Another process runs ``run``: follow its progress until it ends."""
    seen: dict[str, Any] = {}
    give_up = _time.monotonic() + 2 * run.time_limit + 120
    while run.state in (ScheduleRun.State.QUEUED, ScheduleRun.State.RUNNING):
        if _time.monotonic() > give_up:
            break  # the other process seems stuck; the run is returned as it stands
        _time.sleep(PROGRESS_EVERY)
        run.refresh_from_db()
        p = run.progress or {}
        if progress is not None and p != seen and "solutions" in p:
            seen = dict(p)
            progress(scheduler.Progress(p["phase"], p["solutions"], p.get("objective") or 0.0,
                                        p.get("bound") or 0.0, p.get("seconds") or 0.0))
    return run


def run_solve(
    run: ScheduleRun, *, progress: Callable[[scheduler.Progress], None] | None = None
) -> ScheduleRun:
    """Run ``run`` and apply its schedule in one transaction. A queued run is claimed first;
    one that another process is running is followed until it ends (its progress passed to
    ``progress``). Invalid rows or a solver exception fail the run with the error; nothing is
    applied then."""
    if run.state == ScheduleRun.State.QUEUED and _claim(run):
        return _execute(run, progress)
    run.refresh_from_db()
    return _wait(run, progress)


def _execute(
    run: ScheduleRun, progress: Callable[[scheduler.Progress], None] | None
) -> ScheduleRun:
    try:
        with transaction.atomic():  # one consistent reading of the rows
            diary = _diary(run.principal)
            # a call is not placed to start before the solve has ended
            problem, mapping, skipped = _build(run.principal, run.start_day, run.days,
                                               lead=run.time_limit + 60)
        schedule = _solve_in_thread(run, problem, progress)
        fixed = {r.id for r in problem.requests if r.fixed_start is not None}
        _apply(run, schedule, mapping, fixed, skipped, diary)
    except ChanceryError as exc:  # the scheduler's SchedulingError naming the call, a policy
        return _fail(run, exc.message)
    except _Stale as exc:
        if not exc.changed:  # not a change meanwhile: another solve would do the same
            return _fail(run, f"this schedule would overlap {exc}, which the solve did not "
                              "keep clear of; nothing was applied")
        _fail(run, f"{exc} changed during the solve and this schedule would overlap it; "
                   "nothing was applied")
        again = _queue(run.principal, run.requested_by, days=run.days, start=run.start_day,
                       time_limit=run.time_limit)
        return _fail(run, f"{run.error} and solve #{again.pk} is queued instead")
    except Exception as exc:
        log.exception("solve %s failed", run.pk)
        return _fail(run, f"{type(exc).__name__}: {exc}")
    return run


def _still_movable(call: CallRequest) -> bool:
    return (call.state in SCHEDULABLE_STATES and not call.gated and not _pinned(call)
            and not (call.start is not None and call.start < clock.now()))


class _Stale(Exception):
    """The solve's schedule would overlap calls it did not place: ``changed`` when they changed
    during the solve (a new solve will see them)."""

    def __init__(self, names: str, *, changed: bool) -> None:
        super().__init__(names)
        self.changed = changed


ON_DIARY = (CallState.SCHEDULED, CallState.CLEARED, CallState.CONNECTED, CallState.COMPLETED)


def _apply(
    run: ScheduleRun, schedule: scheduler.Schedule, mapping: dict[str, CallRequest],
    fixed: set[str], skipped: Iterable[tuple[CallRequest, str]],
    diary: dict[int, dt.datetime | None],
) -> None:
    """Apply ``schedule`` in one transaction: every call re-read under its lock; a call that
    changed during the solve is left alone, and when the schedule would overlap such a change
    nothing is applied (:class:`_Stale`)."""
    placements = {p.request_id: p for p in schedule.placements}
    reasons = {u.request_id: u.reason for u in schedule.unplaced}
    skipped = list(skipped)
    by = run.requested_by
    placed_out: list[dict[str, Any]] = []
    unplaced_out: list[dict[str, Any]] = []
    left_alone: list[str] = []
    with transaction.atomic():
        _lock_principal(run.principal)
        conf = settings_for(run.principal)
        buffer = dt.timedelta(minutes=conf.buffer_minutes)
        decided: list[tuple[CallRequest, scheduler.Placement | None, str]] = []
        for rid, seen in mapping.items():
            call = lock_call(seen)
            if rid in fixed:
                # stays put; it counts as placed when the solve kept it
                if call.unplaced_reason:
                    call.unplaced_reason = ""
                    call.save(update_fields=["unplaced_reason"])
                if rid in placements:
                    placed_out.append(_placed_dict(call))
                continue
            if (not _still_movable(call) or call.start != seen.start
                    or call.interpreter_id != seen.interpreter_id):
                left_alone.append(call.tracking)  # changed during the solve: not ours now
                continue
            decided.append((call, placements.get(rid), reasons.get(rid, "")))
        moving = {c.pk for c, _p, _r in decided}
        others = [
            c for c in CallRequest.objects.filter(
                principal=run.principal, start__isnull=False, state__in=ON_DIARY,
            ).exclude(pk__in=moving)
            if c.start is not None and c.end is not None
        ]
        clashes = {
            o.pk: o for _c, place, _r in decided if place is not None for o in others
            if o.start is not None and o.end is not None
            and _overlaps(place.start, place.end + buffer, o.start, o.end + buffer)
        }
        if clashes:
            names = ", ".join(sorted(o.tracking for o in clashes.values()))
            raise _Stale(names, changed=any(diary.get(o.pk) != o.start
                                            for o in clashes.values()))
        warnings = _interpreter_clashes(run.principal, decided)
        for call, place, reason in decided:
            if place is not None:
                _place(run, call, place, by)
                placed_out.append(_placed_dict(call))
            else:
                _unplace(run, call, reason or "the solver could not place it", by)
                unplaced_out.append({"call": call.tracking, "reason": call.unplaced_reason})
        for seen, reason in skipped:
            call = lock_call(seen)
            if call.start is None and call.state in SCHEDULABLE_STATES:
                if call.unplaced_reason != reason:
                    call.unplaced_reason = reason
                    call.save(update_fields=["unplaced_reason"])
                unplaced_out.append({"call": call.tracking, "reason": reason})
        m = schedule.metrics
        run.result = {
            "placed": placed_out,
            "unplaced": unplaced_out,
            "left_alone": left_alone,
            "warnings": warnings,
            "metrics": {"placed": m.placed, "lateness": m.lateness, "inversions": m.inversions,
                        "compactness": m.compactness},
            "solver": schedule.solver,
            "status": schedule.status,
            "placed_bound": schedule.placed_bound,
            "requests": len(mapping) + len(skipped),
            "seconds": round(schedule.seconds, 2),
        }
        run.state, run.finished_at = ScheduleRun.State.DONE, clock.now()
        run.progress = {**(run.progress or {}), "phase": "done"}
        run.save(update_fields=["result", "state", "finished_at", "progress"])
        record_event(
            "schedule_run", run.pk, "schedule.solved", actor=by,
            data={
                "run": run.pk, "principal": run.principal.slug, "solver": schedule.solver,
                "status": schedule.status, "placed": len(placed_out),
                "unplaced": len(unplaced_out), "requests": run.result["requests"],
                "lateness": m.lateness, "inversions": m.inversions,
                "placed_bound": schedule.placed_bound, "seconds": round(schedule.seconds, 2),
            },
        )


def _interpreter_clashes(
    principal: Principal, decided: list[tuple[CallRequest, scheduler.Placement | None, str]]
) -> list[str]:
    """Placements whose interpreter interprets another principal's call at that time (a solve
    sees one principal's calls only): said in the result, for an officer to reassign."""
    out = []
    for call, place, _r in decided:
        if place is None or not place.interpreter:
            continue
        other = CallRequest.objects.filter(
            interpreter_id=int(place.interpreter), start__lt=place.end, end__gt=place.start,
            state__in=ON_DIARY,
        ).exclude(principal=principal).select_related("interpreter").first()
        if other is not None and other.interpreter is not None:
            out.append(f"{call.tracking}: {other.interpreter.name} also interprets "
                       f"{other.tracking} (another principal's call) then; reassign one")
    return out


def _place(run: ScheduleRun, call: CallRequest, place: scheduler.Placement, by: Any) -> None:
    """Give ``call`` its time and interpreter from the solve (locked; caller's transaction)."""
    interp = int(place.interpreter) if place.interpreter else None
    if call.start == place.start and call.interpreter_id == interp:
        if call.unplaced_reason:
            call.unplaced_reason = ""
            call.save(update_fields=["unplaced_reason"])
        return
    previous = call.start
    call.start, call.end, call.interpreter_id = place.start, place.end, interp
    if call.state == CallState.APPROVED:
        call.state = CallState.SCHEDULED
    call.sequence += 1
    call.unplaced_reason = ""
    call.save(update_fields=["start", "end", "interpreter", "state", "sequence",
                             "unplaced_reason"])
    _timed_event(call, by, previous, run=run.pk)
    invitations.invite(call)


def _timed_event(call: CallRequest, by: Any, previous: dt.datetime | None, *,
                 run: int | None) -> None:
    """``call.scheduled`` (it had no time) or ``call.rescheduled`` for the call's new time."""
    if previous is None:
        _call_event(call, "call.scheduled", by, start=iso(call.start), end=iso(call.end),
                    interpreter=call.interpreter_id, sequence=call.sequence, run=run,
                    fixed=call.fixed)
    else:
        _call_event(call, "call.rescheduled", by, start=iso(call.start), end=iso(call.end),
                    previous_start=iso(previous), interpreter=call.interpreter_id,
                    sequence=call.sequence, run=run, fixed=call.fixed)


def _unplace(run: ScheduleRun, call: CallRequest, reason: str, by: Any) -> None:
    """``call`` is not placed by the solve: it loses its time, if it had one, with the reason."""
    if call.start is None:
        if call.unplaced_reason != reason:
            call.unplaced_reason = reason
            call.save(update_fields=["unplaced_reason"])
        return
    previous = call.start
    call.start = call.end = None
    call.interpreter_id = None
    if call.state == CallState.SCHEDULED:
        call.state = CallState.APPROVED
    call.sequence += 1
    call.unplaced_reason = reason
    call.save(update_fields=["start", "end", "interpreter", "state", "sequence",
                             "unplaced_reason"])
    _call_event(call, "call.unscheduled", by, previous_start=iso(previous),
                sequence=call.sequence, run=run.pk, reason=reason)
    invitations.cancel(call)


def _placed_dict(call: CallRequest) -> dict[str, Any]:
    return {"call": call.tracking, "start": iso(call.start), "end": iso(call.end),
            "interpreter": call.interpreter_id, "fixed": call.fixed}


# ---------------------------------------------------------------------------------------------
# An officer's move


def _may_move(call: CallRequest, by: Any) -> None:
    from chancery.calls.services import actions

    allowed = actions.may(call, by, "move")
    if allowed.refusal is not None:
        raise allowed.refusal


def _fmt(moment: dt.datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%a %d %b %H:%M} {zone}"


def _overlaps(a0: dt.datetime, a1: dt.datetime, b0: dt.datetime, b1: dt.datetime) -> bool:
    return a0 < b1 and b0 < a1


def _interpreter_refusal(
    interp: Interpreter, call: CallRequest, start: dt.datetime, end: dt.datetime,
    day0: dt.datetime, day1: dt.datetime,
) -> str | None:
    """Why ``interp`` cannot take ``call`` at start..end (None: it can)."""
    if not interp.active:
        return f"{interp.name} is no longer active on the roster"
    if call.language not in interp.languages:
        return f"{interp.name} does not interpret {scheduler.language_name(call.language)}"
    zone = ZoneInfo(interp.time_zone)
    ls, le = start.astimezone(zone), end.astimezone(zone)
    inside = interp.day_start <= ls.time() and le.time() <= interp.day_end
    if ls.date() != le.date() or not inside:
        return (f"{interp.name} works {interp.day_start:%H:%M}–{interp.day_end:%H:%M} "
                f"{interp.time_zone}, and the call would be {ls:%H:%M}–{le:%H:%M} there")
    others = CallRequest.objects.filter(interpreter=interp, start__isnull=False).exclude(
        pk=call.pk).exclude(state__in=(CallState.DECLINED, CallState.DEFERRED, CallState.FAILED))
    clash = others.filter(start__lt=end, end__gt=start).first()
    if clash is not None and clash.start is not None:
        return f"{interp.name} interprets {clash.tracking} at {_fmt(clash.start, interp.time_zone)}"
    if others.filter(start__gte=day0, start__lt=day1).count() >= interp.daily_cap:
        return f"{interp.name} already has {interp.daily_cap} calls that day (their cap)"
    return None


def move_call(call: CallRequest, start: dt.datetime, *, by: Any) -> CallRequest:
    """An officer places ``call`` at ``start`` by hand (the calendar's move): checked against
    the principal's hours, the leader's hours and window, blocked time, the fixed calls and an
    interpreter; the call is then fixed there, an update is sent, and the rest is re-solved."""
    _may_move(call, by)
    if not isinstance(start, dt.datetime) or start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start must be a date and time with its UTC offset, such as "
                           "2020-11-24T10:00:00-05:00.", field="start")
    principal = call.principal
    pzone = principal.time_zone
    local = start.astimezone(ZoneInfo(pzone))
    if start <= clock.now():
        raise InvalidInput(f"{_fmt(start, pzone)} is in the past: choose a later time.",
                           field="start")
    if local.second or local.microsecond or local.minute % GRID:
        raise InvalidInput(f"start must be on the {GRID}-minute grid (e.g. 10:00, 10:05), "
                           f"not {local:%H:%M:%S}.", field="start")
    with transaction.atomic():
        _lock_principal(principal)  # moves and applied solves of a principal, one at a time
        call = lock_call(call)
        _may_move(call, by)
        if call.state not in SCHEDULABLE_STATES:
            raise Conflict(f"{call.tracking} is {call.get_state_display().lower()}: only an "
                           "approved or scheduled call can be placed.", field="state")
        if call.gated:
            raise Conflict(f"{call.tracking} waits for the principal's support policy "
                           f"({call.waits_for}); it can be placed once the gate opens.")
        end = start + dt.timedelta(minutes=call.planned_minutes)
        conf = settings_for(principal)
        lend = end.astimezone(ZoneInfo(pzone))
        if lend.date() != local.date() or not (conf.day_start <= local.time()
                                               and lend.time() <= conf.day_end):
            raise InvalidInput(
                f"{local:%H:%M}–{lend:%H:%M} is outside the principal's hours "
                f"({conf.day_start:%H:%M}–{conf.day_end:%H:%M} {pzone}).", field="start")
        lz = ZoneInfo(call.time_zone)
        ls, le = start.astimezone(lz), end.astimezone(lz)
        if not call.earliest <= ls.date() <= call.latest:
            raise InvalidInput(
                f"{ls:%a %d %b} in {call.time_zone} is outside the leader's window "
                f"({call.earliest}..{call.latest}).", field="start")
        if le.date() != ls.date() or not (call.local_start <= ls.time()
                                          and le.time() <= call.local_end):
            raise InvalidInput(
                f"the call would be {ls:%H:%M}–{le:%H:%M} in {call.time_zone}, outside the "
                f"leader's acceptable hours ({call.local_start:%H:%M}–{call.local_end:%H:%M}).",
                field="start")
        block = BlockedTime.objects.filter(principal=principal, start__lt=end,
                                           end__gt=start).first()
        if block is not None:
            raise InvalidInput(
                f"the principal's time is blocked ({block.label or 'blocked'}, "
                f"{_fmt(block.start, pzone)}–{block.end.astimezone(ZoneInfo(pzone)):%H:%M}).",
                field="start")
        buffer = dt.timedelta(minutes=conf.buffer_minutes)
        day0 = dt.datetime.combine(local.date(), dt.time(0), ZoneInfo(pzone))
        day1 = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0),
                                   ZoneInfo(pzone))
        placed = CallRequest.objects.filter(
            principal=principal, start__isnull=False,
            state__in=(*SCHEDULABLE_STATES, CallState.CONNECTED, CallState.COMPLETED),
        ).exclude(pk=call.pk)
        now = clock.now()
        kept = [c for c in placed if _pinned(c) or (c.start is not None and c.start < now)]
        for other in kept:
            assert other.start is not None and other.end is not None
            if _overlaps(start, end + buffer, other.start, other.end + buffer):
                raise InvalidInput(
                    f"it overlaps {other.tracking}, fixed at {_fmt(other.start, pzone)} "
                    f"(with the {conf.buffer_minutes}-minute buffer between calls).",
                    field="start")
        on_day = [c for c in kept if c.start is not None and day0 <= c.start < day1]
        if len(on_day) >= conf.daily_cap:
            raise InvalidInput(
                f"{local:%a %d %b} already has {len(on_day)} fixed calls, the principal's daily "
                f"cap of {conf.daily_cap}.", field="start")
        interp: Interpreter | None = None
        if call.interpreted and not call.brings_interpreter:
            lang = scheduler.language_name(call.language)
            current = call.interpreter
            if current is not None and _interpreter_refusal(current, call, start, end,
                                                            day0, day1) is None:
                interp = current
            else:
                pool = [i for i in Interpreter.objects.filter(active=True).order_by("name")
                        if call.language in i.languages]
                if not pool:
                    raise InvalidInput(f"no interpreter on the roster speaks {lang}.",
                                       field="start")
                why = []
                for cand in pool:
                    refusal = _interpreter_refusal(cand, call, start, end, day0, day1)
                    if refusal is None:
                        interp = cand
                        break
                    why.append(refusal)
                if interp is None:
                    raise InvalidInput(f"no {lang} interpreter is free then: "
                                       + "; ".join(why) + ".", field="start")
        previous = call.start
        call.start, call.end, call.interpreter = start.astimezone(dt.UTC), end.astimezone(
            dt.UTC), interp
        call.fixed = True
        if call.state == CallState.APPROVED:
            call.state = CallState.SCHEDULED
        call.sequence += 1
        call.unplaced_reason = ""
        call.save(update_fields=["start", "end", "interpreter", "fixed", "state", "sequence",
                                 "unplaced_reason"])
        _timed_event(call, by, previous, run=None)
        invitations.invite(call)
        request_solve(principal, by=by)
    return call


def release_call(call: CallRequest, *, by: Any) -> CallRequest:
    """Let the solver move ``call`` again (the officer's placement is no longer binding); its
    time stays until the re-solve this queues decides otherwise."""
    _may_move(call, by)
    with transaction.atomic():
        _lock_principal(call.principal)
        call = lock_call(call)
        if not call.fixed:
            return call
        call.fixed = False
        call.save(update_fields=["fixed"])
        # No kind of its own: the release is a "rescheduled" to the same time with fixed false
        # (the sequence is unchanged, so no update is sent).
        _call_event(call, "call.rescheduled", by, start=iso(call.start), end=iso(call.end),
                    previous_start=iso(call.start), interpreter=call.interpreter_id,
                    sequence=call.sequence, run=None, fixed=False)
        request_solve(call.principal, by=by)
    return call


# ---------------------------------------------------------------------------------------------
# What the API and the pages show


def settings_dict(principal: Principal) -> dict[str, Any]:
    """A principal's call settings as plain data (the defaults when never saved)."""
    row = settings_for(principal)
    return {
        "principal": principal.slug, "saved": row.pk is not None, "policy": row.policy,
        "day_start": row.day_start.strftime("%H:%M"), "day_end": row.day_end.strftime("%H:%M"),
        "daily_cap": row.daily_cap, "buffer_minutes": row.buffer_minutes,
        "note_takers": row.note_takers, "dial_in": row.dial_in,
        "time_zone": principal.time_zone, "updated_at": iso(row.updated_at) if row.pk else None,
    }


def run_dict(run: ScheduleRun) -> dict[str, Any]:
    """A solve as plain data: its state, latest progress and, once done, its result."""
    return {
        "id": run.pk, "principal": run.principal.slug, "state": run.state,
        "requested_at": iso(run.requested_at), "start_day": run.start_day.isoformat(),
        "days": run.days, "time_limit": run.time_limit, "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at), "progress": run.progress or {},
        "result": run.result or {}, "error": run.error,
    }
