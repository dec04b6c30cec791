"""Checks of what people type, shared by every app: free text and language codes.

Errors name the field both for people (a label) and for API clients (``field``)."""

from __future__ import annotations

from typing import Any

import pycountry

from chancery.errors import InvalidInput, TooLarge

LABELS = {
    "body": "The message text (body)",
    "subject": "The subject",
    "reason": "The reason",
    "text": "The translation (text)",
    "note": "The note",
}


def clean_text(value: Any, *, field: str, max_len: int, required: bool) -> str:
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


def language_code(value: Any, *, field: str) -> str:
    """An ISO 639-1 code, lower-cased, or an error naming the field."""
    code = str(value or "").strip().lower()
    if not code or pycountry.languages.get(alpha_2=code) is None:
        raise InvalidInput(
            f"{field} {value!r} is not an ISO 639-1 language code (e.g. 'fr').", field=field
        )
    return code
