"""The business rules of correspondence, written once.

HTML views, the API, the CLI, the worker and the demo loader all call these functions. Each takes
the acting user, checks what that user may do, makes its change and records the event in one
transaction, so a failure half-way leaves nothing behind.

No-silent-withholding rules (see docs/architecture.md):
- a hold needs a category and a written reason; it lapses after CHANCERY_HOLD_LAPSE_HOURS unless a
  *different* officer confirms it; a confirmed hold ends CHANCERY_HOLD_MAX_HOURS after it was
  placed (or last renewed) unless two officers renew it; a hold past its expiry can no longer be
  confirmed or renewed, and the officer whose hold ended unconfirmed cannot simply place it again;
- a hold that expires delivers the message to the principal's office automatically;
- a principal whose support policy waits for a status holds messages visibly (a policy hold), tells
  the sender, and delivers them in order of receipt the moment the status is reached; while the
  gate is closed every open message of that principal carries a hold (the worker keeps it so);
- a message past its delivery target and not under a hold is escalated once: flagged, an event,
  and an email to the principal's office.

Locks are always taken in the order principal -> message -> hold/translation, so two
transactions never wait on each other in a cycle (PostgreSQL; SQLite runs one writer at a time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q

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
from chancery.directory import lookups
from chancery.directory.models import Office, Principal, StatusChange
from chancery.directory.validators import validate_language_code
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from chancery.fastinsert import insert
from chancery.ledger.receipts import log_proofs
from chancery.ledger.services import record_event

LIAISON_CHANNELS = {Channel.PORTAL, Channel.API, Channel.DIPLOMATIC_NOTE}
OFFICERS = (Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER)
MAX_SUBJECT = 300
MAX_REASON = 2000
MAIL_ATTEMPTS = 5
MAIL_RETRY_AFTER = dt.timedelta(minutes=5)
POLICY_PENDING = "received, delivery pending the transition"


def _hours(name: str) -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, name)))


LABELS = {
    "body": "The message text (body)",
    "subject": "The subject",
    "reason": "The reason",
    "text": "The translation (text)",
    "note": "The note",
}


def _clean_text(value: Any, *, field: str, max_len: int, required: bool) -> str:
    """Check free text; errors name the field both for people and for API clients."""
    name = LABELS.get(field, field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text.", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character; remove it.", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{name} is not valid Unicode: it contains an unpaired surrogate (often a broken "
            "\\ud800-\\udfff escape in JSON); send the text as UTF-8.",
            field=field,
        ) from None
    if required and not value.strip():
        raise InvalidInput(f"{name} is empty; write it out.", field=field)
    if len(value) > max_len:
        raise TooLarge(
            f"{name} is {len(value):,} characters; the limit is {max_len:,}.", field=field
        )
    return value


def _language(value: Any, *, field: str) -> str:
    code = str(value or "").strip().lower()
    try:
        validate_language_code(code)
    except Exception:
        raise InvalidInput(
            f"{field} {value!r} is not an ISO 639-1 language code (e.g. 'fr').", field=field
        ) from None
    return code


def _when(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "never"


def _message_event(message: Message, kind: str, by: Any, **data: Any) -> None:
    record_event(
        "message", message.pk, kind, actor=by,
        data={"tracking": message.tracking, "principal": message.principal.slug, **data},
    )


def _lock(message: Message | int) -> Message:
    """Re-read the message under a row lock (PostgreSQL; SQLite serialises writers anyway).

    Only the message row is locked (``of=("self",)``): locking the joined principal too would
    block every intake for that principal while the lock is held."""
    pk = message if isinstance(message, int) else message.pk
    return (
        Message.objects.select_for_update(of=("self",))
        .select_related("principal")
        .get(pk=pk)
    )


def _lock_principal(pk: int) -> Principal:
    # FOR NO KEY UPDATE: does not conflict with the key-share locks that inserting a message
    # (whose foreign key points here) takes, so intake is never blocked by it.
    return Principal.objects.select_for_update(no_key=True).get(pk=pk)


def _lock_hold(pk: int) -> Hold:
    return (
        Hold.objects.select_for_update(of=("self",))
        .select_related("placed_by", "confirmed_by", "renewal_requested_by")
        .get(pk=pk)
    )


def active_hold(message: Message, *, officer_only: bool = False) -> Hold | None:
    """The active hold that matters most: an officer's hold before a policy hold."""
    holds = message.holds.filter(released_at__isnull=True)
    if officer_only:
        holds = holds.filter(is_policy=False)
    return (
        holds.select_related("placed_by", "confirmed_by", "renewal_requested_by")
        .order_by("is_policy", "id")
        .first()
    )


