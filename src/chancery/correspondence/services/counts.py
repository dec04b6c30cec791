"""What the pages count, defined once: the dashboard, the inbox tabs, the admin page, the header
and the public transparency page all count messages through :func:`count_messages`, and the
lists filter with the same predicates (:func:`filter_messages`).

Each count is a number of messages (a message held both by an officer and by the policy counts
once in ``held``, once in each of ``held_officer`` and ``held_policy``). ``DEFINITIONS`` is what
the pages show beside the numbers.

*Overdue action* (``overdue_action`` and its kinds, ``ACTION_KINDS``) is not the same as
``overdue``: it counts work the worker does by itself on every pass (lapse an expired hold,
escalate a message past its target, deliver what a support policy no longer holds, send a
notification mail) and has not done, later than ``CHANCERY_OVERDUE_ACTION_GRACE`` seconds: the
sign that the worker has stopped. Each kind is the condition of the worker's own step, with the
moment its work fell due (``_action_conditions``, ``_since``); :func:`overdue_action` counts
them with the oldest, and :func:`row_overdue_action` says it of one listed message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from chancery import clock
from chancery.correspondence.models import PRE_DELIVERY, Hold, Message, Notification, State
from chancery.correspondence.services.common import MAIL_ATTEMPTS, MAIL_RETRY_AFTER
from chancery.directory.models import Principal
from chancery.ledger import integrity
from chancery.ledger.models import Event

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
    "overdue_action": "Waiting for work that Chancery does by itself within seconds, and late by "
                      "more than a short grace period: a hold past its expiry still in force, "
                      "a message past its delivery target never escalated, a message still held "
                      "by a support policy that no longer applies, a notification mail not "
                      "sent. When this is not zero, Chancery's automatic processing has "
                      "stopped.",
    "action_hold": "Under an officer's hold that is past its expiry and still in force (it "
                   "should have lapsed by itself, and the message been delivered).",
    "action_escalation": "Open, past its delivery target, not held and never escalated (it "
                         "should have been escalated to the principal's office by itself).",
    "action_gate": "Still held by a support policy that no longer applies: the principal's "
                   "status reached what the policy waits for, or the policy changed (it should "
                   "have been released and delivered by itself).",
    "action_mail": "A notification mail about it that should have been sent by now and was "
                   "not (a failed attempt counts once its retry is due).",
}
for _state in State:
    DEFINITIONS.setdefault(_state.value, f"In the state '{_state.label}' now.")

NAMES = tuple(DEFINITIONS)

ACTION_KINDS = ("action_hold", "action_escalation", "action_gate", "action_mail")
"""The kinds of overdue action, in the worker's pass order; ``overdue_action`` is any of them."""


@dataclass(frozen=True)
class ActionText:
    one: str
    many: str
    should_one: str
    should_many: str


ACTION_TEXTS: dict[str, ActionText] = {
    "action_hold": ActionText(
        "hold past its expiry still in force", "holds past their expiry still in force",
        "it should have lapsed by itself", "they should have lapsed by themselves",
    ),
    "action_escalation": ActionText(
        "message past its delivery target, not held and never escalated",
        "messages past their delivery target, not held and never escalated",
        "it should have been escalated to the principal's office by itself",
        "they should have been escalated to the principal's office by themselves",
    ),
    "action_gate": ActionText(
        "message still held by a support policy that no longer applies",
        "messages still held by a support policy that no longer applies",
        "it should have been delivered by itself", "they should have been delivered by themselves",
    ),
    "action_mail": ActionText(
        "message whose notification mail was not sent",
        "messages whose notification mails were not sent",
        "it should have been sent by itself", "they should have been sent by themselves",
    ),
}
"""What each kind is called on the pages (plain words: the reader need not know the worker)."""


def grace() -> dt.timedelta:
    """How late the worker's work may be before it counts as overdue action."""
    return dt.timedelta(seconds=float(settings.CHANCERY_OVERDUE_ACTION_GRACE))


def gate_open(prefix: str = "principal__") -> Q:
    """``not Principal.gate_active`` in SQL: no support policy, or a status at or past the one
    it waits for (``Principal.gated_at``)."""
    order = Principal.STATUS_ORDER
    out = Q(**{f"{prefix}delivery_requires": ""})
    for i, required in enumerate(order):
        out |= Q(**{f"{prefix}delivery_requires": required, f"{prefix}status__in": order[i:]})
    return out


