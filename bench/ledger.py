#!/usr/bin/env python3
"""Transparency-log benchmark (issue 3, section 9), on SQLite and on PostgreSQL.

For each database, on a database made for the run (the same set-up as bench/intake.py):

1. **populate**: 1 M realistic events written with bulk SQL (``message.received`` and
   ``message.delivered`` of 500,000 messages, leaves from ``build_leaf``, ~400 bytes on average;
   a message row behind each ``message.received``), all pending (``seq`` empty);
2. **integrate**: ``sequencer.integrate_all()`` over all of them (hashing, tiles, entry bundles,
   seq assignment, one signed checkpoint per batch): leaves/s and peak RSS;
3. **prove 1 M**: ``TileHashReader.inclusion_proof`` for random leaves, cold (a fresh reader per
   proof reading its tiles from the database, as a receipt request does), with a shared tile
   cache on first touch, and warm (every tile already in the shared cache);
4. **verify**: ``verify.verify_log()`` over the log (entries/s, peak RSS), its pass 2 (the rows)
   timed in one process and in one process per CPU in the same run (the ratio of the two),
   and the tile-only check a monitor does (hash the entry bundles, compare with the level-0
   tiles, rebuild the root, check it against the signed checkpoint);
5. **intake**: bench/intake.py's server and wrk, the intake with the sequencer running beside it
   (a process running ``sequencer.run_forever``) and without, alternated (off, on, on, off);
6. **10 M**: the hash tiles of a 10 M-leaf tree built directly (synthetic leaf hashes,
   ``tiles.extend`` in chunks, streamed to the Tile table), then proofs as in 3.

Each phase runs in its own process, so its peak RSS (``VmHWM``) is its own.

    .venv/bin/python bench/ledger.py [--db sqlite|postgres|both] [--leaves 1000000]
                                      [--big 10000000] [--skip-intake] [--quick] [--json FILE]

See bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    LIAISON_USERNAME,
    PRINCIPAL_SLUG,
    ROOT,
    _status_field,
    ensure_wrk,
    machine_info,
    mib,
    run_django,
    say,
)

TARGET_LEAVES_PER_S = 10_000.0
TARGET_PROOF_US = 1_000.0
TARGET_VERIFY_PER_S = 300_000.0
TARGET_INTAKE_COST = 0.20
TARGET_RSS = 512 * 1024 * 1024

MARK = "LEDGERJSON "
EVENTS_PER_MESSAGE = ("message.received", "message.delivered")
START = dt.datetime(2020, 11, 9, 14, 0, 0, 123456, tzinfo=dt.UTC)
DELIVERY_REASON = "Delivered with the evening reading file; the principal was briefed."
OFFICER_USERNAME = "bench.officer"


# --------------------------------------------------------------------------- helpers


def memory() -> dict[str, int | None]:
    """This process's resident memory now and at its peak (VmRSS, VmHWM), in bytes."""
    pid = os.getpid()
    return {"rss_bytes": _status_field(pid, "VmRSS"), "peak_rss_bytes": _status_field(pid, "VmHWM")}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def stats_us(samples: Sequence[float]) -> dict[str, float]:
    """mean, p50, p99, max of durations in seconds, in microseconds."""
    s = sorted(samples)
    if not s:
        return {"n": 0, "mean_us": 0.0, "p50_us": 0.0, "p99_us": 0.0, "max_us": 0.0}

    def pct(p: float) -> float:
        return s[min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1)] * 1e6

    return {
        "n": len(s),
        "mean_us": round(sum(s) / len(s) * 1e6, 1),
        "p50_us": round(pct(50), 1),
        "p99_us": round(pct(99), 1),
        "max_us": round(s[-1] * 1e6, 1),
    }


class SqlTimer:
    """``connection.execute_wrapper``: wall time per SQL statement shape (first words)."""

    def __init__(self) -> None:
        self.by: dict[str, list[float]] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:6])[:70] + (" [many]" if many else "")
            slot = self.by.setdefault(key, [0, 0.0])
            slot[0] += 1
            slot[1] += time.perf_counter() - t0

    def top(self, n: int = 8) -> list[dict[str, Any]]:
        rows = sorted(self.by.items(), key=lambda kv: -kv[1][1])[:n]
        return [{"sql": k, "calls": int(c), "seconds": round(t, 3)} for k, (c, t) in rows]


def _profiled(enabled: bool, fn: Callable[[], Any], label: str) -> Any:
    if not enabled:
        return fn()
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    say(f"cProfile of {label}:\n{out.getvalue()}")
    return result


# --------------------------------------------------------------------------- Django side: phases
# Each function runs in the current process (the test calls them directly); the driver runs each
# in a child process (``--phase NAME``) so that its peak RSS is its own.


def _bench_actors() -> dict[str, Any]:
    """The world bench/_common.py set up (principal, French office, liaison) plus an officer."""
    from django.contrib.auth.models import Group, User

    from chancery.accounts.models import Role
    from chancery.directory.models import Office, Principal

    officer, made = User.objects.get_or_create(username=OFFICER_USERNAME)
    if made:
        group, _ = Group.objects.get_or_create(name=Role.WATCH_OFFICER)
        officer.groups.add(group)
    return {
        "principal": Principal.objects.get(slug=PRINCIPAL_SLUG),
        "office": Office.objects.filter(country__code="FR").order_by("pk").first(),
        "liaison": User.objects.get(username=LIAISON_USERNAME),
        "officer": officer,
    }