# sender_status() takes a keyword named ``active_hold``; it reaches the function by this name.
_hold_of = active_hold


def _active_hold_exists() -> Exists:
    return Exists(Hold.objects.filter(message=OuterRef("pk"), released_at__isnull=True))


def _policy_text(message: Message, principal: Principal) -> str:
    waits_for = (
        Principal.Status(principal.delivery_requires).label if principal.delivery_requires else ""
    )
    return (
        f"{message.tracking} is held by the {principal.title}'s transition support policy: "
        f"delivery waits until the status is '{waits_for}' (now "
        f"'{Principal.Status(principal.status).label}'). An admin records the change; held "
        "messages are then delivered in order of receipt."
    )


def _held_text(message: Message, hold: Hold) -> str:
    if hold.is_policy:
        return _policy_text(message, message.principal)
    by = hold.placed_by.get_username() if hold.placed_by else "the system"
    return (
        f"{message.tracking} is held for {hold.get_category_display().lower()} by {by} "
        f"({hold.status}, expires {_when(hold.expires_at)}): release the hold first."
    )


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
        ).encode("utf-8", "surrogatepass")
    )
    for name, data in sub.attachments:
        h.update(str(name).encode("utf-8", "surrogatepass"))
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _same_polity(office: Office, mission: Any) -> bool:
    if mission is None:
        return False
    if mission.country_id:
        return office.country_id == mission.country_id
    return bool(mission.organisation_id) and office.organisation_id == mission.organisation_id


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
        raise Forbidden(
            "Only a liaison, a watch or protocol officer or an admin may submit messages."
        )
    body = _clean_text(
        sub.body, field="body", max_len=settings.CHANCERY_MAX_BODY_CHARS, required=True
    )
    subject = _clean_text(sub.subject, field="subject", max_len=MAX_SUBJECT, required=False)
    if sub.channel not in Channel.values:
        raise InvalidInput(
            f"channel {sub.channel!r} is unknown; use one of {', '.join(Channel.values)}.",
            field="channel",
        )
    language = _language(sub.language, field="language") if (sub.language or "").strip() else ""
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > 200:
            raise InvalidInput(
                "Idempotency-Key must be 1 to 200 characters.", field="Idempotency-Key"
            )
    if len(sub.attachments) > settings.CHANCERY_MAX_ATTACHMENTS:
        raise TooLarge(
            f"{len(sub.attachments)} attachments; the limit is "
            f"{settings.CHANCERY_MAX_ATTACHMENTS}.",
            field="attachments",
        )
    files: list[CheckedFile] = [check_attachment(name, data) for name, data in sub.attachments]
    try:
        office_pk = int(sub.sender_office)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"sender_office {sub.sender_office!r} is not an office id (a number; list them "
            "with GET /api/v1/offices).",
            field="sender_office",
        ) from None

    principal = lookups.principal_by_slug(sub.principal)
    if principal is None:
        known = ", ".join(Principal.objects.values_list("slug", flat=True))
        raise NotFound(
            f"No principal {sub.principal!r}; known principals: {known}.", field="principal"
        )
    office = lookups.office_by_pk(office_pk)
    if office is None:
        raise NotFound(
            f"No sender office {sub.sender_office!r}; list them with GET /api/v1/offices.",
            field="sender_office",
        )
    if not is_officer(by) and not has_role(by, Role.ADMIN):
        mission = profile_of(by).mission
        if not _same_polity(office, mission):
            raise Forbidden(
                f"You are the liaison of {mission or 'no mission'}; you may submit only for its "
                f"own country or organisation, not for {office.polity}.",
                field="sender_office",
            )
        if sub.channel not in LIAISON_CHANNELS:
            raise InvalidInput(
                f"A liaison submits by portal, api or diplomatic_note, not {sub.channel}.",
                field="channel",
            )

    digest = _request_digest(sub)
    # No look-up of the Idempotency-Key first: the unique constraint on (submitted_by,
    # idempotency_key) refuses a second message, and a retry (rare) is answered below from the
    # first one; a probe on every submission would cost a round trip to save one on retries.
    now = received_at or clock.now()
    salt = secrets.token_hex(16)
    encoded = body.encode("utf-8")
    try:
        with transaction.atomic():
            message = insert(Message(
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
            ))
            for f in files:
                blob, _ = Blob.objects.get_or_create(
                    sha256=f.sha256,
                    defaults={"size": len(f.data), "content_type": f.content_type, "data": f.data},
                )
                Attachment.objects.create(message=message, blob=blob, filename=f.filename)
            _message_event(
                message, "message.received", by,
                sender=office.polity, office=office.pk, channel=message.channel,
                commitment=message.commitment, attachments=len(files),
                due=message.due_at.isoformat(),
                # Differs from the event's own time only for mail an officer records later
                # (a letter received on paper last week): both times stay on the record.
                received_at=message.received_at.isoformat(),
            )
            # The gate is read without a lock (intake must not queue behind a status change);
            # if it changes under us, the worker's sync_policy_gates() puts it right.
            hold = _place_policy_hold(message, principal) if principal.gate_active else None
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = Message.objects.filter(submitted_by=by, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _replay(existing, digest, idempotency_key), False
    # What submission_answer() would otherwise read back: its active hold and attachments.
    message._intake = {  # type: ignore[attr-defined]
        "hold": hold,
        "attachments": [(f.filename, f.sha256, len(f.data)) for f in files],
    }
    return message, True


def submission_answer(message: Message) -> dict[str, Any]:
    """The answer to a submission: tracking number, what the sender sees, and the receipt.

    For a message submit_message() has just made, built from what it holds in memory (no
    re-reading of holds and attachments); used once, so a later change is never hidden."""
    fresh = message.__dict__.pop("_intake", None)
    if fresh is None:
        return {
            "tracking": message.tracking,
            "status": sender_status(message),
            "receipt": receipt(message),
        }
    return {
        "tracking": message.tracking,
        "status": sender_status(message, active_hold=fresh["hold"]),
        "receipt": receipt(message, attachments=fresh["attachments"]),
    }


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
    _message_event(
        message, "hold.policy", None, hold=hold.pk, waits_for=principal.delivery_requires
    )
    return hold


def receipt(
    message: Message, *, attachments: Sequence[tuple[str, str, int]] | None = None
) -> dict[str, Any]:
    """What the sender keeps: enough to prove later what was received, and when.

    ``attachments`` (filename, sha256, size) when the caller already has them."""
    office = message.sender_office
    if attachments is None:
        attachments = [
            (a.filename, a.blob_id, a.blob.size) for a in message.attachments.select_related("blob")
        ]
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
            {"filename": name, "sha256": sha256, "size": size} for name, sha256, size in attachments
        ],
    }


