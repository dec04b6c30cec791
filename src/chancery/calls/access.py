"""Permission-scoped access to call requests. Every view, API route and command of calls fetches
a call through here (as ``correspondence/access.py`` does for messages).

Who sees a call request:

- the operations center (watch and protocol officers, admins, auditors): every request;
- a principal's office: every request addressed to its principal, gated or not;
- a liaison: the requests of its mission's country or organisation (``directory.access``'s one
  rule), whoever of that mission submitted them;
- an interpreter: the calls it is assigned to.

A person who may not know a call exists gets ``NotFound`` (the same answer as for a tracking
number that does not exist), so tracking numbers cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, roles_of
from chancery.calls.models import CALL, CallRequest
from chancery.directory.access import liaison_mission, polity_q, principal_by_slug
from chancery.errors import Forbidden
from chancery.ledger.reads import SubjectLabel

SUBJECT = "call"
"""The subject type of a call request in the ledger (events and the access audit)."""



def _base() -> QuerySet[CallRequest]:
    return CallRequest.objects.select_related(
        "principal", "office__leader", "office__country", "office__organisation",
        "interpreter", "submitted_by",
    )


def visible_calls(user: Any) -> QuerySet[CallRequest]:
    """The call requests whose existence ``user`` may see (see the module's docstring)."""
    base = _base()
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return base
    q = Q(pk__in=[])
    if Role.PRINCIPAL_OFFICE in roles:
        principal_id = profile_of(user).principal_id
        if principal_id is not None:
            q |= Q(principal_id=principal_id)
    if Role.LIAISON in roles:
        q |= polity_q(profile_of(user).mission, "office__")
    if Role.INTERPRETER in roles:
        q |= Q(interpreter__user=user)
    return base.filter(q)


parse_tracking = CALL.parse


def access_call(user: Any, tracking: str) -> CallRequest:
    """The call request ``tracking`` if ``user`` may see it; 404 otherwise."""
    return CALL.fetch(visible_calls(user), tracking)


def principal_calls(user: Any, slug: str) -> QuerySet[CallRequest]:
    """Every call request addressed to principal ``slug`` (gated or not): for its own office
    and the operations center; 403 for anyone else."""
    principal = principal_by_slug(slug, field="principal")
    roles = roles_of(user)
    own = Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id == principal.pk
    if not (roles & ALL_SEEING or own):
        raise Forbidden(
            f"Only the {principal.title}'s office and the operations center see the call "
            "requests addressed to it."
        )
    return visible_calls(user).filter(principal=principal)


def liaison_calls(user: Any) -> QuerySet[CallRequest]:
    """A liaison's call requests: those for offices of its mission's country or organisation
    (403 for anyone who is not a liaison bound to a mission)."""
    mission = liaison_mission(user)
    return _base().filter(polity_q(mission, "office__"))


def access_liaison_call(user: Any, tracking: str) -> CallRequest:
    """One of the liaison's own call requests (404 otherwise)."""
    return CALL.fetch(liaison_calls(user), tracking, where="from your mission")


def call_labels(ids: Any) -> dict[int, SubjectLabel]:
    """How the access audit names call requests: the tracking number, from whom to whom."""
    return {
        c.pk: SubjectLabel(c.tracking, f"{c.office.polity} → {c.principal.title}")
        for c in CallRequest.objects.select_related(
            "principal", "office__country", "office__organisation"
        ).filter(pk__in=list(ids))
    }


def operator_calls(principal: Any) -> QuerySet[CallRequest]:
    """Every call request addressed to ``principal``, for the installation's operator: the
    command line (``chancery calls schedule``), run by whoever holds the server's shell and
    data folder, acts for no user (as ``directory.access.principals`` serves it); never a page
    or API route, which scope by the signed-in user (``visible_calls``, ``principal_calls``)."""
    return _base().filter(principal=principal)
