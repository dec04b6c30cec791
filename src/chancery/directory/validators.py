"""Validation of reference codes against the standard registries (no hand-kept tables)."""

from __future__ import annotations

import zoneinfo

import pycountry
from django.core.exceptions import ValidationError


def validate_country_code(value: str) -> None:
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'CA').")


def validate_language_code(value: str) -> None:
    if pycountry.languages.get(alpha_2=value) is None:
        raise ValidationError(f"{value!r} is not an ISO 639-1 language code (e.g. 'fr').")


def validate_language_list(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Give at least one ISO 639-1 language code, as a list.")
    for code in value:
        if not isinstance(code, str):
            raise ValidationError(f"{code!r} is not a language code.")
        validate_language_code(code)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{value!r} is not an IANA time zone (e.g. 'Europe/Paris')."
        ) from None
