#!/usr/bin/env python3
"""Full-text search benchmark (issue 11, part 7): the search index against a LIKE scan, on
SQLite and on PostgreSQL.

    .venv/bin/python bench/search.py [--records 1000000] [--engines sqlite,postgresql]
                                     [--queries 10] [--like-queries 2] [--seed 1]
                                     [--json OUT] [--check]

For each engine, in a child process on a database made for the run (SQLite: a file in a
temporary folder; PostgreSQL: a throwaway cluster, ``scripts/pgcluster.py exec --durable``):

1. **build**: ``migrate`` (the project's migrations, records/0003 with the vendor index), then
   N synthetic documents (40-80 words each) written into the real table ``records_searchdoc``:
   generated from the word lists of ``bench/search_words.py`` (real words of each script of the
   demo: English, Latin with diacritics (French, German, Spanish), Arabic, Hebrew, Japanese,
   Chinese, Cyrillic (Russian, Ukrainian), Devanagari; an eighth of the documents each) with a
   seeded random and Zipf-like frequencies; ``terms`` computed by the product's normaliser
   (``records.search.normalize.terms``); inserted in chunks with the index in place (the
   migration's FTS5 triggers, the GIN index), as the product's indexer writes them. Timed
   apart: generation (not part of the build), normalisation, insert + index, and the index
   rebuilt alone afterwards (FTS5 ``rebuild``; ``REINDEX``). Then ``ANALYZE`` (PostgreSQL:
   ``VACUUM ANALYZE``, as autovacuum would after a bulk load).
2. **size**: the index (SQLite: the pages of the FTS5 shadow tables, from ``dbstat``;
   PostgreSQL: ``pg_relation_size`` of the GIN index) and the table (with its B-tree indexes).
3. **queries**: per script, ``--queries`` seeded queries of each class: ``rare`` (a word of the
   rare tail of its list), ``medium``, ``common`` (ranks 10-24, past the function words) and
   ``two words`` (two medium words, both required). Each runs what the search page runs on the
   index: the first page of 20 results and the total count, through the product's full-text
   SQL (``records.search.query``); one warm-up pass, then one timed pass. The LIKE baseline
   runs the same page and count as ``text LIKE '%word%'`` (``AND`` for two words) on the same
   table, on the first ``--like-queries`` queries of each class and script (a full scan each:
   the whole set would take hours at 1 M); the ratio is the LIKE median over the full-text
   median of the same queries.

Targets (issue 11): p95 at most 50 ms on PostgreSQL at 1 M records, and a LIKE/full-text ratio of
at least 100 (on each engine). ``--check`` exits 3 when one is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from _common import ROOT, machine_info, say  # noqa: E402
from search_words import JOINER, LISTS, STOP  # noqa: E402

MARK = "SEARCHJSON "
TARGET_P95_MS = 50.0
TARGET_RATIO = 100.0
TARGET_RECORDS = 1_000_000
PER_PAGE = 20
CLASSES = ("rare", "medium", "common", "two words")
ENGINES = ("sqlite", "postgresql")
START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
SPAN_SECONDS = 2 * 365 * 86400
DOC_TYPES = ["message"] * 6 + ["translation", "telcon", "readout", "reply"]
STATES = {
    "message": "delivered",
    "translation": "signed_off",
    "telcon": "distributed",
    "readout": "published",
    "reply": "sent",
}


# --------------------------------------------------------------------------- the corpus


class Vocabulary:
    """One language's words, with Zipf-like cumulative weights by rank: 1/(rank + 2.7)
    (Zipf-Mandelbrot) over the first three quarters of the list; the last quarter is the rare
    tail, its weights falling further, from 1/100 to 1/10,000 of Zipf's."""

    def __init__(self, script: str, language: str, country: str, words: str) -> None:
        self.script, self.language, self.country = script, language, country
        self.words = words.split()
        n = len(self.words)
        self.tail = int(0.75 * n)
        weights = []
        for r in range(n):
            w = 1 / (r + 1 + 2.7)
            if r >= self.tail:
                w *= 10 ** -(2 + 2 * (r - self.tail) / max(1, n - 1 - self.tail))
            weights.append(w)
        total, acc = sum(weights), 0.0
        self.cum = []
        for w in weights:
            acc += w
            self.cum.append(acc / total)

    def ranks(self, cls: str) -> range:
        n = len(self.words)
        if cls == "common":
            return range(10, 25)
        if cls == "rare":
            return range(self.tail, n)
        return range(int(0.4 * n), int(0.6 * n))  # medium, two words


