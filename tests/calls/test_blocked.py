"""The principal's blocked time: an officer blocks and unblocks it (service and calendar form),
each change with its event; bad input is refused naming the field, nothing written; a solve
places nothing inside it and a call already there is named and re-solved away; a row changed
with SQL behind the application's back is a finding of ``chancery verify``."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection

from chancery import clock
from chancery.calls.models import BlockedTime, CallRequest, CallState, ScheduleRun
from chancery.calls.services import blocked, requests, scheduling
from chancery.calls.services.requests import CallSubmission, submit_call
from chancery.errors import Forbidden, InvalidInput
from chancery.ledger import sequencer
from chancery.ledger.services import history
from chancery.ledger.verify import verify_log
from chancery.testing import body_of, client_for, fresh

NY = ZoneInfo("America/New_York")


def _day(n: int) -> dt.date:
    return (clock.now().astimezone(NY) + dt.timedelta(days=n)).date()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


def _approved(world: dict[str, Any], people: dict[str, User], *, first: int = 1,
              last: int = 9) -> CallRequest:
    """Canada's prime minister (English: no interpreter), approved, a window of days."""
    call, _ = submit_call(
        CallSubmission(principal="president-elect", office=world["pm_ca"].pk,
                       purpose="Congratulations", language="en",
                       earliest=_day(first), latest=_day(last)),
        by=people["liaison_ca"],
    )
    requests.triage_call(call, by=people["officer"])
    requests.approve_call(call, by=people["officer"])
    return fresh(call)


def _kinds(row: BlockedTime | int) -> list[str]:
    pk = row if isinstance(row, int) else row.pk
    return [e.kind for e in history("blocked_time", pk)]


def test_an_officer_blocks_and_unblocks_time_with_its_events(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    officer, pe = people["officer"], world["pe"]
    row = blocked.block_time(pe, by=officer, start=_at(_day(3), 0), end=_at(_day(4), 0),
                             label="  Thanksgiving Day ")
    assert (row.start, row.end, row.label) == (_at(_day(3), 0), _at(_day(4), 0),
                                               "Thanksgiving Day")
    (event,) = history("blocked_time", row.pk)
    assert event.kind == "calls.blocked" and event.actor == officer
    assert event.data["principal"] == "president-elect"
    assert event.data["label"] == "Thanksgiving Day"
    assert dt.datetime.fromisoformat(event.data["start"]) == row.start
    assert not ScheduleRun.objects.exists()  # nothing on the calendar inside: no re-solve
    # The scheduler's other rule reads it: a move into it is refused.
    call = _approved(world, people)
    with pytest.raises(InvalidInput, match="blocked"):
        scheduling.move_call(call, _at(_day(3), 10), by=officer)
    # An admin may too; unblocking deletes the row and records the event, together.
    pk = row.pk
    blocked.unblock_time(row, by=people["admin"])
    assert not BlockedTime.objects.filter(pk=pk).exists()
    assert _kinds(pk) == ["calls.blocked", "calls.unblocked"]
    assert ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).count() == 1  # it waits
    with pytest.raises(InvalidInput, match="not blocked any more"):
        blocked.unblock_time(row, by=officer)
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems
    assert report.subjects["blocked_time"] == 1


@pytest.mark.parametrize("who", ["liaison_ca", "staffer", "auditor", "translator"])
def test_only_officers_and_admins_block_or_unblock(
    world: dict[str, Any], people: dict[str, User], who: str
) -> None:
    with pytest.raises(Forbidden):
        blocked.block_time(world["pe"], by=people[who], start=_at(_day(3), 9),
                           end=_at(_day(3), 10))
    row = blocked.block_time(world["pe"], by=people["protocol"], start=_at(_day(3), 9),
                             end=_at(_day(3), 10))
    with pytest.raises(Forbidden):
        blocked.unblock_time(row, by=people[who])
    assert BlockedTime.objects.filter(pk=row.pk).exists()
    assert _kinds(row) == ["calls.blocked"]


def _bad_cases() -> list[tuple[Any, Any, str, str]]:
    return [
        (dt.datetime(2030, 1, 1, 9), dt.datetime(2030, 1, 1, 10), "start", "no time zone"),
        ("2030-01-01T09:00", None, "start", "date and time"),
        (5, 3, "end", "ends after it starts"),  # days from now, 10:00 each
        (1, "9:07", "end", "5-minute grid"),
        (1, 16, "end", "at most 14 days"),
        (-2, 1, "start", "in the past"),
    ]


@pytest.mark.parametrize("start, end, field, words", _bad_cases())
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    world: dict[str, Any], people: dict[str, User], start: Any, end: Any, field: str,
    words: str,
) -> None:
    if isinstance(start, int):
        start = _at(_day(start), 10)
    if isinstance(end, int):
        end = _at(_day(end), 10)
    elif isinstance(end, str) and ":" in end and "T" not in end:
        end = _at(_day(1), 9, 7)
    with pytest.raises(InvalidInput, match=words) as raised:
        blocked.block_time(world["pe"], by=people["officer"], start=start, end=end)
    assert raised.value.field == field
    assert not BlockedTime.objects.exists()


