"""The access audit of every subject type: who read what, when, how, which part.

The ledger knows no domain. An app that lets people read content records each read with
``record_read(user, subject_type, subject_id, via=..., part=...)`` (after its own access check)
and registers, from its ``AppConfig.ready()``, how the audit labels its subjects::

    reads.register_subject_labels("message", message_labels)

``message_labels(ids)`` returns ``{id: SubjectLabel(text, detail)}`` for one page of rows at
once (one query, not one per row); the audit page shows ``text`` (a tracking number) and
``detail`` (from whom to whom). A subject type nobody registered is shown as "type #id".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chancery import clock
from chancery.ledger.models import Read


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
    export). The caller has checked that the user may."""
    return Read.objects.create(
        subject_type=subject_type, subject_id=subject_id, user=user, at=clock.now(), via=via,
        part=part,
    )
