"""Search in every script of the demo: the normaliser, the vendor index, permissions, filters,
pagination, snippets, the indexer (tests/records/test_search*.py; both databases)."""

from __future__ import annotations

from typing import Any

import pytest

from chancery.demo.world import MESSAGES
from chancery.records.models import SearchDoc
from chancery.records.search import normalize, query
from tests.records.conftest import index_now

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
    index_now()
    return out


def found(q: str) -> set[int]:
    ids = query.match_ids(q, 100)
    docs = SearchDoc.objects.filter(pk__in=ids, doc_type="message")
    return set(docs.values_list("subject_id", flat=True))


SCRIPTS = [
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
]


def test_every_script_is_found(demo_messages: dict[str, Any]) -> None:
    """A word of each demo message, as written, folded, in capitals: its message is found, and
    no message in another language is."""
    for lang, q in SCRIPTS:
        result = found(q)
        assert demo_messages[lang].pk in result, (lang, q)
        others = {m.pk for k, m in demo_messages.items() if k != lang}
        assert not result & others, (lang, q)


def test_the_normaliser() -> None:
    assert normalize.terms("Glückwünsche zu Ihrer Wahl") == "gluckwunsche zu ihrer wahl"
    assert normalize.terms("Ёлка, Ωμέγα, ＡＢＣ１２３, Straße") == "елка ωμεγα abc123 strasse"
    # Devanagari vowel signs (Mc, Mn) stay inside their word; Arabic and Hebrew marks are kept.
    assert normalize.terms("हार्दिक बधाई") == "हार्दिक बधाई"
    assert normalize.terms("مُحَمَّد") == "مُحَمَّد"
    assert normalize.terms("שָׁלוֹם") == "שָׁלוֹם"
    # CJK runs: overlapping bigrams and the run's last character; a query's run is its bigrams.
    assert normalize.terms("東京都") == "東京 京都 都"
    assert normalize.query("東京都") == ["東京", "京都"]
    assert normalize.query("日本") == ["日本"]
    assert normalize.query("2020年の日本") == ["2020", "年の", "の日", "日本"]
    assert normalize.query_groups("京") == [normalize.Group(("京",), prefix=True)]
    # Punctuation and query syntax are separators, never operators.
    assert normalize.query("\"a\" & (b | !c) :* d's \\ e") == ["a", "b", "c", "d", "s", "e"]


def test_two_character_cjk_words_and_single_characters(demo_messages: dict[str, Any]) -> None:
    ja, zh = demo_messages["ja"].pk, demo_messages["zh"].pk
    # Two-character words, where a trigram index finds nothing.
    assert ja in found("日本") and zh not in found("日本")
    assert zh in found("祝贺") and ja not in found("祝贺")
    # A longer word: its bigrams in order.
    assert ja in found("合衆国大統領選挙")
    assert ja not in found("選挙大統領")  # the same bigrams' characters, another order
    # One character, at the start of a bigram or at the end of a run.
    assert zh in found("祝") and zh in found("贺")


def test_words_must_all_match(demo_messages: dict[str, Any]) -> None:
    de = demo_messages["de"].pk
    assert de in found("Glückwünsche Wahl")
    assert de not in found("Glückwünsche Поздравление")
    assert found("") == set() and found("  ,;  ") == set()


SYNTAX = [
    "'", "''", '"', "\\", "\\'", "&", "|", "!", "(", ")", ":", "*", "&|!():*",
    "Glückwünsche & (Wahl | !x):*", "a' | 'b", "it's \\\\ \"quoted\"", "NEAR(a b)", "AND OR NOT",
]


def test_query_syntax_is_never_interpreted(demo_messages: dict[str, Any]) -> None:
    """Quotes, backslashes and the operators of tsquery and FTS5 in a query are separators:
    no error, and the words around them still match (PostgreSQL: the tsquery is written from
    our tokens; SQLite: each token is a quoted string)."""
    de = demo_messages["de"].pk
    for q in SYNTAX:
        assert found(q) == set(), q
    assert de in found("Glückwünsche & (Wahl | !Ihrer):*")
    assert de not in found("Glückwünsche & (Wahl | !x):*")  # "x" is not in it
    assert de in found("'Glückwünsche' \\\\ \"Wahl\"")


def test_hostile_tokens_are_quoted() -> None:
    """Tokens are letters and digits, but the vendor expression escapes whatever it is given."""
    from django.db import connection

    expr = query.match_expression(connection.vendor, ["it's", "a\\b", 'say "x"', "&|!():*"])
    assert expr
    assert query.match_ids(["it's", "a\\b", 'say "x"', "&|!():*"], 10) == []
