"""The demo's calls, loaded as ``chancery demo`` loads them (``demo.loader.load_world``): the
President-elect's settings, the roster and the 24 requests of November 2020 wait for
ascertainment; recording it releases them into the queue in the 2020 order; the demo's protocol
officer triages and approves them, the worker's solve places or explains every one, and the
database and the log agree (``chancery verify``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.accounts.models import Role
from chancery.calls import access
from chancery.calls.demo_tiers import DEMO_POLICY
from chancery.calls.models import CallRequest, CallSettings, CallState, Interpreter, ScheduleRun
from chancery.calls.precedence import Policy
from chancery.calls.services import ranking, requests, scheduling
from chancery.demo import calls as demo_calls
from chancery.demo import world
from chancery.demo.loader import load_world
from chancery.directory.models import Office, Principal
from chancery.directory.services import set_principal_status
from chancery.ledger import sequencer
from chancery.ledger.services import history
from chancery.ledger.verify import verify_log
from chancery.records.services.overview import overview

pytestmark = pytest.mark.slow

ASCERTAINED = dt.datetime.fromisoformat(world.ASCERTAINMENT["at"])
LEADER_NAMES = {leader["key"]: leader["name"] for leader in world.LEADERS}
ORDER_2020 = [LEADER_NAMES[c["leader"]] for c in world.CALLS]  # nov2020.md's order


def _travel(moment: dt.datetime) -> Any:
    return clock.travel(moment - clock.now())


def _kinds(call: CallRequest) -> list[str]:
    return [e.kind for e in history("call", call.pk)]


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    with _travel(dt.datetime.fromisoformat(world.DEMO_NOW)):
        return load_world()


def test_world_data_for_calls() -> None:
    """Plain data: a request per leader of CALLS, windows from the demo's today, durations on
    the grid, interpreters for every language a call needs."""
    wanted = world.CALL_REQUESTS
    assert [r["leader"] for r in wanted] == [c["leader"] for c in world.CALLS]
    assert len(wanted) == 24
    languages = {lang for i in world.INTERPRETERS for lang in i["languages"]}
    for r in wanted:
        assert r["earliest"] == "2020-11-23" and r["latest"] == "2020-12-07"
        assert r["duration"] % 5 == 0 and 5 <= r["duration"] <= 120
        assert dt.datetime.fromisoformat(r["submitted_at"]) < ASCERTAINED
        if r["language"] != "en" and not r["brings_interpreter"]:
            assert r["language"] in languages, r["leader"]
    assert 8 <= len(world.INTERPRETERS) <= 10
    assert all(i["username"] == f"interpreter.{i['languages'][0]}" for i in world.INTERPRETERS)
    others = {p["username"] for p in [*world.TRANSLATORS, *world.STAFF, *world.LIAISONS]}
    assert not others & set(demo_calls.usernames())


def test_demo_calls_wait_for_ascertainment_then_are_scheduled(demo: dict[str, Any]) -> None:
    pe = Principal.objects.get(slug=world.PE)
    calls = list(CallRequest.objects.filter(principal=pe).select_related("office__leader"))

    # Loaded at their historical times, by the liaisons, every one with its event.
    assert len(calls) == 24
    for call in calls:
        assert call.state == CallState.REQUESTED and call.waits_for == "ascertained"
        assert call.submitted_by is not None
        assert call.submitted_by.profile.mission is not None  # the mission's liaison
        assert call.channel in ("portal", "api")
        assert _kinds(call) == ["call.requested"]
        assert call.received_at < ASCERTAINED
    # Counted and visible to the principal's office, not in the queue.
    office = User.objects.get(username="office.whitaker")
    assert access.principal_calls(office, world.PE).count() == 24
    assert ranking.ranked(pe) == []
    # The settings, the roster and their logins.
    settings = CallSettings.objects.get(principal=pe)
    assert settings.policy == Policy.from_dict(DEMO_POLICY).to_dict()
    assert (settings.day_start, settings.day_end) == (dt.time(8), dt.time(21))
    assert (settings.daily_cap, settings.buffer_minutes, settings.note_takers) == (6, 10, 3)
    assert settings.dial_in
    assert Interpreter.objects.count() == len(world.INTERPRETERS)
    logins = {entry["username"]: entry for entry in demo["logins"]}
    for i in world.INTERPRETERS:
        user = User.objects.get(username=i["username"])
        assert user.groups.filter(name=Role.INTERPRETER).exists()
        assert user.check_password(logins[i["username"]]["password"])
        assert logins[i["username"]]["home"] == "/calls/my-assignments/"
    assert Office.objects.get(title__startswith="King of the Hashemite").monarch
    assert Office.objects.get(country__code="VA").leader.name == "Pope Francis"

    admin = User.objects.get(username="admin")
    with _travel(ASCERTAINED):
        # The gate holds them: the demo's officer has nothing to do, nothing is written.
        assert demo_calls.schedule_released() == 0
        assert not ScheduleRun.objects.exists()
        set_principal_status(pe, by=admin, status="ascertained", note="GSA letter")

    # Released into the queue, in the order of the 2020 calls.
    ranked = ranking.ranked(pe)
    assert [c.office.leader.name for c, _ in ranked] == ORDER_2020
    assert [r.position for _, r in ranked] == list(range(1, 25))
    for call, _ in ranked:
        assert call.waits_for == ""
        assert _kinds(call) == ["call.requested", "call.gate_released"]

    with _travel(ASCERTAINED + dt.timedelta(minutes=5)):
        assert demo_calls.schedule_released(time_limit=3) == 24
        assert demo_calls.schedule_released(time_limit=3) == 0  # once
        assert ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).count() == 1
        assert scheduling.run_pending() == 1
    run = ScheduleRun.objects.get()
    assert run.state == ScheduleRun.State.DONE, run.error
    dubois = User.objects.get(username=demo_calls.OFFICER)
    assert run.requested_by == dubois

    # Every request placed or explained, with its events.
    by_rank = {}
    for call in CallRequest.objects.filter(principal=pe):
        kinds = _kinds(call)
        assert kinds[:4] == ["call.requested", "call.gate_released", "call.triaged",
                             "call.approved"]
        by_rank[call.rank] = call.office.leader.name
        if call.state == CallState.SCHEDULED:
            assert call.start is not None and call.start >= ASCERTAINED
            assert kinds[4] == "call.scheduled"
            if call.interpreted and not call.brings_interpreter:
                assert call.interpreter is not None
                assert call.language in call.interpreter.languages
        else:
            assert call.state == CallState.APPROVED and call.unplaced_reason, call.tracking
    assert [by_rank[n] for n in range(1, 25)] == ORDER_2020
    scheduled = CallRequest.objects.filter(state=CallState.SCHEDULED).count()
    assert scheduled >= 20

    # A request a person entered is left for a person; once an officer approves it, the demo
    # queues a solve that places or explains it (Ukrainian: no interpreter on the roster).
    later = ASCERTAINED + dt.timedelta(minutes=30)
    with _travel(later):
        ukraine = Office.objects.get(country__code="UA", kind="head_of_state")
        call, created = requests.submit_call(
            requests.CallSubmission(
                principal=world.PE, office=ukraine.pk, purpose="Congratulations; security.",
                language="uk", earliest=dt.date(2020, 11, 24), latest=dt.date(2020, 12, 4),
            ),
            by=User.objects.get(username="liaison.ua"),
        )
        assert created and call.waits_for == ""
        assert demo_calls.schedule_released() == 0
        assert CallRequest.objects.get(pk=call.pk).state == CallState.REQUESTED
        assert not ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).exists()
        officer = User.objects.get(username="watch.okafor")
        requests.approve_call(requests.triage_call(call, by=officer), by=officer)
        assert demo_calls.schedule_released(time_limit=3) == 0
        assert ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).count() == 1
        assert scheduling.run_pending() == 1
        assert demo_calls.schedule_released() == 0
        assert not ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).exists()
    call.refresh_from_db()
    assert call.state == CallState.APPROVED and call.start is None
    assert "interpret" in call.unplaced_reason.lower(), call.unplaced_reason
    assert CallRequest.objects.filter(state=CallState.SCHEDULED).count() == scheduled

    # As the clock passes the first call's time, the watch officer connects it and ends it;
    # it is then owed its telcon and read-out. Later calls wait for their time.
    first = CallRequest.objects.filter(state=CallState.SCHEDULED).order_by("start").first()
    assert first is not None and first.end is not None
    with _travel(first.end + dt.timedelta(minutes=1)):
        due = CallRequest.objects.filter(state=CallState.SCHEDULED, start__lte=clock.now())
        started = due.count()
        ended = set(due.filter(end__lte=clock.now()).values_list("pk", flat=True))
        assert demo_calls.operate_due() == started + len(ended)
        assert demo_calls.operate_due() == 0  # once
        records = User.objects.get(username="records.park")
        owed = {row.call.pk for row in overview(records).owed}
    first.refresh_from_db()
    assert first.state == CallState.COMPLETED and first.pk in ended
    assert _kinds(first)[-2:] == ["call.connected", "call.completed"]
    assert owed == ended
    assert CallRequest.objects.filter(state=CallState.SCHEDULED, start__gt=first.end).exists()

    # The database and the log agree.
    sequencer.integrate_all()
    report = verify_log(processes=1)
    assert report.ok, report.problems[:10]
    assert report.subjects.get("call") == 25
