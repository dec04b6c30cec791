"""Language detection with lingua, built from the languages in use only.

lingua with every language loaded takes about 800 MB; a detector restricted to the languages of
the directory (the leaders' official languages, plus English) takes a fraction of that and is
more accurate, since it cannot confuse, say, Ukrainian with Belarusian when nobody writes in
Belarusian. Detection runs in the worker, after the intake transaction has committed.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.correspondence.models import Message


def languages_in_use() -> frozenset[str]:
    from chancery.accounts.models import Profile
    from chancery.directory.models import Leader

    codes = {"en"}
    for langs in Leader.objects.values_list("languages", flat=True):
        codes.update(langs or [])
    for langs in Profile.objects.exclude(languages=[]).values_list("languages", flat=True):
        codes.update(langs or [])
    codes.update(c for c in Message.objects.values_list("declared_language", flat=True).distinct() if c)
    return frozenset(codes)


@functools.lru_cache(maxsize=4)
def _detector(codes: frozenset[str]) -> tuple[Any, frozenset[str]]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    iso = []
    for code in sorted(codes):
        try:
            iso.append(IsoCode639_1.from_str(code))
        except ValueError:
            continue  # a language lingua does not know (e.g. Latin): never detected, only declared
    if len(iso) < 2:
        return None, frozenset()
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*iso)
    return builder.with_preloaded_language_models().build(), frozenset(i.name.lower() for i in iso)


def detect(text: str, codes: frozenset[str] | None = None) -> str:
    """ISO 639-1 code of ``text``'s language among ``codes``, or '' when unsure."""
    detector, _ = _detector(codes if codes is not None else languages_in_use())
    if detector is None or not text.strip():
        return ""
    language = detector.detect_language_of(text)
    return language.iso_code_639_1.name.lower() if language is not None else ""


def detect_pending(limit: int = 200) -> int:
    """Detect the language of messages not yet checked (worker). Returns how many were done."""
    pending = list(
        Message.objects.filter(language_checked_at__isnull=True)
        .order_by("id")
        .values_list("id", "body")[:limit]
    )
    if not pending:
        return 0
    codes = languages_in_use()
    for pk, body in pending:
        code = detect(body, codes)
        with transaction.atomic():
            Message.objects.filter(pk=pk, language_checked_at__isnull=True).update(
                detected_language=code, language_checked_at=clock.now()
            )
    return len(pending)
