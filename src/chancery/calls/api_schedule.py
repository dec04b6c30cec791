"""Scheduling API routes: a principal's call settings, solves (queued, run by the worker, polled
for progress and result) and an officer's move of a call. Thin wrappers over
``calls.services.scheduling``; access through the access helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status
from pydantic import field_validator

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, roles_of
from chancery.calls.access import access_call
from chancery.calls.access_staff import access_run
from chancery.calls.precedence import PolicyError
from chancery.calls.services import scheduling
from chancery.directory.access import principal_by_slug
from chancery.directory.api import Slug
from chancery.directory.models import Principal
from chancery.errors import Forbidden, InvalidInput, NotFound
from chancery.schemas import ErrorOut, InSchema

router = Router(tags=["scheduling"])
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
    429: ErrorOut,
}
MAX_ID = 2**31 - 1


class SettingsIn(InSchema):
    """The settings to change; those left out keep their value."""

    policy: dict[str, Any] | None = Field(
        None, description='Precedence policy, e.g. {"keys": ["ceremonial", {"key": '
        '"alphabetical", "language": "en"}]} (docs/architecture.md, "Calls: precedence")',
    )
    day_start: str | None = Field(None, max_length=8, description="HH:MM, principal's zone")
    day_end: str | None = Field(None, max_length=8, description="HH:MM, after day_start")
    daily_cap: int | None = Field(None, description="Calls per day, at least 1")
    buffer_minutes: int | None = Field(None, description="Minutes kept free after each call")
    note_takers: int | None = Field(None, description="Note-takers on duty; at least 2")
    dial_in: str | None = Field(None, max_length=2000, description="Sent with every invitation")

    @field_validator("policy", mode="after")
    @classmethod
    def _storable_policy(cls, value: Any) -> Any:
        """No text inside the policy may carry a NUL or an unpaired surrogate either (the
        database stores the policy as JSON)."""

        def walk(item: Any) -> None:
            if isinstance(item, dict):
                for key, inner in item.items():
                    walk(key)
                    walk(inner)
            elif isinstance(item, list):
                for inner in item:
                    walk(inner)
            elif isinstance(item, str):
                InSchema._storable_text(item)

        walk(value)
        return value


class SettingsOut(Schema):
    principal: str
    saved: bool = Field(..., description="False: the defaults, never saved")
    policy: dict[str, Any]
    day_start: str
    day_end: str
    daily_cap: int
    buffer_minutes: int
    note_takers: int
    dial_in: str
    time_zone: str
    updated_at: str | None


class SolveIn(InSchema):
    days: int = Field(14, description="Days to schedule, from start (1-60)")
    time_limit: float = Field(10.0, description="Solver seconds (0.5-300)")
    start: dt.date | None = Field(None, description="First day (principal's zone); today")


class RunOut(Schema):
    id: int
    principal: str
    state: str = Field(..., description="queued, running, done or failed")
    requested_at: str
    start_day: str
    days: int
    time_limit: float
    started_at: str | None
    finished_at: str | None
    progress: dict[str, Any] = Field(
        ..., description="phase, solutions, objective, bound, seconds (while running)"
    )
    result: dict[str, Any] = Field(
        ..., description="placed, unplaced [{call, reason}], metrics, status, placed_bound, "
        "seconds (once done)",
    )
    error: str


class MoveIn(InSchema):
    start: dt.datetime = Field(
        ..., description="ISO 8601 with its UTC offset, e.g. 2020-11-24T10:00:00-05:00"
    )


class MovedOut(Schema):
    call: str
    state: str
    start: str | None
    end: str | None
    interpreter: int | None
    fixed: bool
    sequence: int
    run: int | None = Field(None, description="The re-solve queued around the move")


def _principal(user: Any, slug: str) -> Principal:
    """The principal, for the operations center and its own office (403 for anyone else)."""
    principal = principal_by_slug(slug)  # the path's {slug}: a 404 names it
    roles = roles_of(user)
    own = Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id == principal.pk
    if not (roles & ALL_SEEING or own):
        raise Forbidden(
            f"Only the {principal.title}'s office and the operations center see its scheduling."
        )
    return principal


@router.get("/principals/{slug}/call-settings", response={200: SettingsOut, **ERRORS},
            summary="A principal's call settings")
def get_settings(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    return scheduling.settings_dict(_principal(request.user, slug))


@router.put("/principals/{slug}/call-settings", response={200: SettingsOut, **ERRORS},
            summary="Change a principal's call settings (officers, admin)")
def put_settings(request: HttpRequest, slug: Slug, payload: SettingsIn) -> dict[str, Any]:
    """Only the fields given change; everything is checked before anything is written."""
    principal = _principal(request.user, slug)
    fields = payload.dict(exclude_unset=True)
    if not fields:
        raise InvalidInput(
            "give at least one setting: " + ", ".join(scheduling.SETTINGS_FIELDS) + ".",
            field="body",
        )
    for name, value in fields.items():
        if value is None:
            raise InvalidInput(f"{name} cannot be null; leave it out to keep its value.",
                               field=name)
    try:
        scheduling.save_settings(principal, by=request.user, **fields)
    except PolicyError as exc:  # its field is a place inside the policy: name it from the body
        where = exc.field or "policy"
        raise InvalidInput(
            exc.message, field=where if where == "policy" else f"policy.{where}"
        ) from None
    return scheduling.settings_dict(principal)


@router.post("/principals/{slug}/schedule", response={202: RunOut, **ERRORS},
             summary="Queue a solve for a principal (the worker runs it)")
def post_schedule(request: HttpRequest, slug: Slug, payload: SolveIn) -> Status[Any]:
    """202 with the solve; when one is already queued or running for the principal, that one.
    Poll ``GET /schedule-runs/{id}`` for its progress and result."""
    principal = _principal(request.user, slug)
    run = scheduling.request_solve(
        principal, by=request.user, days=payload.days, start=payload.start,
        time_limit=payload.time_limit,
    )
    return Status(202, scheduling.run_dict(run))


@router.get("/schedule-runs/{run_id}", response={200: RunOut, **ERRORS},
            summary="A solve's progress and result")
def get_run(
    request: HttpRequest,
    run_id: int = Path(..., ge=1, le=MAX_ID, description="The solve's id"),
) -> dict[str, Any]:
    try:
        run = access_run(request.user, run_id)
    except (NotFound, Forbidden):
        raise NotFound(f"No solve {run_id}.", field="run_id") from None
    return scheduling.run_dict(run)


@router.post("/calls/{tracking}/move", response={200: MovedOut, **ERRORS},
             summary="Place a call by hand (officers); the rest is re-solved around it")
def move(request: HttpRequest, tracking: str, payload: MoveIn) -> dict[str, Any]:
    call = access_call(request.user, tracking)
    call = scheduling.move_call(call, payload.start, by=request.user)
    run = scheduling.current_run(call.principal, active_only=True)
    return {
        "call": call.tracking, "state": call.state, "start": scheduling.iso(call.start),
        "end": scheduling.iso(call.end), "interpreter": call.interpreter_id,
        "fixed": call.fixed, "sequence": call.sequence, "run": run.pk if run else None,
    }
