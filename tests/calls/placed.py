"""Calls for the interpreter and invitation tests: a request row as a
liaison's submission leaves it, placed at a time as the scheduler places it. Built directly so
that these tests exercise the calendar, the roster and the invitations on their own."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.calls.models import CallRequest, CallState, Interpreter
from chancery.calls.services.common import _call_event, iso


def place(
    world: dict[str, Any],
    people: dict[str, Any],
    *,
    at: dt.datetime,
    office: str = "pres_fr",
    principal: str = "pe",
    language: str = "fr",
    minutes: int = 15,
    interpreter: Interpreter | None = None,
    by: Any = None,
    brings_interpreter: bool = False,
) -> CallRequest:
    """A call of ``office`` with ``principal``, scheduled at ``at`` (aware) with ``interpreter``:
    the row and its ``call.scheduled`` event in one transaction."""
    off = world[office]
    liaison = people["liaison_fr" if office == "pres_fr" else "liaison_ca"]
    zone = off.leader.time_zone
    day = at.astimezone(zoneinfo.ZoneInfo(zone)).date()
    with transaction.atomic():
        call = CallRequest.objects.create(
            principal=world[principal], office=off, channel="portal", submitted_by=liaison,
            received_at=clock.now(), purpose="Private: congratulations and climate.",
            language=language, brings_interpreter=brings_interpreter, duration=minutes,
            time_zone=zone, earliest=day, latest=day, local_start=dt.time(0, 0),
            local_end=dt.time(23, 59),
            state=CallState.SCHEDULED, start=at.astimezone(dt.UTC),
            end=(at + dt.timedelta(minutes=minutes * (2 if language != "en" else 1)))
            .astimezone(dt.UTC),
            interpreter=interpreter, sequence=0,
        )
        _call_event(call, "call.scheduled", by or people["officer"], start=iso(call.start),
                    end=iso(call.end), interpreter=interpreter.pk if interpreter else None,
                    sequence=0, run=None, fixed=True)
    return call


NY = zoneinfo.ZoneInfo("America/New_York")


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)  # type: ignore[misc]
