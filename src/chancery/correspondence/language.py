"""Language detection with lingua, built from the languages in use only.

lingua with every language loaded takes about 800 MB. Restricted to the languages of the
directory (the leaders' official languages, the translators' languages, plus English) it is
smaller and more accurate, since it cannot confuse, say, Ukrainian with Belarusian when nobody
writes in Belarusian. Measured on this machine for the 17 languages of the demo world:

- high-accuracy mode, models preloaded: about 390 MB resident;
- high-accuracy mode, loaded lazily: about 200-270 MB once a few scripts have been seen;
- low-accuracy mode (trigram models only), preloaded: about 20 MB.

Letters are whole sentences, where low-accuracy mode labels every demo language correctly (see
tests/correspondence/test_language.py);
it errs only on one- or two-word texts. So the worker uses low-accuracy
mode unless ``CHANCERY_LANGUAGE_ACCURACY = "high"``. The detector is built once per set of
languages, only in the process that detects (the worker), never on the intake path; a declared
language always takes precedence over the detected one.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.conf import settings
from django.db import transaction

from chancery import clock
from chancery.correspondence.models import Message

# Enough text to decide; detection time grows with the length of the text.
MAX_DETECT_CHARS = 4000


def languages_in_use() -> frozenset[str]:
    from chancery.accounts.models import Profile
    from chancery.directory.models import Leader

    codes = {"en"}
    for langs in Leader.objects.values_list("languages", flat=True):
        codes.update(langs or [])
    for langs in Profile.objects.exclude(languages=[]).values_list("languages", flat=True):
        codes.update(langs or [])
    codes.update(
        c for c in Message.objects.values_list("declared_language", flat=True).distinct() if c
    )
    return frozenset(c.lower() for c in codes if isinstance(c, str))


def high_accuracy() -> bool:
    return str(getattr(settings, "CHANCERY_LANGUAGE_ACCURACY", "low")).lower() == "high"


@functools.lru_cache(maxsize=1)  # one detector in memory: a new language set replaces it
def _detector(codes: frozenset[str], high: bool = False) -> tuple[Any, frozenset[str]]:
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
    if not high:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()
    return detector, frozenset(i.name.lower() for i in iso)


_TAG = re.compile(r"<[^<>]{0,2000}>")
MIN_LETTERS = 8


def detect(text: str, codes: frozenset[str] | set[str] | None = None) -> str:
    """ISO 639-1 code of ``text``'s language among ``codes``, or '' when unsure.

    Markup is not language: tags are set aside, and a text with fewer than
    ``MIN_LETTERS`` letters left is not labelled (a guess would mislead the translators)."""
    text = _TAG.sub(" ", text or "")
    if sum(ch.isalpha() for ch in text[:MAX_DETECT_CHARS]) < MIN_LETTERS:
        return ""
    chosen = frozenset(codes) if codes is not None else languages_in_use()
    detector, _ = _detector(chosen, high_accuracy())
    if detector is None:
        return ""
    language = detector.detect_language_of(text[:MAX_DETECT_CHARS])
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
