"""Intake: a message is validated whole, then written with its event in one short transaction;
the receipt the sender keeps."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, is_officer, profile_of
from chancery.correspondence.attachments import CheckedFile, check_attachment
from chancery.correspondence.models import (
    Attachment,
    Blob,
    Channel,
    Message,
)
from chancery.correspondence.services.common import (
    LIAISON_CHANNELS,
    MAX_SUBJECT,
    _hours,
    _message_event,
    _place_policy_hold,
)
from chancery.correspondence.services.sender import sender_status
from chancery.directory import lookups
from chancery.directory.access import in_polity
from chancery.directory.models import Principal
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from chancery.fastinsert import insert
from chancery.inputs import clean_text as _clean_text
from chancery.inputs import language_code as _language
from chancery.ledger.receipts import log_proofs

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
        if not in_polity(mission, office):
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
            "request; use a new key for a new message.",
            field="Idempotency-Key",
        )
    return existing



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

