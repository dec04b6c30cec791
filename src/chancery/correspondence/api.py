"""Correspondence API routes: thin wrappers over services, access through access helpers."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Path, Query, Router, Status
from ninja.renderers import JSONRenderer

from chancery.correspondence import services
from chancery.correspondence.access import (
    access_hold,
    access_inbox,
    access_message,
    access_translation,
    inbox_messages,
    translation_scope,
    visible_messages,
)
from chancery.correspondence.models import Hold, State, Translation
from chancery.correspondence.present import hold_dict, message_dict, translation_dict
from chancery.correspondence.schemas import (
    LANGUAGE_PATTERN,
    MAX_ID,
    SLUG_PATTERN,
    ErrorOut,
    HoldIn,
    HoldOut,
    MessageIn,
    MessageOut,
    NoteIn,
    ProvenReceiptOut,
    ReasonIn,
    SignOffIn,
    SubmittedOut,
    TranslationOut,
    TranslationRequestIn,
)
from chancery.directory.api import Slug
from chancery.errors import InvalidInput

router = Router(tags=["correspondence"])
_JSON = JSONRenderer()  # the API's renderer: what NinjaAPI.create_response would use
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
    422: ErrorOut, 429: ErrorOut,
}


HoldId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="The hold's id")]
TranslationId = Annotated[int, Path(..., ge=1, le=MAX_ID, description="The translation's id")]


def _attachments(items: list[Any]) -> list[tuple[str, bytes]]:
    out = []
    for i, item in enumerate(items):
        text = item.content_base64
        try:
            data = base64.b64decode(text, validate=True)
            canonical = base64.b64encode(data).decode("ascii") == text
        except (binascii.Error, ValueError):
            canonical = False
        if not canonical:
            raise InvalidInput(
                f"attachments[{i}].content_base64 ({item.filename!r}) is not valid base64 "
                "(RFC 4648: A-Z a-z 0-9 + /, padded with '=' to a multiple of 4, no line breaks).",
                field="attachments",
            )
        out.append((item.filename, data))
    return out


@router.post(
    "/messages", response={200: SubmittedOut, 201: SubmittedOut, **ERRORS},
    summary="Submit a message to a principal",
)
def submit(
    request: HttpRequest,
    payload: MessageIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description=(
            "Any string of 1-200 characters, unique per message (e.g. a UUID). A retried "
            "submission with the same key returns the first message (200) instead of making a "
            "second; the same key with a different request is a 409."
        ),
    ),
) -> HttpResponse:
    """Returns 201 with the tracking number and receipt; a retry with the same
    ``Idempotency-Key`` returns 200 and the same message, never a second one."""
    sub = services.Submission(
        principal=payload.principal,
        sender_office=payload.sender_office,
        channel=payload.channel,
        subject=payload.subject,
        body=payload.body,
        language=payload.language,
        attachments=_attachments(payload.attachments),
    )
    message, created = services.submit_message(
        sub, by=request.user, idempotency_key=idempotency_key
    )
    answer = services.submission_answer(message)
    # Rendered directly, as SubmittedOut would render it
    # (tests/correspondence/test_intake_path.py holds them equal), rather than validating our
    # own answer again through pydantic on every message.
    answer["receipt"]["received_at"] = message.received_at
    status = 201 if created else 200
    return HttpResponse(
        _JSON.render(request, answer, response_status=status),
        status=status,
        content_type=f"{_JSON.media_type}; charset={_JSON.charset}",
    )


@router.get("/messages", response={200: list[MessageOut], **ERRORS}, summary="Messages you can see")
def list_messages(
    request: HttpRequest,
    state: str | None = Query(None, max_length=30, description="e.g. received, delivered"),
    principal: str | None = Query(None, pattern=SLUG_PATTERN, description="Principal slug"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    qs = visible_messages(request.user).order_by("-received_at", "-id")
    if state:
        if state not in State.values:
            raise InvalidInput(
                f"state {state!r} is unknown; use one of {', '.join(State.values)}.",
                field="state",
            )
        qs = qs.filter(state=state)
    if principal:
        qs = qs.filter(principal__slug=principal)
    page = qs[offset : offset + limit]
    return [message_dict(m, request.user, via="api", full=False) for m in page]


@router.get("/messages/{tracking}", response={200: MessageOut, **ERRORS})
def get_message(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """The message, its hold, translations and full event history. The body is included only
    when you may read it, and reading it is recorded in the access audit."""
    return message_dict(access_message(request.user, tracking), request.user, via="api")


@router.get("/messages/{tracking}/receipt", response={200: ProvenReceiptOut, **ERRORS})
def get_receipt(request: HttpRequest, tracking: str) -> dict[str, Any]:
    """The receipt, with a C2SP tlog-proof@v1 for each of the message's events once the log
    has integrated it (``chancery receipt verify`` checks it offline)."""
    return services.receipt_with_proofs(access_message(request.user, tracking))


def _message_out(request: HttpRequest, tracking: str) -> dict[str, Any]:
    return message_dict(access_message(request.user, tracking), request.user, via="api", full=False)


@router.post("/messages/{tracking}/triage", response={200: MessageOut, **ERRORS})
def triage(request: HttpRequest, tracking: str, payload: NoteIn) -> dict[str, Any]:
    services.triage(access_message(request.user, tracking), by=request.user, note=payload.note)
    return _message_out(request, tracking)


@router.post("/messages/{tracking}/deliver", response={200: MessageOut, **ERRORS})
def deliver(request: HttpRequest, tracking: str) -> dict[str, Any]:
    services.deliver(access_message(request.user, tracking), by=request.user)
    return _message_out(request, tracking)


@router.post("/messages/{tracking}/acknowledge", response={200: MessageOut, **ERRORS})
def acknowledge(request: HttpRequest, tracking: str) -> dict[str, Any]:
    services.acknowledge(access_message(request.user, tracking), by=request.user)
    return _message_out(request, tracking)


@router.post("/messages/{tracking}/reject", response={200: MessageOut, **ERRORS})
def reject(request: HttpRequest, tracking: str, payload: ReasonIn) -> dict[str, Any]:
    """Reject with a reason the sender sees."""
    services.reject(access_message(request.user, tracking), by=request.user, reason=payload.reason)
    return _message_out(request, tracking)


@router.post("/messages/{tracking}/holds", response={201: HoldOut, **ERRORS}, tags=["holds"])
def place_hold(request: HttpRequest, tracking: str, payload: HoldIn) -> Status[Any]:
    hold = services.place_hold(
        access_message(request.user, tracking), by=request.user,
        category=payload.category, reason=payload.reason,
    )
    return Status(201, hold_dict(hold))


def _hold(request: HttpRequest, hold_id: int) -> Hold:
    return access_hold(request.user, hold_id)


def _hold_out(hold: Hold) -> Any:
    return hold_dict(hold)


@router.post("/holds/{hold_id}/confirm", response={200: HoldOut, **ERRORS}, tags=["holds"])
def confirm_hold(request: HttpRequest, hold_id: HoldId) -> Any:
    """A different officer from the one who placed the hold confirms it."""
    return _hold_out(services.confirm_hold(_hold(request, hold_id), by=request.user))


@router.post("/holds/{hold_id}/renew", response={200: HoldOut, **ERRORS}, tags=["holds"])
def renew_hold(request: HttpRequest, hold_id: HoldId) -> Any:
    """The first officer's call asks for renewal; a second officer's call renews."""
    return _hold_out(services.renew_hold(_hold(request, hold_id), by=request.user))


@router.post("/holds/{hold_id}/release", response={200: HoldOut, **ERRORS}, tags=["holds"])
def release_hold(request: HttpRequest, hold_id: HoldId, payload: ReasonIn) -> Any:
    hold = _hold(request, hold_id)
    return _hold_out(services.release_hold(hold, by=request.user, reason=payload.reason))


@router.post(
    "/messages/{tracking}/translations", response={201: TranslationOut, **ERRORS},
    tags=["translations"],
)
def request_translation(
    request: HttpRequest, tracking: str, payload: TranslationRequestIn
) -> Status[Any]:
    t = services.request_translation(
        access_message(request.user, tracking), by=request.user,
        source_language=payload.source_language, target_language=payload.target_language,
    )
    return Status(201, translation_dict(t, with_text=False))


@router.get("/translations", response={200: list[TranslationOut], **ERRORS}, tags=["translations"])
def translation_queue(
    request: HttpRequest,
    language: str | None = Query(None, pattern=LANGUAGE_PATTERN, description="ISO 639-1 code"),
) -> list[Any]:
    """Open translation requests; a translator sees those in their languages."""
    qs = translation_scope(request.user).filter(status=Translation.Status.REQUESTED)
    if language:
        qs = qs.filter(source_language=language)
    return [translation_dict(t, with_text=False) for t in qs.order_by("requested_at", "id")]


@router.post(
    "/translations/{translation_id}/sign-off", response={200: TranslationOut, **ERRORS},
    tags=["translations"],
)
def sign_off(request: HttpRequest, translation_id: TranslationId, payload: SignOffIn) -> Any:
    t = access_translation(request.user, translation_id)
    t = services.sign_off_translation(t, by=request.user, text=payload.text)
    return translation_dict(t, with_text=True)


@router.get(
    "/principals/{slug}/inbox", response={200: list[MessageOut], **ERRORS}, tags=["directory"]
)
def inbox(request: HttpRequest, slug: Slug) -> list[dict[str, Any]]:
    """Every message addressed to the principal, from the moment it is received. Held messages
    show sender, date, channel and the hold (category, reason, who, expiry), not the content."""
    principal = access_inbox(request.user, slug)
    qs = inbox_messages(request.user, principal).order_by("-received_at", "-id")
    return [message_dict(m, request.user, via="api", full=False) for m in qs]
