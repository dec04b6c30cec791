"""Who may see and read telcons. Every page, API route and export fetches a telcon through here.

- Existence (the list: call, state, level, regime): the operations center (``ALL_SEEING``:
  officers, records officers, admins, auditors), the principal's office of the call's principal,
  and whoever may read it.
- Content (header, body, versions, the PDF): records officers and admins, the telcon's drafter
  and the authors of its versions, its named reviewers, and, once it is distributed, its
  distribution list.

Someone who may not know a telcon exists gets ``NotFound`` (as for a tracking number that does
not exist); someone who sees it exists but may not read it gets ``Forbidden`` for its content.
Every opening of the content is recorded (``read_telcon``: ``ledger.reads``, part "version N").
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, roles_of
from chancery.errors import Forbidden, NotFound
from chancery.ledger.reads import SubjectLabel, record_read
from chancery.records.models import TELCON, Telcon, TelconVersion

SUBJECT = "telcon"
"""The subject type of a telcon in the ledger (events and the access audit)."""

CONTENT_ROLES = {Role.RECORDS_OFFICER, Role.ADMIN}
"""Roles that read every telcon's content."""


def _base() -> QuerySet[Telcon]:
    return Telcon.objects.select_related(
        "call__principal", "call__office__leader", "call__office__country",
        "call__office__organisation", "call__interpreter", "created_by", "approved_by",
    )


def _reader_q(user: Any) -> Q:
    """Telcons whose content ``user`` may read, as a condition on ``Telcon`` (subqueries only,
    so the result needs no DISTINCT)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if roles_of(user) & CONTENT_ROLES:
        return Q()
    # A JSON list's membership is not portable across vendors (SQLite has no JSON contains);
    # the named reviewers are few, read in Python.
    reviewing = [
        pk for pk, ids in Telcon.objects.values_list("pk", "reviewers") if user.pk in (ids or [])
    ]
    authored = TelconVersion.objects.filter(created_by=user).values("telcon_id")
    recipient = Telcon.objects.filter(
        recipients__user=user, state=Telcon.State.DISTRIBUTED
    ).values("pk")
    return (
        Q(created_by=user) | Q(pk__in=authored) | Q(pk__in=reviewing) | Q(pk__in=recipient)
    )


def readable_telcons(user: Any) -> QuerySet[Telcon]:
    """The telcons whose content ``user`` may read (usable in a subquery)."""
    return _base().filter(_reader_q(user))


def visible_telcons(user: Any) -> QuerySet[Telcon]:
    """The telcons whose existence ``user`` may see (see the module's docstring)."""
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return _base()
    q = _reader_q(user)
    if Role.PRINCIPAL_OFFICE in roles:
        principal_id = profile_of(user).principal_id
        if principal_id is not None:
            q |= Q(call__principal_id=principal_id)
    return _base().filter(q)


def may_read(user: Any, telcon: Telcon) -> bool:
    return readable_telcons(user).filter(pk=telcon.pk).exists()


parse_tracking = TELCON.parse


def access_telcon(user: Any, tracking: str) -> Telcon:
    """The telcon ``tracking`` if ``user`` may know it exists; 404 otherwise."""
    return TELCON.fetch(visible_telcons(user), tracking)


def access_telcon_content(user: Any, tracking: str) -> Telcon:
    """The telcon ``tracking`` if ``user`` may read its content: 404 when it may not know it
    exists, 403 when it may know but not read (it is not on the distribution list)."""
    telcon = access_telcon(user, tracking)
    if not may_read(user, telcon):
        raise Forbidden(
            f"{telcon.tracking} is read only by the records officers, its drafters, its named "
            "reviewers and its distribution list; ask a records officer to add you to the list."
        )
    return telcon


def read_version(user: Any, telcon: Telcon, number: int | None = None, *,
                 via: str = "web") -> TelconVersion:
    """Version ``number`` (the current one when None) of a telcon ``user`` may read, recording
    the read (the caller has checked access: ``access_telcon_content``)."""
    number = telcon.version if number is None else number
    version = (
        TelconVersion.objects.select_related("created_by")
        .filter(telcon=telcon, number=number).first()
    )
    if version is None:
        raise NotFound(f"{telcon.tracking} has no version {number} (versions 1 to "
                       f"{telcon.version}).", field="version")
    record_read(user, SUBJECT, telcon.pk, via=via, part=f"version {number}")
    return version


def telcon_labels(ids: Any) -> dict[int, SubjectLabel]:
    """How the access audit names telcons: the tracking number, the call, from whom to whom."""
    return {
        t.pk: SubjectLabel(
            t.tracking, f"{t.call.tracking}: {t.call.office.polity} → {t.call.principal.title}"
        )
        for t in _base().filter(pk__in=list(ids))
    }
