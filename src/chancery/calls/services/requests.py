"""Call requests from intake to completion: a request is validated whole, then written with its
event in one transaction; every later step (triage, approval, deferral, decline, contact
attempts, connection, completion, failure) checks ``actions`` (who, then the state under the
row lock) and records its event with the change.

When the principal's support policy gates work (``Principal.gated_at``, the rule messages
follow), a new request is recorded and counted, visible to the principal's office, and its
``waits_for`` names the status it waits for: it is not in the queue until ``gate`` releases it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, is_officer, profile_of
from chancery.calls.models import CallChannel, CallRequest, CallState, ContactAttempt
from chancery.calls.services import actions
from chancery.calls.services.common import _call_event, iso, lock_call
from chancery.directory.access import in_polity
from chancery.directory.models import Office, Principal
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound
from chancery.inputs import clean_text, language_code
from chancery.ledger.models import Event
from chancery.ledger.receipts import log_proofs
from chancery.ledger.services import text_commitment

MAX_PURPOSE = 4000
MAX_REASON = 2000
MAX_WINDOW_DAYS = 60
MAX_AHEAD_DAYS = 366
MIN_DURATION, MAX_DURATION = 5, 120
MAX_MINUTES = 600
LIAISON_CHANNELS = (CallChannel.PORTAL, CallChannel.API)


@dataclass(frozen=True)
class CallSubmission:
    """What a liaison (or staff) asks for. ``time_zone`` empty: the leader's zone."""

    principal: str
    office: int
    purpose: str
    language: str
    earliest: dt.date
    latest: dt.date
    local_start: dt.time = dt.time(8, 0)
    local_end: dt.time = dt.time(20, 0)
    time_zone: str = ""
    duration: int = 15
    brings_interpreter: bool = False


# --------------------------------------------------------------------------- intake


def _digest(sub: CallSubmission, channel: str) -> str:
    data = {k: (v.isoformat() if isinstance(v, dt.date | dt.time) else v)
            for k, v in asdict(sub).items()}
    data["channel"] = channel
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _zone(name: str) -> ZoneInfo:
    try:
        if not name or name != name.strip():
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput(
            f"time_zone {name!r} is not a known IANA time zone; use a name such as "
            "'Europe/Paris' or 'America/Toronto' (or leave it empty for the leader's zone).",
            field="time_zone",
        ) from None


def _check_who(by: Any, channel: str) -> None:
    if not (is_officer(by) or has_role(by, Role.LIAISON, Role.ADMIN)):
        raise Forbidden(
            "Only a liaison, a watch or protocol officer or an admin may request a call."
        )
    if channel not in CallChannel.values:
        raise InvalidInput(
            f"channel {channel!r} is unknown; use one of {', '.join(CallChannel.values)}.",
            field="channel",
        )


def _check_office(by: Any, office_id: Any, channel: str) -> Office:
    try:
        pk = int(office_id)
        if pk < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInput(
            f"office {office_id!r} is not an office id (a number; list them with "
            "GET /api/v1/offices).",
            field="office",
        ) from None
    office = (
        Office.objects.select_related("leader", "country", "organisation").filter(pk=pk).first()
    )
    if office is None:
        raise NotFound(
            f"No office {office_id!r}; list them with GET /api/v1/offices.", field="office"
        )
    if not (is_officer(by) or has_role(by, Role.ADMIN)):
        mission = profile_of(by).mission
        if not in_polity(mission, office):
            raise Forbidden(
                f"You are the liaison of {mission or 'no mission'}; you may request calls only "
                f"for offices of its own country or organisation, not for {office.polity}.",
                field="office",
            )
        if channel not in LIAISON_CHANNELS:
            raise InvalidInput(
                f"A liaison requests calls by portal or api, not {channel}.", field="channel"
            )
    if office.leader is None:
        raise InvalidInput(
            f"{office} has no leader on record; a call is with a leader (choose the office a "
            "leader holds).",
            field="office",
        )
    if office.left_office is not None:
        raise InvalidInput(
            f"{office} left office on {office.left_office:%Y-%m-%d}; request the call for the "
            "office's present holder.",
            field="office",
        )
    return office


