"""The message lifecycle: triage, translation, delivery, acknowledgement, rejection."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import profile_of, require_role
from chancery.correspondence.models import (
    Message,
    State,
    Translation,
)
from chancery.correspondence.services.common import (
    MAX_REASON,
    OFFICERS,
    _deliver,
    _held_text,
    _lock,
    _message_event,
    _policy_text,
    _release,
    _require_open,
    active_hold,
)
from chancery.errors import Conflict, Forbidden, InvalidInput
from chancery.inputs import clean_text as _clean_text
from chancery.inputs import language_code as _language

# --- lifecycle --------------------------------------------------------------------------------



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


