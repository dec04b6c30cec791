"""Interpreter API routes: the roster (read by officers, admin and the auditor; kept by officers
and admin), a call's reassignment, and calendar feed tokens. Thin wrappers over
``calls.services.interpreters`` and ``calls.services.invitations``.

Paths are ``/interpreters``, ``/calls/{tracking}/interpreter`` and ``/feeds``: none is
captured by the call routes' ``/calls/{tracking}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Router, Schema, Status

from chancery.accounts.roles import require_role
from chancery.calls import access_interpreters as access
from chancery.calls.access import access_call
from chancery.calls.models import Interpreter
from chancery.calls.services import interpreters as roster
from chancery.calls.services import invitations
from chancery.directory.access import principal_by_slug
from chancery.errors import InvalidInput
from chancery.schemas import ErrorOut, InSchema

router = Router(tags=["interpreters"])
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
    429: ErrorOut,
}
MAX_ID = 2**31 - 1


class InterpreterIn(InSchema):
    username: str = Field(..., max_length=150, description="Their login, unique")
    name: str = Field(..., max_length=200)
    languages: list[str] = Field(
        ..., description="ISO 639-1 codes they interpret into English (not 'en'), at least one",
    )
    time_zone: str = Field(..., max_length=64, description="IANA zone, e.g. Europe/Paris")
    day_start: str = Field("07:00", max_length=8, description="HH:MM in their zone")
    day_end: str = Field("22:00", max_length=8, description="HH:MM, after day_start")
    daily_cap: int = Field(4, description="Calls a day, 1-12")
    email: str = Field("", max_length=254, description="Where invitations go (optional)")
    password: str | None = Field(None, max_length=200,
                                 description="Omit to let an administrator set it")


class InterpreterPatch(InSchema):
    """The fields to change; those left out keep their value."""

    name: str | None = Field(None, max_length=200)
    languages: list[str] | None = None
    time_zone: str | None = Field(None, max_length=64)
    day_start: str | None = Field(None, max_length=8)
    day_end: str | None = Field(None, max_length=8)
    daily_cap: int | None = None
    active: bool | None = None
    email: str | None = Field(None, max_length=254)


class InterpreterOut(Schema):
    id: int
    username: str
    name: str
    languages: list[str]
    time_zone: str
    day_start: str
    day_end: str
    daily_cap: int
    active: bool


class ReassignIn(InSchema):
    interpreter: int | None = Field(..., ge=1, le=MAX_ID,
                                    description="The interpreter's id; null: none")


class ReassignOut(Schema):
    call: str
    interpreter: int | None
    sequence: int


class FeedIn(InSchema):
    principal: str | None = Field(
        None, max_length=50,
        description="A principal's slug (officers, admin); omit for your own interpreter feed",
    )


class FeedOut(Schema):
    url: str = Field(..., description="The feed's address with its secret: shown once")
    prefix: str
    created_at: str


def _out(interp: Interpreter) -> dict[str, Any]:
    return {
        "id": interp.pk, "username": interp.user.get_username(), "name": interp.name,
        "languages": list(interp.languages), "time_zone": interp.time_zone,
        "day_start": f"{interp.day_start:%H:%M}", "day_end": f"{interp.day_end:%H:%M}",
        "daily_cap": interp.daily_cap, "active": interp.active,
    }


def _interpreter(user: Any, pk: int, field: str) -> Interpreter:
    return access.access_interpreter(
        user, pk, field=field,
        message=f"No interpreter {pk} on the roster (GET /api/v1/interpreters).",
    )


@router.get("/interpreters", response={200: list[InterpreterOut], **ERRORS},
            summary="The interpreter roster")
def list_interpreters(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(i) for i in access.roster(request.user)]


@router.post("/interpreters", response={201: InterpreterOut, **ERRORS},
             summary="Enrol an interpreter (officers, admin)")
def create_interpreter(request: HttpRequest, payload: InterpreterIn) -> Any:
    interp = roster.enroll_interpreter(by=request.user, **payload.model_dump())
    return Status(201, _out(interp))


@router.patch("/interpreters/{interpreter_id}", response={200: InterpreterOut, **ERRORS},
              summary="Change an interpreter's languages, zone, hours, cap or activity")
def patch_interpreter(
    request: HttpRequest, payload: InterpreterPatch,
    interpreter_id: int = Path(..., ge=1, le=MAX_ID),
) -> dict[str, Any]:
    require_role(request.user, *roster.ROSTER_ROLES, action="change the interpreter roster")
    fields = payload.model_dump(exclude_none=True)
    if not fields:
        raise InvalidInput("Nothing to change: give at least one field.", field="body")
    interp = _interpreter(request.user, interpreter_id, "interpreter_id")
    interp = roster.update_interpreter(interp, by=request.user, **fields)
    return _out(interp)


@router.post("/calls/{tracking}/interpreter", response={200: ReassignOut, **ERRORS},
             summary="Reassign a call's interpreter (officers)")
def reassign(request: HttpRequest, tracking: str, payload: ReassignIn) -> dict[str, Any]:
    call = access_call(request.user, tracking)
    target = (_interpreter(request.user, payload.interpreter, "interpreter")
              if payload.interpreter is not None else None)
    call = roster.reassign_interpreter(call, target, by=request.user)
    return {"call": call.tracking, "interpreter": call.interpreter_id, "sequence": call.sequence}


@router.post("/feeds", response={201: FeedOut, **ERRORS},
             summary="Issue (rotate) a calendar feed address")
def issue_feed(request: HttpRequest, payload: FeedIn) -> Any:
    if payload.principal:
        token, secret = invitations.issue_feed_token(
            by=request.user, principal=principal_by_slug(payload.principal, field="principal"))
    else:
        interp = roster.require_interpreter(request.user)
        token, secret = invitations.issue_feed_token(by=request.user, interpreter=interp)
    url = request.build_absolute_uri(reverse("call_feed", args=[secret]))
    return Status(201, {"url": url, "prefix": token.prefix,
                        "created_at": token.created_at.isoformat()})