def receipt_with_proofs(message: Message) -> dict[str, Any]:
    """The receipt plus the log's inclusion proofs of the message's events."""
    return receipt(message) | {"log": log_proofs("message", message.pk)}


# --- lifecycle --------------------------------------------------------------------------------


def _require_open(message: Message, action: str) -> None:
    if message.state not in PRE_DELIVERY:
        raise Conflict(
            f"{message.tracking} is {message.get_state_display().lower()}; cannot {action}."
        )


def triage(message: Message, *, by: Any, note: str = "") -> Message:
    require_role(by, *OFFICERS, action="triage messages")
    note = _clean_text(note, field="note", max_len=MAX_REASON, required=False)
    with transaction.atomic():
        message = _lock(message)
        if message.state != State.RECEIVED:
            raise Conflict(
                f"{message.tracking} is already {message.get_state_display().lower()}; only a "
                "received message is triaged."
            )
        message.state = State.TRIAGED
        message.triage_note = note
        message.save(update_fields=["state", "triage_note"])
        _message_event(message, "message.triaged", by, noted=bool(note))
    return message


def request_translation(
    message: Message, *, by: Any, source_language: str = "", target_language: str = "en"
) -> Translation:
    require_role(by, *OFFICERS, action="request translations")
    if not (source_language or message.language):
        raise InvalidInput(
            f"The language of {message.tracking} is not known yet; name the source language "
            "(ISO 639-1, e.g. 'fr').",
            field="source_language",
        )
    source = _language(source_language or message.language, field="source_language")
    target = _language(target_language, field="target_language")
    if source == target:
        raise InvalidInput(
            f"{message.tracking} is already in {source}; choose another target language.",
            field="target_language",
        )
    with transaction.atomic():
        message = _lock(message)
        if message.state not in (
            State.RECEIVED, State.TRIAGED, State.DELIVERED, State.ACKNOWLEDGED
        ):
            raise Conflict(
                f"{message.tracking} is {message.get_state_display().lower()}; a translation can "
                "be requested for a received, triaged, delivered or acknowledged message."
            )
        if message.translations.filter(
            target_language=target, status=Translation.Status.REQUESTED
        ).exists():
            raise Conflict(
                f"A translation of {message.tracking} into {target} is already open; wait for "
                "the translator's sign-off."
            )
        translation = Translation.objects.create(
            message=message, source_language=source, target_language=target,
            requested_by=by, requested_at=clock.now(),
        )
        if message.state in (State.RECEIVED, State.TRIAGED):
            message.state = State.TRANSLATION_REQUESTED
            message.save(update_fields=["state"])
        _message_event(
            message, "translation.requested", by, translation=translation.pk,
            source=source, target=target,
        )
    return translation


