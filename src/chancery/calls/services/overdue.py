"""Overdue action of calls: work the worker does by itself for calls, fallen due more than
``CHANCERY_OVERDUE_ACTION_GRACE`` ago and not done; not zero means the worker has stopped (as
``correspondence.services.counts.overdue_action`` for messages; "nothing stops in silence").

- ``call_gate``: a request still waiting for a support policy that no longer holds it, and no
  status or policy of its principal recorded since the cutoff (``gate.sync_call_gates``; a
  principal with an open integrity alert is left out, as for messages: the alert shows instead);
- ``call_solve``: a solve queued and not started (``scheduling.run_pending``);
- ``call_invitation``: an invitation or cancellation whose sending fell due and is not done
  (``invitations.send_pending``, its retries included).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from chancery import clock
from chancery.calls.models import CallRequest, ScheduleRun
from chancery.calls.services import invitations
from chancery.calls.services.gate import GATED_STATES
from chancery.correspondence.services.counts import GATE_EVENTS, gate_open, grace
from chancery.ledger import integrity
from chancery.ledger.models import Event


@dataclass(frozen=True)
class OverdueCalls:
    """``count`` items of one kind of overdue call work, the oldest due ``since``."""

    kind: str
    count: int
    since: dt.datetime | None
    label: str
    should: str


_TEXTS = {
    "call_gate": ("call request still waiting for a support policy that no longer holds it",
                  "call requests still waiting for a support policy that no longer holds them",
                  "the worker should have released it into the queue",
                  "the worker should have released them into the queue"),
    "call_solve": ("solve queued and not started", "solves queued and not started",
                   "the worker should have run it", "the worker should have run them"),
    "call_invitation": ("calendar invitation not sent", "calendar invitations not sent",
                        "the worker should have sent it", "the worker should have sent them"),
}


def _one(kind: str, count: int, since: dt.datetime | None) -> OverdueCalls:
    one, many, should_one, should_many = _TEXTS[kind]
    return OverdueCalls(kind, count, since, one if count == 1 else many,
                        should_one if count == 1 else should_many)


def overdue_call_action(
    now: dt.datetime | None = None, *, principal_ids: list[int] | None = None
) -> list[OverdueCalls]:
    """Each kind of overdue call work with a count (kinds with none left out), over every
    principal or those of ``principal_ids``."""
    cutoff = (now or clock.now()) - grace()
    last_gate_event = Subquery(
        Event.objects.filter(subject_type="principal", kind__in=GATE_EVENTS,
                             subject_id=OuterRef("principal_id"))
        .order_by("-id").values("at")[:1],
        output_field=DateTimeField(),
    )
    gated = (
        CallRequest.objects.filter(state__in=GATED_STATES).exclude(waits_for="")
        .filter(gate_open("principal__"))
        .exclude(principal_id__in=Event.objects.filter(
            subject_type="principal", kind__in=GATE_EVENTS, at__gt=cutoff
        ).values("subject_id"))
        .exclude(principal_id__in=integrity.disputed("principal"))
        .filter(received_at__lte=cutoff)
    )
    runs = ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED, requested_at__lte=cutoff)
    sends = invitations.overdue(cutoff)
    if principal_ids is not None:
        gated = gated.filter(principal_id__in=principal_ids)
        runs = runs.filter(principal_id__in=principal_ids)
        sends = sends.filter(call__principal_id__in=principal_ids)
    found = [
        ("call_gate", gated.aggregate(
            n=Count("id"),
            s=Min(Greatest("received_at", Coalesce(last_gate_event, "received_at"))),
        )),
        ("call_solve", runs.aggregate(n=Count("id"), s=Min("requested_at"))),
        ("call_invitation", sends.aggregate(n=Count("id"), s=Min("next_attempt_at"))),
    ]
    return [_one(kind, row["n"], row["s"]) for kind, row in found if row["n"]]
