"""The sequencer: the one writer that integrates pending events into the transparency log.

Each batch runs in one database transaction:

1. lock the log head (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has one writer anyway),
2. take the oldest pending events (``seq`` empty) in id order, up to ``CHANCERY_LOG_BATCH``,
3. hash their leaves, extend the tree's right edge and the C2SP tiles (hash tiles and entry
   bundles), and check that the tiles give the same root and that the new tree is consistent
   with the previous head (a consistency proof computed from the new tiles, verified against the
   old signed root),
4. give the events their log indexes, write the tiles, sign a C2SP checkpoint with Ed25519,
   and stamp it (a timestamped ``cosignature/v1`` by this installation's witness key),
5. move the head (and its stamp) with a compare-and-swap on its size.

Between batches :func:`restamp` renews the stamp of the current checkpoint once it is older than
``CHANCERY_LOG_STAMP_INTERVAL``, even when nothing new arrived: the served checkpoint then
carries a fresh signed time, so an outside monitor can tell an idle log (recent stamp, same
size) from a stopped sequencer or a stale copy (old stamp).

A crash anywhere before the commit rolls all of it back: the events stay pending and the next
batch integrates them, so nothing acknowledged (committed) is ever lost. Events that commit out
of id order (a slow transaction on PostgreSQL) are simply integrated by a later batch: the log
order is the order of integration, recorded in ``seq``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction

from chancery import clock
from chancery.ledger import keys, liveness, merkle, note, tiles
from chancery.ledger.models import ENTRIES_LEVEL, Checkpoint, Event, LogHead, Tile
from chancery.outages import DATABASE

log = logging.getLogger(__name__)

HEAD_PK = 1


class LogIntegrityError(RuntimeError):
    """The stored log contradicts itself; the sequencer refuses to sign anything further."""


class HeadMoved(RuntimeError):
    """Another sequencer moved the head during this batch (the compare-and-swap failed)."""


@dataclass(frozen=True)
class Integrated:
    old_size: int
    new_size: int

    @property
    def count(self) -> int:
        return self.new_size - self.old_size


def split_hashes(data: bytes) -> list[bytes]:
    h = merkle.HASH_SIZE
    return [bytes(data[i : i + h]) for i in range(0, len(data), h)]


def _tile_row(level: int, index: int, width: int) -> tuple[int, bytes, bytes]:
    """(stored width, data, inner) of a stored tile at least ``width`` wide;
    :class:`tiles.TileError` if the log has no such tile yet.

    A plain cursor rather than the ORM: a proof reads a few tiles, and the ORM's query building
    cost several times the query itself (bench/ledger.py)."""
    with connection.cursor() as cursor:
        cursor.execute(_TILE_SQL, [level, index])
        row = cursor.fetchone()
    if row is None or row[0] < width:
        have = "none" if row is None else f"width {row[0]}"
        raise tiles.TileError(f"tile {level}/{index} of width {width} is not stored ({have})")
    return row[0], bytes(row[1]), bytes(row[2] or b"")


def stored_tile(level: int, index: int, width: int) -> bytes:
    """The first ``width`` hashes (or entries) of a stored tile, as served."""
    stored, data, _ = _tile_row(level, index, width)
    if level == ENTRIES_LEVEL:
        return data if stored == width else tiles.encode_entries(tiles.decode_entries(data)[:width])
    return data[: width * merkle.HASH_SIZE]


_TILE_SQL = (
    f'SELECT width, data, "inner" FROM {Tile._meta.db_table} WHERE level = %s AND "index" = %s'  # noqa: S608
)
FULL_TILE = tiles.TILE_WIDTH * merkle.HASH_SIZE


def proof_tile(level: int, index: int, width: int) -> tuple[bytes, bytes | None]:
    """A hash tile for proofs: its first ``width`` hashes and, for a full tile, its stored inner
    nodes, so the reader does not recompute them."""
    _, data, inner = _tile_row(level, index, width)
    full = width == tiles.TILE_WIDTH and bool(inner)
    return data[: width * merkle.HASH_SIZE], inner if full else None

TILE_CACHE = tiles.TileCache(capacity=1024)
"""Tiles read by this process's proofs. Safe to share for ever: the key includes the width, and
a tile's first W hashes never change."""