def sign_off_translation(translation: Translation, *, by: Any, text: str) -> Translation:
    """The translator's sign-off. The original text is never touched; it stays beside this."""
    require_role(by, Role.TRANSLATOR, action="sign off translations")
    languages = profile_of(by).languages or []
    if translation.source_language not in languages:
        raise Forbidden(
            f"You are registered as a translator from {', '.join(languages) or 'no language'}, "
            f"not from {translation.source_language}."
        )
    text = _clean_text(
        text, field="text", max_len=settings.CHANCERY_MAX_BODY_CHARS * 2, required=True
    )
    with transaction.atomic():
        message = _lock(translation.message_id)
        translation = Translation.objects.select_for_update(of=("self",)).get(pk=translation.pk)
        if translation.status == Translation.Status.CANCELLED:
            raise Conflict(
                f"This translation was cancelled: {message.tracking} was rejected."
            )
        if translation.status != Translation.Status.REQUESTED:
            raise Conflict(
                "This translation is already signed off; request a new one to revise it."
            )
        now = clock.now()
        translation.text = text
        translation.translator = by
        translation.signed_off_at = now
        translation.status = Translation.Status.SIGNED_OFF
        translation.save(update_fields=["text", "translator", "signed_off_at", "status"])
        if message.state == State.TRANSLATION_REQUESTED and not message.translations.filter(
            status=Translation.Status.REQUESTED
        ).exists():
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
    require_role(by, *OFFICERS, action="deliver messages")
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "deliver it")
        if message.state == State.TRANSLATION_REQUESTED:
            raise Conflict(
                f"{message.tracking} is waiting for its translation; deliver it when the "
                "translator has signed off."
            )
        hold = active_hold(message)
        if hold is not None:
            raise Conflict(_held_text(message, hold))
        if message.principal.gate_active:
            raise Conflict(_policy_text(message, message.principal))
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
    """Refuse a message, with a reason the sender sees. Its holds end; open translations are
    cancelled. Nothing is deleted."""
    require_role(by, *OFFICERS, action="reject messages")
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "reject it")
        message.state = State.REJECTED
        message.rejection_reason = reason
        message.save(update_fields=["state", "rejection_reason"])
        for hold in message.holds.select_for_update(of=("self",)).filter(released_at__isnull=True):
            hold.message = message
            _release(hold, by, "message rejected")
        message.translations.filter(status=Translation.Status.REQUESTED).update(
            status=Translation.Status.CANCELLED
        )
        _message_event(message, "message.rejected", by, reason=reason)
    return message


