"""API schemas for call requests (pydantic, via django-ninja)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from chancery.correspondence.schemas import LogProofsOut
from chancery.schemas import MAX_ID, InSchema


class CallIn(InSchema):
    principal: str = Field(
        ..., max_length=50,
        description="Principal slug, e.g. 'president-elect' (GET /api/v1/principals)",
    )
    office: int = Field(
        ..., ge=1, le=MAX_ID,
        description="Id of the leader's office asking for the call (GET /api/v1/offices)",
    )
    purpose: str = Field(
        ..., max_length=4000,
        description="What the leader wishes to discuss (private: the public log holds only a "
        "salted commitment)",
    )
    language: str = Field(
        ..., max_length=8, description="ISO 639-1 code of the language the leader speaks"
    )
    earliest: dt.date = Field(..., description="First day of the proposed window (YYYY-MM-DD)")
    latest: dt.date = Field(
        ..., description="Last day of the window, not past; at most 60 days after earliest"
    )
    local_start: dt.time = Field(
        dt.time(8, 0), description="Earliest local time the leader takes the call (HH:MM)"
    )
    local_end: dt.time = Field(
        dt.time(20, 0), description="Latest local time, after local_start (HH:MM)"
    )
    time_zone: str = Field(
        "", max_length=64,
        description="IANA zone of the local times; empty for the leader's own zone",
    )
    duration: int = Field(15, description="Speaking time in minutes, 5 to 120")
    brings_interpreter: bool = Field(
        False, description="The leader's side brings its own interpreter"
    )


class NoteIn(InSchema):
    note: str = Field("", max_length=2000, description="Private note (officers only)")


class ReasonIn(InSchema):
    reason: str = Field(..., max_length=2000, description="Why (the liaison sees a decline's)")


class AttemptIn(InSchema):
    outcome: str = Field(
        ..., max_length=16,
        description="connected, no_answer, busy, line_failed or postponed",
    )
    note: str = Field("", max_length=2000)


class CompleteIn(InSchema):
    minutes: int | None = Field(None, description="How long the call lasted (1 to 600)")


class CallReceiptOut(Schema):
    tracking: str
    received_at: dt.datetime
    principal: str
    office: str
    channel: str
    window: dict[str, str]
    waits_for: str
    purpose_commitment: dict[str, str]


class ProvenCallReceiptOut(CallReceiptOut):
    log: LogProofsOut


class CallSubmittedOut(Schema):
    tracking: str
    status: str = Field(..., description="The request's state in words (why it waits, if so)")
    receipt: CallReceiptOut


class CallEventOut(Schema):
    kind: str
    at: dt.datetime
    by: str | None = Field(None, description="Who (null for the system, and for liaisons)")


class CallOut(Schema):
    tracking: str
    principal: str
    office: int
    office_title: str
    leader: str | None
    polity: str
    channel: str
    received_at: dt.datetime
    state: str
    state_label: str
    status: str = Field(..., description="The state in words, as the liaison reads it")
    waits_for: str = Field(..., description="The status the support policy waits for, or ''")
    purpose: str | None = Field(
        None, description="Only when reading one request (the read is recorded); not in lists"
    )
    language: str
    brings_interpreter: bool
    duration: int
    planned_minutes: int
    time_zone: str
    earliest: dt.date
    latest: dt.date
    local_start: str
    local_end: str
    start: dt.datetime | None
    end: dt.datetime | None
    decline_reason: str
    tier: str | None = Field(None, description="Officers' view only")
    rank: int | None = None
    rank_reason: str | None = None
    triage_note: str | None = None
    defer_reason: str | None = None
    interpreter: str | None = None
    fixed: bool | None = None
    unplaced_reason: str | None = None
    submitted_by: str | None = None
    actions: list[str] | None = Field(None, description="What you may do now")
    events: list[CallEventOut] = Field(default_factory=list)

