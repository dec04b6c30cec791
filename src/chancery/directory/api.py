"""Directory API: principals (and their transition status), sending offices."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, has_role, profile_of, require_role
from chancery.directory import services
from chancery.directory.models import Office, Principal
from chancery.errors import NotFound
from chancery.schemas import SLUG_PATTERN, ErrorOut, InSchema

router = Router(tags=["directory"])
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: ErrorOut, 429: ErrorOut,
}
Slug = Annotated[
    str, Path(..., pattern=SLUG_PATTERN, description="Principal slug, e.g. president-elect")
]


class StatusIn(InSchema):
    status: str = Field(..., description="candidate, projected, ascertained or inaugurated")
    note: str = ""


class PrincipalOut(Schema):
    slug: str
    name: str
    title: str
    time_zone: str
    status: str
    delivery_requires: str
    gate_active: bool


class OfficeOut(Schema):
    id: int
    title: str
    kind: str
    leader: str | None
    polity: str
    country: str | None
    organisation: str | None
    form_of_address: str
    languages: list[str]
    time_zone: str | None
    took_office: dt.date | None


def principal_by_slug(slug: str, *, field: str = "slug") -> Principal:
    principal = Principal.objects.filter(slug=slug).first()
    if principal is None:
        known = ", ".join(Principal.objects.values_list("slug", flat=True))
        raise NotFound(f"No principal {slug!r}; known principals: {known}.", field=field)
    return principal


def _principal_out(p: Principal) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "name": p.name,
        "title": p.title,
        "time_zone": p.time_zone,
        "status": p.status,
        "delivery_requires": p.delivery_requires,
        "gate_active": p.gate_active,
    }


@router.get("/principals", response={200: list[PrincipalOut], **ERRORS})
def principals(request: HttpRequest) -> list[dict[str, Any]]:
    return [_principal_out(p) for p in Principal.objects.all()]


@router.post("/principals/{slug}/status", response={200: PrincipalOut, **ERRORS})
def set_status(request: HttpRequest, slug: Slug, payload: StatusIn) -> dict[str, Any]:
    """Record a transition status (admin). Opening the policy gate delivers held messages in
    order of receipt."""
    principal = principal_by_slug(slug)
    services.set_principal_status(
        principal, by=request.user, status=payload.status, note=payload.note
    )
    return _principal_out(Principal.objects.get(pk=principal.pk))


@router.get("/offices", response={200: list[OfficeOut], **ERRORS})
def offices(request: HttpRequest) -> list[dict[str, Any]]:
    """Sending offices. A liaison sees its own country's or organisation's offices."""
    require_role(
        request.user,
        Role.LIAISON,
        Role.WATCH_OFFICER,
        Role.PROTOCOL_OFFICER,
        Role.ADMIN,
        Role.AUDITOR,
        Role.PRINCIPAL_OFFICE,
        Role.TRANSLATOR,
        action="list offices",
    )
    qs = Office.objects.select_related("leader", "country", "organisation")
    if has_role(request.user, Role.LIAISON) and not has_role(request.user, *ALL_SEEING):
        mission = profile_of(request.user).mission
        if mission is None:
            return []
        qs = (
            qs.filter(country_id=mission.country_id)
            if mission.country_id
            else qs.filter(organisation_id=mission.organisation_id)
        )
    return [
        {
            "id": o.pk,
            "title": o.title,
            "kind": o.kind,
            "leader": o.leader.name if o.leader else None,
            "polity": o.polity,
            "country": o.country.code if o.country else None,
            "organisation": o.organisation.slug if o.organisation else None,
            "form_of_address": o.form_of_address,
            "languages": o.languages,
            "time_zone": o.leader.time_zone if o.leader else None,
            "took_office": o.took_office,
        }
        for o in qs
    ]