# --- holds ------------------------------------------------------------------------------------


def place_hold(message: Message, *, by: Any, category: str, reason: str) -> Hold:
    require_role(by, *OFFICERS, action="place holds")
    if category not in Hold.OFFICER_CATEGORIES:
        raise InvalidInput(
            f"category {category!r} is unknown; use one of {', '.join(Hold.OFFICER_CATEGORIES)}.",
            field="category",
        )
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        _require_open(message, "hold it")
        current = active_hold(message, officer_only=True)
        if current is not None:
            raise Conflict(
                f"{message.tracking} is already held "
                f"({current.get_category_display().lower()}, {current.status})."
            )
        last = message.holds.filter(is_policy=False).order_by("-placed_at", "-id").first()
        if last is not None and last.confirmed_at is None and last.placed_by_id == by.pk:
            raise Forbidden(
                f"Your last hold on {message.tracking} ended without a second officer's "
                "confirmation; a hold cannot be kept alive by placing it again. Another officer "
                "must place the new hold."
            )
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


def _officer_hold(hold: Hold, action: str, *, allow_expired: bool = False) -> Hold:
    """Lock the hold's message, then the hold, and check it is an active officer's hold."""
    message = _lock(hold.message_id)
    hold = _lock_hold(hold.pk)
    hold.message = message
    if hold.released_at is not None:
        raise Conflict(
            f"This hold on {message.tracking} already ended at {_when(hold.released_at)} "
            f"({hold.release_reason})."
        )
    if hold.is_policy:
        raise Conflict(
            f"This is a policy hold on {message.tracking}; it ends when the "
            f"{message.principal.title}'s transition status changes, not by an officer."
        )
    if not allow_expired and hold.expires_at is not None and hold.expires_at <= clock.now():
        raise Conflict(
            f"This hold on {message.tracking} expired at {_when(hold.expires_at)}; it can no "
            f"longer be {action}. The message is being released to delivery."
        )
    return hold


def confirm_hold(hold: Hold, *, by: Any) -> Hold:
    require_role(by, *OFFICERS, action="confirm holds")
    with transaction.atomic():
        hold = _officer_hold(hold, "confirmed")
        if hold.confirmed_at is not None:
            raise Conflict(
                f"This hold is already confirmed by {hold.confirmed_by}; a further extension is "
                "a renewal (two officers)."
            )
        if hold.placed_by_id == by.pk:
            raise Forbidden(
                "A hold must be confirmed by a different officer from the one who placed it."
            )
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
    require_role(by, *OFFICERS, action="renew holds")
    with transaction.atomic():
        hold = _officer_hold(hold, "renewed")
        if hold.confirmed_at is None:
            raise Conflict(
                "Only a confirmed hold can be renewed; have a second officer confirm it first."
            )
        now = clock.now()
        if hold.renewal_requested_by_id is None:
            hold.renewal_requested_by = by
            hold.renewal_requested_at = now
            hold.save(update_fields=["renewal_requested_by", "renewal_requested_at"])
            _message_event(hold.message, "hold.renewal_requested", by, hold=hold.pk)
            return hold
        if hold.renewal_requested_by_id == by.pk:
            raise Forbidden(
                "A renewal needs a second officer; you have already asked for this one."
            )
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