def proof_reader(head: LogHead) -> tiles.TileHashReader:
    """A reader of the current tree for proofs, seeded with the head's stored right edge."""
    edge = split_hashes(bytes(head.checkpoint.right_edge))
    return tiles.TileHashReader(head.size, proof_tile, cache=TILE_CACHE, right_edge=edge)


def signed_checkpoint(signer: note.Signer, size: int, root: bytes) -> str:
    return note.sign_note(note.Checkpoint(origin=signer.name, size=size, root=root).body(), signer)


def stamp(
    origin: str, size: int, root: bytes, at: dt.datetime | None = None
) -> tuple[str, dt.datetime]:
    """The stamp of a checkpoint: this installation's witness key's timestamped cosignature
    (C2SP tlog-cosignature, ``cosignature/v1``) of the checkpoint body, as a signature line, and
    its time. The time is the machine's (``clock.wall()``, not the demo's 2020 clock: an outside
    monitor compares it with its own), to the whole second, as the cosignature carries it."""
    moment = at or clock.wall()
    timestamp = int(moment.timestamp())
    body = note.Checkpoint(origin=origin, size=size, root=root).body()
    line = keys.witness_signer().cosign(body, timestamp)
    return line, dt.datetime.fromtimestamp(timestamp, dt.UTC)


def served(head: LogHead) -> str:
    """The checkpoint as ``/log/checkpoint`` serves it: one C2SP signed note with the log's own
    signature first, then the head's stamp, then any witnesses' cosignatures.

    A verifier ignores the signatures of keys it does not know, so the stamp costs those who do
    not check it nothing. A witness line by the stamp's own key (this installation witnessing
    itself) is left out: the stamp is the newer of the two."""
    base = head.checkpoint.served
    line = head.stamp
    split = base.rfind("\n\n")
    if not line or split < 0 or not base.endswith("\n"):
        return base
    text, lines = base[: split + 2], base[split + 2 :].splitlines(keepends=True)
    try:
        mine = note.parse_signature_line(line)
    except note.NoteError:  # never written so; serve what the log signed rather than fail
        log.error("the log head's stamp is not a signature line: %r", line[:200])
        return base
    others = []
    for sig_line in lines[1:]:
        try:
            sig = note.parse_signature_line(sig_line)
        except note.NoteError:
            others.append(sig_line)
            continue
        if (sig.name, sig.key_id) != (mine.name, mine.key_id):
            others.append(sig_line)
    return text + "".join(lines[:1]) + line + "".join(others)


def _create_head(signer: note.Signer) -> LogHead:
    """The empty log: a signed and stamped checkpoint of size 0, so /log/checkpoint answers
    from the start."""
    cp = Checkpoint.objects.create(
        size=0,
        root=merkle.EMPTY_ROOT,
        note=signed_checkpoint(signer, 0, merkle.EMPTY_ROOT),
        right_edge=b"",
        created_at=clock.now(),
    )
    line, at = stamp(signer.name, 0, merkle.EMPTY_ROOT)
    return LogHead.objects.create(
        pk=HEAD_PK, origin=signer.name, vkey=signer.vkey, size=0, checkpoint=cp,
        stamp=line, stamped_at=at,
    )


def current_head() -> LogHead | None:
    """The log head with its checkpoint; ``None`` before the sequencer's first start."""
    return LogHead.objects.select_related("checkpoint").filter(pk=HEAD_PK).first()