def _check_window(sub: CallSubmission, zone: ZoneInfo) -> None:
    for name in ("earliest", "latest"):
        value = getattr(sub, name)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise InvalidInput(f"{name} must be a date (YYYY-MM-DD).", field=name)
    for name in ("local_start", "local_end"):
        value = getattr(sub, name)
        if not isinstance(value, dt.time):
            raise InvalidInput(f"{name} must be a time of day (HH:MM).", field=name)
        if value.tzinfo is not None:
            raise InvalidInput(
                f"{name} must be a local time without an offset (HH:MM); the zone is "
                "time_zone.",
                field=name,
            )
    if sub.latest < sub.earliest:
        raise InvalidInput(
            f"latest ({sub.latest}) is before earliest ({sub.earliest}); the window runs from "
            "earliest to latest.",
            field="latest",
        )
    today = clock.now().astimezone(zone).date()
    if sub.latest < today:
        raise InvalidInput(
            f"The window ends on {sub.latest}, which is already past in {zone.key} (today is "
            f"{today} there); propose dates from today on.",
            field="latest",
        )
    if (sub.earliest - today).days > MAX_AHEAD_DAYS:
        raise InvalidInput(
            f"The window starts on {sub.earliest}, more than {MAX_AHEAD_DAYS} days ahead; "
            "propose dates within the coming year.",
            field="earliest",
        )
    days = (sub.latest - sub.earliest).days + 1
    if days > MAX_WINDOW_DAYS:
        raise InvalidInput(
            f"The window is {days} days; propose at most {MAX_WINDOW_DAYS} days (from earliest "
            "to latest, both included).",
            field="latest",
        )
    if not sub.local_start < sub.local_end:
        raise InvalidInput(
            f"local_start ({sub.local_start:%H:%M}) must be before local_end "
            f"({sub.local_end:%H:%M}): the hours the leader can take the call, in its zone.",
            field="local_end",
        )


def _check_duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("duration must be a whole number of minutes.", field="duration")
    if not MIN_DURATION <= value <= MAX_DURATION:
        raise InvalidInput(
            f"duration is {value} minutes; a call's speaking time is {MIN_DURATION} to "
            f"{MAX_DURATION} minutes.",
            field="duration",
        )
    return value