def _after_hold(message: Message, principal: Principal, *, deliver: bool, why: str) -> bool:
    """After an officer's hold ends: a closed policy gate takes over (visibly); otherwise an
    expired hold delivers the message. Returns True if the message was delivered."""
    if message.state not in PRE_DELIVERY:
        return False
    if principal.gate_active:
        if not message.holds.filter(released_at__isnull=True, is_policy=True).exists():
            _place_policy_hold(message, principal)
        return False
    if deliver and active_hold(message) is None:
        # Even a message still waiting for its translation: the original goes now (the office
        # always sees it beside any translation), the translation follows when signed off.
        _deliver(message, None, why)
        return True
    return False


def _hold_principal_id(hold: Hold) -> int:
    pk = Hold.objects.filter(pk=hold.pk).values_list("message__principal_id", flat=True).first()
    if pk is None:
        raise NotFound("No such hold.", field="hold")
    return pk


def release_hold(hold: Hold, *, by: Any, reason: str = "released by an officer") -> Hold:
    """An officer ends a hold. The message goes back to the queue (or, if the hold had already
    expired, is delivered as the expiry would have done; under a closed policy gate, it is held
    by the policy instead)."""
    require_role(by, *OFFICERS, action="release holds")
    reason = _clean_text(reason, field="reason", max_len=300, required=True)
    with transaction.atomic():
        principal = _lock_principal(_hold_principal_id(hold))
        hold = _officer_hold(hold, "released", allow_expired=True)
        expired = hold.expires_at is not None and hold.expires_at <= clock.now()
        _release(hold, by, reason)
        _after_hold(hold.message, principal, deliver=expired, why="hold expired")
    return hold


def expire_holds(now: dt.datetime | None = None) -> list[Message]:
    """Release every hold past its expiry and deliver its message (worker)."""
    now = now or clock.now()
    delivered: list[Message] = []
    due = Hold.objects.filter(
        released_at__isnull=True, is_policy=False, expires_at__lte=now
    ).order_by("expires_at", "id")
    for hold_id, message_id, principal_id in list(
        due.values_list("id", "message_id", "message__principal_id")
    ):
        with transaction.atomic():
            principal = _lock_principal(principal_id)
            message = _lock(message_id)
            hold = _lock_hold(hold_id)
            if hold.released_at is not None or hold.expires_at is None or hold.expires_at > now:
                continue  # confirmed, renewed or released meanwhile
            hold.message = message
            why = "expired unconfirmed" if hold.confirmed_at is None else "expired at its maximum"
            _release(hold, None, why)
            if _after_hold(message, principal, deliver=True, why=f"hold {why}"):
                delivered.append(message)
    return delivered


# --- transition status and the policy gate -----------------------------------------------------


def _open_gate(principal: Principal, by: Any, why: str) -> list[Message]:
    """Release the principal's policy holds and deliver in order of receipt (principal locked)."""
    released: list[Message] = []
    holds = (
        Hold.objects.filter(message__principal=principal, is_policy=True, released_at__isnull=True)
        .order_by("message__received_at", "message_id")
        .values_list("id", "message_id")
    )
    for hold_id, message_id in list(holds):
        message = _lock(message_id)
        hold = _lock_hold(hold_id)
        if hold.released_at is not None:
            continue
        hold.message = message
        _release(hold, by, why)
        if message.state in PRE_DELIVERY and active_hold(message) is None:
            # A message an officer also holds stays held; its own hold's expiry delivers it.
            _deliver(message, None, "policy gate lifted")
            released.append(message)
    return released


