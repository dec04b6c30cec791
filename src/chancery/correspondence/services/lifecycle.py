"""The message lifecycle: triage, translation, delivery, acknowledgement, rejection."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction

from chancery import clock
from chancery.correspondence.models import (
    Message,
    State,
    Translation,
)
from chancery.correspondence.services.actions import (
    require_may,
    require_may_translation,
    require_now,
    require_now_translation,
)
from chancery.correspondence.services.common import (
    MAX_REASON,
    _deliver,
    _lock,
    _message_event,
    _release,
)
from chancery.errors import Conflict, InvalidInput
from chancery.inputs import clean_text as _clean_text
from chancery.inputs import language_code as _language

# --- lifecycle --------------------------------------------------------------------------------



def triage(message: Message, *, by: Any, note: str = "") -> Message:
    require_may("triage", by, message)
    note = _clean_text(note, field="note", max_len=MAX_REASON, required=False)
    with transaction.atomic():
        message = _lock(message)
        require_now("triage", by, message)
        message.state = State.TRIAGED
        message.triage_note = note
        message.save(update_fields=["state", "triage_note"])
        _message_event(message, "message.triaged", by, noted=bool(note))
    return message


def request_translation(
    message: Message, *, by: Any, source_language: str = "", target_language: str = "en"
) -> Translation:
    require_may("request_translation", by, message)
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
        require_now("request_translation", by, message)
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
    require_may_translation("sign_off", by, translation)
    text = _clean_text(
        text, field="text", max_len=settings.CHANCERY_MAX_BODY_CHARS * 2, required=True
    )
    with transaction.atomic():
        message = _lock(translation.message_id)
        translation = Translation.objects.select_for_update(of=("self",)).get(pk=translation.pk)
        require_now_translation("sign_off", by, translation, message)
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



def deliver(message: Message, *, by: Any) -> Message:
    require_may("deliver", by, message)
    with transaction.atomic():
        message = _lock(message)
        require_now("deliver", by, message)
        _deliver(message, by, "officer")
    return message


def acknowledge(message: Message, *, by: Any) -> Message:
    require_may("acknowledge", by, message)
    with transaction.atomic():
        message = _lock(message)
        require_now("acknowledge", by, message)
        message.state = State.ACKNOWLEDGED
        message.acknowledged_at = clock.now()
        message.save(update_fields=["state", "acknowledged_at"])
        _message_event(message, "message.acknowledged", by)
    return message


def reject(message: Message, *, by: Any, reason: str) -> Message:
    """Refuse a message, with a reason the sender sees. Its holds end; open translations are
    cancelled. Nothing is deleted."""
    require_may("reject", by, message)
    reason = _clean_text(reason, field="reason", max_len=MAX_REASON, required=True)
    with transaction.atomic():
        message = _lock(message)
        require_now("reject", by, message)
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