SCRIPTS = list(LISTS)
VOCABULARIES = {s: [Vocabulary(s, *entry) for entry in LISTS[s]] for s in SCRIPTS}


def _sentence(script: str, words: Sequence[str]) -> str:
    joiner = JOINER.get(script, " ")
    first = words[0]
    if joiner:
        first = first[0].upper() + first[1:]
    return joiner.join([first, *words[1:]]) + STOP.get(script, ".")


def document(rnd: random.Random, i: int) -> tuple[Vocabulary, str]:
    """Document i: its vocabulary and its text (40-80 words in sentences of 6-14)."""
    vocab = rnd.choice(VOCABULARIES[SCRIPTS[i % len(SCRIPTS)]])
    words = rnd.choices(vocab.words, cum_weights=vocab.cum, k=rnd.randint(40, 80))
    sentences, k = [], 0
    while k < len(words):
        size = rnd.randint(6, 14)
        sentences.append(_sentence(vocab.script, words[k : k + size]))
        k += size
    return vocab, ("" if vocab.script in JOINER else " ").join(sentences)


def queries(per_class: int, seed: int) -> list[dict[str, Any]]:
    """The fixed query set: per script and class, per_class queries (seeded)."""
    rnd = random.Random(f"search-queries-{seed}")
    out = []
    for script in SCRIPTS:
        for cls in CLASSES:
            for k in range(per_class):
                vocab = VOCABULARIES[script][k % len(VOCABULARIES[script])]
                ranks = list(vocab.ranks(cls))
                if cls == "two words":
                    a, b = rnd.sample(ranks, 2)
                    words = [vocab.words[a], vocab.words[b]]
                else:
                    words = [vocab.words[rnd.choice(ranks)]]
                out.append({"script": script, "language": vocab.language, "class": cls,
                            "words": words, "q": " ".join(words)})
    return out


# --------------------------------------------------------------------------- Django side


def _vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def corpus(records: int, seed: int, chunk: int, timer: dict[str, float]) -> Iterator[list[Any]]:
    """The documents in chunks of rows (doc_type, subject offset, principal_id, country, date,
    state, language, text, terms), generated and normalised (the time of each in timer)."""
    from chancery.records.search.normalize import terms

    rnd = random.Random(f"search-docs-{seed}")
    done = 0
    while done < records:
        n = min(chunk, records - done)
        t0 = time.perf_counter()
        rows = []
        for i in range(done, done + n):
            vocab, text = document(rnd, i)
            doc_type = DOC_TYPES[i % len(DOC_TYPES)]
            at = START + dt.timedelta(seconds=rnd.randrange(SPAN_SECONDS))
            rows.append([doc_type, i, 1 + i % 2, vocab.country, at, STATES[doc_type],
                         vocab.language, text])
        t1 = time.perf_counter()
        for row in rows:
            row.append(terms(row[7]))
        timer["generate"] += t1 - t0
        timer["normalise"] += time.perf_counter() - t1
        done += n
        yield rows


def _cached(path: Path, records: int, seed: int, chunk: int,
            timer: dict[str, float]) -> Iterator[list[Any]]:
    """The corpus from the file an earlier engine's run wrote (its times in timer), or
    generated and written there."""
    meta = path.with_suffix(".json")
    key = {"records": records, "seed": seed}
    if meta.exists() and json.loads(meta.read_text())["key"] == key:
        timer.update(json.loads(meta.read_text())["timer"])
        timer["shared"] = 1.0
        with path.open(encoding="utf-8") as f:
            rows: list[list[Any]] = []
            for line in f:
                r = line.rstrip("\n").split("\t")
                rows.append([r[0], int(r[1]), int(r[2]), r[3], dt.datetime.fromisoformat(r[4]),
                             r[5], r[6], r[7], r[8]])
                if len(rows) == chunk:
                    yield rows
                    rows = []
            if rows:
                yield rows
        return
    with path.open("w", encoding="utf-8") as f:
        for rows in corpus(records, seed, chunk, timer):
            f.writelines("\t".join(str(x) if not isinstance(x, dt.datetime) else x.isoformat()
                                   for x in r) + "\n" for r in rows)
            yield rows
    meta.write_text(json.dumps({"key": key, "timer": timer}))


