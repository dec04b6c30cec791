"""What the public transparency page and the portal's log panel show: counts, never content.

``daily_counts`` groups every principal's messages by the day they were received (in the
principal's own time zone, UTC if it has none that we know) and counts, with aggregate queries
only, what became of them: delivered, rejected, still open, held by an officer, held by the
policy gate, overdue. Each count is a subset of that day's messages, so every column adds up
over the days to the totals. The number of queries depends on the number of time zones, not on
the number of messages.

``log_state`` is the log's current signed checkpoint and verifier key; ``message_log_status``
is where each event of one message stands in the log (pending, or its index).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from chancery import clock
from chancery.correspondence.models import PRE_DELIVERY, Hold, Message, State
from chancery.directory.models import Principal
from chancery.ledger.models import Event
from chancery.ledger.receipts import log_proofs
from chancery.ledger.sequencer import current_head

RECEIVED_KIND = "message.received"


@dataclass
class Counts:
    """Of the messages received on one day (or in total): what became of them."""

    received: int = 0
    delivered: int = 0
    rejected: int = 0
    open: int = 0
    held_officer: int = 0
    held_policy: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class DayCounts(Counts):
    day: dt.date = dt.date.min


@dataclass
class PrincipalCounts:
    principal: Principal
    zone: str
    """The IANA time zone the days are counted in ("UTC" when the principal has none)."""
    days: list[DayCounts] = field(default_factory=list)
    """Newest day first; only days on which messages were received."""
    totals: Counts = field(default_factory=Counts)
    held_now: int = 0
    """Not yet delivered and under a hold right now (of either kind, or both)."""
    held_now_officer: int = 0
    held_now_policy: int = 0
    overdue_now: int = 0
    """Not yet delivered and past the delivery target right now."""


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def daily_counts(now: dt.datetime | None = None) -> list[PrincipalCounts]:
    """Per principal and day of receipt, counts of what became of the messages (no content).

    - received: messages received that day;
    - delivered: of these, delivered to the principal's office (acknowledged ones included);
    - rejected, open: of these, rejected, or not yet delivered;
    - held_officer / held_policy: of these, messages that have been under an officer's hold /
      held by the policy gate, at any time (a message can be both);
    - overdue: of these, delivered after their delivery target, or not delivered and past it
      now (a rejected message is answered, so not counted as overdue).
    """
    now = now or clock.now()
    principals = list(Principal.objects.order_by("id"))
    out = {p.pk: PrincipalCounts(principal=p, zone=_zone(p.time_zone).key) for p in principals}
    by_zone: dict[str, list[int]] = {}
    for p in principals:
        by_zone.setdefault(out[p.pk].zone, []).append(p.pk)

    late = Q(delivered_at__gt=F("due_at")) | Q(
        delivered_at__isnull=True, state__in=PRE_DELIVERY, due_at__lte=now
    )
    for zone_name, pks in by_zone.items():
        zone = _zone(zone_name)
        days: dict[tuple[int, dt.date], DayCounts] = {}
        messages = (
            Message.objects.filter(principal_id__in=pks)
            .annotate(day=TruncDate("received_at", tzinfo=zone))
            .order_by()
            .values("principal_id", "day")
            .annotate(
                n_received=Count("id"),
                n_delivered=Count("id", filter=Q(delivered_at__isnull=False)),
                n_rejected=Count("id", filter=Q(state=State.REJECTED)),
                n_open=Count("id", filter=Q(state__in=PRE_DELIVERY)),
                n_overdue=Count("id", filter=late),
            )
        )
        for row in messages:
            days[(row["principal_id"], row["day"])] = DayCounts(
                day=row["day"],
                received=row["n_received"],
                delivered=row["n_delivered"],
                rejected=row["n_rejected"],
                open=row["n_open"],
                overdue=row["n_overdue"],
            )
        holds = (
            Hold.objects.filter(message__principal_id__in=pks)
            .annotate(day=TruncDate("message__received_at", tzinfo=zone))
            .order_by()
            .values("message__principal_id", "day")
            .annotate(
                n_officer=Count("message_id", distinct=True, filter=Q(is_policy=False)),
                n_policy=Count("message_id", distinct=True, filter=Q(is_policy=True)),
            )
        )
        for held in holds:
            counts = days.get((held["message__principal_id"], held["day"]))
            if counts is not None:  # always there: every hold belongs to a counted message
                counts.held_officer = held["n_officer"]
                counts.held_policy = held["n_policy"]
        for (pk, _day), counts in days.items():
            out[pk].days.append(counts)

    held_now = (
        Hold.objects.filter(released_at__isnull=True, message__state__in=PRE_DELIVERY)
        .order_by()
        .values("message__principal_id")
        .annotate(
            n_any=Count("message_id", distinct=True),
            n_officer=Count("message_id", distinct=True, filter=Q(is_policy=False)),
            n_policy=Count("message_id", distinct=True, filter=Q(is_policy=True)),
        )
    )
    for now_held in held_now:
        target = out.get(now_held["message__principal_id"])
        if target is not None:
            target.held_now = now_held["n_any"]
            target.held_now_officer = now_held["n_officer"]
            target.held_now_policy = now_held["n_policy"]
    overdue_now = (
        Message.objects.filter(state__in=PRE_DELIVERY, due_at__lte=now)
        .order_by()
        .values("principal_id")
        .annotate(n=Count("id"))
        .values_list("principal_id", "n")
    )
    for pk, n in overdue_now:
        if pk in out:
            out[pk].overdue_now = n

    for stats in out.values():
        stats.days.sort(key=lambda d: d.day, reverse=True)
        for counts in stats.days:
            stats.totals.add(counts)
    return [out[p.pk] for p in principals]


def grand_totals(stats: list[PrincipalCounts]) -> Counts:
    total = Counts()
    for s in stats:
        total.add(s.totals)
    return total


# --------------------------------------------------------------------------- the log


def log_state() -> dict[str, Any] | None:
    """The log's current checkpoint (as served at /log/checkpoint), key and size; ``None``
    before the sequencer has signed its first checkpoint."""
    head = current_head()
    if head is None:
        return None
    return {
        "origin": head.origin,
        "vkey": head.vkey,
        "size": head.size,
        "checkpoint": head.checkpoint.served,
        "signed_at": head.checkpoint.created_at,
        "cosigned": bool(head.checkpoint.cosigned),
        # The sequencer's queue, read through its partial index: small and cheap.
        "pending": Event.objects.filter(seq__isnull=True).count(),
    }


def message_log_status(message: Message) -> dict[str, Any]:
    """Each event of the message: kind, time, and its index in the log once the current
    checkpoint covers it (``None`` while pending integration)."""
    log = log_proofs("message", message.pk, proofs=False)
    entries = [
        {"kind": e["kind"], "at": dt.datetime.fromisoformat(e["at"]), "index": e["index"]}
        for e in log["entries"]
    ]
    received = next((e for e in entries if e["kind"] == RECEIVED_KIND), None)
    return {
        "origin": log["origin"] or "",
        "vkey": log["vkey"] or "",
        "size": log["size"],
        "entries": entries,
        "pending": sum(1 for e in entries if e["index"] is None),
        "received_in_log": received is not None and received["index"] is not None,
    }


def received_proof(message: Message) -> str | None:
    """The C2SP tlog-proof of the message's ``message.received`` entry (its leaf in ``extra``),
    or ``None`` while that entry is pending integration."""
    for entry in log_proofs("message", message.pk, kind=RECEIVED_KIND)["entries"]:
        proof: str | None = entry["tlog_proof"]
        return proof
    return None
