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

from django.conf import settings
from django.db.models.functions import TruncDate

from chancery import clock
from chancery.correspondence.models import Message
from chancery.correspondence.services.counts import (
    NO_OVERDUE_ACTION,
    OverdueAction,
    count_messages,
    overdue_action,
)
from chancery.directory.models import Principal
from chancery.ledger.keys import witness_signer
from chancery.ledger.models import Event
from chancery.ledger.receipts import duration, log_proofs
from chancery.ledger.sequencer import current_head, served

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
    """Not yet delivered and under a hold right now (of either kind, or both): ``held``."""
    held_now_officer: int = 0
    held_now_policy: int = 0
    overdue_now: int = 0
    """Not yet delivered and past the delivery target right now, held or not: ``past_target``."""
    overdue_action: OverdueAction = NO_OVERDUE_ACTION
    """Work Chancery does by itself and has not done (``counts.overdue_action``): how many
    messages wait for it, of each kind, and since when (the oldest)."""


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


DAY_COLUMNS = {
    "received": "total", "delivered": "delivered_any", "rejected": "rejected", "open": "open",
    "held_officer": "ever_held_officer", "held_policy": "ever_held_policy", "overdue": "late",
}
"""Each column of the public table -> the count of ``services.counts`` it shows."""

NOW_COUNTS = {
    "held_now": "held", "held_now_officer": "held_officer", "held_now_policy": "held_policy",
    "overdue_now": "past_target",
}


def daily_counts(now: dt.datetime | None = None) -> list[PrincipalCounts]:
    """Per principal and day of receipt, counts of what became of the messages (no content),
    counted by ``services.count_messages`` (definitions: ``services.COUNT_DEFINITIONS``):

    - received: messages received that day (``total``);
    - delivered: of these, delivered to the principal's office, acknowledged ones included;
    - rejected, open: of these, rejected, or not yet delivered;
    - held_officer / held_policy: of these, messages that have been under an officer's hold /
      held by the policy gate, at any time (a message can be both);
    - overdue: of these, *late*: delivered after their delivery target, or not delivered and
      past it now (a rejected message is answered, so never late). A count of history: it does
      not go down when late messages are delivered. What is past its target *now* is
      ``overdue_now`` (``past_target``).

    And per principal, now: the overdue action (``overdue_action``), with how long.
    """
    now = now or clock.now()
    principals = list(Principal.objects.order_by("id"))
    out = {p.pk: PrincipalCounts(principal=p, zone=_zone(p.time_zone).key) for p in principals}
    by_zone: dict[str, list[int]] = {}
    for p in principals:
        by_zone.setdefault(out[p.pk].zone, []).append(p.pk)

    names = list(DAY_COLUMNS.values())
    for zone_name, pks in by_zone.items():
        messages = Message.objects.filter(principal_id__in=pks).annotate(
            day=TruncDate("received_at", tzinfo=_zone(zone_name))
        )
        per_day = count_messages(messages, by=("principal_id", "day"), now=now, names=names)
        for (pk, day), n in per_day.items():
            out[pk].days.append(
                DayCounts(day=day, **{col: n[name] for col, name in DAY_COLUMNS.items()})
            )
    current = count_messages(
        Message.objects.all(), by="principal_id", now=now, names=list(NOW_COUNTS.values())
    )
    for pk, n in current.items():
        if pk in out:
            for attr, name in NOW_COUNTS.items():
                setattr(out[pk], attr, n[name])

    for pk, stuck in overdue_action(Message.objects.all(), by="principal_id", now=now).items():
        if pk in out:
            out[pk].overdue_action = stuck

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
        "checkpoint": served(head),
        # The stamp's key, for `chancery monitor --stamp-key`, and the age the pages call stale.
        "stamp_vkey": witness_signer().vkey,
        "stamp_interval": (
            duration(settings.CHANCERY_LOG_STAMP_INTERVAL)
            if settings.CHANCERY_LOG_STAMP_INTERVAL >= 120
            else f"{settings.CHANCERY_LOG_STAMP_INTERVAL:g} s"
        ),
        "max_age": f"{settings.CHANCERY_LOG_STALE_AFTER:g}",
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
        {
            "kind": e["kind"], "at": dt.datetime.fromisoformat(e["at"]), "index": e["index"],
            "late": e["late"],
        }
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
        # Past the promised latency: what the page says, in red, instead of only "pending".
        "promised_latency": log["promised_latency_seconds"],
        "promised": duration(log["promised_latency_seconds"]),
        "late": log["late"],
    }


def received_proof(message: Message) -> str | None:
    """The C2SP tlog-proof of the message's ``message.received`` entry (its leaf in ``extra``),
    or ``None`` while that entry is pending integration."""
    for entry in log_proofs("message", message.pk, kind=RECEIVED_KIND)["entries"]:
        proof: str | None = entry["tlog_proof"]
        return proof
    return None
