"""What the public transparency page shows of calls: counts, never names or content.

``call_counts`` groups every principal's call requests by the day they were received (in the
principal's own time zone) and counts where each stands now, in columns that partition the
day's requests (each request in exactly one), so the columns add up to the received count:
waiting for the support policy, in the queue (requested, triaged, approved), scheduled
(scheduled, package cleared, connected), completed, deferred, declined, failed. Aggregate queries
only: one per time zone, not one per request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from django.db.models import Case, CharField, Count, Value, When
from django.db.models.functions import TruncDate

from chancery import clock
from chancery.calls.lists import zone_of
from chancery.calls.models import OPEN_CALL_STATES, CallRequest, CallState
from chancery.directory.models import Principal

COLUMNS: dict[str, str] = {
    "waiting": "Waiting for the support policy",
    "queued": "In the queue",
    "scheduled": "Scheduled",
    "completed": "Completed",
    "deferred": "Deferred",
    "declined": "Declined",
    "failed": "Failed to connect",
}
"""The columns after "Received", in the public table's order -> heading."""

DEFINITIONS: dict[str, str] = {
    "received": "Call requests received that day (every channel). The other columns say where "
                "each of these requests stands now; each request is in exactly one of them.",
    "waiting": "Recorded and counted, but held by the principal's support policy (for example "
               "until the winner is formally ascertained); they enter the queue when it opens.",
    "queued": "Received, triaged or approved, waiting for a time.",
    "scheduled": "Given a time (the call package may be cleared, or the call under way).",
    "completed": "The call took place.",
    "deferred": "Put back for later.",
    "declined": "Declined, with a reason given to the requesting side.",
    "failed": "The call could not be connected.",
}

_BY_STATE: dict[str, str] = {
    CallState.REQUESTED: "queued", CallState.TRIAGED: "queued", CallState.APPROVED: "queued",
    CallState.SCHEDULED: "scheduled", CallState.CLEARED: "scheduled",
    CallState.CONNECTED: "scheduled", CallState.COMPLETED: "completed",
    CallState.DEFERRED: "deferred", CallState.DECLINED: "declined", CallState.FAILED: "failed",
}


@dataclass
class CallCounts:
    received: int = 0
    waiting: int = 0
    queued: int = 0
    scheduled: int = 0
    completed: int = 0
    deferred: int = 0
    declined: int = 0
    failed: int = 0

    def add(self, other: CallCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def columns(self) -> list[tuple[str, int]]:
        return [(name, getattr(self, name)) for name in COLUMNS]


@dataclass
class CallDay(CallCounts):
    day: dt.date = dt.date.min


@dataclass
class PrincipalCallCounts:
    principal: Principal
    zone: str
    days: list[CallDay] = field(default_factory=list)
    """Newest day first; only days on which call requests were received."""
    totals: CallCounts = field(default_factory=CallCounts)


def _column() -> Case:
    """Where a request stands now, as one of ``COLUMNS`` (gated and open: waiting)."""
    whens = [
        When(state__in=[s.value for s in OPEN_CALL_STATES], waits_for__gt="",
             then=Value("waiting")),
        *(When(state=state, then=Value(col)) for state, col in _BY_STATE.items()),
    ]
    return Case(*whens, default=Value("queued"), output_field=CharField())


def call_counts(now: dt.datetime | None = None) -> list[PrincipalCallCounts]:
    """Per principal (every one, in id order) and day of receipt in the principal's zone, the
    call requests received by where they stand now. Requests received after ``now`` (default
    ``clock.now()``) are not counted."""
    now = now or clock.now()
    principals = list(Principal.objects.order_by("id"))
    out = {p.pk: PrincipalCallCounts(principal=p, zone=zone_of(p.time_zone).key)
           for p in principals}
    by_zone: dict[str, list[int]] = {}
    for p in principals:
        by_zone.setdefault(out[p.pk].zone, []).append(p.pk)
    days: dict[tuple[int, dt.date], CallDay] = {}
    for zone_name, pks in by_zone.items():
        rows = (
            CallRequest.objects.filter(principal_id__in=pks, received_at__lte=now)
            .annotate(day=TruncDate("received_at", tzinfo=zone_of(zone_name)), col=_column())
            .order_by()
            .values("principal_id", "day", "col")
            .annotate(n=Count("id"))
        )
        for row in rows:
            key = (row["principal_id"], row["day"])
            counts = days.get(key)
            if counts is None:
                counts = days[key] = CallDay(day=row["day"])
                out[row["principal_id"]].days.append(counts)
            setattr(counts, row["col"], getattr(counts, row["col"]) + row["n"])
            counts.received += row["n"]
    for stats in out.values():
        stats.days.sort(key=lambda d: d.day, reverse=True)
        for d in stats.days:
            stats.totals.add(d)
    return [out[p.pk] for p in principals]


def call_totals(stats: list[PrincipalCallCounts]) -> CallCounts:
    total = CallCounts()
    for s in stats:
        total.add(s.totals)
    return total
