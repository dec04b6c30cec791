"""The call scheduler against hand-worked and brute-forced answers (no database)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chancery.calls.scheduler import (
    CallRequest,
    DailyHours,
    Interpreter,
    NoteTakers,
    Placement,
    Principal,
    Problem,
    SchedulingError,
    greedy,
    solve,
)

NY = "America/New_York"


def H(a: int, b: int, am: int = 0, bm: int = 0) -> DailyHours:
    return DailyHours(time(a, am), time(b, bm))


# ---------------------------------------------------------------------------------------------
# An independent checker and brute force: every constraint read straight off zoneinfo datetimes.


def _inside(t: datetime, e: datetime, zone: str, hours: DailyHours) -> date | None:
    lt, le = t.astimezone(ZoneInfo(zone)), e.astimezone(ZoneInfo(zone))
    if lt.date() != le.date() or (le.time() == time(0) and le.date() != lt.date()):
        return None
    if lt.time() >= hours.start and le.time() <= hours.end:
        return lt.date()
    return None


def _minutes(r: CallRequest) -> int:
    doubled = r.language is not None and r.consecutive and not r.brings_interpreter
    return r.duration * (2 if doubled else 1)


def options(p: Problem, r: CallRequest) -> list[tuple[datetime, str | None]]:
    """Every (start, interpreter) a request could take on its own."""
    pz = ZoneInfo(p.principal.zone)
    origin = datetime.combine(p.start, time(0), pz).astimezone(UTC)
    end_h = datetime.combine(p.start + timedelta(days=p.horizon_days), time(0), pz)
    out = []
    t = origin
    while t < end_h:
        e = t + timedelta(minutes=_minutes(r))
        ok = _inside(t, e, p.principal.zone, p.principal.hours) is not None
        ld = _inside(t, e, r.zone, r.hours)
        ok = ok and ld is not None and r.earliest <= ld <= r.latest
        ok = ok and all(not (t < b and a < e) for a, b in p.principal.blocked)
        ok = ok and p.note_takers.count >= 2
        if p.note_takers.hours is not None:
            ok = ok and _inside(t, e, p.principal.zone, p.note_takers.hours) is not None
        if ok:
            if r.language is not None and not r.brings_interpreter:
                for it in p.interpreters:
                    if r.language in it.languages and _inside(t, e, it.zone, it.hours):
                        out.append((t, it.id))
            else:
                out.append((t, None))
        t += timedelta(minutes=p.granularity)
    return out


def pday(p: Problem, t: datetime) -> date:
    return t.astimezone(ZoneInfo(p.principal.zone)).date()


def compatible(p: Problem, chosen: dict[str, tuple[datetime, str | None]]) -> bool:
    reqs = {r.id: r for r in p.requests}
    buf = timedelta(minutes=p.principal.buffer)
    items = list(chosen.items())
    for (a, (ta, _)), (b, (tb, _)) in itertools.combinations(items, 2):
        ea, eb = (
            ta + timedelta(minutes=_minutes(reqs[a])),
            tb + timedelta(minutes=_minutes(reqs[b])),
        )
        if ta < eb + buf and tb < ea + buf:
            return False
    days: dict[date, int] = {}
    per_it: dict[tuple[date, str], int] = {}
    caps = {it.id: it.daily_cap for it in p.interpreters}
    for _i, (t, it) in items:
        days[pday(p, t)] = days.get(pday(p, t), 0) + 1
        if it is not None:
            per_it[(pday(p, t), it)] = per_it.get((pday(p, t), it), 0) + 1
    if any(v > p.principal.daily_cap for v in days.values()):
        return False
    return all(v <= caps[it] for (_d, it), v in per_it.items())


def key(p: Problem, chosen: dict[str, tuple[datetime, str | None]]) -> tuple[int, int, int, int]:
    order = sorted(p.requests, key=lambda r: (r.rank, r.id))
    n, cap = len(order), p.principal.daily_cap
    reqs = {r.id: r for r in p.requests}
    late = 0
    for pos, r in enumerate(order):
        if r.id in chosen:
            d = (pday(p, chosen[r.id][0]) - p.start).days
            late += (n - pos) * max(0, d - pos // cap)
        else:  # left out: as late as the day after the horizon
            late += (n - pos) * max(0, p.horizon_days - pos // cap)
    inv = sum(
        1
        for (a, (ta, _)), (b, (tb, _)) in itertools.permutations(chosen.items(), 2)
        if pday(p, ta) == pday(p, tb) and reqs[a].rank < reqs[b].rank and tb < ta
    )
    span = 0
    for d in {pday(p, t) for t, _ in chosen.values()}:
        on = [
            (t, t + timedelta(minutes=_minutes(reqs[i])))
            for i, (t, _) in chosen.items()
            if pday(p, t) == d
        ]
        span += int((max(e for _, e in on) - min(s for s, _ in on)).total_seconds() // 60)
    return (-len(chosen), late, inv, span)


def brute(p: Problem) -> tuple[int, int, int, int]:
    opts = {r.id: options(p, r) for r in p.requests}
    ids = [r.id for r in p.requests]
    best = (1, 0, 0, 0)

    def rec(k: int, chosen: dict[str, tuple[datetime, str | None]]) -> None:
        nonlocal best
        if k == len(ids):
            best = min(best, key(p, chosen))
            return
        rec(k + 1, chosen)
        for o in opts[ids[k]]:
            chosen[ids[k]] = o
            if compatible(p, chosen):
                rec(k + 1, chosen)
            del chosen[ids[k]]

    rec(0, {})
    return best


def as_chosen(
    p: Problem, placements: tuple[Placement, ...]
) -> dict[str, tuple[datetime, str | None]]:
    chosen = {pl.request_id: (pl.start, pl.interpreter) for pl in placements}
    reqs = {r.id: r for r in p.requests}
    for i, (t, it) in chosen.items():  # each placement valid on its own, and all together
        r = reqs[i]
        if r.fixed_start is None:
            assert (t, it) in options(p, r), (i, t, it)
    assert compatible(p, chosen)
    return chosen


ZONES = ["Europe/London", "Europe/Paris", "Asia/Riyadh", "America/Mexico_City", NY]


def random_problem(seed: int) -> Problem:
    rnd = random.Random(seed)
    n = rnd.randint(2, 4)
    reqs = []
    for k in range(n):
        z = rnd.choice(ZONES)
        a = {"Europe/London": 12, "Europe/Paris": 13, "Asia/Riyadh": 15}.get(z, 7) + rnd.randint(
            0, 3
        )
        lang = rnd.choice([None, None, "fr", "ar"])
        reqs.append(
            CallRequest(
                f"r{k}",
                rnd.randint(0, 3),
                z,
                H(a, min(23, a + rnd.randint(3, 10))),
                date(2020, 11, 9),
                date(2020, 11, 9 + rnd.randint(0, 2)),
                rnd.choice([30, 60]),
                language=lang,
                brings_interpreter=rnd.random() < 0.2,
            )
        )
    its = tuple(
        Interpreter(
            f"i{j}",
            frozenset(rnd.sample(["fr", "ar"], rnd.randint(1, 2))),
            NY,
            H(rnd.randint(8, 10), rnd.randint(11, 14)),
            rnd.randint(1, 2),
        )
        for j in range(rnd.randint(1, 2))
    )
    pr = Principal(
        NY, H(8, 8 + rnd.randint(2, 4)), daily_cap=rnd.randint(1, 2), buffer=rnd.choice([0, 30])
    )
    return Problem(pr, tuple(reqs), date(2020, 11, 9), rnd.randint(1, 2), its, granularity=30)


@pytest.mark.parametrize("seed", range(30))
def test_cp_sat_matches_brute_force_and_never_loses_to_greedy(seed: int) -> None:
    p = random_problem(seed)
    expected = brute(p)
    s = solve(p, time_limit=10)
    assert s.status == "optimal"
    assert key(p, as_chosen(p, s.placements)) == expected
    g = greedy(p)
    assert key(p, as_chosen(p, g.placements)) >= expected
    assert {u.request_id for u in s.unplaced} == {r.id for r in p.requests} - {
        pl.request_id for pl in s.placements
    }
    assert all(u.reason for u in s.unplaced)


def test_cp_sat_places_what_greedy_leaves_out() -> None:
    # One 09:00–11:00 morning, one-hour calls: greedy puts the flexible first-ranked call at
    # 09:00, where the second (only 14:00–15:00 in London = 09:00–10:00 New York) had to go.
    pr = Principal(NY, H(9, 11), daily_cap=4, buffer=0)
    reqs = (
        CallRequest("a", 0, "Europe/Paris", H(8, 20), date(2020, 11, 9), date(2020, 11, 9), 60),
        CallRequest("b", 1, "Europe/London", H(14, 15), date(2020, 11, 9), date(2020, 11, 9), 60),
    )
    p = Problem(pr, reqs, date(2020, 11, 9), 1, granularity=15)
    g, s = greedy(p), solve(p, time_limit=5)
    assert g.metrics.placed == 1
    assert s.metrics.placed == 2
    starts = {pl.request_id: pl.start for pl in s.placements}
    assert starts["b"] == datetime(2020, 11, 9, 14, 0, tzinfo=UTC)
    assert starts["a"] == datetime(2020, 11, 9, 15, 0, tzinfo=UTC)
    # b before a on the same day: one inversion, unavoidable
    assert s.metrics.inversions == 1


def test_interpretation_doubles_the_duration() -> None:
    r = CallRequest(
        "a", 0, "Europe/Paris", H(8, 20), date(2020, 11, 9), date(2020, 11, 9), 15, language="fr"
    )
    assert r.minutes == 30
    assert CallRequest(**{**r.__dict__, "brings_interpreter": True}).minutes == 15
    assert CallRequest(**{**r.__dict__, "consecutive": False}).minutes == 15


# ---------------------------------------------------------------------------------------------
# Daylight saving: weeks when only one side has changed clocks.

SPRING = [  # (US change done, Europe not yet) vs (both changed)
    (date(2020, 3, 18), date(2020, 4, 1)),
    (date(2024, 3, 20), date(2024, 4, 3)),
    (date(2026, 3, 18), date(2026, 4, 1)),
]
AUTUMN = [  # (Europe back on winter time, US not yet) vs (both back)
    (date(2020, 10, 28), date(2020, 11, 4)),
    (date(2021, 11, 3), date(2021, 11, 10)),
    (date(2023, 11, 1), date(2023, 11, 8)),
    (date(2026, 10, 28), date(2026, 11, 4)),
]


def _one(day: date, zone: str, hours: DailyHours, principal: DailyHours) -> Problem:
    r = CallRequest("x", 0, zone, hours, day, day, 30)
    return Problem(Principal(NY, principal, buffer=0), (r,), day, 1, granularity=15)


@pytest.mark.parametrize(("odd", "normal"), SPRING)
def test_london_morning_in_spring(odd: date, normal: date) -> None:
    # London 09:00–10:00; principal 05:00–12:00 New York. In the odd week London is 4 h ahead:
    # 09:00 London = 05:00 NY, the call fits at 05:00 NY (09:00 UTC). Once Europe has changed
    # too (5 h), London's 09:00–10:00 is 04:00–05:00 NY: nothing fits.
    s = solve(_one(odd, "Europe/London", H(9, 10), H(5, 12)), time_limit=5)
    assert [pl.start for pl in s.placements] == [datetime.combine(odd, time(9), UTC)]
    s = solve(_one(normal, "Europe/London", H(9, 10), H(5, 12)), time_limit=5)
    assert not s.placements
    assert "Europe/London" in s.unplaced[0].reason
    assert "no 30-minute slot" in s.unplaced[0].reason


@pytest.mark.parametrize(("odd", "normal"), AUTUMN)
def test_paris_afternoon_in_autumn(odd: date, normal: date) -> None:
    # Paris 14:00–15:00; principal 09:00–17:00 NY. Odd week: Paris is 5 h ahead, 14:00 Paris =
    # 09:00 NY = 13:00 UTC. Normal: 6 h, Paris's hour is 08:00–09:00 NY, outside.
    assert [
        pl.start for pl in greedy(_one(odd, "Europe/Paris", H(14, 15), H(9, 17))).placements
    ] == [datetime.combine(odd, time(13), UTC)]
    s = solve(_one(normal, "Europe/Paris", H(14, 15), H(9, 17)), time_limit=5)
    assert not s.placements


def test_principal_day_across_a_dst_change() -> None:
    # The principal's 09:00 on Sunday 1 Nov 2020 (EST, UTC-5) is 14:00 UTC; on Saturday 13:00.
    r = CallRequest("x", 0, "Europe/London", H(12, 15), date(2020, 10, 31), date(2020, 11, 1), 30)
    q = CallRequest("y", 1, "Europe/London", H(12, 15), date(2020, 10, 31), date(2020, 11, 1), 30)
    p = Problem(
        Principal(NY, H(9, 10), daily_cap=1, buffer=0),
        (r, q),
        date(2020, 10, 31),
        2,
        granularity=30,
    )
    s = solve(p, time_limit=5)
    starts = sorted(pl.start for pl in s.placements)
    assert starts == [
        datetime(2020, 10, 31, 13, 0, tzinfo=UTC),
        datetime(2020, 11, 1, 14, 0, tzinfo=UTC),
    ]


# ---------------------------------------------------------------------------------------------
# Re-solve: fixed calls stay put


def test_fixed_calls_stay_put_on_a_resolve() -> None:
    pr = Principal(NY, H(9, 11), daily_cap=3, buffer=0)
    a = CallRequest("a", 1, "Europe/Paris", H(8, 20), date(2020, 11, 9), date(2020, 11, 9), 60)
    fixed_at = datetime(2020, 11, 9, 14, 0, tzinfo=UTC)  # 09:00 NY: the slot b would like best
    a = CallRequest(**{**a.__dict__, "fixed_start": fixed_at})
    b = CallRequest("b", 0, "Europe/Paris", H(8, 20), date(2020, 11, 9), date(2020, 11, 9), 60)
    p = Problem(pr, (a, b), date(2020, 11, 9), 1, granularity=15)
    for s in (solve(p, time_limit=5), greedy(p)):
        starts = {pl.request_id: pl.start for pl in s.placements}
        assert starts["a"] == fixed_at
        assert starts["b"] == datetime(2020, 11, 9, 15, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Explanations


def _req(
    id_: str, zone: str = "Europe/Paris", hours: DailyHours | None = None, **kw: object
) -> CallRequest:
    return CallRequest(
        id_,
        kw.pop("rank", 0),
        zone,
        hours or H(8, 20),
        date(2020, 11, 9),  # type: ignore[arg-type]
        date(2020, 11, 9),
        kw.pop("duration", 30),
        **kw,
    )  # type: ignore[arg-type]


def _why(p: Problem, rid: str) -> str:
    s = solve(p, time_limit=5)
    return next(u.reason for u in s.unplaced if u.request_id == rid)


def test_explains_tokyo_hours() -> None:
    p = Problem(Principal(NY, H(8, 18)), (_req("t", "Asia/Tokyo"),), date(2020, 11, 9), 1)
    why = _why(p, "t")
    assert "principal's working hours (08:00–18:00 America/New_York)" in why
    assert "08:00–20:00 in Asia/Tokyo" in why


def test_explains_missing_interpreter() -> None:
    p = Problem(
        Principal(NY, H(8, 18)),
        (_req("s", "Asia/Riyadh", language="ar"),),
        date(2020, 11, 9),
        1,
        interpreters=(Interpreter("i", frozenset({"fr"}), NY, H(8, 18)),),
    )
    assert _why(p, "s") == "no interpreter on the roster speaks Arabic"
    p = Problem(
        Principal(NY, H(8, 18)),
        (_req("s", "Asia/Riyadh", language="ar"),),
        date(2020, 11, 9),
        1,
        interpreters=(Interpreter("i", frozenset({"ar"}), NY, H(19, 22)),),
    )
    assert _why(p, "s") == "no Arabic interpreter is free in any window"


def test_explains_daily_cap_and_blocked_and_note_takers() -> None:
    pr = Principal(NY, H(8, 18), daily_cap=1)
    p = Problem(pr, (_req("a"), _req("b", rank=1)), date(2020, 11, 9), 1)
    assert _why(p, "b") == "the daily cap of 1 calls is reached on every day the windows allow"
    blocked = ((datetime(2020, 11, 9, 13, tzinfo=UTC), datetime(2020, 11, 9, 23, tzinfo=UTC)),)
    p = Problem(Principal(NY, H(8, 18), blocked=blocked), (_req("a"),), date(2020, 11, 9), 1)
    assert _why(p, "a") == "the principal's blocked time covers every slot the hours allow"
    p = Problem(
        Principal(NY, H(8, 18)), (_req("a"),), date(2020, 11, 9), 1, note_takers=NoteTakers(1)
    )
    assert "every call needs two" in _why(p, "a")


def test_explains_slots_taken() -> None:
    # Two 60-minute calls, one 09:00–10:30 window (Paris 15:00–16:30): the second cannot fit.
    pr = Principal(NY, H(9, 10, 0, 30), daily_cap=5, buffer=10)
    p = Problem(pr, (_req("a", duration=60), _req("b", rank=1, duration=60)), date(2020, 11, 9), 1)
    assert "taken by other calls (with the 10-minute buffer)" in _why(p, "b")


# ---------------------------------------------------------------------------------------------
# Bad input


def _base(**kw: object) -> Problem:
    args: dict[str, object] = dict(
        principal=Principal(NY, H(8, 18)),
        requests=(_req("a"),),
        start=date(2020, 11, 9),
        horizon_days=1,
    )
    args.update(kw)
    return Problem(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("problem", "fld"),
    [
        (lambda: _base(principal=Principal("Mars/Olympus", H(8, 18))), "principal.zone"),
        (lambda: _base(requests=(_req("a", "Europe/Atlantis"),)), "requests[a].zone"),
        (lambda: _base(requests=(_req("a", hours=H(20, 8)),)), "requests[a].hours"),
        (lambda: _base(requests=(_req("a", duration=17),)), "requests[a].duration"),
        (
            lambda: _base(
                requests=(
                    CallRequest("a", 0, NY, H(8, 9), date(2020, 11, 9), date(2020, 11, 8), 30),
                )
            ),
            "requests[a].latest",
        ),
        (lambda: _base(now=datetime(2020, 12, 1, tzinfo=UTC)), "requests[a].latest"),
        (
            lambda: _base(interpreters=(Interpreter("i", frozenset(), NY, H(8, 18)),)),
            "interpreters[i].languages",
        ),
        (
            lambda: _base(
                requests=(
                    _req("a", fixed_start=datetime(2020, 11, 9, 14, tzinfo=UTC)),
                    _req("b", fixed_start=datetime(2020, 11, 9, 14, 15, tzinfo=UTC)),
                )
            ),
            "requests[b].fixed_start",
        ),
        (lambda: _base(granularity=7), "granularity"),
        (lambda: _base(requests=(_req("a"), _req("a"))), "requests[a]"),
    ],
)
def test_bad_input_is_a_clear_error(problem, fld) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchedulingError) as e:
        solve(problem(), time_limit=1)
    assert isinstance(e.value, ValueError)
    assert e.value.field == fld
    assert str(e.value)


def test_progress_is_reported_and_a_failing_reporter_is_harmless() -> None:
    seen = []

    def bad(pr: object) -> None:
        seen.append(pr)
        raise RuntimeError("reporter down")

    s = solve(random_problem(3), time_limit=5, progress=bad)
    assert seen and s.solver == "cp-sat"


def test_a_tiny_time_limit_returns_greedy_or_better_without_raising() -> None:
    for seed in (6, 17, 19):
        p = random_problem(seed)
        s = solve(p, time_limit=0.001)
        assert key(p, as_chosen(p, s.placements)) <= key(p, as_chosen(p, greedy(p).placements))
        assert s.status == "feasible"