def _salt(what: str, pk: int) -> str:
    """A deterministic 128-bit hex salt (a benchmark's, not a secret)."""
    return hashlib.sha256(f"bench-{what}-{pk}".encode()).hexdigest()[:32]


def _columns(model: Any) -> list[Any]:
    return list(model._meta.concrete_fields)


def _converter(field: Any, vendor: str, ops: Any) -> Callable[[Any], Any]:
    """Python value -> what the bulk writer sends, as the ORM would store it."""
    from django.db import models

    if isinstance(field, models.DateTimeField):
        if vendor == "sqlite":
            return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
        return lambda v: v
    if isinstance(field, models.JSONField):
        return lambda v: json.dumps(v)
    if isinstance(field, models.BinaryField):
        return lambda v: None if v is None else bytes(v)
    return lambda v: v


def _bulk_write(model: Any, rows: Iterator[dict[str, Any]], chunk: int = 20_000) -> int:
    """Write rows (dicts by attname, every concrete column present) with bulk SQL: COPY on
    PostgreSQL, executemany on SQLite; in the caller's transaction."""
    from django.db import connection

    fields = _columns(model)
    names = [f.attname for f in fields]
    convert = [_converter(f, connection.vendor, connection.ops) for f in fields]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(f.column) for f in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([c(row[n]) for c, n in zip(convert, names, strict=True)])
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([c(row[n]) for c, n in zip(convert, names, strict=True)])
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def populate(
    leaves: int,
    *,
    principal: Any,
    office: Any,
    liaison: Any,
    officer: Any,
    body: str | None = None,
) -> dict[str, Any]:
    """Write ``leaves`` pending events (two per message: received, then delivered with its
    reason; leaves of about 470 and 325 bytes, salted as ``record_event`` salts them) and the
    message row behind each ``message.received``, with bulk SQL."""
    from django.db import connection, transaction
    from django.db.models import Max

    from chancery.correspondence.models import Message
    from chancery.ledger import kinds
    from chancery.ledger.models import Event
    from chancery.ledger.services import actor_text, build_leaf

    if body is None:
        from intake import BODY

        body = BODY
    encoded = body.encode()
    body_sha = hashlib.sha256(encoded).hexdigest()
    n_messages = -(-leaves // len(EVENTS_PER_MESSAGE))
    first_msg = (Message.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    first_event = (Event.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    polity = office.polity
    message_fields = {f.attname for f in _columns(Message)}
    leaf_bytes = 0

    def message_times(i: int) -> tuple[dt.datetime, dt.datetime]:
        received = START + dt.timedelta(microseconds=i * 500_123)
        return received, received + dt.timedelta(hours=72)

    def delivered_time(received: dt.datetime) -> dt.datetime:
        # Before the next message is received: the log's times never run backwards.
        return received + dt.timedelta(milliseconds=250)

    def messages() -> Iterator[dict[str, Any]]:
        for i in range(n_messages):
            pk = first_msg + i
            received, due = message_times(i)
            salt = _salt("message", pk)
            row = {
                "id": pk,
                "principal_id": principal.pk,
                "sender_office_id": office.pk,
                "channel": "api",
                "subject": "Félicitations",
                "body": body,
                "declared_language": "fr",
                "detected_language": "fr",
                "language_checked_at": received + dt.timedelta(seconds=30),
                "received_at": received,
                "due_at": due,
                "state": "delivered",
                "submitted_by_id": liaison.pk,
                "idempotency_key": f"bench-{pk}",
                "request_digest": body_sha,
                "salt": salt,
                "body_sha256": body_sha,
                "commitment": hashlib.sha256(bytes.fromhex(salt) + encoded).hexdigest(),
                "rejection_reason": "",
                "triage_note": "",
                "escalated_at": None,
                "delivered_at": delivered_time(received),
                "acknowledged_at": None,
            }
            missing = message_fields - row.keys()
            if missing:
                raise RuntimeError(f"bench/ledger.py: fill in the new Message columns {missing}")
            yield row

    def events() -> Iterator[dict[str, Any]]:
        nonlocal leaf_bytes
        n = 0
        for i in range(n_messages):
            pk = first_msg + i
            received, due = message_times(i)
            tracking = f"CH-{received.year:04d}-{pk:06d}"
            commitment = hashlib.sha256(bytes.fromhex(_salt("message", pk)) + encoded).hexdigest()
            base = {"tracking": tracking, "principal": principal.slug}
            plan: list[tuple[str, dt.datetime, Any, dict[str, Any]]] = [
                ("message.received", received, liaison, {
                    **base, "sender": polity, "office": office.pk, "channel": "api",
                    "commitment": commitment, "attachments": 0, "due": due.isoformat(),
                    "received_at": received.isoformat(),
                }),
                ("message.delivered", delivered_time(received), officer,
                 {**base, "reason": DELIVERY_REASON}),
            ]
            for kind, at, actor, data in plan:
                if n >= leaves:
                    return
                # As record_event: a salt when the leaf commits to a person or to free text.
                private = kinds.private_fields(kind)
                salt = _salt(kind, pk) if actor or not private.isdisjoint(data) else ""
                leaf = build_leaf(kind, "message", pk, at, actor_text(actor.pk), data, salt)
                leaf_bytes += len(leaf)
                yield {
                    "id": first_event + n,
                    "at": at,
                    "kind": kind,
                    "subject_type": "message",
                    "subject_id": pk,
                    "actor_id": actor.pk,
                    "data": data,
                    "leaf": leaf,
                    "salt": salt,
                    "seq": None,
                }
                n += 1

    started = time.perf_counter()
    with transaction.atomic():
        written_messages = _bulk_write(Message, messages())
        written = _bulk_write(Event, events())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Message, Event):
                table = model._meta.db_table
                top = f"SELECT max(id) FROM {table}"  # noqa: S608 - our own table name
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])
            # What autovacuum's auto-analyze does after a million inserts (here at once, so
            # that it does not land in the middle of a measurement). Not on SQLite: Chancery
            # never runs ANALYZE there, and statistics taken while a million events are pending
            # make SQLite scan the whole table for the sequencer's pending rows ever after.
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    return {
        "events": written,
        "messages": written_messages,
        "seconds": round(seconds, 3),
        "rows_per_s": round((written + written_messages) / seconds, 1),
        "mean_leaf_bytes": round(leaf_bytes / written, 1) if written else 0,
    }


