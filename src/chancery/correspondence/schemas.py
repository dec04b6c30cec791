"""API schemas for correspondence (pydantic, via django-ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from chancery.schemas import (  # noqa: F401 - re-exported for the app's callers
    LANGUAGE_PATTERN,
    MAX_ID,
    SLUG_PATTERN,
    ErrorOut,
    Id,
    InSchema,
)


class AttachmentIn(InSchema):
    filename: str = Field(..., min_length=1, max_length=255, description="e.g. 'letter.pdf'")
    content_base64: str = Field(..., description="The file's bytes, base64-encoded (RFC 4648)")

    @field_validator("filename", mode="after")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("contains a control character; give a plain file name")
        return value


class MessageIn(InSchema):
    principal: str = Field(
        ..., description="Principal slug, e.g. 'president-elect' (GET /api/v1/principals)",
        max_length=50,
    )
    sender_office: int = Field(
        ..., ge=1, le=MAX_ID, description="Id of the sending office (GET /api/v1/offices)"
    )
    channel: str = Field("api", description="portal, api, diplomatic_note, letter or telegram")
    subject: str = Field("", max_length=300)
    body: str = Field(..., description="The original text, any script; kept exactly as sent")
    language: str = Field("", description="ISO 639-1 code if known; detected otherwise")
    attachments: list[AttachmentIn] = Field(default_factory=list)


class LogEntryOut(Schema):
    kind: str
    at: dt.datetime
    index: int | None = Field(description="Position in the log; null until integrated")
    tlog_proof: str | None = Field(
        description="C2SP tlog-proof@v1; extra is the entry (canonical JSON leaf)"
    )
    waited_seconds: float | None = Field(
        None, description="While pending: how long the event has waited for the log (seconds)"
    )
    late: bool = Field(
        False, description="Pending for longer than the promised latency (promised_latency_seconds)"
    )


class LogProofsOut(Schema):
    origin: str | None
    vkey: str | None = Field(description="The log's verifier key (signed-note format)")
    size: int
    entries: list[LogEntryOut]
    promised_latency_seconds: float = Field(
        description="Events are promised to be in the log within this many seconds"
    )
    late: str | None = Field(
        None,
        description="When an event is late: what that means, in words (how long it has waited, "
        "the promised latency, that the log's sequencer may have stopped); null otherwise",
    )


class ReceiptOut(Schema):
    tracking: str
    received_at: dt.datetime
    principal: str
    sender: str
    channel: str
    content_sha256: str
    commitment: dict[str, str]
    attachments: list[dict[str, Any]]


class ProvenReceiptOut(ReceiptOut):
    log: LogProofsOut


class SubmittedOut(Schema):
    tracking: str
    status: str
    receipt: ReceiptOut


class HoldOut(Schema):
    id: int
    category: str
    category_label: str
    reason: str
    status: str
    is_policy: bool
    placed_by: str | None
    placed_at: dt.datetime
    confirmed_by: str | None
    confirmed_at: dt.datetime | None
    expires_at: dt.datetime | None
    renewal_requested_by: str | None
    renewals: int
    released_at: dt.datetime | None
    release_reason: str


class TranslationOut(Schema):
    id: int
    tracking: str
    source_language: str
    target_language: str
    status: str
    translator: str | None
    signed_off_at: dt.datetime | None
    text: str | None = None


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    actor: str | None
    data: dict[str, Any]
    log_index: int | None = Field(
        None, description="The event's index in the transparency log; null until integrated"
    )


class MessageOut(Schema):
    tracking: str
    principal: str
    sender: str
    sender_polity: str
    channel: str
    subject: str | None
    state: str
    sender_status: str
    received_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    escalated_at: dt.datetime | None
    delivered_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    language: str
    rejection_reason: str
    hold: HoldOut | None
    content_visible: bool
    body: str | None = Field(None, description="Present only when you may read the content")
    translations: list[TranslationOut] = []
    attachments: list[dict[str, Any]] = []
    events: list[EventOut] = []


class HoldIn(InSchema):
    category: str = Field(..., description="security, authenticity, legal, protocol or other")
    reason: str = Field(..., description="Why the message is held; the principal's office sees it")


class ReasonIn(InSchema):
    reason: str


class NoteIn(InSchema):
    note: str = ""


class TranslationRequestIn(InSchema):
    source_language: str = ""
    target_language: str = "en"


class SignOffIn(InSchema):
    text: str