GATE_EVENTS = ("principal.created", "principal.status", "principal.policy")
"""The principal's events that can open its gate: its creation, a transition status recorded,
a support policy changed (``record_principal_created``, ``set_principal_status``,
``record_policy`` in ``directory.services``)."""


def _gate_events() -> QuerySet[Event]:
    return Event.objects.filter(subject_type="principal", kind__in=GATE_EVENTS)


def _action_conditions(cutoff: dt.datetime, held: Q) -> dict[str, Q]:
    """Each kind of overdue action: the worker's work on the message fell due before ``cutoff``
    (now less the grace) and is not done. Each is the condition of the worker's own step:

    - ``action_hold``: an officer's hold still in force whose expiry is before the cutoff
      (``expire_holds``);
    - ``action_escalation``: open, not held, never escalated, its delivery target before the
      cutoff and no hold of it ended after the cutoff (``escalate_overdue`` escalates once no
      hold accounts for it);
    - ``action_gate``: a policy hold still in force, placed before the cutoff, under a support
      policy that no longer applies (``not Principal.gate_active``), and no status or policy
      of the principal recorded after the cutoff (what opens the gate; ``sync_policy_gates``),
      unless the principal's row is disputed (an open integrity alert: its status was set
      behind the application's back, and ``sync_policy_gates`` rightly leaves it alone; the
      alert is what the pages show instead);
    - ``action_mail``: a notification mail still to send, queued before the cutoff and never
      tried, or whose retry fell due before it (``send_pending_notifications``).

    Uncorrelated subqueries over the holds and mails (few): cheap beside the messages."""
    holds = Hold.objects.filter(released_at__isnull=True)
    return {
        "action_hold": Q(pk__in=holds.filter(
            is_policy=False, expires_at__lte=cutoff
        ).values("message_id")),
        "action_escalation": (
            Q(state__in=PRE_DELIVERY, escalated_at__isnull=True, due_at__lte=cutoff) & ~held
            & ~Q(pk__in=Hold.objects.filter(released_at__gt=cutoff).values("message_id"))
        ),
        "action_gate": Q(pk__in=holds.filter(is_policy=True, placed_at__lte=cutoff)
            .filter(gate_open("message__principal__"))
            .exclude(message__principal_id__in=_gate_events().filter(at__gt=cutoff)
                     .values("subject_id"))
            .exclude(message__principal_id__in=integrity.disputed("principal"))
            .values("message_id")),
        "action_mail": Q(pk__in=Notification.objects.filter(
            sent_at__isnull=True, attempts__lt=MAIL_ATTEMPTS, message__isnull=False
        ).filter(
            Q(claimed_at__isnull=True, created_at__lte=cutoff)
            | Q(claimed_at__lte=cutoff - MAIL_RETRY_AFTER)
        ).values("message_id")),
    }


def _since(qs: QuerySet[Message], conditions: dict[str, Q]) -> QuerySet[Message]:
    """``since_<kind>``: when the work of each kind fell due for the message, on the rows that
    count in that kind (null elsewhere); what the pages show as how long it has been overdue.
    The moments that :func:`_action_conditions` compares with the cutoff: the hold's expiry;
    the delivery target or the end of the last hold, whichever is later; the latest of the
    policy hold's placement and the principal's last status or policy event; the mail's
    queueing, or the end of its retry wait once tried."""
    dt_field = DateTimeField()
    active = Hold.objects.filter(message=OuterRef("pk"), released_at__isnull=True)
    expiry = Subquery(
        active.filter(is_policy=False).order_by("expires_at").values("expires_at")[:1],
        output_field=dt_field,
    )
    last_release = Subquery(
        Hold.objects.filter(message=OuterRef("pk"), released_at__isnull=False)
        .order_by("-released_at").values("released_at")[:1],
        output_field=dt_field,
    )
    policy_placed = Subquery(
        active.filter(is_policy=True).order_by("placed_at").values("placed_at")[:1],
        output_field=dt_field,
    )
    last_gate_event = Subquery(
        _gate_events().filter(subject_id=OuterRef("principal_id"))
        .order_by("-id").values("at")[:1],
        output_field=dt_field,
    )
    mail = Subquery(
        Notification.objects.filter(
            message=OuterRef("pk"), sent_at__isnull=True, attempts__lt=MAIL_ATTEMPTS
        )
        .annotate(due=Case(
            When(claimed_at__isnull=True, then=F("created_at")),
            default=ExpressionWrapper(F("claimed_at") + MAIL_RETRY_AFTER, output_field=dt_field),
            output_field=dt_field,
        ))
        .order_by("due").values("due")[:1],
        output_field=dt_field,
    )
    moments: dict[str, Any] = {
        "action_hold": expiry,
        "action_escalation": Greatest("due_at", Coalesce(last_release, "due_at")),
        "action_gate": Greatest(policy_placed, Coalesce(last_gate_event, policy_placed)),
        "action_mail": mail,
    }
    return qs.annotate(**{
        f"since_{kind}": Case(
            When(conditions[kind], then=moment), output_field=dt_field
        )
        for kind, moment in moments.items()
    })


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
    out.update(_action_conditions(now - grace(), held))
    out["overdue_action"] = out["action_hold"]
    for kind in ACTION_KINDS[1:]:
        out["overdue_action"] |= out[kind]
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


