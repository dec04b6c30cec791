"""Invitations as iCalendar (RFC 5545/5546), parsed back with ``icalendar``: the stable UID, the
SEQUENCE of updates, METHOD and STATUS, DTSTART in the principal's zone with a VTIMEZONE whose
offsets are right on both sides of a daylight-saving change, organizer and attendees, and no
private purpose."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import icalendar
from django.db import transaction

from chancery.calls import ical
from chancery.calls.models import CallSettings, Interpreter, Invitation
from chancery.calls.services import invitations
from chancery.calls.services.common import settings_for
from tests.calls.placed import ny, place

UTC = dt.UTC


def _one_event(data: bytes | str) -> tuple[Any, Any]:
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


def _emails(event: Any) -> list[str]:
    found = event.get("attendee")
    found = found if isinstance(found, list) else [found]
    return sorted(str(a).removeprefix("mailto:") for a in found if a is not None)


def test_request_carries_uid_sequence_method_attendees_and_no_purpose(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    people["liaison_fr"].email = "liaison@france.example"
    people["liaison_fr"].save()
    interpreter.user.email = "claire@interpreters.example"
    interpreter.user.save()
    settings = settings_for(world["pe"])
    settings.dial_in = "Bridge +1 202 555 0100, PIN 2020#"
    settings.save()
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)

    cal, event = _one_event(ical.call_event_ics(call, "REQUEST"))

    assert str(cal["method"]) == "REQUEST"
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]) == ical.PRODID
    assert str(event["uid"]) == f"{call.tracking}@chancery"
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert event["dtstart"].dt == ny(2020, 11, 10, 9, 0)
    assert event["dtend"].dt == ny(2020, 11, 10, 9, 30)  # consecutive interpretation: 2 × 15
    assert event["dtstamp"].dt.tzinfo is not None
    assert str(event["organizer"]) == f"mailto:{ical.organizer_address()}"
    assert _emails(event) == [
        "claire@interpreters.example", "liaison@france.example", "office@example.org",
    ]
    text = str(event["description"])
    assert "15:00–15:30 CET (Europe/Paris)" in text  # the leader's local time
    assert "09:00–09:30 EST" in text
    assert "French" in text and "Claire Fontaine" in text
    assert "Bridge +1 202 555 0100, PIN 2020#" in text
    assert "Emmanuel Macron" in str(event["summary"])
    assert "Biden" in str(event["summary"])
    raw = ical.call_event_ics(call, "REQUEST").decode()
    assert "climate" not in raw and "Private" not in raw  # the purpose is never sent


def test_vtimezone_offsets_right_on_both_sides_of_the_us_change(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    """30 October 2020: Paris is already on winter time (25 October), New York not yet
    (1 November); the call shows 09:00 in New York = 14:00 in Paris, and the calendar's own
    VTIMEZONE gives -04:00 before 1 November and -05:00 after."""
    call = place(world, people, at=ny(2020, 10, 30, 9, 0), interpreter=interpreter)
    cal, event = _one_event(ical.call_event_ics(call, "REQUEST"))

    zones = {str(z["tzid"]): z for z in cal.walk("VTIMEZONE")}
    assert set(zones) == {"America/New_York"}
    tz = zones["America/New_York"].to_tz()
    before = dt.datetime(2020, 10, 30, 9, 0)
    after = dt.datetime(2020, 11, 2, 9, 0)
    assert tz.utcoffset(before) == dt.timedelta(hours=-4)
    assert tz.utcoffset(after) == dt.timedelta(hours=-5)
    # The next spring change too (the VTIMEZONE covers the dates around the call).
    assert tz.utcoffset(dt.datetime(2021, 3, 15, 9, 0)) == dt.timedelta(hours=-4)
    # DTSTART as written (local wall time + TZID) is the right instant once read with the
    # calendar's own VTIMEZONE.
    line = next(ln for ln in cal.to_ical().decode().splitlines() if ln.startswith("DTSTART;"))
    assert line == "DTSTART;TZID=America/New_York:20201030T090000"
    assert before.replace(tzinfo=tz).astimezone(UTC) == dt.datetime(2020, 10, 30, 13, 0,
                                                                     tzinfo=UTC)
    assert "14:00–14:30 CET (Europe/Paris)" in str(event["description"])


def test_reschedule_sends_sequence_plus_one_same_uid_then_cancel(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    with transaction.atomic():
        first = invitations.invite(call)
    # A move, as scheduling does it: new time, sequence raised, an update queued.
    with transaction.atomic():
        call.start = call.start + dt.timedelta(hours=2)  # type: ignore[operator]
        call.end = call.end + dt.timedelta(hours=2)  # type: ignore[operator]
        call.sequence += 1
        call.save()
        update = invitations.invite(call)
    _, e1 = _one_event(first.ics)
    cal2, e2 = _one_event(update.ics)
    assert str(e1["uid"]) == str(e2["uid"]) == f"{call.tracking}@chancery"
    assert (int(e1["sequence"]), int(e2["sequence"])) == (0, 1)
    assert (first.sequence, update.sequence) == (0, 1)
    assert e2["dtstart"].dt == ny(2020, 11, 10, 11, 0)
    assert str(cal2["method"]) == "REQUEST"

    # Unscheduled (as a decline does): the time cleared, sequence raised, a CANCEL queued.
    with transaction.atomic():
        call.start = call.end = None
        call.sequence += 1
        call.save()
        gone = invitations.cancel(call)
    assert gone is not None
    cal3, e3 = _one_event(gone.ics)
    assert str(cal3["method"]) == "CANCEL"
    assert str(e3["status"]) == "CANCELLED"
    assert str(e3["uid"]) == str(e1["uid"])
    assert int(e3["sequence"]) == 2
    assert e3["dtstart"].dt == ny(2020, 11, 10, 11, 0)  # the time taken back
    assert gone.recipients == first.recipients
    assert list(Invitation.objects.filter(call=call).values_list("method", "sequence")) == [
        ("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2),
    ]


def test_cancel_of_a_call_never_invited_queues_nothing(
    world: dict[str, Any], people: dict[str, Any]
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), language="en", office="pm_ca")
    with transaction.atomic():
        assert invitations.cancel(call) is None
    assert not Invitation.objects.exists()


def test_feed_lists_calls_on_the_calendar_only(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    on = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    also = place(world, people, at=ny(2020, 11, 12, 10, 0), office="pm_ca", language="en")
    off = place(world, people, at=ny(2020, 11, 11, 9, 0), interpreter=interpreter)
    off.state = "deferred"
    off.start = off.end = None
    off.save()
    cal = icalendar.Calendar.from_ical(ical.feed_ics([on, also, off], "Calls"))
    assert cal.get("method") is None
    assert str(cal["x-wr-calname"]) == "Calls"
    uids = sorted(str(e["uid"]) for e in cal.walk("VEVENT"))
    assert uids == sorted([f"{on.tracking}@chancery", f"{also.tracking}@chancery"])
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == ["America/New_York"]


def test_principal_in_another_zone_writes_its_own_vtimezone(
    world: dict[str, Any], people: dict[str, Any]
) -> None:
    pe = world["pe"]
    pe.time_zone = "Europe/London"
    pe.save()
    CallSettings.objects.all().delete()
    at = dt.datetime(2020, 3, 27, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    call = place(world, people, at=at, office="pm_ca", language="en")
    cal, event = _one_event(ical.call_event_ics(call, "REQUEST"))
    assert event["dtstart"].params["TZID"] == "Europe/London"
    tz = next(iter(cal.walk("VTIMEZONE"))).to_tz()
    assert tz.utcoffset(dt.datetime(2020, 3, 27, 10, 0)) == dt.timedelta(0)
    assert tz.utcoffset(dt.datetime(2020, 3, 30, 10, 0)) == dt.timedelta(hours=1)


def test_the_organizer_is_the_operations_center_address(
    world: dict[str, Any], people: dict[str, Any], settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "calls@transition.example"
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), office="pm_ca", language="en")
    _, event = _one_event(ical.call_event_ics(call, "REQUEST"))
    assert str(event["organizer"]) == "mailto:calls@transition.example"
    assert event["organizer"].params["CN"] == "Operations Center"
    settings.CHANCERY_CALLS_ORGANIZER = "desk@transition.example"
    _, event = _one_event(ical.call_event_ics(call, "CANCEL"))
    assert str(event["organizer"]) == "mailto:desk@transition.example"
    assert "Interpreter: none needed." in str(event["description"])