def ensure_head() -> LogHead:
    """The log head, creating the empty log (and the signing key) on first start."""
    head = current_head()
    if head is not None:
        return head
    signer = keys.log_signer()
    try:
        with transaction.atomic():
            return _create_head(signer)
    except IntegrityError:  # another process made it first
        return LogHead.objects.select_related("checkpoint").get(pk=HEAD_PK)


def _assign_seq(ids: list[int], first: int) -> None:
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS e SET seq = v.seq FROM "  # noqa: S608 - table name is ours
                "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS seq) AS v "
                "WHERE e.id = v.id AND e.seq IS NULL",
                [ids, list(range(first, first + len(ids)))],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                [(first + n, pk) for n, pk in enumerate(ids)],
            )
        if cursor.rowcount != len(ids):
            raise HeadMoved("pending events were integrated by someone else during this batch")


def _write_tiles(hash_tiles: dict[tuple[int, int], bytes], bundles: dict[int, bytes]) -> None:
    rows = [
        Tile(
            level=level,
            index=index,
            width=len(data) // merkle.HASH_SIZE,
            data=data,
            inner=tiles.tile_inner_nodes(data) if len(data) == FULL_TILE else b"",
        )
        for (level, index), data in hash_tiles.items()
    ]
    rows += [
        Tile(
            level=ENTRIES_LEVEL,
            index=index,
            width=len(tiles.decode_entries(data)),
            data=data,
        )
        for index, data in bundles.items()
    ]
    Tile.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["level", "index"],
        update_fields=["width", "data", "inner"],
        batch_size=500,
    )


def integrate(limit: int | None = None) -> Integrated:
    """Integrate one batch of pending events; returns the sizes before and after.

    The reading, hashing, tile building and signing happen before the write transaction, which
    then only writes, guarded by the head's size: SQLite has one write lock for the whole
    database, and intake must not wait behind a batch's computing. If another sequencer moved
    the head meanwhile, :class:`HeadMoved` is raised and nothing is written."""
    limit = limit or settings.CHANCERY_LOG_BATCH
    head = ensure_head()
    signer = keys.log_signer()
    last = head.checkpoint
    size = head.size
    if head.origin != signer.name:
        raise LogIntegrityError(
            f"the log is {head.origin!r} but the signing key is for {signer.name!r}"
        )
    rows = list(
        Event.objects.filter(seq__isnull=True).order_by("id").values_list("id", "leaf")[:limit]
    )
    if not rows:
        return Integrated(size, size)
    ids = [pk for pk, _ in rows]
    leaves = [bytes(leaf) for _, leaf in rows]
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]

    tree = merkle.Tree.from_right_edge(size, split_hashes(bytes(last.right_edge)))
    old_root = bytes(last.root)
    if tree.root() != old_root:
        raise LogIntegrityError(f"the stored right edge at size {size} does not give its root")
    tree.extend(hashes)
    new_size, new_root = tree.size, tree.root()

    update = tiles.extend(size, stored_tile, hashes)
    bundles = tiles.extend_entries(size, stored_tile_entries, leaves)

    def read(level: int, index: int, width: int) -> bytes:
        data = update.tiles.get((level, index))
        if data is not None:
            return data[: width * merkle.HASH_SIZE]
        return stored_tile(level, index, width)

    reader = tiles.TileHashReader(new_size, read)
    if reader.root() != new_root:
        raise LogIntegrityError(f"the tiles and the tree disagree at size {new_size}")
    if size and not merkle.verify_consistency(
        size, new_size, old_root, new_root, reader.consistency_proof(size)
    ):
        raise LogIntegrityError(f"size {new_size} is not consistent with size {size}")
    note_text = signed_checkpoint(signer, new_size, new_root)
    stamp_line, stamped_at = stamp(signer.name, new_size, new_root)

    with transaction.atomic():
        locked = LogHead.objects.select_for_update().filter(pk=HEAD_PK).values("size").first()
        if locked is None or locked["size"] != size:
            raise HeadMoved(f"the head left size {size} before this batch could be written")
        _assign_seq(ids, size)
        _write_tiles(update.tiles, bundles)
        cp = Checkpoint.objects.create(
            size=new_size,
            root=new_root,
            note=note_text,
            right_edge=b"".join(tree.right_edge),
            created_at=clock.now(),
        )
        moved = LogHead.objects.filter(pk=HEAD_PK, size=size).update(
            size=new_size, checkpoint=cp, stamp=stamp_line, stamped_at=stamped_at
        )
        if moved != 1:
            raise HeadMoved(f"the head left size {size} during this batch")
    return Integrated(size, new_size)


