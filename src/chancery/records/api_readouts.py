"""The API of read-outs: public GETs of the published read-outs (no authentication: the same
JSON as ``/readouts/<slug>.json``), and the staff's routes under ``/records/readouts``: the list,
one read-out with its versions (reading a draft is recorded), draft, clear, embargo, link and
publish. Thin wrappers over ``records.services.readouts``, access through
``records.access_readouts``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from chancery import clock
from chancery.calls.access import access_call
from chancery.errors import InvalidInput, NotFound
from chancery.ledger.services import history
from chancery.records import access_readouts as access
from chancery.records.models import Readout
from chancery.records.readouts_public import public_dict
from chancery.records.services import readouts as services
from chancery.schemas import ErrorOut

router = Router(tags=["records"])
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: ErrorOut, 429: ErrorOut,
}


class DraftIn(Schema):
    call: str = Field(..., max_length=40, description="The call's tracking number")
    title: str = Field(..., description="One line, at most 300 characters")
    body: str
    correction_note: str = Field(
        "", description="Required for a version drafted after one was published (shown "
        "publicly with it); empty otherwise"
    )


class ClearIn(Schema):
    version: int = Field(..., ge=1, le=10**6,
                         description="The latest version's number (a stale one is a 409)")


class EmbargoIn(Schema):
    until: dt.datetime | None = Field(
        ..., description="Not published before this time (with its offset); null lifts it"
    )
    note: str = ""


class LinkIn(Schema):
    url: str = Field(..., description="The counterpart's read-out (https); empty removes it")


class VersionOut(Schema):
    number: int
    title: str
    body: str
    correction_note: str
    created_by: str | None
    created_at: dt.datetime
    cleared_by: str | None
    cleared_at: dt.datetime | None
    published_at: dt.datetime | None
    digest: str


class ReadoutOut(Schema):
    tracking: str
    call: str
    principal: str
    slug: str
    state: str
    version: int
    published_version: int | None
    first_published_at: dt.datetime | None
    embargo_until: dt.datetime | None
    embargo_note: str
    counterpart_url: str
    publication_refusal: str | None = Field(
        None, description="Why it may not be published now (null: it may)"
    )
    versions: list[VersionOut] | None = None
    events: list[dict[str, Any]] | None = None


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def readout_dict(readout: Readout, user: Any, *, full: bool = True) -> dict[str, Any]:
    """The read-out as staff see it; ``full``: with the versions ``user`` may read (a draft's
    read recorded) and the events."""
    out: dict[str, Any] = {
        "tracking": readout.tracking,
        "call": readout.call.tracking,
        "principal": readout.call.principal.slug,
        "slug": readout.slug,
        "state": readout.state,
        "version": readout.version,
        "published_version": readout.published_version,
        "first_published_at": readout.first_published_at,
        "embargo_until": readout.embargo_until,
        "embargo_note": readout.embargo_note,
        "counterpart_url": readout.counterpart_url,
        "publication_refusal": services.publication_refusal(readout, clock.now()),
    }
    if not full:
        return out
    versions = list(access.readable_readout_versions(user).filter(readout=readout))
    access.record_draft_read(user, readout, versions, via="api")
    out["versions"] = [
        {
            "number": v.number, "title": v.title, "body": v.body,
            "correction_note": v.correction_note, "created_by": _name(v.created_by),
            "created_at": v.created_at, "cleared_by": _name(v.cleared_by),
            "cleared_at": v.cleared_at, "published_at": v.published_at, "digest": v.digest,
        }
        for v in versions
    ]
    out["events"] = [
        {"kind": e.kind, "at": e.at.isoformat(), "by": _name(e.actor)}
        for e in history("readout", readout.pk)
    ]
    return out


# --------------------------------------------------------------------------- public


def _public(request: HttpRequest, readout: Readout) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("readout_public", args=[readout.slug]))
    return public_dict(readout, url=url)


@router.get("/readouts", auth=None, response={200: list[dict[str, Any]], **ERRORS},
            summary="Published read-outs (public)")
def list_public(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    """The published read-outs, newest first, each as ``/readouts/<slug>.json`` shows it:
    ``published`` is the object whose canonical JSON hashes (SHA-256) to ``digest``, the digest
    of the log's ``readout.published`` event."""
    page = access.published_readouts()[offset : offset + limit]
    return [_public(request, r) for r in page]


