"""Scheduling on the models (calls.services.scheduling): settings, the problem built from the rows,
solves run by the worker and applied, an officer's move, re-solves around fixed calls."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.calls import precedence, scheduler
from chancery.calls.models import (
    BlockedTime,
    CallRequest,
    CallSettings,
    CallState,
    Interpreter,
    Invitation,
    ScheduleRun,
)
from chancery.calls.services import requests, scheduling
from chancery.directory.models import Principal
from chancery.errors import Forbidden, InvalidInput
from chancery.ledger import sequencer
from chancery.ledger.models import Event
from chancery.ledger.services import history
from chancery.ledger.verify import verify_log
from chancery.worker import run_once

NY = ZoneInfo("America/New_York")


def kinds(call: CallRequest) -> list[str]:
    return [e.kind for e in history("call", call.pk)]


def last(call: CallRequest, kind: str) -> dict[str, Any]:
    return [e for e in history("call", call.pk) if e.kind == kind][-1].data


def day(n: int, principal: Principal) -> dt.date:
    return scheduling.today_for(principal) + dt.timedelta(days=n)


def approve(people: dict[str, User], office: Any, *, language: str = "en",
            principal: str = "president-elect", by: str = "liaison_ca", first: int = 1,
            last_day: int = 3, **kw: Any) -> CallRequest:
    """A call request as a liaison submits it, triaged and approved by officers."""
    pr = Principal.objects.get(slug=principal)
    call, _ = requests.submit_call(
        requests.CallSubmission(
            principal=principal, office=office.pk, purpose="Congratulations",
            language=language, earliest=day(first, pr), latest=day(last_day, pr), **kw,
        ),
        by=people[by],
    )
    requests.triage_call(call, by=people["protocol"])
    return requests.approve_call(call, by=people["officer"])


@pytest.fixture
def calls(world: dict[str, Any], people: dict[str, User], interpreter: Interpreter) -> Any:
    """Canada (English, Toronto) and France (French, Paris, needs the interpreter)."""
    ca = approve(people, world["pm_ca"])
    fr = approve(people, world["pres_fr"], language="fr", by="liaison_fr",
                 local_start=dt.time(9, 0), local_end=dt.time(19, 0))
    return ca, fr


def solve(principal: Principal, by: User, **kw: Any) -> ScheduleRun:
    run = scheduling.request_solve(principal, by=by, time_limit=kw.pop("time_limit", 2.0), **kw)
    assert scheduling.run_pending() == 1
    run.refresh_from_db()
    return run


# ------------------------------------------------------------------------------ settings


def test_settings_are_checked_and_recorded(world: dict[str, Any], people: dict[str, User]) -> None:
    pe = world["pe"]
    with pytest.raises(Forbidden):
        scheduling.save_settings(pe, by=people["liaison_ca"], daily_cap=3)
    with pytest.raises(InvalidInput, match="each call needs two") as e:
        scheduling.save_settings(pe, by=people["officer"], note_takers=1)
    assert e.value.field == "note_takers"
    with pytest.raises(InvalidInput, match="before"):
        scheduling.save_settings(pe, by=people["officer"], day_start="18:00", day_end="09:00")
    with pytest.raises(precedence.PolicyError):
        scheduling.save_settings(pe, by=people["officer"], policy={"keys": ["nonsense"]})
    with pytest.raises(InvalidInput, match="daily_cap"):
        scheduling.save_settings(pe, by=people["officer"], daily_cap=0)
    with pytest.raises(InvalidInput, match="unknown setting"):
        scheduling.save_settings(pe, by=people["officer"], colour="red")
    assert not CallSettings.objects.exists()
    assert not Event.objects.filter(kind="calls.settings").exists()

    row = scheduling.save_settings(
        pe, by=people["protocol"], day_start="09:00", day_end="17:30", daily_cap=3,
        note_takers=3, policy={"keys": ["ceremonial"]}, dial_in="Call +1 202 555 0100",
    )
    assert (row.day_start, row.day_end, row.daily_cap) == (dt.time(9), dt.time(17, 30), 3)
    assert row.policy["time_zone"] == "America/New_York"
    ev = Event.objects.get(kind="calls.settings")
    assert (ev.subject_type, ev.subject_id) == ("call_settings", row.pk)
    assert ev.data["day_end"] == "17:30" and ev.data["daily_cap"] == 3
    again = scheduling.save_settings(pe, by=people["admin"], daily_cap=4)
    assert again.pk == row.pk and again.day_start == dt.time(9)


# ------------------------------------------------------------------------------ the problem


def test_build_problem_from_rows(
    world: dict[str, Any], people: dict[str, User], calls: Any, interpreter: Interpreter,
    gated: Principal,
) -> None:
    ca, fr = calls
    held = approve(people, world["pm_ca"], principal="vice-president-elect")  # other principal
    pe = world["pe"]
    pe.refresh_from_db()
    waiting, _ = requests.submit_call(
        requests.CallSubmission(principal="president-elect", office=world["pm_ca"].pk,
                                purpose="x", language="en", earliest=day(1, pe),
                                latest=day(2, pe)),
        by=people["liaison_ca"],
    )
    assert waiting.gated
    scheduling.save_settings(pe, by=people["officer"], day_start="09:00", day_end="18:00",
                             daily_cap=4, buffer_minutes=15)
    b0 = dt.datetime.combine(day(1, pe), dt.time(12), NY)
    BlockedTime.objects.create(principal=pe, start=b0, end=b0 + dt.timedelta(hours=1),
                               label="Lunch")
    problem, mapping = scheduling.build_problem(pe, day(0, pe), 7)
    assert set(mapping) == {ca.tracking, fr.tracking}
    assert held.tracking not in mapping and waiting.tracking not in mapping
    p = problem.principal
    assert (p.zone, p.hours, p.daily_cap, p.buffer) == (
        "America/New_York", scheduler.DailyHours(dt.time(9), dt.time(18)), 4, 15)
    assert p.blocked == ((b0, b0 + dt.timedelta(hours=1)),)
    req = {r.id: r for r in problem.requests}
    assert req[ca.tracking].zone == "America/Toronto" and req[ca.tracking].language is None
    assert req[fr.tracking].zone == "Europe/Paris" and req[fr.tracking].language == "fr"
    assert req[fr.tracking].hours == scheduler.DailyHours(dt.time(9), dt.time(19))
    assert req[fr.tracking].minutes == 30  # consecutive interpretation doubles 15 minutes
    assert {r.rank for r in problem.requests} == {0, 1}
    assert problem.interpreters[0].languages == frozenset({"fr"})
    assert problem.note_takers.count == 2 and problem.now is not None
    assert all(r.fixed_start is None for r in problem.requests)


def test_dst_week_when_europe_has_changed_and_the_us_not(
    world: dict[str, Any], people: dict[str, User], interpreter: Interpreter,
) -> None:
    """27 October 2020: Paris is back on CET (UTC+1), New York still on EDT (UTC-4), so 14:00 in
    Paris is 09:00 in New York (08:00 a week later). A call Paris takes only at 14:00-14:30 fits
    a principal who starts at 09:00 that week, at exactly 09:00."""
    monday = dt.datetime(2020, 10, 26, 6, 0, tzinfo=dt.UTC)
    with clock.travel(monday - clock.now()):
        pe = world["pe"]
        scheduling.save_settings(pe, by=people["officer"], day_start="09:00", day_end="17:00")
        fr, _ = requests.submit_call(
            requests.CallSubmission(
                principal="president-elect", office=world["pres_fr"].pk, purpose="x",
                language="fr", earliest=dt.date(2020, 10, 27), latest=dt.date(2020, 10, 27),
                local_start=dt.time(14), local_end=dt.time(14, 30),
            ),
            by=people["liaison_fr"],
        )
        requests.triage_call(fr, by=people["protocol"])
        requests.approve_call(fr, by=people["officer"])
        later = approve(people, world["pres_fr"], language="fr", by="liaison_fr", first=8,
                        last_day=8, local_start=dt.time(14), local_end=dt.time(14, 30))
        problem, mapping = scheduling.build_problem(pe, dt.date(2020, 10, 26), 10)
        req = {r.id: r for r in problem.requests}[fr.tracking]
        assert (req.zone, req.minutes, req.earliest) == ("Europe/Paris", 30, dt.date(2020, 10, 27))
        run = solve(pe, people["officer"], days=10)
        fr.refresh_from_db()
        later.refresh_from_db()
        assert later.earliest == dt.date(2020, 11, 3) and later.start is None
        assert "no 30-minute slot is inside both the principal's working hours" in (
            later.unplaced_reason)
        assert run.state == "done", run.error
        assert fr.start == dt.datetime(2020, 10, 27, 13, 0, tzinfo=dt.UTC)
        assert fr.start.astimezone(NY).time() == dt.time(9, 0)
        assert fr.start.astimezone(ZoneInfo("Europe/Paris")).time() == dt.time(14, 0)


# ------------------------------------------------------------------------------ solving


def test_a_solve_is_run_once_and_applied(
    world: dict[str, Any], people: dict[str, User], calls: Any, interpreter: Interpreter,
) -> None:
    ca, fr = calls
    pe = world["pe"]
    run = scheduling.request_solve(pe, by=people["officer"], days=5, time_limit=2)
    assert scheduling.request_solve(pe, by=people["protocol"]).pk == run.pk  # one at a time
    assert scheduling.current_run(pe) == run
    assert scheduling.run_pending() == 1
    assert scheduling.run_pending() == 0  # a second pass does not run it again
    run.refresh_from_db()
    assert run.state == "done", run.error
    assert run.progress.get("phase") == "done"
    for c in (ca, fr):
        c.refresh_from_db()
        assert c.state == CallState.SCHEDULED and c.start is not None
        assert c.sequence == 1 and c.unplaced_reason == ""
        data = last(c, "call.scheduled")
        assert data["run"] == run.pk and data["sequence"] == 1 and data["fixed"] is False
        assert Invitation.objects.filter(call=c, method="REQUEST", sequence=1).count() == 1
    assert fr.interpreter == interpreter and ca.interpreter is None
    assert {p["call"] for p in run.result["placed"]} == {ca.tracking, fr.tracking}
    assert run.result["unplaced"] == [] and run.result["metrics"]["placed"] == 2
    solved = Event.objects.get(kind="schedule.solved")
    assert (solved.subject_type, solved.subject_id) == ("schedule_run", run.pk)
    assert solved.data["placed"] == 2

    # a re-solve with nothing new changes nothing: no events, no invitations
    before = Event.objects.count()
    run2 = solve(pe, people["officer"], days=5)
    assert run2.pk != run.pk and run2.state == "done"
    assert Event.objects.count() == before + 1  # its schedule.solved only
    assert Invitation.objects.count() == 2


def test_the_worker_runs_queued_solves(world: dict[str, Any], people: dict[str, User],
                                       calls: Any) -> None:
    run = scheduling.request_solve(world["pe"], by=people["officer"], days=4, time_limit=1)
    result = run_once()
    assert result["solved"] == 1
    run.refresh_from_db()
    assert run.state == "done" and run.finished_at is not None


def test_unplaceable_call_is_explained_and_a_placed_one_unscheduled(
    world: dict[str, Any], people: dict[str, User], calls: Any, interpreter: Interpreter,
) -> None:
    ca, fr = calls
    pe = world["pe"]
    solve(pe, people["officer"], days=5)
    fr.refresh_from_db()
    assert fr.start is not None
    # the only French interpreter leaves the roster: the French call loses its time
    Interpreter.objects.filter(pk=interpreter.pk).update(active=False)
    run = solve(pe, people["officer"], days=5)
    fr.refresh_from_db()
    assert fr.start is None and fr.state == CallState.APPROVED and fr.sequence == 2
    assert "no interpreter on the roster speaks French" in fr.unplaced_reason
    data = last(fr, "call.unscheduled")
    assert data["run"] == run.pk and data["sequence"] == 2
    assert Invitation.objects.filter(call=fr, method="CANCEL", sequence=2).exists()
    assert run.result["unplaced"] == [{"call": fr.tracking, "reason": fr.unplaced_reason}]
    # every row the solves changed agrees with its events: the worker raises no alert
    assert run_once().integrity == 0


def test_a_call_declined_during_the_solve_is_left_alone(
    world: dict[str, Any], people: dict[str, User], calls: Any,
) -> None:
    ca, fr = calls
    run = scheduling.request_solve(world["pe"], by=people["officer"], days=4, time_limit=1)

    def meanwhile(progress: scheduler.Progress) -> None:
        if CallRequest.objects.get(pk=ca.pk).state != CallState.DECLINED:
            requests.decline_call(ca, by=people["staffer"], reason="Schedule conflict")

    scheduling.run_solve(run, progress=meanwhile)
    run.refresh_from_db()
    ca.refresh_from_db()
    fr.refresh_from_db()
    assert run.state == "done", run.error
    assert ca.state == CallState.DECLINED and ca.start is None
    assert "call.scheduled" not in kinds(ca)
    assert ca.tracking in run.result["left_alone"]
    assert fr.start is not None


def test_bad_rows_fail_the_run_naming_the_call(world: dict[str, Any], people: dict[str, User],
                                               calls: Any) -> None:
    ca, fr = calls
    CallRequest.objects.filter(pk=ca.pk).update(time_zone="Mars/Olympus_Mons")
    run = solve(world["pe"], people["officer"], days=4)
    assert run.state == "failed" and ca.tracking in run.error and "Mars" in run.error
    fr.refresh_from_db()
    assert fr.start is None and not Event.objects.filter(kind="schedule.solved").exists()


def test_request_solve_checks_its_input(world: dict[str, Any], people: dict[str, User]) -> None:
    pe = world["pe"]
    with pytest.raises(Forbidden):
        scheduling.request_solve(pe, by=people["liaison_ca"])
    with pytest.raises(InvalidInput, match="days"):
        scheduling.request_solve(pe, by=people["officer"], days=0)
    with pytest.raises(InvalidInput, match="time_limit"):
        scheduling.request_solve(pe, by=people["officer"], time_limit=10_000)
    with pytest.raises(InvalidInput, match="past"):
        scheduling.request_solve(pe, by=people["officer"], start=day(-2, pe))
    assert not ScheduleRun.objects.exists()


# ------------------------------------------------------------------------------ moves


def slot(principal: Principal, n: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day(n, principal), dt.time(hour, minute), NY)


def test_move_fixes_the_call_and_a_re_solve_keeps_it(
    world: dict[str, Any], people: dict[str, User], calls: Any, interpreter: Interpreter,
) -> None:
    ca, fr = calls
    pe = world["pe"]
    solve(pe, people["officer"], days=5)
    fr.refresh_from_db()
    target = slot(pe, 2, 10, 0)  # 16:00 in Paris
    moved = scheduling.move_call(fr, target, by=people["officer"])
    assert moved.fixed and moved.start == target and moved.interpreter == interpreter
    assert moved.sequence == 2
    data = last(moved, "call.rescheduled")
    assert data["fixed"] is True and data["sequence"] == 2 and data["previous_start"]
    assert Invitation.objects.filter(call=fr, sequence=2, method="REQUEST").exists()
    run = scheduling.current_run(pe)
    assert run is not None and run.state == "queued"  # the rest is re-solved around it
    assert scheduling.run_pending() == 1
    fr.refresh_from_db()
    assert fr.start == target and fr.sequence == 2
    run.refresh_from_db()
    assert fr.tracking in {p["call"] for p in run.result["placed"]}

    scheduling.release_call(fr, by=people["officer"])
    fr.refresh_from_db()
    assert not fr.fixed and last(fr, "call.rescheduled")["fixed"] is False
    assert scheduling.run_pending() == 1  # the re-solve the release queued (it may move it)
    fr.refresh_from_db()
    placed_at = fr.start
    assert placed_at is not None and placed_at.astimezone(NY).date() > day(0, pe)
    # a solve of fewer days leaves a call placed after them where it is
    run = solve(pe, people["officer"], days=1)
    fr.refresh_from_db()
    assert run.state == "done" and fr.start == placed_at
    assert fr.tracking not in {u["call"] for u in run.result["unplaced"]}


def test_move_refusals_say_which_constraint(
    world: dict[str, Any], people: dict[str, User], calls: Any, interpreter: Interpreter,
) -> None:
    ca, fr = calls
    pe = world["pe"]
    officer = people["officer"]

    def refused(call: CallRequest, when: dt.datetime, *words: str) -> None:
        with pytest.raises(InvalidInput) as e:
            scheduling.move_call(call, when, by=officer)
        for w in words:
            assert w in e.value.message, e.value.message

    refused(ca, clock.now() - dt.timedelta(hours=1), "in the past")
    refused(ca, slot(pe, 1, 10, 3), "5-minute grid")
    refused(ca, slot(pe, 1, 6, 0), "outside the principal's hours", "08:00–20:00")
    refused(fr, slot(pe, 1, 15, 0), "outside the leader's acceptable hours", "Europe/Paris")
    refused(ca, slot(pe, 9, 10, 0), "outside the leader's window")
    b0 = slot(pe, 1, 12)
    BlockedTime.objects.create(principal=pe, start=b0, end=b0 + dt.timedelta(hours=1),
                               label="Lunch")
    refused(ca, slot(pe, 1, 12, 30), "blocked", "Lunch")
    scheduling.move_call(ca, slot(pe, 1, 10, 0), by=officer)
    refused(fr, slot(pe, 1, 10, 15), "overlaps", ca.tracking, "buffer")
    Interpreter.objects.filter(pk=interpreter.pk).update(day_start=dt.time(11))
    refused(fr, slot(pe, 1, 9, 0), "no French interpreter is free", "works 11:00–22:00")
    with pytest.raises(Forbidden):
        scheduling.move_call(fr, slot(pe, 1, 11, 0), by=people["liaison_fr"])
    fr.refresh_from_db()
    assert fr.start is None and not fr.fixed and "call.rescheduled" not in kinds(fr)


def test_a_move_during_the_solve_that_it_would_overlap_applies_nothing(
    world: dict[str, Any], people: dict[str, User], calls: Any, interpreter: Interpreter,
) -> None:
    """The officer moves Canada onto France's time while a re-solve runs: the re-solve's
    schedule (France where it was) would overlap it, so nothing of it is applied and a new solve
    is queued; that one moves France."""
    ca, fr = calls
    pe = world["pe"]
    solve(pe, people["officer"], days=5)
    fr.refresh_from_db()
    assert fr.start is not None
    france_at = fr.start
    run = scheduling.request_solve(pe, by=people["officer"], days=5, time_limit=1)

    def meanwhile(progress: scheduler.Progress) -> None:
        if not CallRequest.objects.get(pk=ca.pk).fixed:
            scheduling.move_call(ca, france_at, by=people["protocol"])

    scheduling.run_solve(run, progress=meanwhile)
    run.refresh_from_db()
    assert run.state == "failed" and ca.tracking in run.error, run.error
    assert "nothing was applied" in run.error and "is queued instead" in run.error
    fr.refresh_from_db()
    assert fr.start == france_at and fr.sequence == 1  # untouched by the stale solve
    follow = scheduling.current_run(pe)
    assert follow is not None and follow.state == "queued" and follow.pk != run.pk
    assert scheduling.run_pending() == 1
    fr.refresh_from_db()
    ca.refresh_from_db()
    assert ca.start == france_at and ca.fixed
    assert fr.start is not None and fr.start != france_at and fr.sequence == 2
    assert last(fr, "call.rescheduled")["previous_start"] == scheduling.iso(france_at)
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems


def test_two_claims_run_once(world: dict[str, Any], people: dict[str, User]) -> None:
    run = scheduling.request_solve(world["pe"], by=people["officer"], days=2, time_limit=1)
    other = ScheduleRun.objects.get(pk=run.pk)
    assert scheduling._claim(run) is True
    assert scheduling._claim(other) is False
    assert scheduling.run_pending() == 0


def test_an_interpreter_booked_by_another_principal_is_reported(
    world: dict[str, Any], people: dict[str, User], interpreter: Interpreter,
) -> None:
    pe = world["pe"]
    paris = {"local_start": dt.time(16), "local_end": dt.time(16, 30), "first": 1,
             "last_day": 1}
    vp_call = approve(people, world["pres_fr"], language="fr", by="liaison_fr",
                      principal="vice-president-elect", **paris)
    scheduling.move_call(vp_call, slot(pe, 1, 10), by=people["officer"])
    assert scheduling.run_pending() == 1  # the vice-president-elect's re-solve
    pe_call = approve(people, world["pres_fr"], language="fr", by="liaison_fr", **paris)
    run = solve(pe, people["officer"], days=3)
    pe_call.refresh_from_db()
    assert pe_call.start == slot(pe, 1, 10) and pe_call.interpreter == interpreter
    assert run.result["warnings"] == [
        f"{pe_call.tracking}: Claire Fontaine also interprets {vp_call.tracking} (another "
        "principal's call) then; reassign one"
    ]


def test_run_solve_follows_a_run_another_process_has(world: dict[str, Any],
                                                    people: dict[str, User]) -> None:
    run = scheduling.request_solve(world["pe"], by=people["officer"], days=2, time_limit=1)
    assert scheduling._claim(ScheduleRun.objects.get(pk=run.pk))  # another worker took it
    ScheduleRun.objects.filter(pk=run.pk).update(state="done", result={"placed": []})
    seen = scheduling.run_solve(run)  # the CLI's call: nothing run twice
    assert seen.state == "done" and seen.result == {"placed": []}
    assert not Event.objects.filter(kind="schedule.solved").exists()


def test_nothing_is_placed_to_start_before_the_solve_ends(
    world: dict[str, Any], people: dict[str, User],
) -> None:
    """At 09:59:30 a solve of up to 2 s (plus a minute's margin) does not place a call at
    10:00: the first start it may give is 10:05."""
    moment = dt.datetime(2020, 11, 2, 9, 59, 30, tzinfo=NY)
    with clock.travel(moment - clock.now()):
        ca, _ = requests.submit_call(
            requests.CallSubmission(
                principal="president-elect", office=world["pm_ca"].pk, purpose="x",
                language="en", earliest=moment.date(), latest=moment.date(),
                local_start=dt.time(10), local_end=dt.time(10, 30),
            ),
            by=people["liaison_ca"],
        )
        requests.triage_call(ca, by=people["protocol"])
        requests.approve_call(ca, by=people["officer"])
        run = solve(world["pe"], people["officer"], days=1)
        ca.refresh_from_db()
        assert run.state == "done", run.error
        assert ca.start == dt.datetime(2020, 11, 2, 10, 5, tzinfo=NY)



def test_a_call_off_the_five_minute_grid_takes_a_whole_place(
    world: dict[str, Any], people: dict[str, User], interpreter: Interpreter
) -> None:
    """A 14-minute call (Moon's, in 2020) is solved, not refused by the solver: the diary
    rounds the speaking time up to its 5-minute grid (twice that with interpretation)."""
    ca = approve(people, world["pm_ca"], duration=14)
    fr = approve(people, world["pres_fr"], language="fr", by="liaison_fr", duration=14,
                 local_start=dt.time(9, 0), local_end=dt.time(19, 0))
    run = solve(world["pe"], people["officer"], days=5)
    assert run.state == "done", run.error
    ca.refresh_from_db()
    fr.refresh_from_db()
    assert ca.duration == 14 and ca.end - ca.start == dt.timedelta(minutes=15)
    assert fr.end - fr.start == dt.timedelta(minutes=30)
