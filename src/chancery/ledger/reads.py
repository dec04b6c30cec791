"""The access audit of every subject type: who read what, when, how, which part.

The ledger knows no domain. An app that lets people read content records each read with
``record_read(user, subject_type, subject_id, via=..., part=...)`` (after its own access check)
and registers, from its ``AppConfig.ready()``, how the audit labels its subjects::

    reads.register_subject_labels("message", message_labels)

``message_labels(ids)`` returns ``{id: SubjectLabel(text, detail)}`` for one page of rows at
once (one query, not one per row); the audit page shows ``text`` (a tracking number) and
``detail`` (from whom to whom). A subject type nobody registered is shown as "type #id".

Every read is an event of the log (``read.recorded``, subject ``read``, id the ``Read`` row's,
written in the same transaction as the row): public are the subject read, the way and the
part; the reader is the event's actor, which the log shows only as a salted commitment. So a
read row deleted or edited behind the application's back disagrees with the log: the subject
check ``read`` (``ledger/reads_check.py``) reports it at ``chancery verify``, and the triggers
of ``ledger/0007`` queue every UPDATE and DELETE of ``ledger_read`` for the worker's integrity
step. A row inserted without its event is reported by ``chancery verify``. Reads already in a
database when ``ledger/0007`` ran have no event each: that migration records one
``read.baseline`` event (subject ``read:0``) naming the last such id and how many there were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.ledger.kinds import declare
from chancery.ledger.models import Event, Read
from chancery.ledger.services import record_event

SUBJECT = "read"
RECORDED = "read.recorded"
BASELINE = "read.baseline"
PUBLIC = ("subject_type", "subject_id", "via", "part")


def register_events() -> None:
    """The event kinds of the access audit (called from ``LedgerConfig.ready()``)."""
    declare(
        RECORDED, subject=SUBJECT, public=PUBLIC,
        description="Someone read a part of a subject's content (the reader is the actor).",
        declared_in=__name__, label="Read",
    )
    declare(
        BASELINE, subject=SUBJECT, public=["upto", "count"],
        description="The reads recorded before reads were logged: ids up to upto, count rows.",
        declared_in=__name__, label="Reads before the log",
    )


@dataclass(frozen=True)
class SubjectLabel:
    text: str
    detail: str = ""


Labeller = Callable[[list[int]], dict[int, SubjectLabel]]
_LABELLERS: dict[str, Labeller] = {}


def register_subject_labels(subject_type: str, labeller: Labeller) -> None:
    """How the audit names subjects of ``subject_type`` (registering again replaces it)."""
    _LABELLERS[subject_type] = labeller


def subject_labels(pairs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], SubjectLabel]:
    """Labels for (subject type, id) pairs, one labeller call per type."""
    by_type: dict[str, set[int]] = {}
    for subject_type, subject_id in pairs:
        by_type.setdefault(subject_type, set()).add(subject_id)
    out: dict[tuple[str, int], SubjectLabel] = {}
    for subject_type, ids in by_type.items():
        labeller = _LABELLERS.get(subject_type)
        found = labeller(sorted(ids)) if labeller is not None else {}
        for subject_id in ids:
            out[(subject_type, subject_id)] = found.get(subject_id) or SubjectLabel(
                f"{subject_type} #{subject_id}"
            )
    return out


def record_read(
    user: Any, subject_type: str, subject_id: int, *, via: str, part: str = "body"
) -> Read:
    """Record that ``user`` read ``part`` of the subject now, through ``via`` (web, api,
    export). The caller has checked that the user may.

    The row and its ``read.recorded`` event are written in one transaction (the caller's, if
    it has one open)."""
    with transaction.atomic():
        read = Read.objects.create(
            subject_type=subject_type, subject_id=subject_id, user=user, at=clock.now(),
            via=via, part=part,
        )
        record_event(
            "read", read.pk, "read.recorded", actor=user, at=read.at,
            data={"subject_type": subject_type, "subject_id": subject_id, "via": via,
                  "part": part},
        )
    return read


def log_entries(read_ids: Iterable[int]) -> dict[int, int | None]:
    """The log index of each read's event (None: recorded, not yet integrated); a read with no
    event (one before reads were logged, or written behind the application) is absent."""
    ids = sorted(set(read_ids))
    out: dict[int, int | None] = {}
    for start in range(0, len(ids), 500):
        out.update(
            Event.objects.filter(
                subject_type=SUBJECT, kind=RECORDED, subject_id__in=ids[start : start + 500]
            ).values_list("subject_id", "seq")
        )
    return out
