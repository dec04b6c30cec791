"""Language detection: lingua, restricted to the languages in use, run by the worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from chancery import worker
from chancery.correspondence import language

DEMO_LANGUAGES = frozenset(
    {"en", "fr", "de", "ar", "he", "zh", "ja", "uk", "ru", "es", "hi", "ko", "tr", "it", "pt",
     "sw", "ga"}
)

# One natural congratulatory sentence per language, the kind a leader's letter opens with.
SENTENCES = {
    "en": "Please accept my warmest congratulations on your election victory.",
    "fr": "Je vous adresse mes plus chaleureuses félicitations pour votre élection.",
    "de": "Ich gratuliere Ihnen herzlich zu Ihrem Wahlsieg und wünsche Ihnen viel Erfolg.",
    "ar": "أتقدم إليكم بأحر التهاني بمناسبة فوزكم في الانتخابات.",
    "he": "אני שולח לך את ברכותיי החמות על ניצחונך בבחירות.",
    "zh": "谨对您当选总统表示热烈的祝贺。",
    "ja": "大統領選挙でのご勝利を心よりお祝い申し上げます。",
    "uk": "Щиро вітаю вас з перемогою на виборах і бажаю успіхів.",
    "ru": "Искренне поздравляю вас с победой на выборах и желаю успехов.",
    "es": "Le envío mis más sinceras felicitaciones por su victoria electoral.",
    "hi": "चुनाव में आपकी जीत पर मेरी हार्दिक बधाई स्वीकार करें।",
    "ko": "대통령 당선을 진심으로 축하드립니다.",
    "tr": "Seçim zaferiniz için en içten tebriklerimi sunarım.",
    "it": "Le porgo le mie più sincere congratulazioni per la sua elezione.",
    "pt": "Apresento-lhe as minhas mais calorosas felicitações pela sua eleição.",
    "sw": "Nakupongeza kwa dhati kwa ushindi wako katika uchaguzi.",
    "ga": "Comhghairdeas ó chroí leat as do bhua sa toghchán.",
}


def test_every_demo_language_has_a_sentence() -> None:
    assert set(SENTENCES) == DEMO_LANGUAGES


@pytest.mark.parametrize("code", sorted(SENTENCES))
def test_detects_a_congratulatory_sentence(code: str) -> None:
    assert language.detect(SENTENCES[code], DEMO_LANGUAGES) == code


@pytest.mark.parametrize("code", ["uk", "ru"])
def test_close_languages_stay_apart(code: str) -> None:
    # Ukrainian and Russian share a script and much vocabulary
    assert language.detect(SENTENCES[code], DEMO_LANGUAGES) == code


@pytest.mark.parametrize("text", ["", "   \n", "12345 67", "!!!"])
def test_no_language_is_no_answer(text: str) -> None:
    assert language.detect(text, DEMO_LANGUAGES) == ""


def test_a_language_lingua_does_not_know_is_only_declared() -> None:
    # "gd" (Scottish Gaelic) is not among lingua's languages: it is skipped, not an error
    assert language.detect(SENTENCES["fr"], frozenset({"en", "fr", "gd"})) == "fr"
    assert language.detect(SENTENCES["fr"], frozenset({"fr"})) == ""  # nothing to choose from


def test_detect_pending_fills_detected_language(
    submit: Any, people: dict[str, Any], world: dict[str, Any]
) -> None:
    french = submit(SENTENCES["fr"], by=people["liaison_fr"], office=world["pres_fr"])
    declared = submit(SENTENCES["en"], language="en")
    assert french.detected_language == "" and french.language_checked_at is None
    assert french.language == ""  # not known until the worker has run

    assert worker.run_once().detected == 2
    french.refresh_from_db()
    declared.refresh_from_db()
    assert french.detected_language == "fr" and french.language_checked_at is not None
    assert french.language == "fr"
    assert declared.detected_language == "en" and declared.language == "en"
    assert worker.run_once().detected == 0  # each message is checked once
    assert language.detect_pending() == 0


def test_declared_language_wins(submit: Any) -> None:
    message = submit(SENTENCES["fr"], language="en")  # the sender says English
    language.detect_pending()
    message.refresh_from_db()
    assert message.detected_language == "fr" and message.language == "en"


def test_only_languages_in_use_are_candidates(submit: Any) -> None:
    # nobody in this world writes German: a German text is labelled with the nearest language
    # in use rather than with one no translator or leader has
    message = submit(SENTENCES["de"])
    language.detect_pending()
    message.refresh_from_db()
    assert message.detected_language in {"en", "fr"}


def test_languages_in_use_come_from_the_directory(
    world: dict[str, Any], people: dict[str, Any]
) -> None:
    # the leaders speak en and fr; the translator works from fr; English is always in
    assert language.languages_in_use() == frozenset({"en", "fr"})


MEASURE = textwrap.dedent(
    """
    import json, os, sys
    import django
    django.setup()
    from chancery.correspondence import language

    def rss_mb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    codes = frozenset(json.loads(sys.argv[1]))
    before = rss_mb()
    detector, _ = language._detector(codes, language.high_accuracy())
    built = rss_mb()
    for text in json.loads(sys.argv[2]):
        detector.detect_language_of(text)
    used = rss_mb()
    print(json.dumps({"built": built - before, "used": used - before}))
    """
)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc (Linux)")
def test_detector_memory_stays_modest() -> None:
    """Build the detector of the demo languages in a fresh process and measure its resident
    memory; lingua in high-accuracy mode would take about 390 MB here."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "chancery.settings"}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(sorted(DEMO_LANGUAGES)),
         json.dumps(list(SENTENCES.values()))],
        capture_output=True, text=True, env=env, check=True, timeout=120,
    )
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\nlanguage detector for {len(DEMO_LANGUAGES)} languages: "
          f"+{measured['built']:.0f} MB resident when built, +{measured['used']:.0f} MB after use")
    assert measured["used"] < 300


def test_markup_is_not_a_language() -> None:
    codes = frozenset({"en", "fr", "la", "it"})
    assert language.detect("<img src=x onerror=alert(1)><script>alert(1)</script>", codes) == ""
    assert language.detect("<p>Félicitations, Monsieur le Président élu.</p>", codes) == "fr"