def test_an_overlapping_period_and_a_long_label_are_refused(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    officer, pe = people["officer"], world["pe"]
    blocked.block_time(pe, by=officer, start=_at(_day(3), 9), end=_at(_day(3), 12),
                       label="Briefing")
    with pytest.raises(InvalidInput, match="overlaps time already blocked .Briefing") as raised:
        blocked.block_time(pe, by=officer, start=_at(_day(3), 11), end=_at(_day(3), 13))
    assert raised.value.field == "start"
    with pytest.raises(InvalidInput, match="at most 200") as raised:
        blocked.block_time(pe, by=officer, start=_at(_day(3), 12), end=_at(_day(3), 13),
                           label="x" * 201)
    assert raised.value.field == "label"
    # Back to back is not an overlap; another principal's time is its own.
    blocked.block_time(pe, by=officer, start=_at(_day(3), 12), end=_at(_day(3), 13))
    blocked.block_time(world["vpe"], by=officer, start=_at(_day(3), 9), end=_at(_day(3), 12))
    assert BlockedTime.objects.count() == 3


def test_a_solve_places_nothing_inside_and_a_call_there_is_re_solved_away(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    officer, pe = people["officer"], world["pe"]
    # Days 2 and 3 blocked before the solve: the call goes elsewhere in its window.
    early = blocked.block_time(pe, by=officer, start=_at(_day(2), 0), end=_at(_day(4), 0),
                               label="Away")
    call = _approved(world, people, first=2, last=6)
    scheduling.request_solve(pe, by=officer)
    assert scheduling.run_pending() == 1
    call = fresh(call)
    assert call.state == CallState.SCHEDULED and call.start is not None
    assert call.start >= early.end
    assert not blocked.calls_inside(pe, early.start, early.end)
    # Now its own day is blocked: the call is named inside it and the re-solve moves it out.
    day = call.start.astimezone(NY).date()
    row = blocked.block_time(pe, by=officer, start=_at(day, 0), end=_at(day + dt.timedelta(1), 0),
                             label="Thanksgiving Day")
    assert blocked.calls_inside(pe, row.start, row.end) == [call]
    assert ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).count() == 1
    assert scheduling.run_pending() == 1
    moved = fresh(call)
    assert moved.state == CallState.SCHEDULED and moved.start is not None
    assert moved.start >= row.end
    assert [e.kind for e in history("call", call.pk)][-1] == "call.rescheduled"


@pytest.mark.parametrize(
    "sql, words",
    [
        ("UPDATE calls_blockedtime SET label = 'Forged' WHERE id = {id}", "label"),
        ("UPDATE calls_blockedtime SET \"end\" = '2040-01-01 05:00:00' WHERE id = {id}", "end"),
        ("DELETE FROM calls_blockedtime WHERE id = {id}", "gone without calls.unblocked"),
        ("INSERT INTO calls_blockedtime (principal_id, start, \"end\", label) SELECT "
         "principal_id, '2041-01-01 05:00:00', '2041-01-02 05:00:00', 'SQL' FROM "
         "calls_blockedtime WHERE id = {id}", "no calls.blocked event"),
    ],
)
def test_verify_names_blocked_time_changed_with_sql(
    world: dict[str, Any], people: dict[str, User], sql: str, words: str
) -> None:
    row = blocked.block_time(world["pe"], by=people["officer"], start=_at(_day(3), 9),
                             end=_at(_day(3), 12), label="Briefing")
    with connection.cursor() as cursor:
        cursor.execute(sql.format(id=row.pk))
    sequencer.integrate_all()
    report = verify_log()
    assert not report.ok
    assert any("blocked time #" in p and words in p for p in report.problems), report.problems


# --------------------------------------------------------------------------- the calendar


def test_an_officer_blocks_and_unblocks_on_the_calendar(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    officer = people["officer"]
    call = _approved(world, people, first=3, last=3)
    call = scheduling.move_call(call, _at(_day(3), 10), by=officer)
    scheduling.run_pending()
    day = _day(3)
    page = client_for(officer)
    url = f"/calls/calendar/?principal=president-elect&start={day}&days=1"
    html = body_of(page.get(url))
    assert 'id="block-form"' in html and f'value="{day}T00:00"' in html
    response = page.post("/calls/calendar/block/", {
        "principal": "president-elect", "start": f"{day}T09:00", "end": f"{day}T12:00",
        "label": "Briefing", "cal_start": str(day), "days": "1", "form": "block",
    })
    assert response.status_code == 302, body_of(response)
    row = BlockedTime.objects.get()
    assert (row.start, row.end, row.label) == (_at(day, 9), _at(day, 12), "Briefing")
    assert _kinds(row) == ["calls.blocked"]
    run = ScheduleRun.objects.get(state=ScheduleRun.State.QUEUED)
    assert f"run={run.pk}" in response["Location"]
    html = body_of(page.get(response["Location"]))
    assert call.tracking in html and "Calls inside it" in html and "move by hand" in html
    assert 'class="cal-block cal-blocked"' in html and f"/calls/calendar/unblock/{row.pk}/" in html

    # Refused in words, the form keeps what was typed, nothing written.
    response = page.post("/calls/calendar/block/", {
        "principal": "president-elect", "start": f"{day}T11:00", "end": f"{day}T13:00",
        "label": "Lunch", "cal_start": str(day), "days": "1", "form": "block",
    })
    assert response.status_code == 422
    html = body_of(response)
    assert 'id="calendar-error"' in html and "overlaps" in html and 'value="Lunch"' in html
    response = page.post("/calls/calendar/block/", {
        "principal": "president-elect", "start": "", "end": f"{day}T13:00", "form": "block"})
    assert response.status_code == 422 and "Give the start" in body_of(response)
    assert BlockedTime.objects.count() == 1

    response = page.post(f"/calls/calendar/unblock/{row.pk}/", {
        "principal": "president-elect", "cal_start": str(day), "days": "1"})
    assert response.status_code == 302
    assert not BlockedTime.objects.exists()
    assert _kinds(row.pk) == ["calls.blocked", "calls.unblocked"]
    response = page.post(f"/calls/calendar/unblock/{row.pk}/", {"principal": "president-elect"})
    assert response.status_code == 404 and "no blocked time" in body_of(response)


@pytest.mark.parametrize("who", ["staffer", "liaison_ca"])
def test_the_calendar_form_is_for_officers_only(
    world: dict[str, Any], people: dict[str, User], who: str
) -> None:
    row = blocked.block_time(world["pe"], by=people["officer"], start=_at(_day(3), 9),
                             end=_at(_day(3), 12), label="Briefing")
    page = client_for(people[who])
    if who == "staffer":
        html = body_of(page.get(f"/calls/calendar/?principal=president-elect&start={_day(3)}"))
        assert "Briefing" in html and 'id="block-form"' not in html and "unblock" not in html
    response = page.post("/calls/calendar/block/", {
        "principal": "president-elect", "start": f"{_day(4)}T09:00",
        "end": f"{_day(4)}T12:00"})
    assert response.status_code in (403, 404)
    response = page.post(f"/calls/calendar/unblock/{row.pk}/", {"principal": "president-elect"})
    assert response.status_code in (403, 404)
    assert list(BlockedTime.objects.values_list("pk", flat=True)) == [row.pk]
    assert _kinds(row) == ["calls.blocked"]


# --------------------------------------------------------------------------- the demo


@pytest.mark.slow
def test_the_demo_blocks_thanksgiving_and_its_solve_places_nothing_on_it(db: Any) -> None:
    from chancery.demo import calls as demo_calls
    from chancery.demo import world as demo_world
    from chancery.demo.loader import load_world
    from chancery.directory.models import Principal
    from chancery.directory.services import set_principal_status

    def travel(moment: dt.datetime) -> Any:
        return clock.travel(moment - clock.now())

    with travel(dt.datetime.fromisoformat(demo_world.DEMO_NOW)):
        load_world()
    pe = Principal.objects.get(slug=demo_world.PE)
    row = BlockedTime.objects.get(principal=pe)
    day = dt.date(2020, 11, 26)
    assert (row.start, row.end, row.label) == (
        _at(day, 0), _at(day + dt.timedelta(days=1), 0), "Thanksgiving Day")
    (event,) = history("blocked_time", row.pk)
    assert event.kind == "calls.blocked" and event.actor.username == demo_calls.OFFICER
    first = CallRequest.objects.order_by("received_at").first()
    assert first is not None and event.at < first.received_at  # before the requests
    ascertained = dt.datetime.fromisoformat(demo_world.ASCERTAINMENT["at"])
    with travel(ascertained + dt.timedelta(minutes=5)):
        set_principal_status(pe, by=User.objects.get(username="admin"), status="ascertained")
        assert demo_calls.schedule_released(time_limit=3) == 24
        assert scheduling.run_pending() == 1
    placed = CallRequest.objects.filter(state=CallState.SCHEDULED)
    assert placed.count() >= 20
    assert not placed.filter(start__lt=row.end, end__gt=row.start).exists()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_officer_blocks_and_unblocks_in_the_browser(
    live_server: Any, transactional_db: None, page: Any, people: dict[str, User]
) -> None:
    from playwright.sync_api import expect

    from tests.live import login

    day = _day(3)
    login(page, live_server.url, "officer.one")
    page.goto(f"{live_server.url}/calls/calendar/?principal=president-elect&start={day}&days=1")
    page.fill("#block-start", f"{day}T09:00")
    page.fill("#block-end", f"{day}T12:00")
    page.fill("#block-label", "Transition briefing")
    page.get_by_role("button", name="Block time").click()
    expect(page.locator("#calendar .cal-blocked")).to_contain_text("Transition briefing")
    assert BlockedTime.objects.get().label == "Transition briefing"
    if os.environ.get("CHANCERY_SCREENSHOTS_BT"):
        page.screenshot(path="/tmp/bt-calendar.png", full_page=True)
    page.get_by_role("button", name="Unblock Transition briefing").click()
    expect(page.locator("#calendar .cal-blocked")).to_have_count(0)
    assert not BlockedTime.objects.exists()
