"""``chancery verify``: re-derive the whole log from the database rows and check every link.

Two streaming passes (memory does not grow with the log):

Pass 1, the log as published (:func:`_check_log`). The stored leaves in index order: an index
that does not follow the previous one is a deleted or renumbered row; their hashes must be the
level-0 tiles, and the leaves the entry bundles, byte for byte; the tiles of every level above
must be the roots of the tiles below; and the tree they make must have, at every stored
checkpoint's size, that checkpoint's signed root (each checkpoint's signature verifies with the
log's key and its text names the stored size and root). All roots come from one rebuilt tree,
so the checkpoints are consistent with each other. Checkpoints seen elsewhere (files a monitor
or witness kept, ``--checkpoint``) must verify and agree too: two signed roots for one size is a
fork.

Pass 2, the rows behind the log (:func:`check_rows`). Every integrated event's leaf is rebuilt
from the row's columns with :func:`~chancery.ledger.services.build_leaf` and must equal the
stored leaf (an edited row); every message row must match its ``message.received`` event (the
content commitment recomputed from the body and salt, the principal, sender office and
channel), and a message without that event, or an event whose message is gone, is reported.

The first divergent entry is named: the earliest log index at which the database and the log
disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from chancery.ledger import merkle, note, tiles
from chancery.ledger.models import ENTRIES_LEVEL, Checkpoint, Event, LogHead, Tile
from chancery.ledger.sequencer import HEAD_PK
from chancery.ledger.services import build_leaf, leaf_time

CHUNK = 5000


@dataclass
class Report:
    origin: str = ""
    size: int = 0
    entries: int = 0
    checkpoints: int = 0
    messages: int = 0
    rows: int = 0
    pending: int = 0
    first_divergent: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def diverge(self, index: int, problem: str) -> None:
        if self.first_divergent is None or index < self.first_divergent:
            self.first_divergent = index
        self.problems.append(problem)


def _stored_tiles(level: int) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(index, width, data, inner) of the stored tiles of one level, in order, a page at a
    time (``inner``: the inner nodes kept beside a full hash tile, or empty)."""
    sql = (
        f'SELECT "index", width, data, "inner" FROM {Tile._meta.db_table} '  # noqa: S608
        'WHERE level = %s AND "index" >= %s ORDER BY "index" LIMIT 64'
    )
    start = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [level, start])
            page = cursor.fetchall()
        if not page:
            return
        for index, width, data, inner in page:
            yield index, width, bytes(data), bytes(inner or b"")
        start = page[-1][0] + 1


_NAIVE_UTC = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?")
"""How SQLite holds a time (UTC, no offset): exactly what ``isoformat`` gives, with a space."""


def _leaf_time(at: Any) -> str:
    """The leaf's time from the column as the database returns it. SQLite keeps
    ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC (selected as text: parsing it is most of the cost
    of a row); PostgreSQL returns an aware datetime."""
    if isinstance(at, str):
        if _NAIVE_UTC.fullmatch(at):
            return at[:10] + "T" + at[11:] + "Z"
        parsed = dt.datetime.fromisoformat(at)
        at = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return leaf_time(at)