def restamp(older_than: float | None = None) -> bool:
    """Renew the stamp of the current checkpoint if it is older than ``older_than`` seconds
    (default ``CHANCERY_LOG_STAMP_INTERVAL``) or missing; whether it was renewed.

    The write is a compare-and-swap on the head's size, checkpoint and stamp as read, so a
    batch that moved the head meanwhile (its own stamp is newer anyway) or another sequencer
    that renewed the stamp first wins. A stamp from the future (the clock was set back) is
    renewed too, so the stamp follows the clock the pages read."""
    older_than = settings.CHANCERY_LOG_STAMP_INTERVAL if older_than is None else older_than
    head = current_head()
    if head is None:
        return False
    now = clock.wall()
    if (
        head.stamp
        and head.stamped_at is not None
        and abs((now - head.stamped_at).total_seconds()) < older_than
    ):
        return False
    line, at = stamp(head.origin, head.size, bytes(head.checkpoint.root), now)
    moved = LogHead.objects.filter(
        pk=HEAD_PK, size=head.size, checkpoint_id=head.checkpoint_id, stamp=head.stamp
    ).update(stamp=line, stamped_at=at)
    return moved == 1


def stored_tile_entries(index: int, width: int) -> bytes:
    return stored_tile(ENTRIES_LEVEL, index, width)


def integrate_all(limit: int | None = None) -> int:
    """Integrate batches until nothing is pending; returns how many events were integrated."""
    total, races = 0, 0
    while True:
        try:
            batch = integrate(limit)
        except HeadMoved:  # another sequencer wrote first: read the new head and go again
            races += 1
            if races > 100:
                raise
            continue
        total += batch.count
        if batch.count < (limit or settings.CHANCERY_LOG_BATCH):
            return total


def run_forever(
    stop: threading.Event | None = None,
    interval: float | None = None,
    after_batch: Callable[[], object] | None = None,
) -> None:
    """Integrate every ``interval`` seconds (at most 1 s apart) until ``stop`` is set, and
    renew the current checkpoint's stamp when it is older than ``CHANCERY_LOG_STAMP_INTERVAL``
    (:func:`restamp`)."""
    stop = stop or threading.Event()
    interval = interval if interval is not None else settings.CHANCERY_LOG_INTERVAL
    announced = False
    while not stop.is_set():
        close_old_connections()
        try:
            if not announced:
                head = ensure_head()
                log.warning(
                    "transparency log %s, verifier key %s, timestamp key %s",
                    head.origin, head.vkey, keys.witness_signer().vkey,
                )
                announced = True
            liveness.record_tick(integrate_all(), interval)  # the heartbeat, every tick
            restamp()
            if after_batch is not None:
                # Every tick, not only after this thread's batches: the worker's own pass may
                # have integrated one. It is cheap (it only wakes the witness thread).
                after_batch()
        except HeadMoved:
            log.info("another sequencer moved the head; retrying")
            continue
        except Exception as exc:  # noqa: BLE001 - keep sequencing; the next batch retries
            # A lost database is logged once per outage (chancery.outages), not every tick.
            if not DATABASE.failed(exc, "in the sequencer", "retrying every tick"):
                log.exception("sequencer batch failed")
        else:
            DATABASE.reached()
        stop.wait(interval)