def submit_call(
    sub: CallSubmission,
    *,
    by: Any,
    channel: str = CallChannel.PORTAL,
    idempotency_key: str | None = None,
) -> tuple[CallRequest, bool]:
    """Take in a call request. Returns ``(call, created)``; a retry with the same
    ``idempotency_key`` and the same request returns the first (``created=False``), with a
    different request it is a 409. Nothing is written unless everything is valid."""
    _check_who(by, channel)
    purpose = clean_text(sub.purpose, field="purpose", max_len=MAX_PURPOSE, required=True)
    language = language_code(sub.language, field="language")
    if not isinstance(sub.brings_interpreter, bool):
        raise InvalidInput("brings_interpreter must be true or false.",
                           field="brings_interpreter")
    duration = _check_duration(sub.duration)
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 200:
            raise InvalidInput(
                "Idempotency-Key must be 1 to 200 characters.", field="Idempotency-Key"
            )
    principal = Principal.objects.filter(slug=str(sub.principal or "")).first()
    if principal is None:
        known = ", ".join(Principal.objects.values_list("slug", flat=True))
        raise NotFound(
            f"No principal {sub.principal!r}; known principals: {known}.", field="principal"
        )
    office = _check_office(by, sub.office, channel)
    assert office.leader is not None
    zone = _zone(sub.time_zone or office.leader.time_zone)
    _check_window(sub, zone)

    digest = _digest(sub, channel)
    now = clock.now()
    waits_for = principal.delivery_requires if principal.gate_active else ""
    try:
        with transaction.atomic():
            call = CallRequest.objects.create(
                principal=principal, office=office, channel=channel, submitted_by=by,
                idempotency_key=idempotency_key, request_digest=digest, received_at=now,
                purpose=purpose, language=language, brings_interpreter=sub.brings_interpreter,
                duration=duration, time_zone=zone.key, earliest=sub.earliest,
                latest=sub.latest, local_start=sub.local_start, local_end=sub.local_end,
                waits_for=waits_for,
            )
            _call_event(
                call, "call.requested", by,
                office=office.pk, channel=channel, received_at=iso(now), language=language,
                brings_interpreter=call.brings_interpreter, duration=duration,
                time_zone=zone.key, earliest=sub.earliest.isoformat(),
                latest=sub.latest.isoformat(), local_start=f"{sub.local_start:%H:%M}",
                local_end=f"{sub.local_end:%H:%M}", waits_for=waits_for, purpose=purpose,
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = CallRequest.objects.filter(
            submitted_by=by, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        if existing.request_digest != digest:
            raise Conflict(
                f"Idempotency-Key {idempotency_key!r} was already used for {existing.tracking} "
                "with a different request; use a new key for a new call request.",
                field="Idempotency-Key",
            ) from None
        return existing, False
    return call, True


# --------------------------------------------------------------------------- what the liaison sees


def sender_status(call: CallRequest) -> str:
    """The request's state in the liaison's words (no officer's names, no notes)."""
    state = CallState(call.state)
    if call.waits_for and call.is_open:
        return actions.waits_text(call)
    texts = {
        CallState.REQUESTED: "Received; waiting to be triaged by the operations center.",
        CallState.TRIAGED: "Received and placed in the queue; waiting for approval.",
        CallState.APPROVED: "Approved; waiting to be scheduled.",
        CallState.SCHEDULED: "Scheduled.",
        CallState.CLEARED: "Scheduled; the call is prepared.",
        CallState.CONNECTED: "The call is connected.",
        CallState.COMPLETED: "The call took place.",
        CallState.DEFERRED: "Deferred: it will be taken up again later.",
        CallState.DECLINED: f"Declined: {call.decline_reason}",
        CallState.FAILED: "The call could not be connected.",
    }
    return texts[state]


def _requested_event(call: CallRequest) -> Event | None:
    return Event.objects.filter(
        subject_type="call", subject_id=call.pk, kind="call.requested"
    ).order_by("id").first()


def receipt(call: CallRequest) -> dict[str, Any]:
    """What the requester keeps: enough to prove later what was asked for, and when. The
    purpose is private: the log holds ``sha256(salt || utf8(purpose))``, the salt is here."""
    event = _requested_event(call)
    salt = event.salt if event is not None else ""
    return {
        "tracking": call.tracking,
        "received_at": call.received_at.isoformat(),
        "principal": call.principal.slug,
        "office": str(call.office),
        "channel": call.channel,
        "window": {
            "earliest": call.earliest.isoformat(), "latest": call.latest.isoformat(),
            "local_start": f"{call.local_start:%H:%M}", "local_end": f"{call.local_end:%H:%M}",
            "time_zone": call.time_zone,
        },
        "waits_for": call.waits_for,
        "purpose_commitment": {
            "algorithm": "sha256(salt || utf8(purpose))",
            "salt": salt,
            "value": text_commitment(salt, call.purpose) if salt else "",
        },
    }


def receipt_with_proofs(call: CallRequest) -> dict[str, Any]:
    """The receipt plus the log's inclusion proof of the ``call.requested`` event."""
    return receipt(call) | {"log": log_proofs("call", call.pk, kind="call.requested")}


# --------------------------------------------------------------------------- the lifecycle


def _reason(reason: Any, *, required: bool = True) -> str:
    return clean_text(reason, field="reason", max_len=MAX_REASON, required=required).strip()


def _guard(call: CallRequest, by: Any, action: str) -> CallRequest:
    """Who may (403), then the state under the row lock (409). Call inside the transaction."""
    actions.require_may(call, by, action)
    locked = lock_call(call)
    actions.require_now(locked, by, action)
    return locked


def _unschedule(call: CallRequest, by: Any, reason: str) -> None:
    """A call that has a time loses it (deferred or declined): the calendar forgets it and the
    invitation is cancelled, in the caller's transaction."""
    if call.start is None:
        return
    from chancery.calls.services import invitations

    previous = call.start
    call.start = None
    call.end = None
    call.interpreter = None
    call.fixed = False
    call.sequence += 1
    call.save(update_fields=["start", "end", "interpreter", "fixed", "sequence"])
    _call_event(call, "call.unscheduled", by, previous_start=iso(previous),
                sequence=call.sequence, run=None, reason=reason)
    invitations.cancel(call)


def triage_call(call: CallRequest, *, by: Any, note: str = "") -> CallRequest:
    """An officer ranks the request: its tier and its position in the principal's precedence
    order, with the reason, are stored and recorded."""
    from chancery.calls.services import ranking

    note = clean_text(note, field="note", max_len=MAX_REASON, required=False).strip()
    actions.require_may(call, by, "triage")
    with transaction.atomic():
        call = lock_call(call)
        actions.require_now(call, by, "triage")
        policy = ranking.policy_for(call.principal)
        queue = ranking.queue(call.principal)
        if all(c.pk != call.pk for c in queue):
            queue.append(call)
        order = dict(
            (c.pk, r) for c, r in ranking.ranked(call.principal, queue)
        )
        placed = order[call.pk]
        call.tier = ranking.tier_of(policy, placed.caller)
        call.rank = placed.position
        call.rank_reason = placed.reason
        call.triage_note = note
        call.state = CallState.TRIAGED
        call.save(update_fields=["tier", "rank", "rank_reason", "triage_note", "state"])
        _call_event(call, "call.triaged", by, tier=call.tier, rank=call.rank, note=note)
    return call


def approve_call(call: CallRequest, *, by: Any) -> CallRequest:
    """Approve a triaged request for scheduling (an officer or the principal's office)."""
    with transaction.atomic():
        call = _guard(call, by, "approve")
        call.state = CallState.APPROVED
        call.save(update_fields=["state"])
        _call_event(call, "call.approved", by)
    return call


def defer_call(call: CallRequest, *, by: Any, reason: str) -> CallRequest:
    """Defer the request (a scheduled call loses its time and its invitation is cancelled)."""
    actions.require_may(call, by, "defer")
    reason = _reason(reason)
    with transaction.atomic():
        call = _guard(call, by, "defer")
        _unschedule(call, by, f"deferred: {reason}")
        call.state = CallState.DEFERRED
        call.defer_reason = reason
        call.save(update_fields=["state", "defer_reason"])
        _call_event(call, "call.deferred", by, reason=reason)
    return call


def decline_call(call: CallRequest, *, by: Any, reason: str) -> CallRequest:
    """Decline the request with a reason the liaison sees (a gated request too)."""
    actions.require_may(call, by, "decline")
    reason = _reason(reason)
    with transaction.atomic():
        call = _guard(call, by, "decline")
        _unschedule(call, by, f"declined: {reason}")
        call.state = CallState.DECLINED
        call.decline_reason = reason
        call.save(update_fields=["state", "decline_reason"])
        _call_event(call, "call.declined", by, reason=reason)
    return call


def record_attempt(
    call: CallRequest, *, by: Any, outcome: str, note: str = ""
) -> ContactAttempt:
    """An attempt to reach the other side; ``connected`` connects the call."""
    actions.require_may(call, by, "attempt")
    if outcome not in ContactAttempt.Outcome.values:
        raise InvalidInput(
            f"outcome {outcome!r} is unknown; use one of "
            f"{', '.join(ContactAttempt.Outcome.values)}.",
            field="outcome",
        )
    note = clean_text(note, field="note", max_len=MAX_REASON, required=False).strip()
    with transaction.atomic():
        call = _guard(call, by, "attempt")
        now = clock.now()
        attempt = ContactAttempt.objects.create(
            call=call, at=now, by=by, outcome=outcome, note=note
        )
        _call_event(call, "call.attempt", by, outcome=outcome, attempt=attempt.pk, note=note)
        if outcome == ContactAttempt.Outcome.CONNECTED:
            call.state = CallState.CONNECTED
            call.connected_at = now
            call.save(update_fields=["state", "connected_at"])
            _call_event(call, "call.connected", by, at=iso(now))
    return attempt


def complete_call(call: CallRequest, *, by: Any, minutes: int | None = None) -> CallRequest:
    """The connected call ended (``minutes``: how long it lasted, if known)."""
    actions.require_may(call, by, "complete")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_MINUTES
    ):
        raise InvalidInput(
            f"minutes must be a whole number from 1 to {MAX_MINUTES} (or left out).",
            field="minutes",
        )
    with transaction.atomic():
        call = _guard(call, by, "complete")
        now = clock.now()
        call.state = CallState.COMPLETED
        call.completed_at = now
        call.save(update_fields=["state", "completed_at"])
        _call_event(call, "call.completed", by, at=iso(now), minutes=minutes)
    return call


def fail_call(call: CallRequest, *, by: Any, reason: str) -> CallRequest:
    """The call could not be connected (after at least one attempt)."""
    actions.require_may(call, by, "fail")
    reason = _reason(reason)
    with transaction.atomic():
        call = _guard(call, by, "fail")
        call.state = CallState.FAILED
        call.save(update_fields=["state"])
        _call_event(call, "call.failed", by, reason=reason)
    return call
