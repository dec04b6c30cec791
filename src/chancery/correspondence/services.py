"""The business rules of correspondence, written once.

HTML views, the API, the CLI, the worker and the demo loader all call these functions. Each takes
the acting user, checks what that user may do, makes its change and records the event in one
transaction, so a failure half-way leaves nothing behind.

No-silent-withholding rules (see docs/architecture.md):
- a hold needs a category and a written reason; it lapses after CHANCERY_HOLD_LAPSE_HOURS unless a
  *different* officer confirms it; a confirmed hold ends CHANCERY_HOLD_MAX_HOURS after it was
  placed (or last renewed) unless two officers renew it;
- a hold that expires delivers the message to the principal's office automatically;
- a principal whose support policy waits for a status holds messages visibly (a policy hold), tells
  the sender, and delivers them in order of receipt the moment the status is reached;
- a message past its delivery target and not under a hold is escalated once: flagged, an event,
  and an email to the principal's office.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, is_officer, profile_of
from chancery.correspondence.access import require_role
from chancery.correspondence.attachments import CheckedFile, check_attachment
from chancery.correspondence.models import (
    PRE_DELIVERY,
    Attachment,
    Blob,
    Channel,
    Hold,
    Message,
    Notification,
    State,
    Translation,
)
from chancery.directory.models import Office, Principal, StatusChange
from chancery.directory.validators import validate_language_code
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from chancery.ledger.services import record_event

LIAISON_CHANNELS = {Channel.PORTAL, Channel.API, Channel.DIPLOMATIC_NOTE}
MAX_SUBJECT = 300
MAX_REASON = 2000


def _hours(name: str) -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, name)))


def _clean_text(value: Any, *, field: str, max_len: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text.", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character; remove it.", field=field)
    if required and not value.strip():
        raise InvalidInput(f"{field} is empty; write it out.", field=field)
    if len(value) > max_len:
        raise TooLarge(
            f"{field} is {len(value):,} characters; the limit is {max_len:,}.", field=field
        )
    return value


def _message_event(message: Message, kind: str, by: Any, **data: Any) -> None:
    record_event(
        "message", message.pk, kind, actor=by,
        data={"tracking": message.tracking, "principal": message.principal.slug, **data},
    )


def _lock(message: Message) -> Message:
    """Re-read the message under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    return Message.objects.select_for_update().select_related("principal").get(pk=message.pk)


# --- intake -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    principal: str
    sender_office: int
    body: str
    channel: str = Channel.API
    subject: str = ""
    language: str = ""
    attachments: Sequence[tuple[str, bytes]] = ()


