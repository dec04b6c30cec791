"""What the pages count, defined once: the dashboard, the inbox tabs, the admin page, the header
and the public transparency page all count messages through :func:`count_messages`, and the
lists filter with the same predicates (:func:`filter_messages`).

Each count is a number of messages (a message held both by an officer and by the policy counts
once in ``held``, once in each of ``held_officer`` and ``held_policy``). ``DEFINITIONS`` is what
the pages show beside the numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from chancery import clock
from chancery.correspondence.models import PRE_DELIVERY, Hold, Message, State

DEFINITIONS: dict[str, str] = {
    "total": "Every message received for the principal, whatever became of it.",
    "open": "Not yet delivered or rejected: being handled, translated or held.",
    "delivered_any": "Delivered to the principal's office (acknowledged ones included).",
    "held": "Open and under a hold right now (an officer's, the support policy's, or both).",
    "held_officer": "Open and under an officer's hold right now (a written reason, a second "
                    "officer's confirmation, an expiry).",
    "held_policy": "Open and held right now by the principal's support policy (until the "
                   "transition status it waits for is recorded).",
    "awaiting_second_officer": "Under an officer's hold that no second officer has confirmed "
                               "yet (it lapses unless one does).",
    "past_target": "Open and past its delivery target, held or not.",
    "overdue": "Open, past its delivery target and not held: late with no hold to account for "
               "it. These are escalated to the principal's office.",
    "escalated": "Open and escalated: it went past its target with no hold (flagged once, and "
                 "mailed to the office).",
    "late": "Delivered after its delivery target, or open and past it now (rejected messages "
            "are answered, so never late).",
    "ever_held_officer": "Was under an officer's hold at some time.",
    "ever_held_policy": "Was held by a support policy at some time.",
}
for _state in State:
    DEFINITIONS.setdefault(_state.value, f"In the state '{_state.label}' now.")

NAMES = tuple(DEFINITIONS)


def _annotated(qs: QuerySet[Message]) -> QuerySet[Message]:
    active = Hold.objects.filter(message=OuterRef("pk"), released_at__isnull=True)
    ever = Hold.objects.filter(message=OuterRef("pk"))
    return qs.annotate(
        c_held_officer=Exists(active.filter(is_policy=False)),
        c_held_policy=Exists(active.filter(is_policy=True)),
        c_unconfirmed=Exists(active.filter(is_policy=False, confirmed_at__isnull=True)),
        c_ever_officer=Exists(ever.filter(is_policy=False)),
        c_ever_policy=Exists(ever.filter(is_policy=True)),
    )


def predicates(now: dt.datetime | None = None) -> dict[str, Q]:
    """Each count's condition, over a queryset from :func:`_annotated` (one definition each)."""
    now = now or clock.now()
    open_ = Q(state__in=PRE_DELIVERY)
    held = Q(c_held_officer=True) | Q(c_held_policy=True)
    past_target = open_ & Q(due_at__lte=now)
    out: dict[str, Q] = {
        "total": Q(pk__isnull=False),
        "open": open_,
        "delivered_any": Q(state__in=[State.DELIVERED, State.ACKNOWLEDGED]),
        "held": open_ & held,
        "held_officer": open_ & Q(c_held_officer=True),
        "held_policy": open_ & Q(c_held_policy=True),
        "awaiting_second_officer": open_ & Q(c_unconfirmed=True),
        "past_target": past_target,
        "overdue": past_target & ~held,
        "escalated": open_ & Q(escalated_at__isnull=False),
        "late": Q(delivered_at__gt=F("due_at")) | (Q(delivered_at__isnull=True) & past_target),
        "ever_held_officer": Q(c_ever_officer=True),
        "ever_held_policy": Q(c_ever_policy=True),
    }
    for state in State:
        out[state.value] = Q(state=state.value)
    return out


def filter_messages(
    qs: QuerySet[Message], name: str, now: dt.datetime | None = None
) -> QuerySet[Message]:
    """The messages of ``qs`` that count in ``name`` (what a list's filter shows)."""
    return _annotated(qs).filter(predicates(now)[name])


def count_messages(
    qs: QuerySet[Message],
    *,
    by: str | Sequence[str] = (),
    now: dt.datetime | None = None,
    names: Sequence[str] = NAMES,
) -> Any:
    """Count ``qs`` in each of ``names`` (default: all of ``DEFINITIONS``) with one query.

    ``by``: a field name (or several; e.g. ``"principal_id"``, or an annotation of ``qs`` such
    as a day) to group by; then the answer is ``{key: {name: n}}`` (key a tuple for several
    fields; groups with no message are absent), else ``{name: n}``."""
    conditions = predicates(now)
    aggregates = {f"n_{name}": Count("id", filter=conditions[name]) for name in names}
    annotated = _annotated(qs.order_by())
    if not by:
        row = annotated.aggregate(**aggregates)
        return {name: row[f"n_{name}"] or 0 for name in names}
    fields = [by] if isinstance(by, str) else list(by)
    out: dict[Any, dict[str, int]] = {}
    for row in annotated.values(*fields).annotate(**aggregates):
        key = row[fields[0]] if len(fields) == 1 else tuple(row[f] for f in fields)
        out[key] = {name: row[f"n_{name}"] for name in names}
    return out


def zero() -> dict[str, int]:
    return dict.fromkeys(NAMES, 0)
