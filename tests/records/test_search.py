"""Search in every script of the demo: the normaliser, the vendor index, permissions, filters,
pagination, snippets, the indexer (tests/records/test_search*.py; both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from chancery.demo.world import MESSAGES
from chancery.records.models import SearchDoc
from chancery.records.search import index, query

pytestmark = pytest.mark.django_db


def demo(language: str) -> dict[str, Any]:
    """The demo's first message in ``language`` (real text in its script)."""
    return next(m for m in MESSAGES if m["language"] == language)


@pytest.fixture
def demo_messages(submit: Any) -> dict[str, Any]:
    """The demo's messages in German, Arabic, Hebrew, Japanese, Chinese, Russian and Hindi,
    submitted by Canada's liaison and indexed."""
    out = {}
    for lang in ("de", "ar", "he", "ja", "zh", "ru", "hi"):
        m = demo(lang)
        out[lang] = submit(body=m["body"], subject=m["subject"], language=lang)
    index.index_pending()
    return out


def found(q: str) -> set[int]:
    ids = query.match_ids(q, 100)
    docs = SearchDoc.objects.filter(pk__in=ids, doc_type="message")
    return set(docs.values_list("subject_id", flat=True))


@pytest.mark.parametrize(
    ("lang", "q"),
    [
        ("de", "Glückwünsche"),
        ("de", "gluckwunsche"),
        ("de", "GLÜCKWÜNSCHE wahl"),
        ("ar", "الانتخابات"),
        ("ar", "تهنئة"),
        ("he", "ברכות"),
        ("he", "בחירתך"),
        ("ja", "日本"),
        ("ja", "お祝い"),
        ("ja", "日米同盟"),
        ("zh", "祝贺"),
        ("zh", "美国大选"),
        ("ru", "Поздравление"),
        ("ru", "поздравление избранием"),
        ("hi", "बधाई"),
        ("hi", "निर्वाचन"),
        ("hi", "हार्दिक"),
    ],
)
def test_every_script_is_found(demo_messages: dict[str, Any], lang: str, q: str) -> None:
    assert demo_messages[lang].pk in found(q)
