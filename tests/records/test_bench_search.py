"""Smoke test of bench/search.py: the script at 2,000 records on SQLite (its table and its JSON),
and its phases in-process on the test's database (SQLite, or PostgreSQL under
``scripts/pgcluster.py exec``): the corpus in the real table with the product's terms, the
index rebuilt and sized, the query set through the product's full-text SQL and the LIKE
baseline. No timing asserts."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection

from chancery.records.models import SearchDoc
from chancery.records.search import normalize

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import search  # noqa: E402

RECORDS = 2000  # the script's run
IN_PROCESS = 1000  # the phases' run in the test's database


def test_the_script_prints_its_tables_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "search.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search.py"), "--records", str(RECORDS),
         "--engines", "sqlite", "--queries", "2", "--page-queries", "1", "--like-queries", "1",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert f"Search at {RECORDS:,} records" in text
    assert "Build and size" in text
    for cls in ("rare", "medium", "common", "two words", "all"):
        assert f"│ {cls} " in text
    assert "target LIKE / full text ≥ 100×" in text
    assert "machine: " in text

    doc = json.loads(out.read_text())
    assert doc["benchmark"] == "search"
    assert doc["config"]["records"] == RECORDS
    assert doc["machine"]["nproc"] >= 1
    (run,) = doc["runs"]
    assert run["engine"] == "sqlite"
    assert run["build"]["records"] == RECORDS
    assert run["build"]["normalise_s"] > 0 and run["build"]["insert_index_s"] > 0
    assert run["sizes"]["index_bytes"] > 0 and run["sizes"]["how"] == "dbstat"
    assert set(run["measure"]["classes"]) == set(search.CLASSES)
    assert run["measure"]["all"]["bare_queries"] == 2 * len(search.CLASSES) * len(search.SCRIPTS)
    assert run["measure"]["all"]["queries"] == len(search.CLASSES) * len(search.SCRIPTS)
    assert run["measure"]["all"]["like_queries"] == len(search.CLASSES) * len(search.SCRIPTS)
    assert run["measure"]["all"]["ratio"] > 0


def test_the_phases_on_the_tests_database(db: Any) -> None:
    built = search.populate(IN_PROCESS, seed=3, chunk=700)
    assert built["records"] == IN_PROCESS
    assert SearchDoc.objects.count() == IN_PROCESS
    assert 40 <= built["mean_tokens"]
    # Every script of the demo, and the product's own terms beside each text.
    assert set(SearchDoc.objects.values_list("language", flat=True)) == {
        "en", "fr", "de", "es", "ar", "he", "ja", "zh", "ru", "uk", "hi"
    }
    for d in SearchDoc.objects.order_by("?")[:25]:
        assert d.terms == normalize.terms(d.text)
        assert d.title.startswith("BENCH-")

    rebuilt = search.reindex()
    assert rebuilt["reindex_s"] >= 0
    sizes = search.sizes()
    assert sizes["index_bytes"] > 0
    assert sizes["how"] == ("dbstat" if connection.vendor == "sqlite" else "pg_relation_size")

    page, bare = search.fts_runners()
    like = search.like_runner()
    for q in search.queries(1, seed=3):
        ids, total = page(q["q"])
        assert len(ids) == min(total, search.PER_PAGE)
        bare_ids, _ = bare(q["q"])
        assert set(bare_ids) == set(ids) or total > search.PER_PAGE
        groups = normalize.query_groups(q["q"])
        for d in SearchDoc.objects.filter(pk__in=ids):
            have = d.terms.split()
            for g in groups:
                for tok in g.tokens:
                    assert any(t.startswith(tok) for t in have) if g.prefix else tok in have
        if q["class"] == "common":
            assert total > 0
            like_ids, like_total = like(q["words"])
            assert like_total > 0 and len(like_ids) == min(like_total, search.PER_PAGE)

    measured = search.measure(1, 1, seed=3)
    assert measured["all"]["queries"] == len(search.CLASSES) * len(search.SCRIPTS)
    assert measured["all"]["p95_ms"] >= measured["all"]["p50_ms"] > 0
    assert measured["classes"]["common"]["mean_matches"] > 0


def test_the_corpus_is_deterministic_and_zipf_like() -> None:
    a = [search.document(random.Random("x"), i)[1] for i in range(16)]
    b = [search.document(random.Random("x"), i)[1] for i in range(16)]
    assert a == b
    assert search.queries(3, seed=5) == search.queries(3, seed=5)
    assert {(q["script"], q["class"]) for q in search.queries(1, seed=5)} == {
        (s, c) for s in search.SCRIPTS for c in search.CLASSES
    }
    for vocabs in search.VOCABULARIES.values():
        for v in vocabs:
            first = v.cum[0]
            last = v.cum[-1] - v.cum[-2]
            assert first > 300 * last  # the rare tail is rare
            assert all(v.words[r] for c in search.CLASSES for r in v.ranks(c))