def _request_digest(sub: Submission) -> str:
    h = hashlib.sha256()
    h.update(
        json.dumps(
            [sub.principal, sub.sender_office, sub.channel, sub.subject, sub.language, sub.body],
            ensure_ascii=False,
        ).encode()
    )
    for name, data in sub.attachments:
        h.update(name.encode())
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def submit_message(
    sub: Submission,
    *,
    by: Any,
    idempotency_key: str | None = None,
    received_at: dt.datetime | None = None,
) -> tuple[Message, bool]:
    """Take in a message. Returns ``(message, created)``; a retried submission with the same
    ``idempotency_key`` returns the first message and ``created=False``."""
    if not (is_officer(by) or has_role(by, Role.LIAISON, Role.ADMIN)):
        raise Forbidden("Only a liaison, a watch or protocol officer or an admin may submit messages.")
    body = _clean_text(sub.body, field="body", max_len=settings.CHANCERY_MAX_BODY_CHARS, required=True)
    subject = _clean_text(sub.subject, field="subject", max_len=MAX_SUBJECT, required=False)
    if sub.channel not in Channel.values:
        raise InvalidInput(
            f"channel {sub.channel!r} is unknown; use one of {', '.join(Channel.values)}.",
            field="channel",
        )
    language = (sub.language or "").strip().lower()
    if language:
        try:
            validate_language_code(language)
        except Exception:
            raise InvalidInput(
                f"language {sub.language!r} is not an ISO 639-1 code (e.g. 'fr').", field="language"
            ) from None
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 200:
            raise InvalidInput("Idempotency-Key must be 1 to 200 characters.", field="Idempotency-Key")
    if len(sub.attachments) > settings.CHANCERY_MAX_ATTACHMENTS:
        raise TooLarge(
            f"{len(sub.attachments)} attachments; the limit is {settings.CHANCERY_MAX_ATTACHMENTS}.",
            field="attachments",
        )
    files: list[CheckedFile] = [check_attachment(name, data) for name, data in sub.attachments]

    principal = Principal.objects.filter(slug=sub.principal).first()
    if principal is None:
        known = ", ".join(Principal.objects.values_list("slug", flat=True))
        raise NotFound(f"No principal {sub.principal!r}; known principals: {known}.", field="principal")
    office = (
        Office.objects.select_related("leader", "country", "organisation")
        .filter(pk=sub.sender_office)
        .first()
    )
    if office is None:
        raise NotFound(
            f"No sender office {sub.sender_office!r}; list them with GET /api/v1/offices.",
            field="sender_office",
        )
    if not is_officer(by) and not has_role(by, Role.ADMIN):
        mission = profile_of(by).mission
        if not Office.objects.filter(_office_polity(mission), pk=office.pk).exists():
            raise Forbidden(
                f"You are the liaison of {mission or 'no mission'}; you may submit only for its own "
                f"country or organisation, not for {office.polity}.",
                field="sender_office",
            )
        if sub.channel not in LIAISON_CHANNELS:
            raise InvalidInput(
                f"A liaison submits by portal, api or diplomatic_note, not {sub.channel}.",
                field="channel",
            )

    digest = _request_digest(sub)
    if idempotency_key is not None:
        existing = Message.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replay(existing, digest, idempotency_key), False

    now = received_at or clock.now()
    salt = secrets.token_hex(16)
    encoded = body.encode("utf-8")
    try:
        with transaction.atomic():
            message = Message.objects.create(
                principal=principal,
                sender_office=office,
                channel=sub.channel,
                subject=subject,
                body=body,
                declared_language=language,
                received_at=now,
                due_at=now + _hours("CHANCERY_DELIVERY_TARGET_HOURS"),
                submitted_by=by,
                idempotency_key=idempotency_key,
                request_digest=digest,
                salt=salt,
                body_sha256=hashlib.sha256(encoded).hexdigest(),
                commitment=hashlib.sha256(bytes.fromhex(salt) + encoded).hexdigest(),
            )
            for f in files:
                blob, _ = Blob.objects.get_or_create(
                    sha256=f.sha256,
                    defaults={"size": len(f.data), "content_type": f.content_type, "data": f.data},
                )
                Attachment.objects.create(message=message, blob=blob, filename=f.filename)
            _message_event(
                message, "message.received", by,
                sender=office.polity, office=office.pk, channel=message.channel,
                commitment=message.commitment, attachments=len(files), due=message.due_at.isoformat(),
            )
            if principal.gate_active:
                _place_policy_hold(message, principal)
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = Message.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _replay(existing, digest, idempotency_key), False
    return message, True


def _office_polity(mission: Any) -> Q:
    if mission is None:
        return Q(pk__in=[])
    if mission.country_id:
        return Q(country_id=mission.country_id)
    return Q(organisation_id=mission.organisation_id)


def _replay(existing: Message, digest: str, key: str) -> Message:
    if existing.request_digest != digest:
        raise Conflict(
            f"Idempotency-Key {key!r} was already used for {existing.tracking} with a different "
            "request; use a new key for a new message."
        )
    return existing


def _policy_reason(principal: Principal) -> str:
    return (
        f"Support policy of the {principal.title}: delivery waits until the transition status is "
        f"'{Principal.Status(principal.delivery_requires).label}' (now "
        f"'{Principal.Status(principal.status).label}'). The message is received and counted."
    )


def _place_policy_hold(message: Message, principal: Principal) -> Hold:
    hold = Hold.objects.create(
        message=message, is_policy=True, category=Hold.Category.TRANSITION_POLICY,
        reason=_policy_reason(principal), placed_at=clock.now(),
    )
    _message_event(message, "hold.policy", None, hold=hold.pk, waits_for=principal.delivery_requires)
    return hold


