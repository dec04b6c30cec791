"""The calendar: days × hours in the principal's zone with each leader's local time beside the
call, blocked time, an officer's move (refusals in words, nothing moved), the re-solve and its
progress."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.calls.models import BlockedTime, CallRequest, CallState, Interpreter, ScheduleRun
from chancery.calls.services import requests, scheduling
from chancery.calls.services.requests import CallSubmission, submit_call
from chancery.ledger.services import history
from chancery.testing import body_of, client_for, fresh, make_user

NY = ZoneInfo("America/New_York")


def _day(n: int) -> dt.date:
    return (clock.now().astimezone(NY) + dt.timedelta(days=n)).date()


def _approved(world: dict[str, Any], people: dict[str, User], office: str, language: str,
              liaison: str) -> CallRequest:
    call, _ = submit_call(
        CallSubmission(principal="president-elect", office=world[office].pk,
                       purpose="Congratulations", language=language,
                       earliest=_day(1), latest=_day(9)),
        by=people[liaison],
    )
    requests.triage_call(call, by=people["officer"])
    requests.approve_call(call, by=people["officer"])
    return fresh(call)


@pytest.fixture
def macron(world: dict[str, Any], people: dict[str, User],
           interpreter: Interpreter) -> CallRequest:
    """France's president, approved, placed by an officer at 09:00 New York time in three days
    (15:00 in Paris; consecutive interpretation: 30 minutes with the French interpreter)."""
    call = _approved(world, people, "pres_fr", "fr", "liaison_fr")
    start = dt.datetime.combine(_day(3), dt.time(9), tzinfo=NY)
    return scheduling.move_call(call, start, by=people["officer"])


def _block(html: str, tracking: str) -> str:
    found = re.search(rf'<div class="cal-block cal-call[^"]*"[^>]*data-tracking="{tracking}"'
                      r".*?</details>", html, re.S)
    assert found is not None, f"no block for {tracking}"
    return found.group(0)


def test_calendar_shows_the_call_at_its_time_with_the_leaders_local_time(
    macron: CallRequest, people: dict[str, User], interpreter: Interpreter
) -> None:
    start = macron.start
    assert start is not None
    url = f"/calls/calendar/?principal=president-elect&start={_day(1)}&days=7"
    html = body_of(client_for(people["officer"]).get(url))
    block = _block(html, macron.tracking)
    assert "Emmanuel Macron" in block
    assert "09:00–09:30" in block
    paris = start.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{paris:%H:%M} {paris.tzname()}" in block  # "15:00 CET" beside it
    assert "Interpreter: Claire Fontaine" in block
    assert "fixed" in block
    # Placed in the column of its day, on the row of 09:00 (5-minute rows from the first hour).
    column = 2 + (_day(3) - _day(1)).days
    assert f"grid-column: {column}; grid-row: {2 + (9 - 8) * 12} / span 6;" in block
    assert f'value="{_day(3)}T09:00"' in block  # the move form, in the principal's zone
    # The principal's office sees the calendar, without the move forms.
    html = body_of(client_for(people["staffer"]).get(url))
    assert "Emmanuel Macron" in html and 'class="cal-move"' not in html


def test_blocked_time_is_shaded_and_a_move_into_it_is_refused(
    macron: CallRequest, people: dict[str, User], world: dict[str, Any]
) -> None:
    day = _day(3)
    BlockedTime.objects.create(
        principal=world["pe"], label="Transition briefing",
        start=dt.datetime.combine(day, dt.time(13), tzinfo=NY),
        end=dt.datetime.combine(day, dt.time(14), tzinfo=NY),
    )
    officer = client_for(people["officer"])
    url = f"/calls/calendar/?principal=president-elect&start={day}&days=1"
    html = body_of(officer.get(url))
    assert re.search(r'class="cal-block cal-blocked" style="grid-column: 2; grid-row: '
                     rf'{2 + 5 * 12} / span 12;" title="Transition briefing"', html)
    before = list(history("call", macron.pk))
    response = officer.post(
        f"/calls/{macron.tracking}/act/move/",
        {"start": f"{day}T13:15", "next": url, "cal_start": str(day), "days": "1"},
    )
    assert response.status_code == 422
    html = body_of(response)
    assert 'id="calendar-error"' in html and "blocked" in html and "Nothing was moved" in html
    assert 'id="calendar"' in html  # the calendar again, as it was
    assert fresh(macron).start == macron.start
    assert list(history("call", macron.pk)) == before


def test_an_officer_moves_a_call_and_the_re_solve_follows(
    macron: CallRequest, people: dict[str, User], world: dict[str, Any]
) -> None:
    canada = _approved(world, people, "pm_ca", "en", "liaison_ca")
    scheduling.run_pending()  # the re-solve queued by the fixture's move places Canada too
    canada = fresh(canada)
    assert canada.state == CallState.SCHEDULED
    officer = client_for(people["officer"])
    day = _day(3)
    url = f"/calls/calendar/?principal=president-elect&start={day}&days=1"
    response = officer.post(
        f"/calls/{macron.tracking}/act/move/",
        {"start": f"{day}T11:30", "next": url, "cal_start": str(day), "days": "1"},
    )
    assert response.status_code == 302
    location = response["Location"]
    run = ScheduleRun.objects.get(state=ScheduleRun.State.QUEUED)
    assert f"run={run.pk}" in location and f"moved={macron.tracking}" in location
    assert f"start={day}" in location
    assert fresh(macron).start == dt.datetime.combine(day, dt.time(11, 30), tzinfo=NY)
    assert [e.kind for e in history("call", macron.pk)][-1] == "call.rescheduled"

    # The page shows the move and "re-solving…", polled while the solve runs.
    html = body_of(officer.get(location))
    assert "Re-solving…" in html and 'hx-trigger="every 1s"' in html
    assert "is-moved" in _block(html, macron.tracking)
    poll = re.search(r'hx-get="([^"]+)"', html)
    assert poll is not None
    progress_url = poll.group(1).replace("&amp;", "&")
    fragment = officer.get(progress_url, HTTP_HX_REQUEST="true")
    assert "Re-solving…" in body_of(fragment) and "HX-Redirect" not in fragment

    # The worker runs it: the fragment says so and sends the page back to the calendar.
    assert scheduling.run_pending() == 1
    fragment = officer.get(progress_url, HTTP_HX_REQUEST="true")
    assert "Re-solve finished" in body_of(fragment)
    assert fragment["HX-Redirect"] == location
    html = body_of(officer.get(location))
    assert "Re-solve finished" in html and 'hx-trigger="every 1s"' not in html
    # The fixed call stayed where the officer put it.
    assert fresh(macron).start == dt.datetime.combine(day, dt.time(11, 30), tzinfo=NY)


def test_the_re_solve_button_queues_a_solve_for_officers_only(
    people: dict[str, User], world: dict[str, Any]
) -> None:
    response = client_for(people["officer"]).post(
        "/calls/calendar/solve/", {"principal": "vice-president-elect"})
    assert response.status_code == 302
    run = ScheduleRun.objects.get()
    assert run.principal == world["vpe"] and f"run={run.pk}" in response["Location"]
    response = client_for(people["staffer"]).post(
        "/calls/calendar/solve/", {"principal": "president-elect"})
    assert response.status_code == 403
    assert ScheduleRun.objects.count() == 1


def test_calendar_bad_input_is_a_clear_422(people: dict[str, User]) -> None:
    officer = client_for(people["officer"])
    for query, words in (("days=99", "between 1 and 14"), ("start=someday", "YYYY-MM-DD"),
                         ("days=x", "number of days")):
        response = officer.get(f"/calls/calendar/?{query}")
        assert response.status_code == 422 and words in body_of(response), query
    assert officer.get("/calls/calendar/?principal=nobody").status_code == 404
    assert officer.get("/calls/solves/999/").status_code == 404


def test_a_week_when_europe_has_changed_its_clocks_and_america_not(
    world: dict[str, Any], people: dict[str, User], interpreter: Interpreter
) -> None:
    """Between Europe's last Sunday of October and America's first Sunday of November, Paris is
    five hours ahead of New York, not six: the leader's time beside the call says so."""
    now = clock.now().astimezone(NY)
    target = dt.date(now.year + 1, 11, 2)  # (2027: Europe changed on 31 Oct, the US on 7 Nov)
    while not (target.month == 11 and target.weekday() < 5
               and dt.datetime.combine(target, dt.time(12), tzinfo=NY).utcoffset()
               == dt.timedelta(hours=-4)
               and dt.datetime.combine(target, dt.time(12), tzinfo=ZoneInfo("Europe/Paris"))
               .utcoffset() == dt.timedelta(hours=1)):
        target += dt.timedelta(days=1)
        assert target.month == 11, "no such day"
    with clock.travel(dt.datetime.combine(target - dt.timedelta(days=3), dt.time(12),
                                          tzinfo=NY) - clock.now()):
        call = _approved(world, people, "pres_fr", "fr", "liaison_fr")
        start = dt.datetime.combine(target, dt.time(10), tzinfo=NY)
        scheduling.move_call(call, start, by=people["officer"])
        html = body_of(client_for(people["officer"]).get(
            f"/calls/calendar/?principal=president-elect&start={target}&days=1"))
    block = _block(html, call.tracking)
    assert "10:00–10:30" in block and "15:00 CET" in block