def _cursor_rows(sql: str) -> Iterator[tuple[Any, ...]]:
    """Rows streamed from the database, a chunk at a time.

    On PostgreSQL a named (server-side) cursor with binary results: in text format every leaf
    (``bytea``) would cross the wire as hex and be decoded in Python, twice the bytes and most of
    the time of the pass."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            raw = connection.connection
            with raw.cursor(name=f"chancery_verify_{id(sql)}", binary=True) as cursor:
                cursor.itersize = CHUNK
                cursor.execute(sql)
                while rows := cursor.fetchmany(CHUNK):
                    yield from rows
        return
    yield from _chunked(sql)


def _chunked(sql: str) -> Iterator[tuple[Any, ...]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _rows(sql: str, json_column: int | None = None) -> Iterator[tuple[Any, ...]]:
    """Like :func:`_cursor_rows` with plain cursors (two of these are read side by side), and
    the JSON column decoded."""
    for row in _chunked(sql):
        if json_column is not None and isinstance(row[json_column], (str, bytes)):
            row = (*row[:json_column], orjson.loads(row[json_column]), *row[json_column + 1 :])
        yield row


def verify_log(
    *,
    vkey: str | None = None,
    other_checkpoints: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    rows: bool = True,
) -> Report:
    """Check the log (pass 1) and, with ``rows``, re-derive every leaf from its row (pass 2)
    and check the messages against their events."""
    report = Report()
    head = LogHead.objects.filter(pk=HEAD_PK).first()
    if head is None:
        report.problems.append("the log has no head: the sequencer has never run here")
        return report
    report.origin, report.size = head.origin, head.size
    try:
        verifier = note.Verifier.from_text(vkey or head.vkey)
    except note.NoteError as exc:
        report.problems.append(f"the verifier key is unusable: {exc}")
        return report
    if vkey and vkey.strip() != head.vkey:
        report.problems.append("the database names another verifier key than the one given")

    # Sizes at which the rebuilt tree's root is compared, with what each claims.
    claims: dict[int, list[tuple[str, bytes]]] = {}

    def claim(where: str, text: str) -> note.Checkpoint | None:
        try:
            cp, _ = note.open_checkpoint(text, verifier)
        except note.NoteError as exc:
            report.problems.append(f"{where}: does not verify with the log's key ({exc})")
            return None
        claims.setdefault(cp.size, []).append((where, cp.root))
        return cp

    for size, root, text in Checkpoint.objects.order_by("size").values_list(
        "size", "root", "note"
    ):
        report.checkpoints += 1
        where = f"stored checkpoint {size}"
        cp = claim(where, text)
        if cp is not None and (cp.size, cp.root, cp.origin) != (size, bytes(root), head.origin):
            report.problems.append(f"{where}: its signed text does not match its row")
    for n, text in enumerate(other_checkpoints or [], 1):
        cp = claim(f"checkpoint file {n}", text)
        if cp is not None and cp.size > head.size:
            report.problems.append(
                f"checkpoint file {n}: signed for size {cp.size}, beyond the database's "
                f"{head.size}: the database lost entries, or the key signed a tree it never stored"
            )

    _check_log(report, head.size, claims, progress)
    for size in sorted(claims):
        if size == 0:
            _check_claims(report, merkle.Tree(), claims[size])
        elif size <= head.size:
            for where, _ in claims[size]:
                report.problems.append(f"{where}: could not be checked (entries missing)")
    if rows:
        check_rows(report)
    report.pending = Event.objects.filter(seq__isnull=True).count()
    return report


def _check_log(
    report: Report,
    size: int,
    claims: dict[int, list[tuple[str, bytes]]],
    progress: Callable[[int], None] | None,
) -> None:
    """Pass 1, the log as published: the stored leaves in index order, hashed, must be the
    level-0 tiles and the entry bundles byte for byte; the tiles above must be the roots of the
    tiles below; the tree they make must have, at every checkpoint's size, its signed root."""
    level0 = _stored_tiles(0)
    bundles = _stored_tiles(ENTRIES_LEVEL)
    tree = merkle.Tree()
    # Checkpoint sizes, ascending: a block of 256 entries with none inside it is appended to
    # the tree as one subtree (its tile root), the others entry by entry.
    pending_claims = sorted(claims)
    upper: list[bytes] = []  # level-1 hashes: the roots of the full level-0 tiles
    leaves: list[bytes] = []
    events = Event._meta.db_table
    expected = 0
    for seq, leaf in _cursor_rows(
        f"SELECT seq, leaf FROM {events} WHERE seq IS NOT NULL ORDER BY seq"  # noqa: S608
    ):
        if seq != expected:
            report.diverge(
                expected, f"entry {expected} is missing (the next row is at index {seq}): "
                "an event row was deleted or renumbered",
            )
            break
        leaves.append(bytes(leaf))
        expected += 1
        if len(leaves) == tiles.TILE_WIDTH:
            _add_block(report, tree, leaves, level0, bundles, upper, claims, pending_claims)
            leaves = []
            if progress is not None and tree.size % 262_144 == 0:
                progress(tree.size)
    if leaves:
        _add_block(report, tree, leaves, level0, bundles, upper, claims, pending_claims)
    report.entries = tree.size
    if report.entries < size and report.first_divergent is None:
        report.diverge(
            report.entries, f"the log has {size} entries but the database only {report.entries}"
        )
    _check_upper_tiles(report, upper)