def integrate(batch: int | None = None, *, profile: bool = False) -> dict[str, Any]:
    """Time ``sequencer.integrate_all`` over every pending event."""
    from django.conf import settings
    from django.db import connection

    from chancery.ledger import sequencer
    from chancery.ledger.models import Event

    batch = batch or int(getattr(settings, "CHANCERY_LOG_BATCH", 8192))
    sequencer.ensure_head()
    pending = Event.objects.filter(seq__isnull=True).count()
    before = memory()
    timer = SqlTimer()
    started = time.perf_counter()
    cpu0 = time.process_time()
    with connection.execute_wrapper(timer):
        count = _profiled(profile, lambda: sequencer.integrate_all(batch), "integrate_all")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    head = sequencer.ensure_head()
    return {
        "pending": pending,
        "integrated": count,
        "size": head.size,
        "batch": batch,
        "batches": -(-count // batch) if count else 0,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "leaves_per_s": round(count / seconds, 1) if seconds else 0.0,
        "sql": timer.top(),
        "sql_seconds": round(sum(t for _, t in timer.by.values()), 3),
        "rss_before_bytes": before["rss_bytes"],
        **memory(),
    }


def _log_root() -> tuple[int, bytes]:
    """Size and root of the log's head, from its signed checkpoint."""
    from chancery.ledger import note, sequencer
    from chancery.ledger.models import LogHead

    head = LogHead.objects.select_related("checkpoint").get(pk=sequencer.HEAD_PK)
    cp, _ = note.open_checkpoint(head.checkpoint.note, note.Verifier.from_text(head.vkey))
    return cp.size, cp.root


def synthetic_leaf_hash(i: int) -> bytes:
    """Leaf hash ``i`` of the synthetic big tree."""
    return hashlib.sha256(i.to_bytes(8, "big")).digest()


def prove(
    size: int | None = None,
    *,
    proofs: int = 2000,
    synthetic: bool = False,
    seed: int = 7,
    profile: bool = False,
) -> dict[str, Any]:
    """Time inclusion proofs for random leaves of the stored tree: cold, shared, warm.

    ``synthetic``: the tiles are the big tree's (leaf ``i`` hashes to synthetic_leaf_hash(i))
    and the root is the tiles' own; otherwise the log's, checked against its checkpoint."""
    from chancery.ledger import merkle, tiles
    from chancery.ledger.models import Event
    from chancery.ledger.sequencer import proof_tile, stored_tile

    root: bytes
    if synthetic:
        assert size is not None
        root = tiles.TileHashReader(size, stored_tile).root()
    else:
        size, root = _log_root()
        if tiles.TileHashReader(size, stored_tile).root() != root:
            raise RuntimeError("the stored tiles do not give the signed root")
    # The server's readers start from the head's stored right edge (sequencer.proof_reader),
    # so they never read the right-edge partial tiles; the synthetic tree's edge is taken from
    # its tiles once, as the sequencer would have stored it.
    if synthetic:
        probe = tiles.TileHashReader(size, stored_tile)
        edge, lo = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                edge.append(probe.subtree_hash(level, lo >> level))
                lo += 1 << level
    else:
        from chancery.ledger.models import LogHead
        from chancery.ledger.sequencer import split_hashes

        head = LogHead.objects.select_related("checkpoint").get()
        edge = split_hashes(bytes(head.checkpoint.right_edge))
    rng = random.Random(seed)  # noqa: S311
    indexes = [rng.randrange(size) for _ in range(proofs)]
    if synthetic:
        leaf_hashes = {i: synthetic_leaf_hash(i) for i in indexes}
    else:
        leaf_hashes = {
            seq: merkle.leaf_hash(bytes(leaf))
            for seq, leaf in Event.objects.filter(seq__in=set(indexes)).values_list("seq", "leaf")
        }

    def run(make_reader: Callable[[], tiles.TileHashReader]) -> tuple[list[float], int]:
        times, bad = [], 0
        for i in indexes:
            t0 = time.perf_counter()
            path = make_reader().inclusion_proof(i)
            times.append(time.perf_counter() - t0)
            if not merkle.verify_inclusion(i, size, leaf_hashes[i], path, root):
                bad += 1
        return times, bad

    reads = 0

    def counting_read(level: int, index: int, width: int) -> tuple[bytes, bytes | None]:
        nonlocal reads
        reads += 1
        return proof_tile(level, index, width)  # as the server reads them: with inner nodes

    def measure() -> dict[str, Any]:
        nonlocal reads
        cold, bad_cold = run(
            lambda: tiles.TileHashReader(size, counting_read, right_edge=edge)
        )
        cold_reads, reads = reads, 0
        cache = tiles.TileCache(capacity=len(indexes) * 2 + 256)
        shared, bad_shared = run(
            lambda: tiles.TileHashReader(size, counting_read, cache, right_edge=edge)
        )
        shared_reads, reads = reads, 0
        warm, bad_warm = run(
            lambda: tiles.TileHashReader(size, counting_read, cache, right_edge=edge)
        )
        warm_reads = reads
        return {
            "cold": {**stats_us(cold), "tile_reads_per_proof": round(cold_reads / proofs, 2)},
            "shared": {
                **stats_us(shared), "tile_reads_per_proof": round(shared_reads / proofs, 2)
            },
            "warm": {**stats_us(warm), "tile_reads_per_proof": round(warm_reads / proofs, 2)},
            "failed_verifications": bad_cold + bad_shared + bad_warm,
            "proof_hashes": len(tiles.TileHashReader(size, stored_tile).inclusion_proof(0)),
        }

    out = _profiled(profile, measure, "inclusion proofs")
    return {"size": size, "proofs": proofs, **out, **memory()}


def verify_full(*, profile: bool = False, processes: int | None = None) -> dict[str, Any]:
    """``verify.verify_log()`` over the whole log, its passes timed apart: the log (stored
    leaves, tiles, checkpoints), then the rows (every leaf re-derived from its event row, the
    times in log order, every subject replayed and checked against its rows) once in this
    process and once in ``processes`` processes (default: one per CPU), in the same run."""
    from django.db import connection

    from chancery.ledger.verify import Report, check_rows, verify_log

    parallel = processes or os.cpu_count() or 1
    timer = SqlTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        report = _profiled(profile, lambda: verify_log(rows=False), "verify_log pass 1")
    log_seconds = time.perf_counter() - started
    single = Report()
    started, cpu = time.perf_counter(), time.process_time()
    _profiled(profile, lambda: check_rows(single, processes=1), "verify_log pass 2, 1 process")
    single_seconds = time.perf_counter() - started
    # This process's CPU only (not a PostgreSQL server's): steadier than the rate on a shared
    # machine.
    single_cpu = time.process_time() - cpu
    started = time.perf_counter()
    check_rows(report, processes=parallel)
    rows_seconds = time.perf_counter() - started
    seconds = log_seconds + rows_seconds

    def rate(n: int, s: float) -> float:
        return round(n / s, 1) if s else 0.0

    return {
        "ok": report.ok and single.ok,
        "entries": report.entries,
        "messages": report.subjects.get("message", 0),
        "checkpoints": report.checkpoints,
        "problems": (report.problems or single.problems)[:5],
        "seconds": round(seconds, 3),
        "entries_per_s": rate(report.entries, seconds),
        "log_seconds": round(log_seconds, 3),
        "log_entries_per_s": rate(report.entries, log_seconds),
        "processes": report.processes,
        "rows_seconds": round(rows_seconds, 3),
        "rows_per_s": rate(report.rows, rows_seconds),
        "single_rows_seconds": round(single_seconds, 3),
        "single_rows_per_s": rate(single.rows, single_seconds),
        "single_entries_per_s": rate(report.entries, log_seconds + single_seconds),
        "single_cpu_us_per_row": round(single_cpu * 1e6 / single.rows, 2) if single.rows else 0.0,
        "parallel_ratio": round(single_seconds / rows_seconds, 2) if rows_seconds else 0.0,
        "sql": timer.top(4),
        **memory(),
    }


def verify_tiles(*, chunk: int = 64) -> dict[str, Any]:
    """What a monitor does without the database rows: hash every entry of the entry bundles,
    check the hashes against the published level-0 tiles, rebuild the tiles from them
    (``tiles.extend``, streaming: only the right-edge tiles are kept) and check the root they
    give against the signed checkpoint. ``chunk`` tiles are read per query."""
    from chancery.ledger import merkle, tiles
    from chancery.ledger.models import ENTRIES_LEVEL, Tile

    size, root = _log_root()
    started = time.perf_counter()
    problems: list[str] = []
    sha = hashlib.sha256
    edge: dict[int, tuple[int, bytes]] = {}
    read_edge = _edge_reader(edge)
    built = 0
    n_tiles = -(-size // tiles.TILE_WIDTH)
    for first in range(0, n_tiles, chunk):
        last = min(n_tiles, first + chunk)
        rows = {
            (level, index): bytes(data)
            for level, index, data in Tile.objects.filter(
                level__in=(ENTRIES_LEVEL, 0), index__gte=first, index__lt=last
            ).values_list("level", "index", "data")
        }
        for index in range(first, last):
            width = tiles.tile_width(None, index, size)
            bundle, published = rows.get((ENTRIES_LEVEL, index)), rows.get((0, index))
            if bundle is None or published is None:
                problems.append(f"tile {index} or its entry bundle is missing")
                break
            entries = tiles.decode_entries(bundle)[:width]
            hashes = [sha(b"\x00" + e).digest() for e in entries]
            if b"".join(hashes) != published[: width * merkle.HASH_SIZE]:
                problems.append(f"entry bundle {index} does not match level-0 tile {index}")
            _keep_edge(edge, tiles.extend(built, read_edge, hashes))
            built += len(hashes)
    rebuilt = tiles.TileHashReader(built, read_edge).root()
    if built != size or rebuilt != root:
        problems.append(f"the rebuilt root at {built} is not the checkpoint's at {size}")
    seconds = time.perf_counter() - started
    return {
        "ok": not problems,
        "entries": built,
        "problems": problems[:5],
        "seconds": round(seconds, 3),
        "entries_per_s": round(built / seconds, 1) if seconds else 0.0,
        **memory(),
    }


def _edge_reader(edge: dict[int, tuple[int, bytes]]) -> Callable[[int, int, int], bytes]:
    """read_tile over the right-most tile of each level (all that extend and root() need)."""
    from chancery.ledger import merkle, tiles

    def read_tile(level: int, index: int, width: int) -> bytes:
        at, data = edge[level]
        if at != index:
            raise tiles.TileError(f"right edge of level {level} is {at}, not {index}")
        return data[: width * merkle.HASH_SIZE]

    return read_tile


def _keep_edge(edge: dict[int, tuple[int, bytes]], update: Any) -> None:
    for (level, index), data in update.tiles.items():
        if level not in edge or edge[level][0] <= index:
            edge[level] = (index, data)


def build_big(leaves: int, *, chunk: int = 1 << 16) -> dict[str, Any]:
    """Replace the Tile table's content with the hash tiles of a ``leaves``-leaf tree of
    synthetic leaf hashes, built with ``tiles.extend`` chunk by chunk and streamed to the table
    (the right-edge tiles are the only ones kept in memory)."""
    from django.db import connection, transaction

    from chancery.ledger import merkle, tiles
    from chancery.ledger.models import Tile

    qn = connection.ops.quote_name
    table = qn(Tile._meta.db_table)
    cols = [qn(c) for c in ("level", "index", "width", "data", "inner")]
    upsert = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({cols[0]}, {cols[1]}) DO UPDATE SET {cols[2]} = excluded.{cols[2]}, "
        f"{cols[3]} = excluded.{cols[3]}, {cols[4]} = excluded.{cols[4]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    edge: dict[int, tuple[int, bytes]] = {}  # level -> (index, content) of its right-most tile
    read_tile = _edge_reader(edge)

    started = time.perf_counter()
    hash_s = tiles_s = write_s = 0.0
    size = rows = 0
    sha = hashlib.sha256
    while size < leaves:
        end = min(leaves, size + chunk)
        t0 = time.perf_counter()
        hashes = [sha(i.to_bytes(8, "big")).digest() for i in range(size, end)]
        t1 = time.perf_counter()
        update = tiles.extend(size, read_tile, hashes)
        t2 = time.perf_counter()
        _keep_edge(edge, update)
        # As the sequencer writes them: full hash tiles with their inner nodes.
        batch = [
            (
                level, index, len(data) // merkle.HASH_SIZE, data,
                tiles.tile_inner_nodes(data) if len(data) == 8192 else b"",
            )
            for (level, index), data in update.tiles.items()
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(upsert, batch)
        rows += len(batch)
        t3 = time.perf_counter()
        hash_s += t1 - t0
        tiles_s += t2 - t1
        write_s += t3 - t2
        size = end
    seconds = time.perf_counter() - started
    return {
        "size": size,
        "seconds": round(seconds, 3),
        "leaves_per_s": round(size / seconds, 1) if seconds else 0.0,
        "split_seconds": {
            "leaf_hashes": round(hash_s, 3),
            "tiles_extend": round(tiles_s, 3),
            "write": round(write_s, 3),
        },
        "tile_rows_written": rows,
        "tiles": Tile.objects.count(),
        **memory(),
    }


def sequencer_loop() -> dict[str, Any]:
    """The log 'on' during the intake: ``sequencer.run_forever`` until SIGTERM."""
    import resource

    from chancery.ledger import sequencer
    from chancery.ledger.models import LogHead

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    start_size = sequencer.ensure_head().size
    passes: list[int] = []
    last = [start_size]

    def after_batch() -> None:
        size = LogHead.objects.get(pk=sequencer.HEAD_PK).size
        if size > last[0]:  # called on every tick, also when nothing was integrated
            passes.append(size - last[0])
        last[0] = size

    print("READY", flush=True)
    sequencer.run_forever(stop, after_batch=after_batch)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "integrated": last[0] - start_size,
        "passes_with_work": len(passes),
        "max_per_pass": max(passes, default=0),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        **memory(),
    }


def pending_count() -> dict[str, Any]:
    from chancery.ledger.models import Event

    return {"pending": Event.objects.filter(seq__isnull=True).count()}


def run_phase(args: argparse.Namespace) -> int:
    """Child-process entry: run one phase, print its result as one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancery.settings")
    import django

    django.setup()
    base = memory()
    phase = args.phase
    result: dict[str, Any]
    if phase == "populate":
        result = populate(args.leaves, **_bench_actors())
    elif phase == "integrate":
        result = integrate(profile=args.profile)
    elif phase == "prove":
        result = prove(
            args.size, proofs=args.proofs, synthetic=args.size is not None, profile=args.profile
        )
    elif phase == "verify":
        result = verify_full(profile=args.profile)
    elif phase == "verify-tiles":
        result = verify_tiles()
    elif phase == "big":
        result = build_big(args.big)
    elif phase == "sequencer":
        result = sequencer_loop()
    elif phase == "pending":
        result = pending_count()
    else:
        raise SystemExit(f"unknown phase {phase!r}")
    result["rss_at_start_bytes"] = base["rss_bytes"]
    print(MARK + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------- driver


def child(phase: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    """Run one phase in a child process; its JSON result, with the load average around it."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, *extra]
    before = load()
    started = time.monotonic()
    result = subprocess.run(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith(MARK)), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"phase {phase} failed (exit {result.returncode}):\n{result.stdout}")
    doc: dict[str, Any] = json.loads(line[len(MARK):])
    doc["load_before"], doc["load_after"] = before, load()
    doc["wall_seconds"] = round(time.monotonic() - started, 3)
    return doc


def intake_args(args: argparse.Namespace) -> argparse.Namespace:
    """What bench/intake.py's Run expects of its command line, with its defaults."""
    return argparse.Namespace(
        server_env=[],
        app="chancery.wsgi:application",
        workers=args.workers,
        worker_class="sync",
        threads=1,
        preload=False,
        connections=args.connections,
        wrk_threads=2,
        wrk_bin=getattr(args, "wrk_bin", "wrk"),
    )


def bench_intake(run: Any, world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Intake with the sequencer off and on, alternated (off, on, on, off: drift cancels)."""
    db = run.db
    run.start_server()
    say(f"{db}: gunicorn with {args.workers} workers on port {run.port}")
    if args.warmup > 0:
        run.wrk("intake", world, duration=args.warmup, tag=f"warm-{db}")
    modes = ["off", "on"] if args.quick else ["off", "on", "on", "off"]
    results = []
    try:
        for n, mode in enumerate(modes):
            time.sleep(1.0)
            child("integrate", run.env)  # no backlog from earlier rounds in the measured one
            seq_proc = None
            if mode == "on":
                seq_proc = subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "--phase", "sequencer"],
                    env=run.env,
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                assert seq_proc.stdout is not None
                if seq_proc.stdout.readline().strip() != "READY":
                    raise RuntimeError("the sequencer process did not start")
            before = run_django("count", run.env)
            try:
                res = run.wrk("intake", world, duration=args.duration, tag=f"{mode}{n}-{db}")
                time.sleep(max(1.0, 3 * res["max_ms"] / 1000))
            finally:
                seq = None
                if seq_proc is not None:
                    seq_proc.send_signal(signal.SIGTERM)
                    out, _ = seq_proc.communicate(timeout=120)
                    line = next((ln for ln in out.splitlines() if ln.startswith(MARK)), None)
                    seq = json.loads(line[len(MARK):]) if line else None
            after = run_django("count", run.env)
            res.pop("wrk_stdout", None)
            written = after["messages"] - before["messages"]
            row = {
                "mode": mode,
                "messages_per_s": res["ok_rps"],
                "messages_written": written,
                "lost": max(0, res["ok"] - written),
                "errors": res["errors"],
                "p50_ms": res["p50_ms"],
                "p99_ms": res["p99_ms"],
                "server_cpu_ms_per_message": res["server_cpu_ms_per_request"],
                "cpu_s": res["cpu_s"],
                "seconds": res["seconds"],
                "sequencer": seq,
                "load": load(),
            }
            if seq is not None and written:
                row["sequencer_cpu_ms_per_message"] = round(seq["cpu_seconds"] * 1000 / written, 3)
            say(
                f"{db} intake, log {mode}: {res['ok_rps']:.0f} msg/s, p99 {res['p99_ms']:.1f} ms, "
                f"errors {res['errors']}" + (f", sequencer {seq}" if seq else "")
            )
            results.append(row)
    finally:
        run.stop_server()

    def mean(mode: str, key: str) -> float:
        vals = [r[key] for r in results if r["mode"] == mode and r.get(key) is not None]
        return sum(vals) / len(vals) if vals else 0.0

    off, on = mean("off", "messages_per_s"), mean("on", "messages_per_s")
    cpu_off = mean("off", "server_cpu_ms_per_message")
    cpu_on = mean("on", "server_cpu_ms_per_message") + mean("on", "sequencer_cpu_ms_per_message")
    return {
        "rounds": results,
        "off_messages_per_s": round(off, 1),
        "on_messages_per_s": round(on, 1),
        "cost": round(1 - on / off, 4) if off else None,
        "cpu_ms_per_message_off": round(cpu_off, 3),
        "cpu_ms_per_message_on": round(cpu_on, 3),
        "cpu_cost": round(cpu_on / cpu_off - 1, 4) if cpu_off else None,
    }


def bench_database(db: str, args: argparse.Namespace) -> dict[str, Any]:
    from intake import Run

    run = Run(db, intake_args(args))
    out: dict[str, Any] = {"database": db}
    try:
        run.start_database()
        world = run_django("setup", run.env)
        out["server_version"] = world["server_version"]
        out["server_settings"] = world["server_settings"]
        say(f"{db}: set up ({world['vendor']} {world['server_version']}), load {load()}")
        prof = ["--profile"] if args.profile else []

        out["populate"] = child("populate", run.env, "--leaves", str(args.leaves))
        p = out["populate"]
        say(f"{db}: populated {p['events']:,} events in {p['seconds']:.1f} s "
            f"(mean leaf {p['mean_leaf_bytes']:.0f} B)")
        out["integrate"] = child("integrate", run.env, *prof)
        i = out["integrate"]
        say(f"{db}: integrated {i['integrated']:,} leaves in {i['seconds']:.1f} s "
            f"({i['leaves_per_s']:,.0f}/s), peak RSS {mib(i['peak_rss_bytes'])}, "
            f"load {i['load_after']}")
        out["prove"] = child("prove", run.env, "--proofs", str(args.proofs), *prof)
        say(f"{db}: proofs at {out['prove']['size']:,}: cold {out['prove']['cold']}")
        out["verify"] = child("verify", run.env, *prof)
        v = out["verify"]
        say(f"{db}: verify_log {v['entries']:,} entries in {v['seconds']:.1f} s "
            f"({v['entries_per_s']:,.0f}/s; pass 2 in {v['processes']} processes "
            f"{v['parallel_ratio']:.2f}× one) ok={v['ok']} {v['problems']}")
        out["verify_tiles"] = child("verify-tiles", run.env)
        t = out["verify_tiles"]
        say(f"{db}: tile-only verification {t['entries_per_s']:,.0f}/s ok={t['ok']}")
        if not args.skip_intake:
            out["intake"] = bench_intake(run, world, args)
        out["big"] = child("big", run.env, "--big", str(args.big))
        b = out["big"]
        say(f"{db}: built the {b['size']:,}-leaf tiles in {b['seconds']:.1f} s "
            f"({b['leaves_per_s']:,.0f}/s), peak RSS {mib(b['peak_rss_bytes'])}")
        out["prove_big"] = child(
            "prove", run.env, "--size", str(args.big), "--proofs", str(args.proofs), *prof
        )
        say(f"{db}: proofs at {args.big:,}: cold {out['prove_big']['cold']}")
        return out
    finally:
        run.close()


# --------------------------------------------------------------------------- report


def _rows(r: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(figure, value, target, met) for one database."""
    rows: list[tuple[str, str, str, bool | None]] = []

    def rss(label: str, doc: dict[str, Any]) -> None:
        peak = doc["peak_rss_bytes"]
        rows.append((f"{label} peak RSS", mib(peak), "< 512 MiB", peak < TARGET_RSS))

    p = r["populate"]
    rows.append((
        f"populate {p['events']:,} events + {p['messages']:,} messages (bulk SQL)",
        f"{p['rows_per_s']:,.0f} rows/s ({p['seconds']:.0f} s, leaf {p['mean_leaf_bytes']:.0f} B)",
        "-", None,
    ))
    i = r["integrate"]
    rows.append((
        f"integrate {i['integrated']:,} leaves (batches of {i['batch']:,})",
        f"{i['leaves_per_s']:,.0f} leaves/s ({i['seconds']:.1f} s)",
        "≥ 10,000 leaves/s", i["leaves_per_s"] >= TARGET_LEAVES_PER_S,
    ))
    rss("integrate", i)
    for key, label in (("prove", None), ("prove_big", None)):
        if key not in r:
            continue
        d = r[key]
        label = f"proof at {d['size']:,}"
        for mode, what in (("cold", "cold: fresh reader, tiles from the DB"),
                           ("shared", "shared cache, first touch"),
                           ("warm", "warm: every tile cached")):
            s = d[mode]
            rows.append((
                f"{label}, {what}",
                f"mean {s['mean_us']:,.0f} µs, p99 {s['p99_us']:,.0f} µs "
                f"({s['tile_reads_per_proof']:.1f} reads)",
                "p99 ≤ 1,000 µs", s["p99_us"] <= TARGET_PROOF_US,
            ))
        rows.append((f"{label}: proofs verified", f"{d['failed_verifications']} failed", "0",
                     d["failed_verifications"] == 0))
        rss(label, d)
    v = r["verify"]
    rows.append((
        f"verify, pass 1 (the log: leaves, tiles, checkpoints) {v['entries']:,} entries",
        f"{v['log_entries_per_s']:,.0f} entries/s ({v['log_seconds']:.1f} s)",
        "≥ 300,000 entries/s", v["log_entries_per_s"] >= TARGET_VERIFY_PER_S and v["ok"],
    ))
    rows.append((
        "verify, pass 2 in 1 process (leaves re-derived, times, subjects replayed)",
        f"{v['single_rows_per_s']:,.0f} rows/s ({v['single_rows_seconds']:.1f} s, "
        f"{v.get('single_cpu_us_per_row', 0):.1f} µs CPU/row)", "(info)", None,
    ))
    rows.append((
        f"verify, pass 2 in {v['processes']} processes (same run)",
        f"{v['rows_per_s']:,.0f} rows/s ({v['rows_seconds']:.1f} s), "
        f"{v['parallel_ratio']:.2f}× the single process", "(info)", None,
    ))
    rows.append((
        "verify_log, both passes, pass 2 in 1 process",
        f"{v['single_entries_per_s']:,.0f} entries/s", "(info)", None,
    ))
    rows.append((
        f"verify_log, both passes, pass 2 in {v['processes']} processes "
        f"({'ok' if v['ok'] else 'FAILED'})",
        f"{v['entries_per_s']:,.0f} entries/s ({v['seconds']:.1f} s)",
        "≥ 300,000 entries/s", v["entries_per_s"] >= TARGET_VERIFY_PER_S and v["ok"],
    ))
    rss("verify_log", v)
    t = r["verify_tiles"]
    rows.append((
        f"tile-only verification ({'ok' if t['ok'] else 'FAILED'})",
        f"{t['entries_per_s']:,.0f} entries/s ({t['seconds']:.1f} s)",
        "(info)", None if t["ok"] else False,
    ))
    rss("tile-only verification", t)
    if "intake" in r:
        k = r["intake"]
        rows.append(("intake, log off", f"{k['off_messages_per_s']:,.0f} msg/s", "-", None))
        rows.append(("intake, log on (sequencer running)",
                     f"{k['on_messages_per_s']:,.0f} msg/s", "-", None))
        lost = sum(x["lost"] + x["errors"] for x in k["rounds"])
        rows.append((
            "log's cost to intake (msg/s)",
            f"{k['cost'] * 100:.1f} %" + (f" ({lost} errors/lost)" if lost else ""),
            "≤ 20 %", k["cost"] <= TARGET_INTAKE_COST and lost == 0,
        ))
        rows.append((
            "log's cost to intake (CPU ms/msg incl. sequencer)",
            f"{k['cpu_cost'] * 100:.1f} % ({k['cpu_ms_per_message_off']:.2f} → "
            f"{k['cpu_ms_per_message_on']:.2f} ms)",
            "(info)", None,
        ))
    b = r["big"]
    rows.append((
        f"build {b['size']:,}-leaf hash tiles (synthetic leaves, streamed)",
        f"{b['leaves_per_s']:,.0f} leaves/s ({b['seconds']:.0f} s)", "-", None,
    ))
    rss(f"build {b['size']:,}", b)
    return rows


def print_report(runs: list[dict[str, Any]], machine: dict[str, Any]) -> bool:
    all_met = True
    for r in runs:
        rows = _rows(r)
        header = ("figure", "value", "target", "result")
        cells = [(a, b, c, "-" if m is None else ("pass" if m else "FAIL")) for a, b, c, m in rows]
        widths = [max(len(h), *(len(row[n]) for row in cells)) for n, h in enumerate(header)]
        print()
        print(f"Transparency log benchmark, {r['database']} {r.get('server_version', '')}")
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        print("  ".join("-" * w for w in widths))
        for row in cells:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        loads = [r[k]["load_after"] for k in ("integrate", "prove", "verify", "big") if k in r]
        print(f"load average (1/5/15 min) after the phases: {loads}")
        all_met &= all(m is not False for *_, m in rows)
    print(
        f"\nmachine: {machine['nproc']} CPUs ({machine['cpu_model']}), "
        f"{mib(machine.get('mem_total_bytes'))}, Python {machine['python']}, "
        f"Django {machine['django']}, SQLite {machine['sqlite']}"
        + (f", PostgreSQL {machine['postgresql']}" if "postgresql" in machine else "")
    )
    return all_met


QUICK = {"leaves": 20_000, "big": 200_000, "proofs": 300, "duration": 3.0, "warmup": 1.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--leaves", type=int, default=1_000_000, help="log size [1,000,000]")
    parser.add_argument("--big", type=int, default=10_000_000,
                        help="size of the synthetic tree for proofs [10,000,000]")
    parser.add_argument("--proofs", type=int, default=2000, help="proofs per measurement [2000]")
    parser.add_argument("--skip-intake", action="store_true", help="no intake with the log on/off")
    parser.add_argument("--duration", type=float, default=10.0, help="s per intake round [10]")
    parser.add_argument("--warmup", type=float, default=2.0, help="s of intake warm-up [2]")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers [4]")
    parser.add_argument("--connections", type=int, default=16, help="wrk concurrency [16]")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 20,000 leaves, 200,000 big, short intake rounds")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile integrate, proofs and verify (printed on stderr)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH")
    parser.add_argument("--check", action="store_true", help="exit 3 when a target is missed")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return run_phase(args)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        for name, value in QUICK.items():
            if f"--{name}" not in given:
                setattr(args, name, value)

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # clean up as on Ctrl-C
    if not args.skip_intake:
        args.wrk_bin = ensure_wrk()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    runs = []
    say(f"load average at start: {load()}")
    try:
        for db in dbs:
            runs.append(bench_database(db, args))
    except KeyboardInterrupt:
        say("interrupted; everything started was stopped and removed")
        return 130
    except RuntimeError as exc:
        say(f"failed: {exc}")
        return 1
    machine = machine_info()
    for r in runs:
        if r["database"] == "postgres":
            machine["postgresql"] = r.get("server_version")
    all_met = print_report(runs, machine)
    if args.json:
        config = {k: v for k, v in vars(args).items() if k not in {"json", "phase", "size"}}
        doc = {
            "benchmark": "ledger",
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine,
            "config": config,
            "targets": {
                "integrate_leaves_per_s": TARGET_LEAVES_PER_S,
                "proof_p99_us": TARGET_PROOF_US,
                "verify_entries_per_s": TARGET_VERIFY_PER_S,
                "intake_cost": TARGET_INTAKE_COST,
                "peak_rss_bytes": TARGET_RSS,
            },
            "runs": runs,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        say(f"results written to {args.json}")
    return 3 if args.check and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