def test_reassign_attempts_and_completion_through_the_call_page(
    macron: CallRequest, people: dict[str, User], interpreter: Interpreter
) -> None:
    other = Interpreter.objects.create(
        user=make_user("interpreter.fr2", "interpreter"), name="Luc Martin", languages=["fr"],
        time_zone="America/New_York", day_start=dt.time(7), day_end=dt.time(22),
    )
    officer = client_for(people["officer"])
    page = body_of(officer.get(f"/calls/{macron.tracking}/"))
    assert 'id="act-reassign"' in page and "Luc Martin" in page
    assert officer.post(f"/calls/{macron.tracking}/act/reassign/",
                        {"interpreter": "9999"}).status_code == 422
    response = officer.post(f"/calls/{macron.tracking}/act/reassign/",
                            {"interpreter": str(other.pk)})
    assert response.status_code == 302 and fresh(macron).interpreter == other
    # An attempt with an unknown outcome: 422, nothing recorded.
    assert officer.post(f"/calls/{macron.tracking}/act/attempt/",
                        {"outcome": "maybe"}).status_code == 422
    assert not fresh(macron).attempts.exists()
    officer.post(f"/calls/{macron.tracking}/act/attempt/",
                 {"outcome": "no_answer", "note": "Élysée switchboard busy"})
    officer.post(f"/calls/{macron.tracking}/act/attempt/", {"outcome": "connected"})
    assert fresh(macron).state == CallState.CONNECTED
    assert officer.post(f"/calls/{macron.tracking}/act/complete/",
                        {"minutes": "half an hour"}).status_code == 422
    officer.post(f"/calls/{macron.tracking}/act/complete/", {"minutes": "28"})
    assert fresh(macron).state == CallState.COMPLETED
    kinds = [e.kind for e in history("call", macron.pk)]
    assert kinds[-5:] == ["call.interpreter", "call.attempt", "call.attempt", "call.connected",
                          "call.completed"]
    html = body_of(officer.get(f"/calls/{macron.tracking}/"))
    assert "Élysée switchboard busy" in html and "No answer" in html