def _add_block(
    report: Report,
    tree: merkle.Tree,
    leaves: list[bytes],
    level0: Iterator[tuple[int, int, bytes, bytes]],
    bundles: Iterator[tuple[int, int, bytes, bytes]],
    upper: list[bytes],
    claims: dict[int, list[tuple[str, bytes]]],
    pending_claims: list[int],
) -> None:
    """Hash one tile's worth of leaves, check it against the stored tiles, grow the tree and
    check the checkpoints whose sizes fall in it."""
    sha256 = hashlib.sha256
    hashes = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
    start, end = tree.size, tree.size + len(hashes)
    root = _check_block(report, start >> tiles.TILE_HEIGHT, leaves, hashes, level0, bundles)
    while pending_claims and pending_claims[0] <= start:
        pending_claims.pop(0)
    if root is not None and not (pending_claims and pending_claims[0] < end):
        tree.append_subtree(tiles.TILE_HEIGHT, root)
        upper.append(root)
    else:
        for h in hashes:
            tree.append(h)
            if tree.size in claims:
                _check_claims(report, tree, claims.pop(tree.size))
        if root is not None:
            upper.append(root)
    if end in claims:
        _check_claims(report, tree, claims.pop(end))


def _check_block(
    report: Report,
    tile: int,
    leaves: list[bytes],
    hashes: list[bytes],
    level0: Iterator[tuple[int, int, bytes, bytes]],
    bundles: Iterator[tuple[int, int, bytes, bytes]],
) -> bytes | None:
    """One tile's worth of entries (256, or fewer at the end) against the stored level-0 tile
    and entry bundle; returns the tile's root when it is full."""
    first = tile << tiles.TILE_HEIGHT
    joined = b"".join(hashes)
    stored = next(level0, None)
    if stored is None or stored[0] != tile or stored[2][: len(joined)] != joined:
        data = stored[2] if stored is not None and stored[0] == tile else b""
        at = next(
            (n for n, h in enumerate(hashes) if data[n * 32 : n * 32 + 32] != h), len(hashes) - 1
        )
        report.diverge(first + at, f"entry {first + at} differs from the published hash tile")
    bundle = next(bundles, None)
    if bundle is None or bundle[0] != tile or bundle[2] != tiles.encode_entries(leaves):
        report.diverge(first, f"entry bundle {tile} (entries {first}…) differs from the leaves")
    if len(hashes) != tiles.TILE_WIDTH:
        return None
    inner = tiles.tile_inner_nodes(joined)
    if stored is not None and stored[0] == tile and stored[3] not in (b"", inner):
        report.diverge(first, f"the inner nodes kept with hash tile 0/{tile} are wrong")
    return inner[-32:]


def _check_upper_tiles(report: Report, hashes: list[bytes]) -> None:
    """The stored tiles of levels 1 and up against the roots computed from the level below."""
    level = 1
    while hashes:
        rows = list(_stored_tiles(level))
        stored = b"".join(data[: width * 32] for _, width, data, _ in rows)
        computed = b"".join(hashes)
        if stored != computed:
            report.problems.append(f"the stored hash tiles of level {level} differ from the leaves")
            return
        for index, width, data, inner in rows:
            if inner and (width != tiles.TILE_WIDTH or inner != tiles.tile_inner_nodes(data)):
                report.problems.append(
                    f"the inner nodes kept with hash tile {level}/{index} are wrong"
                )
        full = len(computed) // (tiles.TILE_WIDTH * 32)
        hashes = [
            tiles.tile_root(computed[n * 8192 : (n + 1) * 8192]) for n in range(full)
        ]
        level += 1
    if any(True for _ in _stored_tiles(level)):
        report.problems.append(f"there are stored hash tiles at level {level}, beyond the tree")


