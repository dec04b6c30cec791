"""The principal's blocked time: periods in which no call is placed (beside the daily call hours).

Officers (or an admin) block and unblock time; each change goes with its ``calls.blocked`` /
``calls.unblocked`` event in one transaction, and queues a re-solve of the principal's calendar
(``scheduling.request_solve``) when it matters: a block with calls on the calendar inside it (the
solve moves them out; a call an officer fixed stays where it is and is named, to be moved by
hand), an unblock while calls wait for a time. The scheduler (``scheduling.build_problem``,
``move_call``) reads the rows; ``calls/checks.py`` compares each row with its last event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import require_role, roles_of
from chancery.calls.models import ON_CALENDAR, BlockedTime, CallRequest, CallState
from chancery.calls.services import scheduling
from chancery.calls.services.common import OFFICERS, iso
from chancery.directory.models import Principal
from chancery.errors import InvalidInput, NotFound
from chancery.ledger.services import record_event

GRID = 5
"""Minutes: blocked time starts and ends on the scheduler's grid."""

MAX_DAYS = 14
"""The longest period one block covers (a longer absence is several blocks)."""

MAX_LABEL = 200


def _aware(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise InvalidInput(f"{name} must be a date and time (e.g. 2020-11-26T00:00).", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(
            f"{name} {value:%Y-%m-%d %H:%M} has no time zone: give it in the principal's zone "
            "(or with its UTC offset).",
            field=name,
        )
    if value.second or value.microsecond or value.minute % GRID:
        raise InvalidInput(
            f"{name} {value:%H:%M:%S} is not on the {GRID}-minute grid (e.g. 09:00, 09:05).",
            field=name,
        )
    return value


def _check(principal: Principal, start: Any, end: Any, label: Any) -> tuple[dt.datetime,
                                                                               dt.datetime, str]:
    start, end = _aware(start, "start"), _aware(end, "end")
    if not end > start:
        raise InvalidInput(
            f"end {end.isoformat()} is not after start {start.isoformat()}: a blocked period "
            "ends after it starts.",
            field="end",
        )
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise InvalidInput(
            f"a blocked period is at most {MAX_DAYS} days long (this one is "
            f"{(end - start).days} days and more): block a longer absence in parts.",
            field="end",
        )
    now = clock.now()
    slot = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=now.minute % GRID)
    if start < slot:
        raise InvalidInput(
            f"start {start.isoformat()} is in the past (now is {now:%Y-%m-%d %H:%M %Z}): block "
            "time from now on.",
            field="start",
        )
    if not isinstance(label, str):
        raise InvalidInput("label must be text.", field="label")
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise InvalidInput(f"label is at most {MAX_LABEL} characters (not {len(label)}).",
                           field="label")
    return start, end, label


def blocked_period(principal: Principal, pk: int) -> BlockedTime:
    """The principal's blocked period ``pk`` (404 naming it otherwise). The caller has chosen
    ``principal`` among those the user follows (``access_staff.followed_principals``)."""
    row = BlockedTime.objects.filter(pk=pk, principal=principal).first()
    if row is None:
        raise NotFound(f"The {principal.title} has no blocked time #{pk}.", field="blocked")
    return row


def calls_inside(principal: Principal, start: dt.datetime, end: dt.datetime
                 ) -> list[CallRequest]:
    """The principal's calls on the calendar that overlap [start, end)."""
    return list(
        CallRequest.objects.filter(
            principal=principal, state__in=[s.value for s in ON_CALENDAR],
            start__lt=end, end__gt=start,
        ).select_related("office__leader").order_by("start", "id")
    )


def _re_solve(principal: Principal, by: Any) -> None:
    """Queue a re-solve from today (an admin's change queues it as the system's)."""
    officer = bool(roles_of(by) & set(OFFICERS))
    scheduling.request_solve(principal, by=by if officer else None)


def block_time(principal: Principal, *, by: Any, start: Any, end: Any,
               label: str = "") -> BlockedTime:
    """Block [start, end) of ``principal``'s time (officers or an admin). Times are aware, on the
    5-minute grid, at most 14 days apart, not in the past, and overlap no other blocked period
    of the principal. The calls on the calendar inside it: ``calls_inside``; a re-solve is queued
    to move them (a fixed call stays: an officer moves it)."""
    require_role(by, *OFFICERS, Role.ADMIN, action="block a principal's time")
    start, end, label = _check(principal, start, end, label)
    with transaction.atomic():
        Principal.objects.select_for_update().filter(pk=principal.pk).first()
        other = (BlockedTime.objects.filter(principal=principal, start__lt=end, end__gt=start)
                 .order_by("start").first())
        if other is not None:
            zone = principal.time_zone
            raise InvalidInput(
                f"the period overlaps time already blocked ({other.label or 'blocked'}, "
                f"{_local(other.start, zone)} – {_local(other.end, zone)} {zone}): unblock that "
                "first or choose another period.",
                field="start",
            )
        row = BlockedTime.objects.create(principal=principal, start=start, end=end, label=label)
        record_event(
            "blocked_time", row.pk, "calls.blocked", actor=by,
            data={"principal": principal.slug, "start": iso(row.start), "end": iso(row.end),
                  "label": row.label},
        )
        if calls_inside(principal, start, end):
            _re_solve(principal, by)
    return row


def unblock_time(blocked: BlockedTime, *, by: Any) -> None:
    """Unblock a period (officers or an admin): the row is deleted and ``calls.unblocked``
    recorded together; a re-solve is queued when approved calls wait for a time."""
    require_role(by, *OFFICERS, Role.ADMIN, action="unblock a principal's time")
    with transaction.atomic():
        row = BlockedTime.objects.select_for_update().filter(pk=blocked.pk).first()
        if row is None:
            raise InvalidInput(f"blocked period #{blocked.pk} is not blocked any more.",
                               field="blocked")
        principal = row.principal
        record_event(
            "blocked_time", row.pk, "calls.unblocked", actor=by,
            data={"principal": principal.slug, "start": iso(row.start), "end": iso(row.end),
                  "label": row.label},
        )
        row.delete()
        waiting = CallRequest.objects.filter(
            principal=principal, state=CallState.APPROVED, waits_for=""
        ).exists()
        if waiting:
            _re_solve(principal, by)


def _local(moment: dt.datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%a %d %b %H:%M}"

