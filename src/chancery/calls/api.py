"""Call request API routes: thin wrappers over ``calls.services.requests``, access through
``calls.access``. A sender-only user (a liaison) gets the liaison's view of a call: its state,
window, time, decline reason and the kinds and times of its events; no officers' notes, ranks or
names."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router
from ninja.renderers import JSONRenderer

from chancery.accounts.roles import is_sender_only
from chancery.calls.access import SUBJECT, access_call, visible_calls
from chancery.calls.models import CallChannel, CallRequest, CallState
from chancery.calls.schemas import (
    AttemptIn,
    CallIn,
    CallOut,
    CallReceiptOut,
    CallSubmittedOut,
    CompleteIn,
    NoteIn,
    ProvenCallReceiptOut,
    ReasonIn,
)
from chancery.calls.services import actions
from chancery.calls.services import requests as services
from chancery.errors import InvalidInput
from chancery.ledger.models import Event
from chancery.ledger.reads import record_read
from chancery.ledger.services import history
from chancery.schemas import SLUG_PATTERN, ErrorOut

router = Router(tags=["calls"])
_JSON = JSONRenderer()
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: ErrorOut, 429: ErrorOut,
}


def _events_of(calls: list[CallRequest]) -> dict[int, list[Event]]:
    """The events of many calls in one query (as ``history`` orders them: oldest first)."""
    out: dict[int, list[Event]] = {c.pk: [] for c in calls}
    events = (
        Event.objects.filter(subject_type=SUBJECT, subject_id__in=list(out))
        .select_related("actor").order_by("id")
    )
    for e in events:
        out[e.subject_id].append(e)
    return out


def call_dict(
    call: CallRequest, user: Any, *, full: bool = True, events: list[Event] | None = None
) -> dict[str, Any]:
    """The call as ``user`` may see it (the liaison's view for a sender-only user). ``full``:
    with its purpose (private text: the read is recorded in the access audit); lists leave it
    out."""
    office = call.office
    liaison = is_sender_only(user)
    out: dict[str, Any] = {
        "tracking": call.tracking,
        "principal": call.principal.slug,
        "office": office.pk,
        "office_title": office.title,
        "leader": office.leader.name if office.leader else None,
        "polity": office.polity,
        "channel": call.channel,
        "received_at": call.received_at,
        "state": call.state,
        "state_label": CallState(call.state).label,
        "status": services.sender_status(call),
        "waits_for": call.waits_for,
        "purpose": call.purpose if full else None,
        "language": call.language,
        "brings_interpreter": call.brings_interpreter,
        "duration": call.duration,
        "planned_minutes": call.planned_minutes,
        "time_zone": call.time_zone,
        "earliest": call.earliest,
        "latest": call.latest,
        "local_start": f"{call.local_start:%H:%M}",
        "local_end": f"{call.local_end:%H:%M}",
        "start": call.start,
        "end": call.end,
        "decline_reason": call.decline_reason,
    }
    if full:
        record_read(user, SUBJECT, call.pk, via="api", part="purpose")
    if events is None:
        events = list(history(SUBJECT, call.pk))
    if liaison:
        out["events"] = [{"kind": e.kind, "at": e.at} for e in events]
        return out
    out.update({
        "tier": call.tier,
        "rank": call.rank,
        "rank_reason": call.rank_reason,
        "triage_note": call.triage_note,
        "defer_reason": call.defer_reason,
        "interpreter": call.interpreter.name if call.interpreter else None,
        "fixed": call.fixed,
        "unplaced_reason": call.unplaced_reason,
        "submitted_by": call.submitted_by.get_username() if call.submitted_by else None,
        "actions": [a.action for a in actions.allowed_actions(call, user) if a],
        "events": [
            {"kind": e.kind, "at": e.at, "by": e.actor.get_username() if e.actor else None}
            for e in events
        ],
    })
    return out


@router.post(
    "/calls", response={200: CallSubmittedOut, 201: CallSubmittedOut, **ERRORS},
    summary="Request a call with a principal",
)
def submit(
    request: HttpRequest,
    payload: CallIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description=(
            "Any string of 1-200 characters, unique per request (e.g. a UUID). A retry with the "
            "same key returns the first request (200) instead of making a second; the same key "
            "with a different request is a 409."
        ),
    ),
) -> HttpResponse:
    """Returns 201 with the tracking number, the status in words (why it waits, when the
    principal's support policy holds calls) and the receipt; a retry with the same
    ``Idempotency-Key`` returns 200 and the same request."""
    sub = services.CallSubmission(
        principal=payload.principal, office=payload.office, purpose=payload.purpose,
        language=payload.language, earliest=payload.earliest, latest=payload.latest,
        local_start=payload.local_start, local_end=payload.local_end,
        time_zone=payload.time_zone, duration=payload.duration,
        brings_interpreter=payload.brings_interpreter,
    )
    call, created = services.submit_call(
        sub, by=request.user, channel=CallChannel.API, idempotency_key=idempotency_key
    )
    answer = CallSubmittedOut(
        tracking=call.tracking,
        status=services.sender_status(call),
        receipt=CallReceiptOut(**services.receipt(call)),
    )
    status = 201 if created else 200
    return HttpResponse(
        _JSON.render(request, answer.model_dump(mode="json"), response_status=status),
        status=status,
        content_type=f"{_JSON.media_type}; charset={_JSON.charset}",
    )


@router.get("/calls", response={200: list[CallOut], **ERRORS}, summary="Call requests you can see")
def list_calls(
    request: HttpRequest,
    principal: str | None = Query(None, pattern=SLUG_PATTERN, description="Principal slug"),
    state: str | None = Query(None, max_length=30, description="e.g. requested, scheduled"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    qs = visible_calls(request.user).order_by("-received_at", "-id")
    if state:
        if state not in CallState.values:
            raise InvalidInput(
                f"state {state!r} is unknown; use one of {', '.join(CallState.values)}.",
                field="state",
            )
        qs = qs.filter(state=state)
    if principal:
        qs = qs.filter(principal__slug=principal)
    page = list(qs[offset : offset + limit])
    events = _events_of(page)
    return [call_dict(c, request.user, full=False, events=events[c.pk]) for c in page]


@router.get("/calls/{tracking}", response={200: CallOut, **ERRORS}, summary="A call request")
def get_call(request: HttpRequest, tracking: str) -> dict[str, Any]:
    return call_dict(access_call(request.user, tracking), request.user)


@router.get("/calls/{tracking}/receipt", response={200: ProvenCallReceiptOut, **ERRORS},
            summary="A call request's receipt")
def get_receipt(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """The receipt of the request, with a C2SP tlog-proof@v1 of its ``call.requested`` event
    once the log has integrated it; the salt lets the requester recompute the commitment to the
    purpose that the public log holds."""
    return services.receipt_with_proofs(access_call(request.user, tracking))


def _out(request: HttpRequest, tracking: str) -> dict[str, Any]:
    return call_dict(access_call(request.user, tracking), request.user)


@router.post("/calls/{tracking}/triage", response={200: CallOut, **ERRORS})
def triage(request: HttpRequest, tracking: str, payload: NoteIn) -> dict[str, Any]:
    """Rank the request (its tier and position in the principal's precedence order)."""
    services.triage_call(access_call(request.user, tracking), by=request.user, note=payload.note)
    return _out(request, tracking)


@router.post("/calls/{tracking}/approve", response={200: CallOut, **ERRORS})
def approve(request: HttpRequest, tracking: str) -> dict[str, Any]:
    services.approve_call(access_call(request.user, tracking), by=request.user)
    return _out(request, tracking)


@router.post("/calls/{tracking}/defer", response={200: CallOut, **ERRORS})
def defer(request: HttpRequest, tracking: str, payload: ReasonIn) -> dict[str, Any]:
    services.defer_call(access_call(request.user, tracking), by=request.user,
                        reason=payload.reason)
    return _out(request, tracking)


@router.post("/calls/{tracking}/decline", response={200: CallOut, **ERRORS})
def decline(request: HttpRequest, tracking: str, payload: ReasonIn) -> dict[str, Any]:
    """Decline with a reason the liaison sees."""
    services.decline_call(access_call(request.user, tracking), by=request.user,
                          reason=payload.reason)
    return _out(request, tracking)


@router.post("/calls/{tracking}/attempts", response={200: CallOut, **ERRORS})
def attempt(request: HttpRequest, tracking: str, payload: AttemptIn) -> dict[str, Any]:
    """Record an attempt to reach the other side; ``connected`` connects the call."""
    services.record_attempt(access_call(request.user, tracking), by=request.user,
                            outcome=payload.outcome, note=payload.note)
    return _out(request, tracking)


@router.post("/calls/{tracking}/complete", response={200: CallOut, **ERRORS})
def complete(request: HttpRequest, tracking: str, payload: CompleteIn) -> dict[str, Any]:
    services.complete_call(access_call(request.user, tracking), by=request.user,
                           minutes=payload.minutes)
    return _out(request, tracking)


@router.post("/calls/{tracking}/fail", response={200: CallOut, **ERRORS})
def fail(request: HttpRequest, tracking: str, payload: ReasonIn) -> dict[str, Any]:
    services.fail_call(access_call(request.user, tracking), by=request.user,
                       reason=payload.reason)
    return _out(request, tracking)
