"""What the records home page shows a user: the calls that ended without a telcon or a
read-out (nothing ends in silence: a call without a record is listed until it has one), and
where the telcons, read-outs and replies the user may see stand. Scoped by the parts' access
helpers; counts, not rows, except for the calls still owed a record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from chancery import clock
from chancery.calls.access import visible_calls
from chancery.calls.models import CallRequest, CallState
from chancery.records.access_readouts import visible_readouts
from chancery.records.access_replies import visible_replies
from chancery.records.access_telcons import visible_telcons
from chancery.records.models import Readout, Reply, Telcon
from chancery.records.services import readouts, telcons

OWED_SHOWN = 50
"""How many calls owed a record the page lists (the count covers them all)."""


@dataclass
class Owed:
    call: CallRequest
    telcon: bool
    readout: bool
    may_draft_telcon: bool = False
    may_draft_readout: bool = False


@dataclass
class Overview:
    owed: list[Owed] = field(default_factory=list)
    owed_count: int = 0
    telcons: list[tuple[str, str, int]] = field(default_factory=list)
    readouts: list[tuple[str, str, int]] = field(default_factory=list)
    replies: list[tuple[str, str, int]] = field(default_factory=list)
    waiting: list[tuple[Readout, str]] = field(default_factory=list)
    """Cleared read-outs not yet published, each with the publication rule's words."""


def _by_state(qs: Any, choices: Any) -> list[tuple[str, str, int]]:
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in choices]


def overview(user: Any) -> Overview:
    out = Overview()
    ended = visible_calls(user).filter(state=CallState.COMPLETED)
    owed = ended.annotate(
        has_telcon=Exists(Telcon.objects.filter(call=OuterRef("pk"))),
        has_readout=Exists(Readout.objects.filter(call=OuterRef("pk"))),
    ).filter(Q(has_telcon=False) | Q(has_readout=False))
    out.owed_count = owed.count()
    for call in owed.order_by("completed_at")[:OWED_SHOWN]:
        out.owed.append(Owed(
            call, call.has_telcon, call.has_readout,
            may_draft_telcon=not call.has_telcon and telcons.may_draft(call, user).allowed,
            may_draft_readout=not call.has_readout and readouts.may_act(user, call),
        ))
    out.telcons = _by_state(visible_telcons(user), Telcon.State.choices)
    out.readouts = _by_state(visible_readouts(user), Readout.State.choices)
    out.replies = _by_state(visible_replies(user), Reply.State.choices)
    now = clock.now()
    for readout in visible_readouts(user).filter(state=Readout.State.CLEARED)[:OWED_SHOWN]:
        out.waiting.append((readout, readouts.publication_refusal(readout, now) or
                            "May be published now; the worker publishes it within seconds."))
    return out
