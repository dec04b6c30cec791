"""The interpreter roster (enrolment, changes, each an ``interpreter.enrolled`` event), bad input
refused with the field named and nothing written, and the reassignment of a call's interpreter
with its refusals in words."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import icalendar
import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from chancery import clock
from chancery.accounts.models import Profile, Role
from chancery.accounts.roles import roles_of
from chancery.calls.models import CallRequest, Interpreter, Invitation
from chancery.calls.services import interpreters, invitations
from chancery.calls.services.interpreters import (
    enroll_interpreter,
    interpreter_for,
    reassign_interpreter,
    update_interpreter,
)
from chancery.errors import Conflict, Forbidden, InvalidInput
from chancery.ledger.models import Event
from chancery.ledger.services import history
from chancery.testing import body_of, client_for, fresh
from tests.calls.placed import ny, place

GOOD: dict[str, Any] = {
    "username": "interp.es", "name": "Ana Ruiz", "languages": ["es", "pt"],
    "time_zone": "Europe/Madrid", "day_start": "08:00", "day_end": "18:00", "daily_cap": 3,
}


def _counts() -> tuple[int, int, int, int]:
    return (User.objects.count(), Profile.objects.count(), Interpreter.objects.count(),
            Event.objects.filter(subject_type="interpreter").count())


def test_an_officer_enrols_an_interpreter_with_a_login(people: dict[str, Any]) -> None:
    interp = enroll_interpreter(by=people["protocol"], password="a-long-pass-phrase-2020",
                                email="ana@interpreters.example", **GOOD)
    assert interp.languages == ["es", "pt"]
    assert interp.day_start == dt.time(8) and interp.day_end == dt.time(18)
    assert interp.daily_cap == 3 and interp.active
    user = interp.user
    assert roles_of(user) == {Role.INTERPRETER}
    assert user.check_password("a-long-pass-phrase-2020")
    assert user.email == "ana@interpreters.example"
    assert user.profile.display_name == "Ana Ruiz"
    assert interpreter_for(user) == interp
    assert interpreter_for(people["officer"]) is None
    [event] = history("interpreter", interp.pk)
    assert event.kind == "interpreter.enrolled" and event.actor == people["protocol"]
    assert event.data["languages"] == ["es", "pt"]
    assert event.data["time_zone"] == "Europe/Madrid"
    assert (event.data["day_start"], event.data["day_end"]) == ("08:00", "18:00")
    assert event.data["interpreter"] == interp.pk
    assert b"Ana Ruiz" not in bytes(event.leaf)  # the name is private


def test_without_a_password_the_login_waits_for_one(people: dict[str, Any]) -> None:
    interp = enroll_interpreter(by=people["admin"], **GOOD)
    assert not interp.user.has_usable_password()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"languages": []}, "languages", "at least one language"),
        ({"languages": ["en"]}, "languages", "not 'en'"),
        ({"languages": ["xx"]}, "languages", "not an ISO 639-1"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not an IANA time zone"),
        ({"day_start": "18:00", "day_end": "08:00"}, "day_end", "start before they end"),
        ({"day_start": "9am"}, "day_start", "HH:MM"),
        ({"daily_cap": 0}, "daily_cap", "from 1 to 12"),
        ({"daily_cap": 13}, "daily_cap", "from 1 to 12"),
        ({"username": ""}, "username", "Give a username"),
        ({"username": "officer.one"}, "username", "taken"),
        ({"name": " "}, "name", "name"),
    ],
)
def test_bad_roster_input_is_refused_with_the_field_and_nothing_written(
    people: dict[str, Any], change: dict[str, Any], field: str, words: str
) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        enroll_interpreter(by=people["officer"], **{**GOOD, **change})
    assert err.value.field == field
    assert words in err.value.message
    assert _counts() == before


def test_only_officers_and_admin_keep_the_roster(
    people: dict[str, Any], interpreter: Interpreter
) -> None:
    for who in ("liaison_fr", "staffer", "auditor", "translator"):
        with pytest.raises(Forbidden):
            enroll_interpreter(by=people[who], **GOOD)
        with pytest.raises(Forbidden):
            update_interpreter(interpreter, by=people[who], daily_cap=2)
    assert not Interpreter.objects.filter(name="Ana Ruiz").exists()


def test_update_records_the_new_state(people: dict[str, Any], interpreter: Interpreter) -> None:
    update_interpreter(interpreter, by=people["officer"], languages="fr, it", daily_cap="6",
                       email="claire@interpreters.example")
    row = fresh(interpreter)
    assert row.languages == ["fr", "it"] and row.daily_cap == 6
    assert row.user.email == "claire@interpreters.example"
    [event] = history("interpreter", interpreter.pk)
    assert event.data["languages"] == ["fr", "it"] and event.data["daily_cap"] == 6
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        update_interpreter(interpreter, by=people["officer"], day_end="06:00")
    assert err.value.field == "day_end"
    with pytest.raises(InvalidInput) as err:
        update_interpreter(interpreter, by=people["officer"], username="x")
    assert err.value.field == "username"
    assert _counts() == before and fresh(interpreter).day_end == dt.time(22)


# --- reassignment -------------------------------------------------------------------------------


@pytest.fixture
def others(people: dict[str, Any]) -> dict[str, Interpreter]:
    officer = people["officer"]
    return {
        "paris": enroll_interpreter(
            by=officer, username="interp.paris", name="Luc Martin", languages=["fr"],
            time_zone="Europe/Paris", day_start="08:00", day_end="20:00", daily_cap=1,
            email="luc@interpreters.example",
        ),
        "es": enroll_interpreter(
            by=officer, username="interp.es", name="Ana Ruiz", languages=["es"],
            time_zone="America/New_York", day_start="07:00", day_end="22:00", daily_cap=4,
        ),
        "tokyo": enroll_interpreter(
            by=officer, username="interp.tokyo", name="Aiko Sato", languages=["fr", "ja"],
            time_zone="Asia/Tokyo", day_start="09:00", day_end="18:00", daily_cap=4,
        ),
    }


def _call_events(call: CallRequest) -> list[str]:
    return [e.kind for e in history("call", call.pk)]


def test_reassignment_records_raises_sequence_and_sends_update(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter,
    others: dict[str, Interpreter],
) -> None:
    interpreter.user.email = "claire@interpreters.example"
    interpreter.user.save()
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    with transaction.atomic():
        first = invitations.invite(call)  # as the scheduler does when it places the call
    assert "claire@interpreters.example" in first.recipients
    reassign_interpreter(call, others["paris"], by=people["protocol"])  # 15:00 in Paris
    row = fresh(call)
    assert row.interpreter == others["paris"] and row.sequence == 1
    assert _call_events(call) == ["call.scheduled", "call.interpreter"]
    event = history("call", call.pk).last()
    assert event is not None
    assert event.data["interpreter"] == others["paris"].pk
    assert event.data["previous"] == interpreter.pk
    dropped, update = Invitation.objects.filter(call=call).exclude(pk=first.pk).order_by("id")
    assert (update.method, update.sequence) == ("REQUEST", 1)
    assert "luc@interpreters.example" in update.recipients
    assert "claire@interpreters.example" not in update.recipients
    assert (dropped.method, dropped.recipients) == ("CANCEL", ["claire@interpreters.example"])
    assert dropped.sequence == 1
    cancelled = icalendar.Calendar.from_ical(dropped.ics).walk("VEVENT")[0]
    assert str(cancelled["attendee"]) == "mailto:claire@interpreters.example"
    assert str(cancelled["uid"]) == f"{call.tracking}@chancery"


def test_reassignment_refusals_say_which_rule_fails(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter,
    others: dict[str, Interpreter],
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    officer = people["officer"]

    def refused(target: Interpreter) -> str:
        with pytest.raises(InvalidInput) as err:
            reassign_interpreter(call, target, by=officer)
        assert err.value.field == "interpreter"
        return err.value.message

    assert "does not interpret French" in refused(others["es"])
    # 09:00 in New York is 23:00 in Tokyo.
    assert "outside their hours 09:00–18:00" in refused(others["tokyo"])
    assert "23:00" in refused(others["tokyo"])
    # Luc is busy with another call at the same time.
    place(world, people, at=ny(2020, 11, 10, 9, 15), interpreter=others["paris"])
    assert "at the same time" in refused(others["paris"])
    # ... and, on another day, has reached his daily cap of one.
    other_day = place(world, people, at=ny(2020, 11, 12, 8, 0), interpreter=interpreter)
    place(world, people, at=ny(2020, 11, 12, 11, 0), interpreter=others["paris"])
    with pytest.raises(InvalidInput) as err:
        reassign_interpreter(other_day, others["paris"], by=officer)
    assert "daily cap is 1" in err.value.message
    with pytest.raises(InvalidInput) as err:
        reassign_interpreter(call, interpreter, by=officer)
    assert "already interprets" in err.value.message
    # Nothing changed, nothing queued.
    assert fresh(call).interpreter == interpreter and fresh(call).sequence == 0
    assert _call_events(call) == ["call.scheduled"]
    assert not Invitation.objects.exists()


def test_reassignment_needs_an_officer_and_a_schedulable_call(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter,
    others: dict[str, Interpreter],
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    for who in ("liaison_fr", "staffer", "auditor"):
        with pytest.raises(Forbidden):
            reassign_interpreter(call, others["paris"], by=people[who])
    untimed = place(world, people, at=ny(2020, 11, 11, 9, 0), interpreter=interpreter)
    with transaction.atomic():
        CallRequest.objects.filter(pk=untimed.pk).update(state="approved", start=None, end=None)
    with pytest.raises(Conflict, match="has no time yet"):
        reassign_interpreter(fresh(untimed), others["paris"], by=people["officer"])
    with transaction.atomic():
        CallRequest.objects.filter(pk=call.pk).update(state="completed")
    with pytest.raises(Conflict, match="completed"):
        reassign_interpreter(fresh(call), others["paris"], by=people["officer"])
    assert fresh(call).interpreter == interpreter


def test_unfit_reason_is_empty_for_a_free_interpreter(
    world: dict[str, Any], people: dict[str, Any], others: dict[str, Interpreter]
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0))
    assert interpreters.unfit_reason(call, others["paris"]) == ""


# --- pages ----------------------------------------------------------------------------------------


def test_the_roster_page_per_persona(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    place(world, people, at=clock.now() + dt.timedelta(hours=1), interpreter=interpreter)
    url = reverse("call_interpreters")
    assert url == "/calls/interpreters/"
    page = client_for(people["officer"]).get(url)
    assert page.status_code == 200
    html = body_of(page)
    assert "Claire Fontaine" in html and "French (fr)" in html
    assert "America/New_York" in html and "07:00–22:00" in html
    assert reverse("call_interpreter_new") in html
    assert reverse("call_interpreter_edit", args=[interpreter.pk]) in html
    auditor = body_of(client_for(people["auditor"]).get(url))
    assert "Claire Fontaine" in auditor and reverse("call_interpreter_new") not in auditor
    for who in ("liaison_ca", "staffer", "translator"):
        assert client_for(people[who]).get(url).status_code == 403
    assert client_for(interpreter.user).get(url).status_code == 403


def test_calls_this_week_are_counted(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    from chancery.calls.views_interpreters import roster_rows, week_bounds

    start, end = week_bounds()
    place(world, people, at=start + dt.timedelta(hours=10), interpreter=interpreter)
    place(world, people, at=start + dt.timedelta(days=2, hours=10), interpreter=interpreter)
    place(world, people, at=end + dt.timedelta(hours=10), interpreter=interpreter)  # next week
    [row] = roster_rows(people["protocol"])
    assert row.week_calls == 2


def test_enrol_form_good_and_bad(people: dict[str, Any]) -> None:
    client = client_for(people["protocol"])
    url = reverse("call_interpreter_new")
    assert client.get(url).status_code == 200
    before = _counts()
    bad = client.post(url, {**GOOD, "languages": ""})
    assert bad.status_code == 422
    assert "at least one language" in body_of(bad)
    assert "The interpreter was not enrolled" in body_of(bad)
    bad = client.post(url, {**GOOD, "time_zone": "Paris"})
    assert bad.status_code == 422 and "not an IANA time zone" in body_of(bad)
    bad = client.post(url, {**GOOD, "day_start": "19:00"})
    assert bad.status_code == 422 and "start before they end" in body_of(bad)
    assert _counts() == before
    good = client.post(url, {**GOOD, "languages": "es, pt"})
    assert good.status_code == 302
    interp = Interpreter.objects.get(user__username="interp.es")
    assert interp.languages == ["es", "pt"]
    assert client_for(people["auditor"]).post(url, GOOD).status_code == 403


def test_edit_form(people: dict[str, Any], interpreter: Interpreter) -> None:
    client = client_for(people["admin"])
    url = reverse("call_interpreter_edit", args=[interpreter.pk])
    page = body_of(client.get(url))
    assert 'value="fr"' in page and 'value="America/New_York"' in page
    form = {"name": "Claire Fontaine", "languages": "fr", "time_zone": "America/New_York",
            "day_start": "07:00", "day_end": "22:00", "daily_cap": "40", "email": "",
            "active": "on"}
    bad = client.post(url, form)
    assert bad.status_code == 422 and "from 1 to 12" in body_of(bad)
    assert history("interpreter", interpreter.pk).count() == 0
    assert client.post(url, {**form, "daily_cap": "5"}).status_code == 302
    assert fresh(interpreter).daily_cap == 5
    assert client_for(people["officer"]).get(
        reverse("call_interpreter_edit", args=[999999])).status_code == 404


def test_an_interpreter_lands_on_its_assignments(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    other = place(world, people, at=ny(2020, 11, 10, 11, 0), office="pm_ca", language="en")
    client = client_for(interpreter.user)
    home = client.get(reverse("home"))
    assert home.status_code == 302 and home["Location"] == reverse("call_my_assignments")
    html = body_of(client.get(reverse("call_my_assignments")))
    assert call.tracking in html and other.tracking not in html
    assert "Emmanuel Macron" in html
    assert "15:00–15:30 CET" in html  # the leader's local time
    assert "09:00–09:30 EST" in html  # the principal's (and here the interpreter's own)
    assert client_for(people["officer"]).get(reverse("call_my_assignments")).status_code == 403


# --- API ------------------------------------------------------------------------------------------


@pytest.fixture
def api(client: Client, token_for: Any) -> Any:
    tokens: dict[int, str] = {}

    def _api(user: User, method: str, path: str, body: Any = None) -> Any:
        if user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        fn = getattr(client, method.lower())
        extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        if body is None:
            return fn(f"/api/v1{path}", **extra)
        return fn(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                  **extra)

    return _api


def test_roster_over_the_api(api: Any, people: dict[str, Any], interpreter: Interpreter) -> None:
    before = _counts()
    r = api(people["officer"], "POST", "/interpreters", {**GOOD, "languages": []})
    assert r.status_code == 422
    assert r.json()["field"] == "languages" and "at least one language" in r.json()["detail"]
    r = api(people["officer"], "POST", "/interpreters", {**GOOD, "time_zone": "Nowhere/City"})
    assert r.status_code == 422 and r.json()["field"] == "time_zone"
    assert api(people["liaison_ca"], "POST", "/interpreters", GOOD).status_code == 403
    assert _counts() == before
    r = api(people["officer"], "POST", "/interpreters", GOOD)
    assert r.status_code == 201
    created = r.json()
    assert created["languages"] == ["es", "pt"] and created["day_start"] == "08:00"
    listed = api(people["auditor"], "GET", "/interpreters")
    assert listed.status_code == 200
    assert {i["name"] for i in listed.json()} == {"Ana Ruiz", "Claire Fontaine"}
    assert api(people["liaison_ca"], "GET", "/interpreters").status_code == 403
    r = api(people["admin"], "PATCH", f"/interpreters/{created['id']}", {"daily_cap": 2})
    assert r.status_code == 200 and r.json()["daily_cap"] == 2
    r = api(people["admin"], "PATCH", f"/interpreters/{created['id']}", {"languages": ["en"]})
    assert r.status_code == 422 and r.json()["field"] == "languages"


def test_reassign_and_feeds_over_the_api(
    api: Any, world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter,
    others: dict[str, Interpreter],
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    path = f"/calls/{call.tracking}/interpreter"
    r = api(people["officer"], "POST", path, {"interpreter": others["es"].pk})
    assert r.status_code == 422 and "does not interpret French" in r.json()["detail"]
    r = api(people["officer"], "POST", path, {"interpreter": others["paris"].pk})
    assert r.status_code == 200
    assert r.json() == {"call": call.tracking, "interpreter": others["paris"].pk, "sequence": 1}
    assert api(people["liaison_fr"], "POST", path, {"interpreter": None}).status_code in (403, 404)

    r = api(interpreter.user, "POST", "/feeds", {})
    assert r.status_code == 201 and "/calls/feeds/chf_" in r.json()["url"]
    assert api(people["officer"], "POST", "/feeds", {}).status_code == 403
    r = api(people["officer"], "POST", "/feeds", {"principal": "president-elect"})
    assert r.status_code == 201
    assert api(people["staffer"], "POST", "/feeds",
               {"principal": "president-elect"}).status_code == 403