def receipt(message: Message) -> dict[str, Any]:
    """What the sender keeps: enough to prove later what was received, and when."""
    office = message.sender_office
    return {
        "tracking": message.tracking,
        "received_at": message.received_at.isoformat(),
        "principal": message.principal.slug,
        "sender": str(office),
        "channel": message.channel,
        "content_sha256": message.body_sha256,
        "commitment": {
            "algorithm": "sha256(salt || utf8(body))",
            "salt": message.salt,
            "value": message.commitment,
        },
        "attachments": [
            {"filename": a.filename, "sha256": a.blob_id, "size": a.blob.size}
            for a in message.attachments.select_related("blob")
        ],
    }


# --- lifecycle --------------------------------------------------------------------------------


def _require_open(message: Message, action: str) -> None:
    if message.state not in PRE_DELIVERY:
        raise Conflict(f"{message.tracking} is {message.get_state_display().lower()}; cannot {action}.")


def triage(message: Message, *, by: Any, note: str = "") -> Message:
    require_role(by, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, action="triage messages")
    note = _clean_text(note, field="note", max_len=MAX_REASON, required=False)
    with transaction.atomic():
        message = _lock(message)
        if message.state != State.RECEIVED:
            raise Conflict(f"{message.tracking} is already {message.get_state_display().lower()}.")
        message.state = State.TRIAGED
        message.save(update_fields=["state"])
        _message_event(message, "message.triaged", by, noted=bool(note))
    return message


def request_translation(
    message: Message, *, by: Any, source_language: str = "", target_language: str = "en"
) -> Translation:
    require_role(by, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, action="request translations")
    source = (source_language or message.language or "").lower()
    if not source:
        raise InvalidInput(
            "The message's language is not known yet; name the source language (ISO 639-1).",
            field="source_language",
        )
    for code, field in ((source, "source_language"), (target_language, "target_language")):
        try:
            validate_language_code(code)
        except Exception:
            raise InvalidInput(f"{code!r} is not an ISO 639-1 code.", field=field) from None
    if source == target_language:
        raise InvalidInput(f"The message is already in {source}.", field="source_language")
    with transaction.atomic():
        message = _lock(message)
        if message.state not in (State.RECEIVED, State.TRIAGED, State.DELIVERED):
            raise Conflict(
                f"{message.tracking} is {message.get_state_display().lower()}; a translation can be "
                "requested for a received, triaged or delivered message."
            )
        if message.translations.filter(
            target_language=target_language, status=Translation.Status.REQUESTED
        ).exists():
            raise Conflict(f"A translation of {message.tracking} into {target_language} is already open.")
        translation = Translation.objects.create(
            message=message, source_language=source, target_language=target_language,
            requested_by=by, requested_at=clock.now(),
        )
        if message.state != State.DELIVERED:
            message.state = State.TRANSLATION_REQUESTED
            message.save(update_fields=["state"])
        _message_event(
            message, "translation.requested", by, translation=translation.pk,
            source=source, target=target_language,
        )
    return translation


def sign_off_translation(translation: Translation, *, by: Any, text: str) -> Translation:
    require_role(by, Role.TRANSLATOR, action="sign off translations")
    if translation.source_language not in (profile_of(by).languages or []):
        raise Forbidden(
            f"You are not registered as a translator from {translation.source_language}."
        )
    text = _clean_text(text, field="text", max_len=settings.CHANCERY_MAX_BODY_CHARS * 2, required=True)
    with transaction.atomic():
        translation = Translation.objects.select_for_update().get(pk=translation.pk)
        if translation.status != Translation.Status.REQUESTED:
            raise Conflict("This translation is already signed off; request a new one to revise it.")
        message = _lock(translation.message)
        now = clock.now()
        translation.text = text
        translation.translator = by
        translation.signed_off_at = now
        translation.status = Translation.Status.SIGNED_OFF
        translation.save()
        if message.state == State.TRANSLATION_REQUESTED:
            message.state = State.TRANSLATED
            message.save(update_fields=["state"])
        digest = hashlib.sha256(bytes.fromhex(message.salt) + text.encode()).hexdigest()
        _message_event(
            message, "translation.signed_off", by, translation=translation.pk,
            target=translation.target_language, commitment=digest,
        )
    return translation


