"""The call package: what the principal needs before a call, on one page and in its PDF.

``package_context(call, user)`` gathers it for ``user`` (the page and the PDF draw the same
template from it): the leader's office and time in office, languages, the call's time on both
sides (each zone's abbreviation, daylight saving as on that day), the duration with
interpretation, the interpreter, the prior correspondence between that leader's offices and the
principal that ``user`` may see (through ``correspondence.access``; its text and signed-off
translation only where ``user`` may read them, each read recorded), the prior calls with that
leader that ``user`` may see (completed ones), the talking points and their clearance.

Who may read a package is ``access_package``: officers, the auditor, the principal's office of
that principal, and the interpreter assigned to the call. Everyone else gets a 404, as for a
call they may not know exists (a liaison follows its request in the portal, never the package).
Reading one is a content read (``ledger.reads``, part ``package``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, profile_of
from chancery.calls import access
from chancery.calls.models import CallRequest, CallState
from chancery.calls.services import actions
from chancery.calls.services.common import OFFICERS
from chancery.correspondence.access import can_read_content, read_content, visible_messages
from chancery.correspondence.models import Translation
from chancery.directory.models import Office
from chancery.errors import NotFound
from chancery.ledger.reads import record_read

PART = "package"
"""The part of a call a package read records (``ledger.reads``)."""


def may_read_package(user: Any, call: CallRequest) -> bool:
    """Officers, the auditor, the principal's office of the call's principal, the interpreter
    assigned to the call."""
    if has_role(user, *OFFICERS, Role.AUDITOR):
        return True
    if has_role(user, Role.PRINCIPAL_OFFICE) and profile_of(user).principal_id == call.principal_id:
        return True
    return bool(
        has_role(user, Role.INTERPRETER) and call.interpreter_id is not None
        and call.interpreter is not None and call.interpreter.user_id == user.pk
    )


def access_package(user: Any, tracking: str) -> CallRequest:
    """The call whose package ``user`` may read; 404 otherwise (the same answer as for a call
    that does not exist)."""
    call = access.access_call(user, tracking)
    if not may_read_package(user, call):
        raise NotFound(f"No call package for {tracking} that you can see.", field="tracking")
    return call


# --------------------------------------------------------------------------- pieces


def years_and_days(since: dt.date, today: dt.date) -> tuple[int, int]:
    """Whole years since ``since`` (anniversaries; 29 February counts on 28 February in
    other years) and the days after the last anniversary."""
    if today < since:
        return 0, 0
    years = today.year - since.year
    while years > 0 and _anniversary(since, years) > today:
        years -= 1
    return years, (today - _anniversary(since, years)).days


def _anniversary(since: dt.date, years: int) -> dt.date:
    try:
        return since.replace(year=since.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(since.year + years, 2, 28)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def in_office_text(took: dt.date | None, today: dt.date) -> str:
    if took is None:
        return "Date of taking office not on record"
    years, days = years_and_days(took, today)
    if today < took:
        return f"Takes office on {took:%-d %B %Y}"
    if years == 0:
        return f"{_plural(days, 'day')} (since {took:%-d %B %Y})"
    return f"{_plural(years, 'year')} and {_plural(days, 'day')} (since {took:%-d %B %Y})"


@dataclass(frozen=True)
class LocalTime:
    """A moment in one zone: the zone's name and abbreviation on that day, the offset."""

    zone: str
    start: dt.datetime
    end: dt.datetime | None

    @property
    def abbreviation(self) -> str:
        return self.start.tzname() or self.zone

    @property
    def offset(self) -> str:
        off = self.start.utcoffset() or dt.timedelta()
        minutes = int(off.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    @property
    def text(self) -> str:
        """'Monday 9 November 2020, 10:00–10:30 EST'."""
        day = f"{self.start:%A} {self.start.day} {self.start:%B %Y}"
        end = f"–{self.end:%H:%M}" if self.end is not None else ""
        if self.end is not None and self.end.date() != self.start.date():
            end += f" (+{(self.end.date() - self.start.date()).days}d)"
        return f"{day}, {self.start:%H:%M}{end} {self.abbreviation}"


def local_time(moment: dt.datetime | None, end: dt.datetime | None, zone: str) -> LocalTime | None:
    if moment is None:
        return None
    tz = ZoneInfo(zone)
    return LocalTime(zone, moment.astimezone(tz), end.astimezone(tz) if end else None)


def duration_text(call: CallRequest) -> str:
    speaking = _plural(call.duration, "minute")
    if not call.interpreted:
        return f"{speaking} (in English, no interpretation)"
    if call.brings_interpreter:
        return (f"{speaking}; the leader's side brings its own interpreter "
                f"(simultaneous): {_plural(call.planned_minutes, 'minute')} in the diary")
    return (f"{speaking} of speaking time, {_plural(call.planned_minutes, 'minute')} with "
            "consecutive interpretation")


def _leader_offices(office: Office) -> list[int]:
    """The offices of the call's leader (all of them: a leader who wrote as foreign minister
    and calls as head of government), or the office alone when it has no leader."""
    if office.leader_id is None:
        return [office.pk]
    return list(Office.objects.filter(leader_id=office.leader_id).values_list("pk", flat=True))


def prior_correspondence(call: CallRequest, user: Any, *, via: str) -> list[dict[str, Any]]:
    """Messages from that leader's offices to the call's principal that ``user`` may see,
    oldest first; text and signed-off translation only when ``user`` may read the content
    (each such read recorded, as on the message's own page)."""
    messages = (
        visible_messages(user)
        .filter(principal_id=call.principal_id, sender_office_id__in=_leader_offices(call.office))
        .order_by("received_at", "id")
    )
    found = []
    for message in messages:
        readable = can_read_content(user, message)
        item: dict[str, Any] = {"message": message, "readable": readable}
        if readable:
            read_content(user, message, via=via, part=PART)
            item["translation"] = (
                message.translations.filter(status=Translation.Status.SIGNED_OFF)
                .order_by("-signed_off_at", "-id").first()
            )
        found.append(item)
    return found


def prior_calls(call: CallRequest, user: Any) -> list[CallRequest]:
    """Completed calls with the same leader (any of its offices) that ``user`` may see."""
    return list(
        access.visible_calls(user)
        .filter(office_id__in=_leader_offices(call.office), state=CallState.COMPLETED)
        .exclude(pk=call.pk)
        .select_related("principal", "office", "interpreter")
        .order_by("start", "id")
    )


# --------------------------------------------------------------------------- the package


def package_context(call: CallRequest, user: Any, *, via: str = "web") -> dict[str, Any]:
    """Everything the package shows ``user``; records the read (``via``: web or export).
    The caller has checked access (``access_package``)."""
    office = call.office
    leader = office.leader
    principal = call.principal
    today = clock.now().astimezone(ZoneInfo(call.time_zone)).date()
    record_read(user, access.SUBJECT, call.pk, via=via, part=PART)
    draft = actions.may(call, user, "draft_points")
    clear = actions.may(call, user, "clear_package")
    return {
        "call": call,
        "office": office,
        "leader": leader,
        "principal": principal,
        "in_office": in_office_text(office.took_office, today),
        "leader_languages": list(leader.languages) if leader else [],
        "principal_time": local_time(call.start, call.end, principal.time_zone),
        "leader_time": local_time(call.start, call.end, call.time_zone),
        "duration": duration_text(call),
        "interpreter": call.interpreter,
        "needs_interpreter": call.interpreted and not call.brings_interpreter,
        "correspondence": prior_correspondence(call, user, via=via),
        "prior_calls": [
            {"call": c, "principal_time": local_time(c.start, c.end, c.principal.time_zone),
             "leader_time": local_time(c.start, c.end, c.time_zone)}
            for c in prior_calls(call, user)
        ],
        "talking_points": call.talking_points,
        "cleared": call.cleared_at is not None,
        "cleared_by": call.cleared_by,
        "cleared_at": call.cleared_at,
        "draft": draft,
        "clear": clear,
        "generated_at": clock.now(),
    }