def populate(records: int, seed: int = 1, chunk: int = 10_000,
             cache: Path | None = None) -> dict[str, Any]:
    """Write ``records`` synthetic documents into records_searchdoc (its index in place); the
    time of generation, of normalisation and of insert + index, apart. With ``cache``, the
    documents and their terms are shared between engines: generated and normalised once."""
    from django.db import connection, transaction
    from django.db.models import Max

    from chancery.records.models import SearchDoc

    base = (SearchDoc.objects.aggregate(m=Max("subject_id"))["m"] or 0) + 1
    cols = ["doc_type", "subject_id", "principal_id", "country", "date", "state", "language",
            "text", "terms", "title"]
    qn = connection.ops.quote_name
    table = qn(SearchDoc._meta.db_table)
    col_sql = ", ".join(qn(c) for c in cols)
    sqlite = connection.vendor == "sqlite"
    timer = {"generate": 0.0, "normalise": 0.0}
    insert = 0.0
    chars = tokens = done = 0
    source = (_cached(cache, records, seed, chunk, timer) if cache
              else corpus(records, seed, chunk, timer))
    for rows in source:
        for r in rows:
            r[1] += base
            if sqlite:
                r[4] = connection.ops.adapt_datetimefield_value(r[4])
            r.append(f"BENCH-{r[1]:07d}")
            chars += len(r[7])
            tokens += r[8].count(" ") + 1
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if sqlite:
                sql = f"INSERT INTO {table} ({col_sql}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608
                cursor.executemany(sql, rows)
            else:
                with cursor.cursor.copy(f"COPY {table} ({col_sql}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
        insert += time.perf_counter() - t0
        done += len(rows)
        if done % 100_000 == 0 or done == records:
            say(f"{connection.vendor}: {done:,} documents (normalise {timer['normalise']:.0f} s, "
                f"insert + index {insert:.0f} s)")
    return {
        "records": done,
        "mean_chars": round(chars / max(1, done), 1),
        "mean_tokens": round(tokens / max(1, done), 1),
        "generate_s": round(timer["generate"], 2),
        "normalise_s": round(timer["normalise"], 2),
        "normalise_us_per_doc": round(timer["normalise"] * 1e6 / max(1, done), 1),
        "normalise_shared": bool(timer.get("shared")),
        "insert_index_s": round(insert, 2),
        "build_s": round(timer["normalise"] + insert, 2),
    }


def _fts_table(cursor: Any) -> str:
    """The FTS5 table over records_searchdoc (records/0003)."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' "
        "AND sql LIKE '%fts5%' AND sql LIKE '%records_searchdoc%'"
    )
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("no FTS5 table over records_searchdoc: is records/0003 applied?")
    return str(row[0])


def _gin_indexes(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = c.relam "
        "WHERE i.indrelid = 'records_searchdoc'::regclass AND am.amname = 'gin'"
    )
    names = [str(r[0]) for r in cursor.fetchall()]
    if not names:
        raise RuntimeError("no GIN index on records_searchdoc: is records/0003 applied?")
    return names


def reindex() -> dict[str, Any]:
    """Rebuild the full-text index alone (FTS5 'rebuild', REINDEX), then ANALYZE (VACUUM
    ANALYZE on PostgreSQL outside a transaction): its time."""
    from django.db import connection

    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        if connection.vendor == "sqlite":
            fts = _fts_table(cursor)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
        else:
            for name in _gin_indexes(cursor):
                cursor.execute(f"REINDEX INDEX {connection.ops.quote_name(name)}")
        t1 = time.perf_counter()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE records_searchdoc")
        else:
            cursor.execute("ANALYZE")
        t2 = time.perf_counter()
    return {"reindex_s": round(t1 - t0, 2), "analyze_s": round(t2 - t1, 2)}


def sizes() -> dict[str, Any]:
    """The full-text index's size and the table's (with its B-tree indexes), in bytes."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = _fts_table(cursor)
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name = %s OR name GLOB %s "
                "GROUP BY name", [fts, f"{fts}_*"]
            )
            parts = {str(n): int(s) for n, s in cursor.fetchall()}
            cursor.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master "
                "WHERE tbl_name = 'records_searchdoc' AND type IN ('table', 'index'))"
            )
            table = int(cursor.fetchone()[0] or 0)
            cursor.execute("PRAGMA page_size")
            page = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA page_count")
            total = int(cursor.fetchone()[0]) * page
            return {"index_bytes": sum(parts.values()), "index_parts": parts,
                    "table_bytes": table, "database_bytes": total, "how": "dbstat"}
        parts = {}
        for name in _gin_indexes(cursor):
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [name])
            parts[name] = int(cursor.fetchone()[0])
        cursor.execute("SELECT pg_table_size('records_searchdoc'), "
                       "pg_indexes_size('records_searchdoc'), pg_database_size(current_database())")
        table, indexes, total = (int(x) for x in cursor.fetchone())
        return {"index_bytes": sum(parts.values()), "index_parts": parts,
                "table_bytes": table + indexes - sum(parts.values()), "database_bytes": total,
                "how": "pg_relation_size"}


