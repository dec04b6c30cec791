"""The call queue in precedence order: a request becomes a ``precedence.Caller`` (who asks, in
what office, since when, when they congratulated), the principal's settings give the
``precedence.Policy``, and ``ranked`` orders the open requests the support policy does not hold,
each with the reason it stands where it does (docs/architecture.md, "Calls: precedence")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Min, Q

from chancery.calls import precedence
from chancery.calls.models import OPEN_CALL_STATES, CallRequest
from chancery.calls.services.common import settings_for
from chancery.correspondence.models import Message
from chancery.directory.models import Mission, Office, Principal

_ROLES = {
    Office.Kind.HEAD_OF_STATE: precedence.Role.HEAD_OF_STATE,
    Office.Kind.HEAD_OF_GOVERNMENT: precedence.Role.HEAD_OF_GOVERNMENT,
}


def policy_for(principal: Principal) -> precedence.Policy:
    """The principal's precedence policy (its call settings, or the default)."""
    return precedence.Policy.from_dict(settings_for(principal).policy)


def _congratulations(principal_id: int, leader_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """leader id -> the earliest message received from any office of that leader to the
    principal (one query for the whole queue)."""
    ids = {i for i in leader_ids if i is not None}
    if not ids:
        return {}
    rows = (
        Message.objects.filter(principal_id=principal_id, sender_office__leader_id__in=ids)
        .values("sender_office__leader_id")
        .annotate(first=Min("received_at"))
    )
    return {r["sender_office__leader_id"]: r["first"] for r in rows}


def _missions(offices: Iterable[Office]) -> dict[tuple[str, int], Mission]:
    """(polity key) -> the mission of that country or organisation, for heads of mission."""
    wanted = [o for o in offices if o.kind == Office.Kind.OTHER]
    countries = {o.country_id for o in wanted if o.country_id}
    orgs = {o.organisation_id for o in wanted if o.organisation_id}
    out: dict[tuple[str, int], Mission] = {}
    if not wanted:
        return out
    for m in Mission.objects.filter(
        Q(country_id__in=countries) | Q(organisation_id__in=orgs)
    ).order_by("id"):
        if m.country_id:
            out.setdefault(("country", m.country_id), m)
        elif m.organisation_id:
            out.setdefault(("organisation", m.organisation_id), m)
    return out


def _caller(
    call: CallRequest,
    congratulated: dict[int, dt.datetime],
    missions: dict[tuple[str, int], Mission],
) -> precedence.Caller:
    office = call.office
    leader = office.leader
    polity = office.polity
    kw: dict[str, Any] = {}
    if office.country_id:
        kw["country"] = office.country.code  # type: ignore[union-attr]
    else:
        org = office.organisation
        assert org is not None
        kw["organisation"] = org.slug
        kw["organisation_name"] = org.name
    if office.kind == Office.Kind.OTHER:
        key = ("country", office.country_id) if office.country_id else (
            "organisation", office.organisation_id)
        mission = missions.get(key)  # type: ignore[arg-type]
        if mission is not None:
            kw["mission_class"] = mission.head_class
            kw["functions_since"] = mission.functions_since
    return precedence.Caller(
        key=str(call.pk),
        name=f"{leader.name} ({polity})" if leader else polity,
        role=_ROLES.get(office.kind, precedence.Role.OTHER),  # type: ignore[call-overload]
        is_monarch=office.monarch,
        is_holy_see=bool(office.country_id and office.country.code == "VA"),  # type: ignore[union-attr]
        took_office=office.took_office,
        congratulated_at=congratulated.get(leader.pk) if leader else None,
        **kw,
    )


def caller_for(call: CallRequest) -> precedence.Caller:
    """The request as the precedence policies see it."""
    office = call.office
    return _caller(
        call,
        _congratulations(call.principal_id, [office.leader_id] if office.leader_id else []),
        _missions([office]),
    )


def callers_for(calls: list[CallRequest]) -> list[precedence.Caller]:
    """``caller_for`` of many requests: one query per principal for the congratulations and two
    for the missions, whatever the number of requests."""
    congratulated: dict[int, dict[int, dt.datetime]] = {}
    for pid in {c.principal_id for c in calls}:
        congratulated[pid] = _congratulations(
            pid, [c.office.leader_id for c in calls if c.principal_id == pid]  # type: ignore[misc]
        )
    missions = _missions([c.office for c in calls])
    return [_caller(c, congratulated[c.principal_id], missions) for c in calls]


def queue(principal: Principal) -> list[CallRequest]:
    """The open requests of ``principal`` the support policy does not hold, in order of
    receipt (what ``ranked`` orders)."""
    return list(
        CallRequest.objects.filter(principal=principal, state__in=OPEN_CALL_STATES, waits_for="")
        .select_related("principal", "office__leader", "office__country", "office__organisation",
                        "interpreter")
        .order_by("received_at", "id")
    )


def ranked(
    principal: Principal, calls: list[CallRequest] | None = None
) -> list[tuple[CallRequest, precedence.Ranked]]:
    """The open, ungated requests of ``principal`` (or ``calls``, all of that principal) in
    precedence order, each with its rank and the reason."""
    items = queue(principal) if calls is None else list(calls)
    if not items:
        return []
    by_key = {str(c.pk): c for c in items}
    result = policy_for(principal).rank(callers_for(items))
    return [(by_key[r.caller.key], r) for r in result]


def tier_of(policy: precedence.Policy, caller: precedence.Caller) -> str:
    """The name of the tier ``caller`` is in under ``policy`` ("" without tiers or in none)."""
    for key in policy.keys:
        if isinstance(key, precedence.TiersKey):
            return key.tier_of(caller) or ""
    return ""
