"""The sequencer: the one writer that integrates pending events into the transparency log.

Each batch runs in one database transaction:

1. lock the log head (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite has one writer anyway),
2. take the oldest pending events (``seq`` empty) in id order, up to ``CHANCERY_LOG_BATCH``,
3. hash their leaves, extend the tree's right edge and the C2SP tiles (hash tiles and entry
   bundles), and check that the tiles give the same root and that the new tree is consistent
   with the previous head (a consistency proof computed from the new tiles, verified against the
   old signed root),
4. give the events their log indexes, write the tiles, sign a C2SP checkpoint with Ed25519,
5. move the head with a compare-and-swap on its size.

A crash anywhere before the commit rolls all of it back: the events stay pending and the next
batch integrates them, so nothing acknowledged (committed) is ever lost. Events that commit out
of id order (a slow transaction on PostgreSQL) are simply integrated by a later batch: the log
order is the order of integration, recorded in ``seq``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction

from chancery import clock
from chancery.ledger import keys, merkle, note, tiles
from chancery.ledger.models import ENTRIES_LEVEL, Checkpoint, Event, LogHead, Tile

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


def _create_head(signer: note.Signer) -> LogHead:
    """The empty log: a signed checkpoint of size 0, so /log/checkpoint answers from the start."""
    cp = Checkpoint.objects.create(
        size=0,
        root=merkle.EMPTY_ROOT,
        note=signed_checkpoint(signer, 0, merkle.EMPTY_ROOT),
        right_edge=b"",
        created_at=clock.now(),
    )
    return LogHead.objects.create(
        pk=HEAD_PK, origin=signer.name, vkey=signer.vkey, size=0, checkpoint=cp
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
            size=new_size, checkpoint=cp
        )
        if moved != 1:
            raise HeadMoved(f"the head left size {size} during this batch")
    return Integrated(size, new_size)


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
    """Integrate every ``interval`` seconds (at most 1 s apart) until ``stop`` is set."""
    stop = stop or threading.Event()
    interval = interval if interval is not None else settings.CHANCERY_LOG_INTERVAL
    announced = False
    while not stop.is_set():
        close_old_connections()
        try:
            if not announced:
                head = ensure_head()
                log.warning("transparency log %s, verifier key %s", head.origin, head.vkey)
                announced = True
            integrate_all()
            if after_batch is not None:
                # Every tick, not only after this thread's batches: the worker's own pass may
                # have integrated one. It is cheap (it only wakes the witness thread).
                after_batch()
        except HeadMoved:
            log.info("another sequencer moved the head; retrying")
            continue
        except Exception:  # noqa: BLE001 - keep sequencing; the next batch retries
            log.exception("sequencer batch failed")
        stop.wait(interval)