# --------------------------------------------------------------------------- overdue action


@dataclass(frozen=True)
class Overdue:
    """``count`` messages of one kind of overdue action (or of any, kind ``overdue_action``);
    ``since``: when the oldest became due (its age is how long it has been overdue)."""

    kind: str
    count: int
    since: dt.datetime | None

    @property
    def label(self) -> str:
        text = ACTION_TEXTS.get(self.kind)
        if text is None:
            return "message" if self.count == 1 else "messages"
        return text.one if self.count == 1 else text.many

    @property
    def should(self) -> str:
        text = ACTION_TEXTS.get(self.kind)
        if text is None:
            return ""
        return text.should_one if self.count == 1 else text.should_many

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.kind]


@dataclass(frozen=True)
class OverdueAction:
    """The overdue action among some messages: the total (messages with any kind) and each
    kind with a count (``kinds``, in ``ACTION_KINDS`` order, only those not zero)."""

    total: Overdue
    kinds: tuple[Overdue, ...]

    def __bool__(self) -> bool:
        return self.total.count > 0


NO_OVERDUE_ACTION = OverdueAction(Overdue("overdue_action", 0, None), ())


def overdue_action(
    qs: QuerySet[Message], *, by: str | None = None, now: dt.datetime | None = None
) -> Any:
    """Count the overdue action among ``qs``, each kind with the oldest, in one query.

    ``by``: a field to group by (``"principal_id"``); then ``{key: OverdueAction}`` (groups
    with none absent), else one ``OverdueAction``."""
    conditions = predicates(now)
    aggregates: dict[str, Any] = {}
    for kind in ACTION_KINDS:
        aggregates[f"n_{kind}"] = Count(f"since_{kind}")  # (null outside the kind)
        aggregates[f"s_{kind}"] = Min(f"since_{kind}")
    aggregates["n_overdue_action"] = Count("id")
    annotated = _since(_annotated(qs.order_by()), conditions).filter(conditions["overdue_action"])

    def summary(row: dict[str, Any]) -> OverdueAction:
        kinds = tuple(
            Overdue(kind, row[f"n_{kind}"], row[f"s_{kind}"])
            for kind in ACTION_KINDS if row[f"n_{kind}"]
        )
        oldest = min((k.since for k in kinds if k.since is not None), default=None)
        return OverdueAction(Overdue("overdue_action", row["n_overdue_action"] or 0, oldest), kinds)

    if by is None:
        return summary(annotated.aggregate(**aggregates))
    out: dict[Any, OverdueAction] = {}
    for row in annotated.values(by).annotate(**aggregates):
        out[row[by]] = summary(row)
    return out


def overdue_action_everywhere(now: dt.datetime | None = None) -> OverdueAction:
    """The overdue action among every message, for the operator's ``chancery status`` (no
    viewer: the whole installation's machinery)."""
    result: OverdueAction = overdue_action(Message.objects.all(), now=now)
    return result


def with_overdue_action(
    qs: QuerySet[Message], now: dt.datetime | None = None
) -> QuerySet[Message]:
    """``qs`` with what :func:`row_overdue_action` reads on each row (for the lists' flags)."""
    return _since(_annotated(qs), predicates(now))


def row_overdue_action(message: Message) -> Overdue | None:
    """The overdue action on one message of :func:`with_overdue_action` (the counts' own
    conditions): its oldest kind and since when; None if none."""
    due = [
        (since, kind) for kind in ACTION_KINDS
        if (since := getattr(message, f"since_{kind}", None)) is not None
    ]
    if not due:
        return None
    since, kind = min(due)
    return Overdue(kind, 1, since)