def check_rows(report: Report) -> None:
    """Pass 2: every integrated event's leaf re-derived from its row's columns, then every
    message against its ``message.received`` event."""
    users = dict(get_user_model().objects.values_list("pk", "username"))
    events = Event._meta.db_table
    first_bad = None
    for seq, pk, kind, stype, sid, at, actor_id, data, salt, stored in _cursor_rows(
        "SELECT seq, id, kind, subject_type, subject_id, CAST(at AS TEXT), actor_id, "  # noqa: S608
        f"CAST(data AS TEXT), salt, leaf FROM {events} WHERE seq IS NOT NULL ORDER BY seq"
    ):
        actor = users.get(actor_id) if actor_id is not None else None
        leaf = build_leaf(kind, stype, sid, _leaf_time(at), actor, orjson.loads(data), salt)
        if leaf != stored and leaf != bytes(stored):
            first_bad = (seq, pk, kind)
            break
        report.rows += 1
    if first_bad is not None:
        seq, pk, kind = first_bad
        report.diverge(seq, f"entry {seq} (event #{pk}, {kind}) does not match its row: edited")
    _check_messages(report)


def _check_claims(report: Report, tree: merkle.Tree, claims: list[tuple[str, bytes]]) -> None:
    root = tree.root()
    for where, claimed in claims:
        if claimed != root:
            report.diverge(
                tree.size - 1 if tree.size else 0,
                f"{where}: root {claimed.hex()[:16]}… for size {tree.size}, but the rows give "
                f"{root.hex()[:16]}… (a fork, or rows changed before index {tree.size})",
            )


def _check_messages(report: Report) -> None:
    """Merge-join messages (by id) with their received events (by subject id)."""
    from chancery.correspondence.models import Message
    from chancery.directory.models import Principal

    events = Event._meta.db_table
    received = _rows(
        f"SELECT subject_id, data, seq FROM {events} "  # noqa: S608 - our table names
        "WHERE subject_type = 'message' AND kind = 'message.received' ORDER BY subject_id, id",
        json_column=1,
    )
    messages = _rows(
        "SELECT m.id, m.body, m.salt, m.commitment, p.slug, m.sender_office_id, m.channel "  # noqa: S608
        f"FROM {Message._meta.db_table} m JOIN {Principal._meta.db_table} p "
        "ON p.id = m.principal_id ORDER BY m.id"
    )
    event = next(received, None)
    for pk, body, salt, commitment, principal, office, channel in messages:
        report.messages += 1
        while event is not None and event[0] < pk:
            _divergent_event(report, event, "its message row is gone (deleted)")
            event = next(received, None)
        if event is None or event[0] != pk:
            report.problems.append(
                f"message #{pk} has no message.received event: written behind the application"
            )
            continue
        _, data, seq = event
        recomputed = hashlib.sha256(bytes.fromhex(salt) + body.encode()).hexdigest()
        differences = [
            name
            for name, row, logged in (
                ("content", recomputed, data.get("commitment")),
                ("stored commitment", commitment, data.get("commitment")),
                ("principal", principal, data.get("principal")),
                ("sender office", office, data.get("office")),
                ("channel", channel, data.get("channel")),
            )
            if row != logged
        ]
        if differences:
            _divergent_event(
                report, event, f"message #{pk} was changed: {', '.join(differences)} differ"
            )
        event = next(received, None)
        while event is not None and event[0] == pk:
            event = next(received, None)
    while event is not None:
        _divergent_event(report, event, "its message row is gone (deleted)")
        event = next(received, None)


def _divergent_event(report: Report, event: tuple[int, Any, int | None], why: str) -> None:
    sid, _, seq = event
    if seq is None:
        report.problems.append(f"message #{sid} (not yet in the log): {why}")
    else:
        report.diverge(seq, f"entry {seq} (message #{sid} received): {why}")
