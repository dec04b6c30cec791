"""The API of telcons: thin wrappers over ``records.services.telcons``, access through
``records.access_telcons`` (existence 404, content 403). Reading a telcon's content records the
read (``via="api"``, part "version N").

- ``GET /records/telcons``: the telcons you may know exist (filters: principal, state, level).
- ``GET /records/telcons/{tracking}``: one telcon with its current version (``?version=N``: that
  version), its reviews, reviewers, distribution list and the actions you may take.
- ``POST /records/telcons/{CALL-...}``: draft the telcon of that call (201);
  ``POST /records/telcons/{TELCON-...}``: revise it (a new version; ``note`` required).
- ``POST /records/telcons/{tracking}/reviewers|review|approve|distribute|distribution``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.renderers import JSONRenderer

from chancery.calls.access import access_call
from chancery.calls.models import CALL
from chancery.errors import InvalidInput
from chancery.ledger.services import history
from chancery.records import access_telcons as access
from chancery.records import telcon_view as view
from chancery.records.models import Telcon
from chancery.records.services import telcons as services
from chancery.schemas import SLUG_PATTERN, ErrorOut, InSchema

router = Router(tags=["records"])
_JSON = JSONRenderer()
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: ErrorOut, 429: ErrorOut,
}


class TelconSummaryOut(Schema):
    tracking: str
    call: str
    principal: str
    polity: str
    leader: str | None
    kind: str
    regime: str
    state: str
    level: str | None
    version: int
    created_at: dt.datetime


class HeaderOut(Schema):
    start: str
    end: str
    time_zone: str
    location: str
    participants: list[str]
    interpreter: str
    note_takers: list[str]


class ClassificationOut(Schema):
    level: str
    classified_by: str
    reasons: list[str]
    declassify_on: str | None


class VersionOut(Schema):
    number: int
    current: bool
    created_by: str
    created_at: dt.datetime
    change_note: str
    banner: str
    caution: str
    header: HeaderOut
    classification: ClassificationOut
    body: str


class ReviewOut(Schema):
    version: int
    reviewer: str
    at: dt.datetime
    note: str


class EventOut(Schema):
    kind: str
    at: dt.datetime
    by: str | None


class TelconOut(TelconSummaryOut):
    reviewers: list[str]
    recipients: list[str]
    approved_by: str | None
    approved_at: dt.datetime | None
    distributed_at: dt.datetime | None
    actions: list[str]
    versions: list[int]
    content: VersionOut
    reviews: list[ReviewOut]
    events: list[EventOut]


class TelconIn(InSchema):
    """A draft (for a call: ``regime``, ``location``, ``participants``, ``note_takers``,
    ``classification`` and ``body`` are required) or a revision (for a telcon: ``note`` and the
    fields that change)."""

    kind: str | None = Field(None, max_length=8, description="telcon or memcon (draft only)")
    regime: str | None = Field(None, max_length=16,
                               description="federal or presidential (draft only)")
    note: str | None = Field(None, max_length=2000,
                             description="What this version changes (revision only)")
    location: str | None = Field(None, max_length=300)
    participants: list[str] | None = Field(None, max_length=40)
    interpreter: str | None = Field(None, max_length=200)
    note_takers: list[str] | None = Field(None, max_length=40, description="At least two")
    classification: str | None = Field(None, max_length=2, description="U, C, S or TS")
    classified_by: str | None = Field(None, max_length=200)
    reasons: list[str] | None = Field(None, max_length=8, description="E.O. 13526 §1.4 letters")
    declassify_on: dt.date | None = None
    body: str | None = Field(None, max_length=100_000,
                             description="Paragraphs, each opening with (U), (C), (S) or (TS)")
    time_zone: str | None = Field(None, max_length=64)


class UsersIn(InSchema):
    users: list[str] = Field(..., max_length=200, description="Usernames")


class ReviewIn(InSchema):
    version: int = Field(..., ge=1, le=10**6)
    note: str = Field("", max_length=2000)


class VersionIn(InSchema):
    version: int = Field(..., ge=1, le=10**6)


def telcon_dict(t: Telcon, user: Any, *, number: int | None = None) -> dict[str, Any]:
    """The whole telcon for a reader (the caller checked content access); records the read."""
    version = access.read_version(user, t, number, via="api")
    current = t.versions.get(number=t.version)
    t.level = current.classification  # type: ignore[attr-defined]
    out = view.summary(t)
    out.update({
        "reviewers": view.user_names(list(t.reviewers or [])),
        "recipients": list(t.recipients.order_by("user_id").values_list("user__username",
                                                                          flat=True)),
        "approved_by": t.approved_by.get_username() if t.approved_by else None,
        "approved_at": t.approved_at,
        "distributed_at": t.distributed_at,
        "actions": [a.action for a in services.allowed_actions(t, user) if a],
        "versions": list(t.versions.values_list("number", flat=True)),
        "content": view.version_dict(t, version),
        "reviews": [
            {"version": r.version, "reviewer": r.reviewer.get_username(), "at": r.at,
             "note": r.note}
            for r in t.reviews.select_related("reviewer")
        ],
        "events": [
            {"kind": e.kind, "at": e.at, "by": e.actor.get_username() if e.actor else None}
            for e in history(access.SUBJECT, t.pk)
        ],
    })
    return out


@router.get("/records/telcons", response={200: list[TelconSummaryOut], **ERRORS},
            summary="Telcons you may know exist")
def list_telcons(
    request: HttpRequest,
    principal: str | None = Query(None, pattern=SLUG_PATTERN, description="Principal slug"),
    state: str | None = Query(None, max_length=16, description="draft, reviewed, approved, "
                                                             "distributed"),
    level: str | None = Query(None, max_length=2, description="U, C, S or TS"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    qs = view.filtered(access.visible_telcons(request.user), principal=principal, state=state,
                       level=level)
    return [view.summary(t) for t in qs[offset : offset + limit]]


@router.get("/records/telcons/{tracking}", response={200: TelconOut, **ERRORS},
            summary="A telcon (its content: readers only)")
def get_telcon(
    request: HttpRequest, tracking: str,
    version: int | None = Query(None, ge=1, le=10**6, description="A version (default: current)"),
) -> dict[str, Any]:
    t = access.access_telcon_content(request.user, tracking)
    return telcon_dict(t, request.user, number=version)


def _given(payload: TelconIn, names: tuple[str, ...]) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    return {k: v for k, v in data.items() if k in names and v is not None}


@router.post("/records/telcons/{tracking}", response={200: TelconOut, 201: TelconOut, **ERRORS},
             summary="Draft a call's telcon (CALL-...) or revise a telcon (TELCON-...)")
def post_telcon(request: HttpRequest, tracking: str, payload: TelconIn) -> HttpResponse:
    user = request.user
    if CALL.matches(tracking):
        call = access_call(user, tracking)
        fields = _given(payload, (*services.CONTENT_FIELDS, "kind", "regime"))
        for name in ("regime", "location", "participants", "note_takers", "classification",
                     "body"):
            fields.setdefault(name, "" if name not in ("participants", "note_takers") else [])
        t = services.draft_telcon(call, by=user, **fields)
        status = 201
    else:
        t = access.access_telcon_content(user, tracking)
        extra = sorted(k for k in _given(payload, ("kind", "regime")))
        if extra:
            raise InvalidInput(f"{extra[0]} is set when the telcon is drafted; a revision "
                               "changes the content only.", field=extra[0])
        services.revise_telcon(t, by=user, note=payload.note or "",
                               **_given(payload, services.CONTENT_FIELDS))
        status = 200
    t = access.access_telcon_content(user, t.tracking)
    body = TelconOut(**telcon_dict(t, user)).model_dump(mode="json")
    return HttpResponse(
        _JSON.render(request, body, response_status=status), status=status,
        content_type=f"{_JSON.media_type}; charset={_JSON.charset}",
    )


def _after(request: HttpRequest, tracking: str) -> dict[str, Any]:
    t = access.access_telcon_content(request.user, tracking)
    return telcon_dict(t, request.user)


def _acting(request: HttpRequest, tracking: str) -> Telcon:
    """A telcon the user acts on: one it may know exists (the services say who may act)."""
    return access.access_telcon(request.user, tracking)


@contextmanager
def _users_input() -> Iterator[None]:
    """The services name the list ``reviewers`` or ``recipients`` (the form's fields); here the
    body's input is ``users``, and a refusal names it."""
    try:
        yield
    except InvalidInput as exc:
        if exc.field in ("reviewers", "recipients"):
            raise InvalidInput(exc.message, field="users") from None
        raise


@router.post("/records/telcons/{tracking}/reviewers", response={200: TelconOut, **ERRORS})
def reviewers(request: HttpRequest, tracking: str, payload: UsersIn) -> dict[str, Any]:
    """Name the reviewers (the list as a whole)."""
    with _users_input():
        services.name_reviewers(_acting(request, tracking),
                                view.users_by_name(payload.users, field="users"),
                                by=request.user)
    return _after(request, tracking)


@router.post("/records/telcons/{tracking}/review", response={200: TelconOut, **ERRORS})
def review(request: HttpRequest, tracking: str, payload: ReviewIn) -> dict[str, Any]:
    """A named reviewer reviewed the current version (a stale version number is a 409)."""
    services.review_telcon(_acting(request, tracking), by=request.user, version=payload.version,
                           note=payload.note)
    return _after(request, tracking)


@router.post("/records/telcons/{tracking}/approve", response={200: TelconOut, **ERRORS})
def approve(request: HttpRequest, tracking: str, payload: VersionIn) -> dict[str, Any]:
    services.approve_telcon(_acting(request, tracking), by=request.user, version=payload.version)
    return _after(request, tracking)


@router.post("/records/telcons/{tracking}/distribute", response={200: TelconOut, **ERRORS})
def distribute(request: HttpRequest, tracking: str, payload: UsersIn) -> dict[str, Any]:
    with _users_input():
        services.distribute_telcon(_acting(request, tracking),
                                   view.users_by_name(payload.users, field="users"),
                                   by=request.user)
    return _after(request, tracking)


@router.post("/records/telcons/{tracking}/distribution", response={200: TelconOut, **ERRORS})
def distribution(request: HttpRequest, tracking: str, payload: UsersIn) -> dict[str, Any]:
    """Set the distribution list as a whole (after approval)."""
    with _users_input():
        services.set_distribution(_acting(request, tracking),
                                  view.users_by_name(payload.users, field="users"),
                                  by=request.user)
    return _after(request, tracking)