def _deliver(message: Message, by: Any, reason: str) -> None:
    now = clock.now()
    message.state = State.DELIVERED
    message.delivered_at = now
    message.save(update_fields=["state", "delivered_at"])
    _message_event(message, "message.delivered", by, reason=reason)


def deliver(message: Message, *, by: Any) -> Message:
    require_role(by, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, action="deliver messages")
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "deliver it")
        if message.state == State.TRANSLATION_REQUESTED:
            raise Conflict(
                f"{message.tracking} is waiting for its translation; deliver it when the translator "
                "has signed off."
            )
        hold = message.holds.filter(released_at__isnull=True).first()
        if hold is not None:
            raise Conflict(
                f"{message.tracking} is held ({hold.get_category_display()}): release the hold first."
            )
        _deliver(message, by, "officer")
    return message


def acknowledge(message: Message, *, by: Any) -> Message:
    require_role(by, Role.PRINCIPAL_OFFICE, action="acknowledge messages")
    if profile_of(by).principal_id != message.principal_id:
        raise Forbidden(f"{message.tracking} is addressed to another principal's office.")
    with transaction.atomic():
        message = _lock(message)
        if message.state != State.DELIVERED:
            raise Conflict(
                f"{message.tracking} is {message.get_state_display().lower()}; only a delivered "
                "message can be acknowledged."
            )
        message.state = State.ACKNOWLEDGED
        message.acknowledged_at = clock.now()
        message.save(update_fields=["state", "acknowledged_at"])
        _message_event(message, "message.acknowledged", by)
    return message


def reject(message: Message, *, by: Any, reason: str) -> Message:
    require_role(by, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, action="reject messages")
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "reject it")
        message.state = State.REJECTED
        message.rejection_reason = reason
        message.save(update_fields=["state", "rejection_reason"])
        for hold in message.holds.filter(released_at__isnull=True):
            _release(hold, by, "message rejected")
        _message_event(message, "message.rejected", by, reason=reason)
    return message


# --- holds ------------------------------------------------------------------------------------