def _close_gate(principal: Principal) -> int:
    """Hold, by the policy, every open message of the principal not already held."""
    held = 0
    unheld = (
        Message.objects.filter(principal=principal, state__in=PRE_DELIVERY)
        .filter(~_active_hold_exists())
        .order_by("received_at", "id")
        .values_list("id", flat=True)
    )
    for message_id in list(unheld):
        message = _lock(message_id)
        if message.state in PRE_DELIVERY and active_hold(message) is None:
            _place_policy_hold(message, principal)
            held += 1
    return held


def set_principal_status(
    principal: Principal, *, by: Any, status: str, note: str = ""
) -> list[Message]:
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
        principal = _lock_principal(principal.pk)
        if principal.status == status:
            raise Conflict(
                f"The {principal.title} is already '{principal.get_status_display()}'."
            )
        was_gated = principal.gate_active
        principal.status = status
        principal.save(update_fields=["status"])
        now = clock.now()
        StatusChange.objects.create(principal=principal, status=status, at=now, by=by, note=note)
        record_event(
            "principal", principal.pk, "principal.status", actor=by,
            data={
                "principal": principal.slug, "status": status,
                "gate_open": not principal.gate_active,
            },
        )
        if was_gated and not principal.gate_active:
            released = _open_gate(principal, by, f"transition status is now {status}")
        elif not was_gated and principal.gate_active:
            _close_gate(principal)
    return released


def sync_policy_gates() -> int:
    """Make the policy holds agree with each principal's status (worker).

    ``set_principal_status`` does this itself; the sweep covers what it cannot see: a submission
    that read the gate just before it opened, a support policy changed in the admin, an
    officer's hold that ended under a closed gate. Returns how many messages were held or
    delivered."""
    changed = 0
    for principal in Principal.objects.all():
        if principal.gate_active:
            pending = (
                Message.objects.filter(principal=principal, state__in=PRE_DELIVERY)
                .filter(~_active_hold_exists())
                .exists()
            )
        else:
            pending = Hold.objects.filter(
                message__principal=principal, is_policy=True, released_at__isnull=True
            ).exists()
        if not pending:
            continue
        with transaction.atomic():
            principal = _lock_principal(principal.pk)
            if principal.gate_active:
                changed += _close_gate(principal)
            else:
                changed += len(_open_gate(
                    principal, None,
                    f"transition status is {principal.status}; the policy no longer holds it",
                ))
    return changed


def principal_counts(principal: Principal) -> dict[str, int]:
    """What the principal's office and the dashboard count: nothing held is left uncounted."""
    qs = Message.objects.filter(principal=principal)
    by_state = dict(qs.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    active = Hold.objects.filter(message__principal=principal, released_at__isnull=True)
    now = clock.now()
    return {
        **{s: by_state.get(s, 0) for s in State.values},
        "total": sum(by_state.values()),
        "held_by_policy": active.filter(is_policy=True).count(),
        "held_by_officer": active.filter(is_policy=False).count(),
        "overdue": qs.filter(state__in=PRE_DELIVERY, due_at__lte=now).count(),
        "escalated": qs.filter(state__in=PRE_DELIVERY, escalated_at__isnull=False).count(),
    }


# --- delivery target and escalation ------------------------------------------------------------


def overdue_messages(now: dt.datetime | None = None) -> Any:
    now = now or clock.now()
    return Message.objects.filter(state__in=PRE_DELIVERY, due_at__lte=now)


def _escalation_recipients(principal: Principal) -> list[str]:
    if principal.office_email:
        return [principal.office_email]
    staff = get_user_model().objects.filter(
        profile__principal=principal, groups__name=Role.PRINCIPAL_OFFICE, is_active=True
    ).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)))