def fts_runners() -> tuple[Any, Any]:
    """Two functions q -> (page ids, total count) running the product's full-text SQL
    (``records.search.query``):

    * ``page``: what ``query.search()`` runs for the first page (``query.search_ids``: the
      capped count, then the page of 20 by the plan the count chooses), with the widest scope
      (``query.scope_where`` of every document: a reader of everything, no filter);
    * ``bare``: ``query.match_ids(q, 20)`` (no scope)."""
    from django.db import connection

    from chancery.records.models import SearchDoc
    from chancery.records.search import query

    vendor = connection.vendor
    scope_sql, scope_params = query.scope_where(SearchDoc.objects.all())

    def page(q: str) -> tuple[list[int], int]:
        expr = query.match_expression(vendor, q)
        ids, total, _capped, _page = query.search_ids(
            vendor, expr, scope_sql, scope_params, limit=PER_PAGE, page=1
        )
        return [int(i) for i in ids], int(total)

    def bare(q: str) -> tuple[list[int], int]:
        ids = [int(i) for i in query.match_ids(q, PER_PAGE)]
        return ids, len(ids)

    return page, bare


def like_runner() -> Any:
    from django.db import connection

    def run(words: list[str]) -> tuple[list[int], int]:
        where = " AND ".join(["text LIKE %s"] * len(words))
        params = [f"%{w}%" for w in words]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM records_searchdoc WHERE {where} "  # noqa: S608
                f"ORDER BY date DESC LIMIT {PER_PAGE}", params
            )
            ids = [int(r[0]) for r in cursor.fetchall()]
            cursor.execute(f"SELECT count(*) FROM records_searchdoc WHERE {where}", params)  # noqa: S608
            return ids, int(cursor.fetchone()[0])

    return run


