"""Directory API: principals (and their transition status), sending offices."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from chancery.directory import access, services
from chancery.directory.access import principal_by_slug
from chancery.directory.models import Principal
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
    note: str = Field("", description="Why; required when the change releases or holds messages")
    confirm: int | None = Field(
        None,
        ge=0,
        le=10**9,
        description=(
            "The number of messages the change releases or holds, as you were told. A change "
            "that moves messages is refused with 409 (naming the number, field 'confirm') "
            "unless this equals it; a change that moves none needs no confirmation."
        ),
    )


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
    return [_principal_out(p) for p in access.principals()]


@router.post("/principals/{slug}/status", response={200: PrincipalOut, **ERRORS})
def set_status(request: HttpRequest, slug: Slug, payload: StatusIn) -> dict[str, Any]:
    """Record a transition status (admin). Opening the policy gate delivers held messages in
    order of receipt. A change that releases or holds messages needs ``confirm`` (their
    number: without it, or with another number, the answer is 409 naming it) and a ``note``."""
    principal = principal_by_slug(slug)
    services.set_principal_status(
        principal, by=request.user, status=payload.status, note=payload.note,
        confirm=payload.confirm,
    )
    principal.refresh_from_db()
    return _principal_out(principal)


@router.get("/offices", response={200: list[OfficeOut], **ERRORS})
def offices(request: HttpRequest) -> list[dict[str, Any]]:
    """Sending offices. A liaison sees its own country's or organisation's offices."""
    qs = access.visible_offices(request.user)
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
