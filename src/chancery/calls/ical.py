"""iCalendar (RFC 5545) for calls: one call's invitation (RFC 5546 METHOD REQUEST or CANCEL) and
the subscribable feeds of a principal or an interpreter.

A call's UID is stable (``<tracking>@chancery``) and its SEQUENCE is the call's ``sequence``
(raised by every move, reassignment or cancellation), so a calendar replaces the earlier copy.
Times are written in the principal's zone with a VTIMEZONE generated from zoneinfo for the
dates the calendar covers. The private purpose of a call is never written.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

import icalendar
from django.conf import settings

from chancery import clock
from chancery.calls.models import ON_CALENDAR, CallRequest

PRODID = "-//Chancery//Calls//EN"
DEFAULT_ORGANIZER = "opscenter@chancery.invalid"


def organizer_address() -> str:
    """The operations center's address: the setting ``CHANCERY_CALLS_ORGANIZER`` when the
    installation has one, else the From address of its mail (``CHANCERY_FROM_EMAIL``)."""
    return settings.CHANCERY_CALLS_ORGANIZER or settings.DEFAULT_FROM_EMAIL or DEFAULT_ORGANIZER


def uid_of(call: CallRequest) -> str:
    return f"{call.tracking}@chancery"


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def leader_name(call: CallRequest) -> str:
    office = call.office
    return office.leader.name if office.leader is not None else office.title


def summary(call: CallRequest) -> str:
    return f"Call: {leader_name(call)} ({call.office.title}) with {call.principal.name}"


def attendees(call: CallRequest) -> list[tuple[str, str]]:
    """(address, name) of whoever the invitation goes to: the principal's office, the liaison
    who submitted the request, the interpreter (each when an address is known)."""
    out: list[tuple[str, str]] = []
    if call.principal.office_email:
        out.append((call.principal.office_email, f"Office of the {call.principal.title}"))
    user = call.submitted_by
    if user is not None and user.email:
        out.append((user.email, user.get_full_name() or user.get_username()))
    interp = call.interpreter
    if interp is not None and interp.user.email:
        out.append((interp.user.email, interp.name))
    seen: set[str] = set()
    unique = []
    for address, name in out:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append((address, name))
    return unique


def _span(call: CallRequest, zone: zoneinfo.ZoneInfo) -> str:
    assert call.start is not None and call.end is not None
    start, end = call.start.astimezone(zone), call.end.astimezone(zone)
    return f"{start:%a %d %b %Y %H:%M}–{end:%H:%M %Z}"


def description(call: CallRequest, *, dial_in: str | None = None) -> str:
    """The event's text: both local times, the language, the interpreter, the dial-in
    (``dial_in``: the principal's, when the caller has it; read from its settings otherwise)."""
    from chancery.calls.scheduler import language_name
    from chancery.calls.services.common import settings_for

    lines = [summary(call).rstrip(".") + "."]
    if call.start is not None and call.end is not None:
        leader_zone = _zone(call.time_zone)
        principal_zone = _zone(call.principal.time_zone)
        lines.append(
            f"{call.principal.name}'s time: {_span(call, principal_zone)} "
            f"({call.principal.time_zone})."
        )
        lines.append(
            f"{leader_name(call)}'s local time: {_span(call, leader_zone)} ({call.time_zone})."
        )
    lines.append(f"Language: {language_name(call.language)}.")
    if not call.interpreted:
        lines.append("Interpreter: none needed.")
    elif call.brings_interpreter:
        lines.append("Interpreter: the leader's side brings its own.")
    elif call.interpreter is not None:
        lines.append(f"Interpreter: {call.interpreter.name}.")
    else:
        lines.append("Interpreter: not yet assigned.")
    if dial_in is None:
        dial_in = settings_for(call.principal).dial_in
    dial_in = dial_in.strip()
    if dial_in:
        lines.append("")
        lines.append("Dial-in:")
        lines.append(dial_in)
    lines.append("")
    lines.append(f"Reference: {call.tracking}.")
    return "\n".join(lines)


def _vevent(call: CallRequest, *, cancelled: bool, start: dt.datetime | None = None,
            end: dt.datetime | None = None, stamp: dt.datetime,
            only: list[str] | None = None, dial_in: str | None = None) -> icalendar.Event:
    zone = _zone(call.principal.time_zone)
    event = icalendar.Event()
    event.add("uid", uid_of(call))
    event.add("sequence", call.sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    start = start or call.start
    end = end or call.end
    if start is not None and end is not None:
        event.add("dtstart", start.astimezone(zone))
        event.add("dtend", end.astimezone(zone))
    event.add("summary", summary(call))
    event.add("description", description(call, dial_in=dial_in))
    organizer = icalendar.vCalAddress(f"mailto:{organizer_address()}")
    organizer.params["cn"] = icalendar.vText("Operations Center")
    event.add("organizer", organizer)
    people = attendees(call) if only is None else [(a, a) for a in only]
    for address, name in people:
        attendee = icalendar.vCalAddress(f"mailto:{address}")
        attendee.params["cn"] = icalendar.vText(name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(method: str | None, name: str | None = None) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _finish(cal: icalendar.Calendar, moments: list[dt.datetime]) -> bytes:
    if moments:
        # Whole years around the calls: every offset change near them is described.
        first = dt.date(min(moments).year - 1, 1, 1)
        last = dt.date(max(moments).year + 1, 12, 31)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return bytes(cal.to_ical())


def call_event_ics(call: CallRequest, method: str, *, start: dt.datetime | None = None,
                   end: dt.datetime | None = None, only: list[str] | None = None) -> bytes:
    """The invitation of ``call``: METHOD REQUEST (a new or changed call, STATUS CONFIRMED) or
    CANCEL (STATUS CANCELLED). ``start``/``end``: the time being cancelled when the call has
    already lost its own (a CANCEL after the call was unscheduled). ``only``: the attendees
    (addresses) a CANCEL takes off the event, when the call itself goes on."""
    method = method.upper()
    if method not in {"REQUEST", "CANCEL"}:
        raise ValueError(f"unknown iTIP method {method!r}: REQUEST or CANCEL")
    cancelled = method == "CANCEL"
    if not cancelled and (call.start is None or call.end is None):
        raise ValueError(f"{call.tracking} has no time: nothing to invite to")
    cal = _calendar(method)
    event = _vevent(call, cancelled=cancelled, start=start, end=end, stamp=clock.now(),
                    only=only)
    cal.add_component(event)
    moments = [m for m in (start or call.start, end or call.end) if m is not None]
    return _finish(cal, moments)


def feed_calls(calls: Iterable[CallRequest]) -> list[CallRequest]:
    return [c for c in calls if c.state in ON_CALENDAR and c.start is not None
            and c.end is not None]


def feed_ics(calls: Iterable[CallRequest], name: str) -> bytes:
    """A subscribable calendar (no METHOD) of the calls on the calendar among ``calls``
    (scheduled, cleared, connected, completed); calls without a time are left out."""
    from chancery.calls.services.common import settings_for

    cal = _calendar(None, name)
    stamp = clock.now()
    moments: list[dt.datetime] = []
    dial_ins: dict[int, str] = {}  # one read of each principal's settings
    for call in feed_calls(calls):
        if call.principal_id not in dial_ins:
            dial_ins[call.principal_id] = settings_for(call.principal).dial_in
        cal.add_component(_vevent(call, cancelled=False, stamp=stamp,
                                  dial_in=dial_ins[call.principal_id]))
        assert call.start is not None and call.end is not None
        moments += [call.start, call.end]
    return _finish(cal, moments)


def parse(data: bytes | str) -> Any:
    """The calendar back from its text (for tests and the admin)."""
    return icalendar.Calendar.from_ical(data)


__all__ = ["call_event_ics", "feed_ics", "organizer_address", "uid_of"]