def pct(samples: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of durations in seconds, in milliseconds."""
    s = sorted(samples)
    if not s:
        return 0.0
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))] * 1000


def _first(qs: list[dict[str, Any]], k: int | None) -> list[dict[str, Any]]:
    """The first k queries of each script and class (all with None)."""
    if k is None:
        return list(qs)
    seen: dict[tuple[str, str], int] = {}
    out = []
    for q in qs:
        key = (q["script"], q["class"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= k:
            out.append(q)
    return out


def _timed(fn: Any, arg: Any) -> tuple[float, int]:
    """Run fn(arg) (warm: a second time when the first took under a second); the time of the
    last run and the count."""
    t0 = time.perf_counter()
    _, count = fn(arg)
    took = time.perf_counter() - t0
    if took < 1.0:
        t0 = time.perf_counter()
        _, count = fn(arg)
        took = time.perf_counter() - t0
    return took, count


def measure(per_class: int = 10, like_per_class: int = 2, seed: int = 1,
            page_per_class: int | None = None, budget_s: float = 900.0) -> dict[str, Any]:
    """Run the query set on the index and the LIKE sample; latency per class and overall, and
    the LIKE/full-text ratio on the same queries. The search page's SQL runs on the first
    ``page_per_class`` queries of each class and script (all by default), the bare query on
    all, LIKE on the first ``like_per_class`` of those; each query is timed warm (its second
    run) unless its first run took a second or more. A kind of query whose runs add up to
    more than ``budget_s`` stops there (the table says how many ran)."""
    page, bare = fts_runners()
    like = like_runner()
    qs = queries(per_class, seed)
    page_qs = _first(qs, page_per_class)
    like_qs = _first(page_qs, like_per_class)
    for q in qs:
        bare(q["q"])
    for q in qs:
        t0 = time.perf_counter()
        bare(q["q"])
        q["bare_s"] = time.perf_counter() - t0
    spent = 0.0
    for q in page_qs:
        if spent > budget_s:
            break
        q["fts_s"], q["count"] = _timed(page, q["q"])
        spent += q["fts_s"]
    if like_qs:
        like(like_qs[0]["words"])  # the table into the cache, as the index's first runs do
    spent = 0.0
    for q in like_qs:
        if spent > budget_s or "fts_s" not in q:
            break
        t0 = time.perf_counter()
        _, q["like_count"] = like(q["words"])
        q["like_s"] = time.perf_counter() - t0
        spent += q["like_s"]

    def summary(group: list[dict[str, Any]]) -> dict[str, Any]:
        timed = [q for q in group if "fts_s" in q]
        f = [q["fts_s"] for q in timed]
        lk = [q for q in group if "like_s" in q]
        out: dict[str, Any] = {
            "queries": len(timed),
            "bare_queries": len(group),
            "mean_matches": round(sum(q["count"] for q in timed) / max(1, len(timed)), 1),
            "p50_ms": round(pct(f, 50), 2),
            "p95_ms": round(pct(f, 95), 2),
            "max_ms": round(pct(f, 100), 2),
            "bare_p50_ms": round(pct([q["bare_s"] for q in group], 50), 2),
            "bare_p95_ms": round(pct([q["bare_s"] for q in group], 95), 2),
            "like_queries": len(lk),
        }
        if lk:
            like_p50 = pct([q["like_s"] for q in lk], 50)
            same = pct([q["fts_s"] for q in lk], 50)
            bare_same = pct([q["bare_s"] for q in lk], 50)
            out.update(
                bare_ratio=round(like_p50 / bare_same, 1) if bare_same else None,
                like_p50_ms=round(like_p50, 1),
                like_p95_ms=round(pct([q["like_s"] for q in lk], 95), 1),
                fts_p50_same_ms=round(same, 2),
                ratio=round(like_p50 / same, 1) if same else None,
                like_count_mismatches=sum(1 for q in lk if q["like_count"] < q["count"]),
            )
        return out

    classes = {c: summary([q for q in qs if q["class"] == c]) for c in CLASSES}
    return {
        "what": (f"the search page's SQL (query.search_ids: the capped count, then the "
                 f"first page of {PER_PAGE}, scope: every document); bare: query.match_ids "
                 f"({PER_PAGE} ids)"),
        "per_page": PER_PAGE,
        "classes": classes,
        "all": summary(qs),
        "queries": [
            {k: (round(v * 1000, 3) if k.endswith("_s") else v) for k, v in q.items()}
            for q in qs
        ],
    }


def server() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = str(cursor.fetchone()[0]).split()[0]
            seen = {}
            for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather",
                         "fsync"):
                cursor.execute(f"SHOW {name}")
                seen[name] = cursor.fetchone()[0]
            return {"version": str(version), "settings": seen}
        import sqlite3

        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache = cursor.fetchone()[0]
        return {"version": sqlite3.sqlite_version,
                "settings": {"journal_mode": journal, "cache_size": cache}}


def run_phase(args: argparse.Namespace) -> int:
    """The child: migrate a fresh database, build, size, query; one JSON line on stdout."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancery.settings")
    import django

    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    out: dict[str, Any] = {"engine": _vendor(), "migrate_s": round(time.perf_counter() - t0, 2)}
    out["server"] = server()
    say(f"{out['engine']} {out['server']['version']}: migrated; building {args.records:,} docs")
    out["build"] = populate(args.records, args.seed, cache=args.corpus)
    out["build"].update(reindex())
    out["sizes"] = sizes()
    say(f"{out['engine']}: built; measuring {args.queries} queries per class and script")
    out["measure"] = measure(args.queries, args.like_queries, args.seed, args.page_queries,
                             args.budget)
    print(MARK + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


# --------------------------------------------------------------------------- driver


def child(engine: str, args: argparse.Namespace, corpus_file: Path) -> dict[str, Any]:
    """Run the phase for one engine in a child process on a database made for it."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", "--corpus", str(corpus_file),
           "--records", str(args.records), "--queries", str(args.queries),
           "--like-queries", str(args.like_queries), "--seed", str(args.seed),
           "--budget", str(args.budget),
           *(["--page-queries", str(args.page_queries)] if args.page_queries else [])]
    env = dict(os.environ)
    for name in ("DATABASE_URL", "CHANCERY_CLOCK_OFFSET"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="chancery.settings", CHANCERY_DEBUG="0",
               CHANCERY_LOG_LEVEL="ERROR", PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryDirectory(prefix=f"chancery-bench-search-{engine}-") as tmp:
        env["CHANCERY_DATA_DIR"] = tmp
        if engine == "postgresql":
            cmd = [sys.executable, str(ROOT / "scripts" / "pgcluster.py"), "exec", "--durable",
                   "--", *cmd]
        started = time.monotonic()
        result = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                check=False)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith(MARK)), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"{engine} failed (exit {result.returncode}):\n{result.stdout}")
    doc: dict[str, Any] = json.loads(line[len(MARK):])
    doc["wall_s"] = round(time.monotonic() - started, 1)
    return doc


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MiB"


def targets(run: dict[str, Any], records: int) -> list[tuple[str, str, bool | None]]:
    """(target, value, met) for one engine; met is None when it does not apply."""
    m = run["measure"]["all"]
    rows: list[tuple[str, str, bool | None]] = []
    if run["engine"] == "postgresql":
        at_scale = records >= TARGET_RECORDS
        rows.append((f"p95 ≤ {TARGET_P95_MS:.0f} ms at 1 M records", f"{m['p95_ms']:.1f} ms",
                     (m["p95_ms"] <= TARGET_P95_MS) if at_scale else None))
    ratio = m.get("ratio")
    rows.append((f"LIKE / full text ≥ {TARGET_RATIO:.0f}×",
                 "-" if ratio is None else f"{ratio:,.0f}×",
                 None if ratio is None else ratio >= TARGET_RATIO))
    return rows


def report(runs: list[dict[str, Any]], machine: dict[str, Any], records: int) -> bool:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=180, highlight=False)
    q = Table(title=f"Search at {records:,} records: first page of {PER_PAGE} + total count")
    for col in ("engine", "class", "queries", "mean matches", "p50 ms", "p95 ms", "max ms",
                "bare p50", "bare p95", "LIKE queries", "LIKE p50 ms", "LIKE p95 ms",
                "p50 same", "ratio", "ratio bare"):
        q.add_column(col, justify="left" if col in ("engine", "class") else "right",
                     no_wrap=col in ("engine", "class"))
    for r in runs:
        m = r["measure"]
        for name, s in [*m["classes"].items(), ("all", m["all"])]:
            q.add_row(
                r["engine"], name, str(s["queries"]), f"{s['mean_matches']:,.0f}",
                f"{s['p50_ms']:.2f}", f"{s['p95_ms']:.2f}", f"{s['max_ms']:.2f}",
                f"{s['bare_p50_ms']:.2f}", f"{s['bare_p95_ms']:.2f}",
                str(s["like_queries"]), f"{s.get('like_p50_ms', 0):,.1f}",
                f"{s.get('like_p95_ms', 0):,.1f}", f"{s.get('fts_p50_same_ms', 0):.2f}",
                "-" if s.get("ratio") is None else f"{s['ratio']:,.0f}×",
                "-" if s.get("bare_ratio") is None else f"{s['bare_ratio']:,.0f}×",
                end_section=name == "all",
            )
    console.print(q)
    b = Table(title="Build and size")
    for col in ("engine", "records", "chars/doc", "normalise s", "insert + index s",
                "build s", "index rebuild s", "index size", "table size", "database"):
        b.add_column(col, justify="left" if col == "engine" else "right")
    for r in runs:
        bd, sz = r["build"], r["sizes"]
        b.add_row(
            f"{r['engine']} {r['server']['version']}", f"{bd['records']:,}",
            f"{bd['mean_chars']:.0f}",
            f"{bd['normalise_s']:.1f}" + (" (shared)" if bd["normalise_shared"] else ""),
            f"{bd['insert_index_s']:.1f}",
            f"{bd['build_s']:.1f}", f"{bd['reindex_s']:.1f}", _mb(sz["index_bytes"]),
            _mb(sz["table_bytes"]), _mb(sz["database_bytes"]),
        )
    console.print(b)
    all_met = True
    for r in runs:
        m = r["measure"]
        console.print(
            f"{r['engine']}: {m['what']}; LIKE: the same page and count with text LIKE; "
            f"{m['all']['queries']} of {m['all']['bare_queries']} queries ran the page's SQL, "
            f"{m['all']['like_queries']} LIKE (a sample: a full scan each; ratio: LIKE p50 "
            "over the p50 of the same queries)"
        )
        for name, value, met in targets(r, records):
            verdict = "n/a (below 1 M records)" if met is None else ("met" if met else "MISSED")
            console.print(f"  target {name}: {value}: {verdict}")
            all_met &= met is not False
    console.print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), "
        f"{_mb(machine.get('mem_total_bytes', 0))} RAM, kernel {machine['kernel']}, "
        f"Python {machine['python']}, Django {machine['django']}, SQLite {machine['sqlite']}"
        + (f", PostgreSQL {machine['postgresql']}" if "postgresql" in machine else "")
        + f"; load average (1/5/15 min) at the start and after each engine: "
        f"{machine.get('load_average', [])}"
    )
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=TARGET_RECORDS,
                        help="documents per engine [1,000,000]")
    parser.add_argument("--engines", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql [both]")
    parser.add_argument("--queries", type=int, default=10,
                        help="queries per class and script [10]")
    parser.add_argument("--like-queries", type=int, default=2,
                        help="of those, how many also run as LIKE [2]")
    parser.add_argument("--page-queries", type=int, default=None,
                        help="of those, how many run the search page's SQL [all]")
    parser.add_argument("--budget", type=float, default=900.0,
                        help="s at most for each kind of query (page, LIKE) per engine [900]")
    parser.add_argument("--corpus-dir", type=Path, default=None,
                        help="keep the generated corpus here, for a later run to reuse")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", metavar="OUT", type=Path, help="write the results as JSON")
    parser.add_argument("--check", action="store_true", help="exit 3 when a target is missed")
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--from-json", type=Path, help="print the tables of a saved run")
    args = parser.parse_args(argv)
    if args.phase:
        return run_phase(args)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        met = report(saved["runs"], saved["machine"], saved["config"]["records"])
        return 3 if args.check and not met else 0
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad = [e for e in engines if e not in ENGINES]
    if bad or not engines:
        parser.error(f"--engines: {', '.join(bad) or 'none'}: choose from {', '.join(ENGINES)}")
    if args.queries < 1 or args.like_queries < 0 or args.records < 1:
        parser.error("--records and --queries must be at least 1, --like-queries at least 0")
    runs = []
    load = [os.getloadavg()]
    try:
        with tempfile.TemporaryDirectory(prefix="chancery-bench-search-corpus-") as tmp:
            shared = args.corpus_dir or tmp
            if args.corpus_dir:
                args.corpus_dir.mkdir(parents=True, exist_ok=True)
            for engine in engines:
                say(f"{engine}: {args.records:,} records")
                runs.append(child(engine, args, Path(shared) / "corpus.tsv"))
                load.append(os.getloadavg())
                if args.json:  # what is measured so far, should a later engine fail
                    args.json.parent.mkdir(parents=True, exist_ok=True)
                    args.json.write_text(json.dumps({"partial": True, "runs": runs},
                                                    ensure_ascii=False) + "\n")
    except RuntimeError as exc:
        say(f"failed: {exc}")
        return 1
    machine = machine_info()
    machine["load_average"] = [[round(x, 2) for x in a] for a in load]
    for r in runs:
        if r["engine"] == "postgresql":
            machine["postgresql"] = r["server"]["version"]
    all_met = report(runs, machine, args.records)
    if args.json:
        doc = {
            "benchmark": "search",
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine,
            "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()
                       if k not in {"json", "phase"}},
            "targets": {"p95_ms_postgresql": TARGET_P95_MS, "like_ratio": TARGET_RATIO},
            "runs": runs,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        say(f"results written to {args.json}")
    return 3 if args.check and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