@router.get("/readouts/{slug}", auth=None, response={200: dict[str, Any], **ERRORS},
            summary="One published read-out (public)")
def get_public(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _public(request, access.public_readout(slug))


# --------------------------------------------------------------------------- staff


@router.get("/records/readouts", response={200: list[ReadoutOut], **ERRORS},
            summary="Read-outs you can see, every state")
def list_staff(
    request: HttpRequest,
    state: str | None = Query(None, max_length=20, description="draft, cleared, published"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    qs = access.visible_readouts(request.user).order_by("-created_at", "-id")
    if state:
        if state not in Readout.State.values:
            raise InvalidInput(
                f"state {state!r} is unknown; use one of {', '.join(Readout.State.values)}.",
                field="state",
            )
        qs = qs.filter(state=state)
    return [readout_dict(r, request.user, full=False) for r in qs[offset : offset + limit]]


@router.get("/records/readouts/{tracking}", response={200: ReadoutOut, **ERRORS},
            summary="A read-out with its versions (reading a draft is recorded)")
def get_staff(request: HttpRequest, tracking: str) -> dict[str, Any]:
    return readout_dict(access.access_readout(request.user, tracking), request.user)


def _body_call(user: Any, tracking: str) -> Any:
    """The call the body's ``call`` names (a 404 naming that field, not the path's)."""
    try:
        return access_call(user, tracking)
    except NotFound as exc:
        raise NotFound(exc.message, field="call") from None


@router.post("/records/readouts", response={201: ReadoutOut, **ERRORS},
             summary="Draft a call's read-out (the first version, or a new one)")
def draft(request: HttpRequest, payload: DraftIn) -> Any:
    call = _body_call(request.user, payload.call)
    v = services.draft_readout(call, by=request.user, title=payload.title, body=payload.body,
                               correction_note=payload.correction_note)
    return Status(201, readout_dict(access.access_readout(request.user, v.readout.tracking),
                                    request.user))


def _out(request: HttpRequest, tracking: str) -> dict[str, Any]:
    return readout_dict(access.access_readout(request.user, tracking), request.user)


@router.post("/records/readouts/{tracking}/clear", response={200: ReadoutOut, **ERRORS})
def clear(request: HttpRequest, tracking: str, payload: ClearIn) -> dict[str, Any]:
    """The principal's office clears the latest version (not its own drafter)."""
    services.clear_readout(access.access_readout(request.user, tracking), by=request.user,
                           version=payload.version)
    return _out(request, tracking)


@router.post("/records/readouts/{tracking}/embargo", response={200: ReadoutOut, **ERRORS})
def embargo(request: HttpRequest, tracking: str, payload: EmbargoIn) -> dict[str, Any]:
    services.set_embargo(access.access_readout(request.user, tracking), by=request.user,
                         until=payload.until, note=payload.note)
    return _out(request, tracking)


@router.post("/records/readouts/{tracking}/link", response={200: ReadoutOut, **ERRORS})
def link(request: HttpRequest, tracking: str, payload: LinkIn) -> dict[str, Any]:
    services.link_counterpart(access.access_readout(request.user, tracking), by=request.user,
                              url=payload.url)
    return _out(request, tracking)


@router.post("/records/readouts/{tracking}/publish", response={200: ReadoutOut, **ERRORS})
def publish(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """Publish the latest version now; 409 with the publication rule's words when it may not
    be (not cleared, the call not ended, inside the embargo)."""
    services.publish_readout(access.access_readout(request.user, tracking), by=request.user)
    return _out(request, tracking)