def escalate_overdue(now: dt.datetime | None = None) -> list[Message]:
    """Flag, record and mail every open message past its target that no hold accounts for."""
    now = now or clock.now()
    candidates = (
        overdue_messages(now)
        .filter(escalated_at__isnull=True)
        .filter(~_active_hold_exists())
        .order_by("due_at", "id")
    )
    escalated: list[Message] = []
    for message_id in list(candidates.values_list("id", flat=True)):
        with transaction.atomic():
            message = _lock(message_id)
            if message.escalated_at is not None or message.state not in PRE_DELIVERY:
                continue
            if active_hold(message) is not None:
                continue
            message.escalated_at = now
            message.save(update_fields=["escalated_at"])
            late = now - message.due_at
            _message_event(
                message, "message.escalated", None, overdue_seconds=int(late.total_seconds())
            )
            Notification.objects.create(
                message=message, kind="escalation",
                recipients=_escalation_recipients(message.principal), created_at=now,
                subject=f"[Chancery] {message.tracking} is past its delivery target",
            )
            escalated.append(message)
    return escalated


def _escalation_body(message: Message) -> str:
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(message.principal.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC

    def local(moment: dt.datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return (
        f"{message.tracking}, from {message.sender_office}, received "
        f"{local(message.received_at)}, is past its delivery target ({local(message.due_at)}) "
        f"and is {message.get_state_display().lower()}.\n"
        "It has not been delivered to your office. The operations center has been alerted; "
        "the escalation is recorded in the message's history and in the public log.\n"
    )


def send_pending_notifications(limit: int = 100) -> int:
    """Send escalation mails after the commit that recorded them (worker).

    Each mail is claimed with a conditional update, so two workers never send it twice; a claim
    left by a worker that died goes stale after MAIL_RETRY_AFTER, and a failed send is retried
    on later passes, up to MAIL_ATTEMPTS times, with the last error kept on the row."""
    stale = clock.now() - MAIL_RETRY_AFTER
    due = (
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAIL_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=stale))
        .order_by("id")
        .values_list("id", "claimed_at")[:limit]
    )
    sent = 0
    for pk, claimed_at in list(due):
        claimed = Notification.objects.filter(
            pk=pk, sent_at__isnull=True, claimed_at=claimed_at
        ).update(claimed_at=clock.now(), attempts=F("attempts") + 1)
        if not claimed:
            continue  # another worker has it
        note = Notification.objects.select_related(
            "message__principal", "message__sender_office"
        ).get(pk=pk)
        message = note.message
        if not note.recipients or message is None:
            note.error = (
                "no recipient: set the principal's office email (or the staffers' emails)"
            )
            note.attempts = MAIL_ATTEMPTS
            note.save(update_fields=["error", "attempts"])
            continue
        try:
            send_mail(note.subject, _escalation_body(message), None, note.recipients)
        except Exception as exc:  # noqa: BLE001 - the failure is recorded, shown and retried
            note.error = f"attempt {note.attempts}: {exc}"[:1000]
            note.save(update_fields=["error"])
            continue
        note.sent_at = clock.now()
        note.error = ""
        note.save(update_fields=["sent_at", "error"])
        sent += 1
    return sent


# --- the sender's view -------------------------------------------------------------------------


_UNKNOWN: Any = object()


def sender_status(message: Message, *, active_hold: Hold | None = _UNKNOWN) -> str:
    """What the liaison sees: received / in review / delivered / acknowledged (or rejected).

    ``active_hold``: the message's active hold (None: it has none) when the caller knows it."""
    if message.state == State.REJECTED:
        return "rejected"
    if message.state in (State.DELIVERED, State.ACKNOWLEDGED):
        return State(message.state).value
    if active_hold is _UNKNOWN:
        if message.holds.filter(released_at__isnull=True, is_policy=True).exists():
            return POLICY_PENDING
        hold = _hold_of(message)
    else:
        hold = active_hold
        if hold is not None and hold.is_policy:
            return POLICY_PENDING
    if message.state == State.RECEIVED and hold is None:
        return "received"
    return "in review"