def place_hold(message: Message, *, by: Any, category: str, reason: str) -> Hold:
    require_role(by, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, action="place holds")
    if category not in Hold.OFFICER_CATEGORIES:
        raise InvalidInput(
            f"category {category!r} is unknown; use one of {', '.join(Hold.OFFICER_CATEGORIES)}.",
            field="category",
        )
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "hold it")
        if message.holds.filter(released_at__isnull=True).exists():
            raise Conflict(f"{message.tracking} is already held.")
        now = clock.now()
        hold = Hold.objects.create(
            message=message, category=category, reason=reason, placed_by=by, placed_at=now,
            expires_at=now + _hours("CHANCERY_HOLD_LAPSE_HOURS"),
        )
        _message_event(
            message, "hold.placed", by, hold=hold.pk, category=category, reason=reason,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def _officer_hold(hold: Hold, by: Any, action: str) -> Hold:
    require_role(by, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, action=action)
    hold = Hold.objects.select_for_update().select_related("message__principal").get(pk=hold.pk)
    if hold.released_at is not None:
        raise Conflict("This hold has already ended.")
    if hold.is_policy:
        raise Conflict(
            "This is a policy hold; it ends when the principal's transition status changes."
        )
    return hold


def confirm_hold(hold: Hold, *, by: Any) -> Hold:
    with transaction.atomic():
        hold = _officer_hold(hold, by, "confirm holds")
        if hold.confirmed_at is not None:
            raise Conflict("This hold is already confirmed; a further extension is a renewal.")
        if hold.placed_by_id == by.pk:
            raise Forbidden("A hold must be confirmed by a different officer from the one who placed it.")
        now = clock.now()
        hold.confirmed_by = by
        hold.confirmed_at = now
        hold.expires_at = hold.placed_at + _hours("CHANCERY_HOLD_MAX_HOURS")
        hold.save(update_fields=["confirmed_by", "confirmed_at", "expires_at"])
        _message_event(
            hold.message, "hold.confirmed", by, hold=hold.pk,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def renew_hold(hold: Hold, *, by: Any) -> Hold:
    """Renewal needs two officers: the first call asks, a different officer's call renews."""
    with transaction.atomic():
        hold = _officer_hold(hold, by, "renew holds")
        if hold.confirmed_at is None:
            raise Conflict("Only a confirmed hold can be renewed; have a second officer confirm it.")
        now = clock.now()
        if hold.renewal_requested_by_id is None:
            hold.renewal_requested_by = by
            hold.renewal_requested_at = now
            hold.save(update_fields=["renewal_requested_by", "renewal_requested_at"])
            _message_event(hold.message, "hold.renewal_requested", by, hold=hold.pk)
            return hold
        if hold.renewal_requested_by_id == by.pk:
            raise Forbidden("A renewal needs a second officer; you have already asked for this one.")
        hold.expires_at = now + _hours("CHANCERY_HOLD_MAX_HOURS")
        hold.renewals += 1
        first = hold.renewal_requested_by
        hold.renewal_requested_by = None
        hold.renewal_requested_at = None
        hold.save(update_fields=[
            "expires_at", "renewals", "renewal_requested_by", "renewal_requested_at",
        ])
        _message_event(
            hold.message, "hold.renewed", by, hold=hold.pk,
            first_officer=first.get_username() if first else None,
            expires=hold.expires_at.isoformat() if hold.expires_at else None,
        )
    return hold


def _release(hold: Hold, by: Any, reason: str) -> None:
    hold.released_at = clock.now()
    hold.released_by = by
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    _message_event(hold.message, "hold.released", by, hold=hold.pk, reason=reason)


def release_hold(hold: Hold, *, by: Any, reason: str = "released by an officer") -> Hold:
    reason = _clean_text(reason, field="reason", max_len=300, required=True)
    with transaction.atomic():
        hold = _officer_hold(hold, by, "release holds")
        _release(hold, by, reason)
    return hold


def expire_holds(now: dt.datetime | None = None) -> list[Message]:
    """Release every hold past its expiry and deliver its message (worker)."""
    now = now or clock.now()
    delivered: list[Message] = []
    due = Hold.objects.filter(
        released_at__isnull=True, is_policy=False, expires_at__lte=now
    ).order_by("expires_at", "id")
    for hold_id in list(due.values_list("id", flat=True)):
        with transaction.atomic():
            hold = Hold.objects.select_for_update().filter(pk=hold_id, released_at__isnull=True).first()
            if hold is None or hold.expires_at is None or hold.expires_at > now:
                continue
            message = _lock(hold.message)
            hold.message = message
            why = "expired unconfirmed" if hold.confirmed_at is None else "expired at its maximum"
            _release(hold, None, why)
            if message.state in PRE_DELIVERY:
                _deliver(message, None, f"hold {why}")
                delivered.append(message)
    return delivered


# --- transition status and the policy gate -----------------------------------------------------


def set_principal_status(principal: Principal, *, by: Any, status: str, note: str = "") -> list[Message]:
    """Record a transition status; if the gate opens, deliver held messages in order of receipt."""
    require_role(by, Role.ADMIN, action="record a principal's transition status")
    if status not in Principal.Status.values:
        raise InvalidInput(
            f"status {status!r} is unknown; use one of {', '.join(Principal.Status.values)}.",
            field="status",
        )
    note = _clean_text(note, field="note", max_len=MAX_REASON, required=False)
    released: list[Message] = []
    with transaction.atomic():
        principal = Principal.objects.select_for_update().get(pk=principal.pk)
        if principal.status == status:
            raise Conflict(f"The {principal.title} is already '{principal.get_status_display()}'.")
        was_gated = principal.gate_active
        principal.status = status
        principal.save(update_fields=["status"])
        now = clock.now()
        StatusChange.objects.create(principal=principal, status=status, at=now, by=by, note=note)
        record_event(
            "principal", principal.pk, "principal.status", actor=by,
            data={"principal": principal.slug, "status": status, "gate_open": not principal.gate_active},
        )
        if was_gated and not principal.gate_active:
            holds = (
                Hold.objects.select_for_update()
                .filter(message__principal=principal, is_policy=True, released_at__isnull=True)
                .select_related("message")
                .order_by("message__received_at", "message_id")
            )
            for hold in holds:
                message = _lock(hold.message)
                hold.message = message
                _release(hold, by, f"transition status is now {status}")
                if message.state in PRE_DELIVERY:
                    _deliver(message, None, "policy gate lifted")
                    released.append(message)
        elif not was_gated and principal.gate_active:
            for message in Message.objects.filter(principal=principal, state__in=PRE_DELIVERY).exclude(
                holds__released_at__isnull=True
            ):
                _place_policy_hold(message, principal)
    return released


# --- delivery target and escalation ------------------------------------------------------------


def overdue_messages(now: dt.datetime | None = None) -> Any:
    now = now or clock.now()
    return Message.objects.filter(state__in=PRE_DELIVERY, due_at__lte=now)


def escalate_overdue(now: dt.datetime | None = None) -> list[Message]:
    """Flag, record and mail every open message past its target that no hold accounts for."""
    now = now or clock.now()
    candidates = (
        overdue_messages(now)
        .filter(escalated_at__isnull=True)
        .exclude(holds__released_at__isnull=True)
        .select_related("principal", "sender_office")
        .order_by("due_at", "id")
    )
    escalated: list[Message] = []
    for message_id in list(candidates.values_list("id", flat=True)):
        with transaction.atomic():
            message = _lock(Message(pk=message_id))
            if message.escalated_at is not None or message.state not in PRE_DELIVERY:
                continue
            if message.holds.filter(released_at__isnull=True).exists():
                continue
            message.escalated_at = now
            message.save(update_fields=["escalated_at"])
            late = now - message.due_at
            _message_event(message, "message.escalated", None, overdue_seconds=int(late.total_seconds()))
            recipients = [message.principal.office_email] if message.principal.office_email else []
            Notification.objects.create(
                message=message, kind="escalation", recipients=recipients, created_at=now,
                subject=f"[Chancery] {message.tracking} is past its delivery target",
            )
            escalated.append(message)
    return escalated


def send_pending_notifications(limit: int = 100) -> int:
    """Send escalation mails after the commit that recorded them (worker)."""
    sent = 0
    for note in Notification.objects.filter(sent_at__isnull=True, error="").select_related(
        "message__principal", "message__sender_office"
    )[:limit]:
        message = note.message
        if not note.recipients or message is None:
            note.error = "no recipient: set the principal's office email"
            note.save(update_fields=["error"])
            continue
        body = (
            f"{message.tracking}, from {message.sender_office}, received "
            f"{message.received_at:%Y-%m-%d %H:%M %Z}, is past its delivery target "
            f"({message.due_at:%Y-%m-%d %H:%M %Z}) and is {message.get_state_display().lower()}.\n"
            "It has not been delivered to your office. The operations center has been alerted; "
            "the escalation is recorded in the message's history and in the public log.\n"
        )
        try:
            send_mail(note.subject, body, None, note.recipients)
        except Exception as exc:  # noqa: BLE001 - the failure is recorded and shown
            note.error = str(exc)[:1000]
            note.save(update_fields=["error"])
            continue
        note.sent_at = clock.now()
        note.save(update_fields=["sent_at"])
        sent += 1
    return sent


# --- the sender's view -------------------------------------------------------------------------


def sender_status(message: Message) -> str:
    """What the liaison sees: received / in review / delivered / acknowledged (or rejected)."""
    if message.state == State.REJECTED:
        return "rejected"
    if message.state in (State.DELIVERED, State.ACKNOWLEDGED):
        return message.state
    hold = message.holds.filter(released_at__isnull=True).first()
    if hold is not None and hold.is_policy:
        return "received, delivery pending the transition"
    if message.state == State.RECEIVED and hold is None:
        return "received"
    return "in review"


def bulk_ids(messages: Iterable[Message]) -> list[str]:
    return [m.tracking for m in messages]
