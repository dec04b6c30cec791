"""``chancery verify``: re-derive the whole log from the database rows and check every link.

Streaming passes (memory does not grow with the log):

Pass 1, the log as published (:func:`_check_log`). The stored leaves in index order: an index
that does not follow the previous one is a deleted or renumbered row; their hashes must be the
level-0 tiles, and the leaves the entry bundles, byte for byte; the tiles of every level above
must be the roots of the tiles below; and the tree they make must have, at every stored
checkpoint's size, that checkpoint's signed root (each checkpoint's signature verifies with the
log's key and its text names the stored size and root). All roots come from one rebuilt tree,
so the checkpoints are consistent with each other. Checkpoints from outside the database must
verify and agree too: files given with ``--checkpoint``, a monitor's state (``--monitor-state``),
and the newest checkpoint a configured witness cosigned (whose cosignature an insider cannot
make). Without any of these the report says plainly that it compared the database only with
itself: an insider who rewrote rows, tiles and checkpoints consistently (with the log's key)
would not be seen.

Pass 2, the rows behind the log, in parallel processes (:func:`check_rows`):

- over ranges of log indexes: no event's time runs backwards against the log's order by more
  than ``CHANCERY_VERIFY_CLOCK_SKEW`` seconds (events take their time a moment before their
  transaction commits, and the sequencer integrates them in commit order, so two concurrent
  transactions may interleave by that much; more is a reordered or back-dated entry);
- over ranges of subject ids, each subject type's events read once: every integrated event's
  leaf is rebuilt from the row's columns with :func:`~chancery.ledger.services.build_leaf` and
  must equal the stored leaf (an edited row), and for every subject type an app registered
  checks for (``ledger.checks``) each subject's events are replayed by the app's rules and
  compared with its rows (every field a leaf carries, the lifecycle, the final state).

The headline names the first divergent entry: the earliest log index at which the database and
the log disagree. When only a signed root says so (a tree rewritten consistently), the index is
the start of the earliest perfect subtree whose root differs from what the signer kept, or the
size of the last checkpoint that still agrees: no entry before it differs.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, connections, transaction

from chancery.ledger import checks, kinds, merkle, note, tiles
from chancery.ledger.checks import stream
from chancery.ledger.models import ENTRIES_LEVEL, Checkpoint, Event, LogHead, Tile
from chancery.ledger.sequencer import HEAD_PK
from chancery.ledger.services import LEAF_VERSION, leaf_time, private_commitment

CHUNK = 5000
PARALLEL_MIN = 50_000
"""Below this many entries pass 2 runs in this process (starting processes costs more)."""


@dataclass
class Claim:
    """A root for a tree size that something signed, and where it was seen; ``edge``: the
    right edge the signer kept with it, when known (it locates a divergence)."""

    where: str
    root: bytes
    edge: list[bytes] | None = None
    external: bool = True
    """Seen outside the database (an insider with the key re-signs what the database holds)."""


@dataclass
class Report:
    origin: str = ""
    size: int = 0
    entries: int = 0
    checkpoints: int = 0
    rows: int = 0
    subjects: dict[str, int] = field(default_factory=dict)
    pending: int = 0
    processes: int = 1
    first_divergent: int | None = None
    agreed: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})
    """The largest tree size whose root an outside claim (True) or any claim (False)
    confirmed: no entry before it differs (as far as such claims can tell)."""
    problems: list[str] = field(default_factory=list)
    compared_with: list[str] = field(default_factory=list)
    """What outside the database the log was compared with (witness, monitor, files)."""
    notes: list[str] = field(default_factory=list)

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
_PG_UTC = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00")
"""How PostgreSQL gives a UTC time as text: trailing zeros of the fraction dropped, ``+00``."""


def _leaf_time(at: Any) -> str:
    """The leaf's time from the column as the database returns it. SQLite keeps
    ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC, PostgreSQL gives ``YYYY-MM-DD HH:MM:SS[.f…]+00``
    (selected as text: parsing it is most of the cost of a row; both usual forms are rewritten
    as text); anything else is parsed (an aware datetime as it is)."""
    if isinstance(at, str):
        if _NAIVE_UTC.fullmatch(at):
            return at[:10] + "T" + at[11:] + "Z"
        if _PG_UTC.fullmatch(at):
            if len(at) == 22:
                return at[:10] + "T" + at[11:19] + "Z"
            fraction = at[20:-3]
            if fraction.strip("0"):
                return at[:10] + "T" + at[11:20] + fraction.ljust(6, "0") + "Z"
            return at[:10] + "T" + at[11:19] + "Z"
        parsed = dt.datetime.fromisoformat(at)
        at = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return leaf_time(at)


def _clock_skew() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "CHANCERY_VERIFY_CLOCK_SKEW", 5.0)))


def verify_log(
    *,
    vkey: str | None = None,
    other_checkpoints: list[str] | None = None,
    monitor_state: str | os.PathLike[str] | None = None,
    progress: Callable[[int], None] | None = None,
    rows: bool = True,
    processes: int | None = None,
) -> Report:
    """Check the log (pass 1) and, with ``rows``, the rows behind it (pass 2, in
    ``processes`` processes; default: one per CPU for a large log)."""
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
    claims: dict[int, list[Claim]] = {}

    def claim(
        where: str, text: str, edge: list[bytes] | None = None, *, external: bool = True
    ) -> note.Checkpoint | None:
        try:
            cp, _ = note.open_checkpoint(text, verifier)
        except note.NoteError as exc:
            report.problems.append(f"{where}: does not verify with the log's key ({exc})")
            return None
        if cp.size > head.size:
            report.problems.append(
                f"{where}: signed for size {cp.size}, beyond the database's {head.size}: the "
                "database lost entries, or the key signed a tree it never stored"
            )
            return cp
        if edge is not None and (
            len(edge) != cp.size.bit_count()
            or merkle.Tree.from_right_edge(cp.size, edge).root() != cp.root
        ):
            edge = None  # not the signed tree's edge: no use for locating
        claims.setdefault(cp.size, []).append(Claim(where, cp.root, edge, external))
        return cp

    for size, root, text, edge in Checkpoint.objects.order_by("size").values_list(
        "size", "root", "note", "right_edge"
    ):
        report.checkpoints += 1
        where = f"stored checkpoint {size}"
        cp = claim(where, text, _split_edge(bytes(edge)), external=False)
        if cp is not None and (cp.size, cp.root, cp.origin) != (size, bytes(root), head.origin):
            report.problems.append(f"{where}: its signed text does not match its row")
    for n, text in enumerate(other_checkpoints or [], 1):
        if claim(f"checkpoint file {n}", text):
            report.compared_with.append(f"checkpoint file {n}")
    if monitor_state is not None:
        _monitor_claims(report, Path(monitor_state), head.origin, claim, claims)
    _witness_claim(report, verifier, claim)
    _stamp_note(report, head)
    if not report.compared_with:
        report.notes.append(
            "nothing outside the database to compare with (no --checkpoint, no --monitor-state, "
            "no checkpoint cosigned by a configured witness): the rows, tiles and checkpoints "
            "agree with each other, but an insider holding the log's key who rewrote them all "
            "consistently would not be seen"
        )

    _check_log(report, head.size, claims, progress)
    for size in sorted(claims):
        if size == 0:
            _check_claims(report, merkle.Tree(), claims[size])
        else:
            for c in claims[size]:
                report.problems.append(f"{c.where}: could not be checked (entries missing)")
    if rows:
        check_rows(report, processes=processes)
    report.pending = Event.objects.filter(seq__isnull=True).count()
    return report


def _stamp_note(report: Report, head: LogHead) -> None:
    """A note of how old the current checkpoint's stamp is (a stopped sequencer stops renewing
    it); a problem if the stamp does not verify with this installation's witness key (checked
    when its key file exists) over the head's checkpoint."""
    from chancery import clock

    if not head.stamp or head.stamped_at is None:
        report.notes.append(
            f"the log's checkpoint (size {head.size}) has no stamp yet: the sequencer stamps it "
            "on its next tick (`chancery worker`)"
        )
        return
    age = (clock.wall() - head.stamped_at).total_seconds()
    when = head.stamped_at.isoformat().replace("+00:00", "Z")
    report.notes.append(
        f"the log's checkpoint (size {head.size}) was stamped {age:,.0f} s ago ({when}); the "
        f"sequencer renews the stamp every {settings.CHANCERY_LOG_STAMP_INTERVAL:g} s, so a much "
        "older stamp means it has stopped"
    )
    key_file = Path(settings.CHANCERY_WITNESS_KEY_FILE)
    if not key_file.exists():
        return
    from chancery.ledger.keys import witness_signer

    stamp_verifier = witness_signer().verifier()
    body = note.Checkpoint(head.origin, head.size, bytes(head.checkpoint.root)).body()
    try:
        sig = note.parse_signature_line(head.stamp)
        good = (sig.name, sig.key_id) == (
            stamp_verifier.name, stamp_verifier.key_id
        ) and stamp_verifier.verify(body.encode("utf-8"), sig.raw)
        timestamp = note.cosignature_timestamp(sig)
    except note.NoteError:
        good, timestamp = False, None
    if not good:
        report.problems.append(
            f"the log head's stamp does not verify with the timestamp key {stamp_verifier.vkey} "
            f"over the checkpoint of size {head.size}: the head row was edited"
        )
    elif timestamp != int(head.stamped_at.timestamp()):
        report.problems.append(
            f"the log head's stamp is signed for {timestamp}, but its row says {when}: the head "
            "row was edited"
        )


def _split_edge(data: bytes) -> list[bytes]:
    return [data[i : i + 32] for i in range(0, len(data), 32)]


def _witness_claim(
    report: Report, verifier: note.Verifier, claim: Callable[..., note.Checkpoint | None]
) -> None:
    """The newest stored checkpoint a configured witness cosigned (cosignature verified with
    the witness's key from ``CHANCERY_WITNESSES``): a root someone outside signed."""
    from chancery.ledger.witness import configured_witnesses

    witnesses = [w.verifier for w in configured_witnesses()]
    if not witnesses:
        return
    cosigned = Checkpoint.objects.exclude(cosigned="").order_by("-size").values_list(
        "size", "cosigned"
    )
    for size, text in cosigned.iterator():
        try:
            _cp, opened = note.open_checkpoint(text, verifier, witnesses)
        except note.NoteError:
            continue
        names = sorted({name for name, _kid, _ts in opened.cosignatures})
        if names:
            where = f"checkpoint {size} cosigned by witness {', '.join(names)}"
            claim(where, text)
            report.compared_with.append(where)
            return
    report.notes.append("no stored checkpoint carries a valid cosignature of a configured witness")


def _monitor_claims(
    report: Report,
    path: Path,
    origin: str,
    claim: Callable[..., note.Checkpoint | None],
    claims: dict[int, list[Claim]],
) -> None:
    """What a monitor (``chancery monitor --state``) accepted: its last checkpoint, and the
    right edge of the entries it verified (``ledger/monitor.py`` describes the files). ``path``
    is the state folder, or one of its ``.checkpoint``/``.entries.json`` files."""
    from chancery.ledger.monitor import state_stem

    if path.is_dir():
        stem = state_stem(origin)
        checkpoint_file, entries_file = path / f"{stem}.checkpoint", path / f"{stem}.entries.json"
    else:
        base = path.name.removesuffix(".entries.json").removesuffix(".checkpoint")
        checkpoint_file = path.with_name(base + ".checkpoint")
        entries_file = path.with_name(base + ".entries.json")
    if not checkpoint_file.exists():
        report.problems.append(f"{path}: no monitor checkpoint of {origin} there")
        return
    where = f"the monitor's checkpoint ({checkpoint_file.name})"
    if claim(where, checkpoint_file.read_text(encoding="utf-8")):
        report.compared_with.append(where)
    if not entries_file.exists():
        return
    try:
        state = json.loads(entries_file.read_text(encoding="utf-8"))
        edge = [base64.b64decode(h, validate=True) for h in state["right_edge"]]
        size, root = int(state["size"]), base64.b64decode(state["root"], validate=True)
        if merkle.Tree.from_right_edge(size, edge).root() != root:
            raise ValueError("its right edge does not give its root")
    except (ValueError, KeyError, TypeError) as exc:
        report.problems.append(f"{entries_file}: not a monitor's entry state ({exc})")
        return
    # Not signed itself: the monitor keeps it once the entries it covers were proven part of a
    # signed tree, and its right edge locates a divergence more closely than a root does.
    if size > report.size:
        report.problems.append(
            f"{entries_file}: the monitor verified {size} entries, beyond the database's "
            f"{report.size}: the database lost entries"
        )
        return
    where = f"the monitor's verified entries ({size})"
    claims.setdefault(size, []).append(Claim(where, root, edge))
    report.compared_with.append(where)


# --- Pass 1: the log as published ----------------------------------------------------------------


def _check_log(
    report: Report,
    size: int,
    claims: dict[int, list[Claim]],
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
    for seq, leaf in stream(
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
    claims: dict[int, list[Claim]],
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
        try:
            published = tiles.decode_entries(bundle[2]) if bundle and bundle[0] == tile else []
        except tiles.TileError:
            published = []
        at = next(
            (n for n, leaf in enumerate(leaves) if n >= len(published) or published[n] != leaf),
            len(leaves) - 1,
        )
        report.diverge(
            first + at, f"entry {first + at} differs from the published entry bundle {tile}"
        )
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


def _check_claims(report: Report, tree: merkle.Tree, claims: list[Claim]) -> None:
    """The rebuilt tree's root against what each claim signed for its size. A wrong root says
    only that some entry before ``tree.size`` differs: the first divergent entry named is the
    start of the first perfect subtree whose root differs from the claim's kept right edge, and
    never before the largest smaller size that claims confirmed (only outside claims count for
    an outside claim: an insider re-signs the checkpoints the database holds)."""
    root = tree.root()
    size = tree.size
    floors = dict(report.agreed)
    for c in claims:
        if c.root == root:
            for external in {c.external, False}:
                report.agreed[external] = max(report.agreed[external], size)
            continue
        if size == 0:
            report.problems.append(f"{c.where}: a root for the empty tree that is not its root")
            continue
        start, end = floors[c.external], size
        if c.edge is not None:
            offset = 0
            for bit, (ours, theirs) in zip(
                (b for b in reversed(range(size.bit_length())) if size >> b & 1),
                zip(tree.right_edge, c.edge, strict=True),
                strict=True,
            ):
                if ours != theirs:
                    start, end = max(start, offset), offset + (1 << bit)
                    break
                offset += 1 << bit
        start = min(start, size - 1)
        where = f"entry {start}" if end - start == 1 else f"entries {start}–{end - 1}"
        report.diverge(
            start,
            f"{c.where}: root {c.root.hex()[:16]}… for size {size}, but the rows give "
            f"{root.hex()[:16]}…: a fork, or rows rewritten with their tiles ({where})",
        )


# --- Pass 2: the rows behind the log -------------------------------------------------------------


def check_rows(report: Report, *, processes: int | None = None) -> None:
    """Pass 2, in ``processes`` processes: over ranges of log indexes, the times in log order;
    over ranges of subject ids, every event's leaf re-derived from its row and, for subject
    types an app registered checks for, the subjects' rows against their events."""
    events = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(seq) FROM {events} WHERE seq IS NOT NULL")  # noqa: S608
        count, top = cursor.fetchone()
        cursor.execute(
            f"SELECT subject_type, MIN(subject_id), MAX(subject_id) FROM {events} "  # noqa: S608
            "GROUP BY subject_type"
        )
        spans = {stype: (lo, hi) for stype, lo, hi in cursor.fetchall()}
    n = _processes(processes, count)
    report.processes = n
    skew = _clock_skew().total_seconds()
    # The subjects first (the longest tasks), in more ranges than processes so that a process
    # slowed by other work on the machine does not hold the others up; the times after.
    tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    registered = {c.subject_type for c in checks.registered()}
    for stype in sorted(registered | set(spans)):
        lo, hi = spans.get(stype, (0, 0))
        # The first and last ranges are open, for rows with ids beyond their events'.
        bounds = [a for a, _ in _split(lo, hi + 1, n if n == 1 else 4 * n)][1:]
        starts: list[int | None] = [None, *bounds]
        ends: list[int | None] = [*bounds, None]
        tasks += [
            (_subject_range, (stype, a, b, skew)) for a, b in zip(starts, ends, strict=True)
        ]
    tasks += [(_order_range, (lo, hi, skew)) for lo, hi in _split(0, (top or 0) + 1, n)]
    if unchecked := sorted(set(spans) - registered):
        report.notes.append(
            f"no app registered checks for the subjects {', '.join(unchecked)}: their events' "
            "leaves are checked, not the rows behind them"
        )
    results = _run(tasks, n)
    _merge_order(report, [r for r in results if r["step"] == "order"], _clock_skew())
    edited = [r["edited"] for r in results if r["step"] == "subjects" and r["edited"]]
    if edited:
        seq, pk, kind, why = min(edited)
        report.diverge(seq, f"entry {seq} (event #{pk}, {kind}) does not match its row: {why}")
    for r in results:
        if r["step"] == "subjects" and r["checked"]:
            report.subjects[r["type"]] = report.subjects.get(r["type"], 0) + r["subjects"]
            for seq, text in r["findings"]:
                if seq is None:
                    report.problems.append(text)
                else:
                    report.diverge(seq, text)


def _processes(wanted: int | None, entries: int) -> int:
    if wanted is None:
        wanted = (os.cpu_count() or 1) if entries >= PARALLEL_MIN else 1
    in_memory = connection.vendor == "sqlite" and str(
        connection.settings_dict["NAME"]
    ) in ("", ":memory:")
    if wanted > 1 and (connection.in_atomic_block or in_memory):
        return 1  # other processes would not see this transaction's (or memory's) rows
    return max(1, wanted)


def _split(lo: int, hi: int, n: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` in ``n`` consecutive ranges (fewer if it is short)."""
    step = max(1, -(-(hi - lo) // n))
    return [(a, min(a + step, hi)) for a in range(lo, max(hi, lo + 1), step)]


def _run(tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], n: int) -> list[Any]:
    if n <= 1:
        return [fn(*args) for fn, args in tasks]
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(n) as pool:
        return pool.starmap(_call, tasks, chunksize=1)


_forked_pid: int | None = None


def _call(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    """Run one task in a pool process (forked: only ever called there)."""
    global _forked_pid
    if _forked_pid != os.getpid():
        # A forked process can hold database connections it inherited (another thread's, seen
        # through the copied thread-local storage: after a test's live server, for one): using
        # or closing one shares a socket with the parent or a sibling ("server closed the
        # connection unexpectedly", "DECLARE CURSOR" answers to another's query). Forget them,
        # unclosed, so the process opens its own.
        _forked_pid = os.getpid()
        for conn in connections.all(initialized_only=True):
            conn.connection = None
            conn.in_atomic_block = False
            conn.savepoint_ids = []
            conn.needs_rollback = False
            conn.closed_in_transaction = False
            conn.run_on_commit = []
    try:
        return fn(*args)
    finally:
        connections.close_all()


def _order_key(leaf_at: str) -> str:
    """A leaf time that sorts as text: without the Z (``…:04`` before ``…:04.5``)."""
    return leaf_at[:-1]


def _key_time(key: str) -> dt.datetime:
    return dt.datetime.fromisoformat(key).replace(tzinfo=dt.UTC)


def _order_range(lo: int, hi: int, skew_seconds: float) -> dict[str, Any]:
    """The times of entries ``[lo, hi)`` against the log's order.

    Returns the first entry whose time runs back by more than the skew behind an earlier entry
    of this range, this range's latest time, and its running minima (each entry earlier than
    all before it in the range): the parent finds with them the first entry that runs back
    behind an earlier range."""
    skew = dt.timedelta(seconds=skew_seconds)
    rows = 0
    backwards = None
    top_key, top_seq = "", -1  # the latest time so far (keys sort as text), and its entry
    minima: list[tuple[str, int]] = []
    low = "\U0010ffff"  # above every key: the first entry is a minimum
    time_of = _leaf_time
    for seq, at in stream(
        f"SELECT seq, CAST(at AS TEXT) FROM {Event._meta.db_table} "  # noqa: S608
        "WHERE seq >= %s AND seq < %s ORDER BY seq",
        [lo, hi],
    ):
        key = time_of(at)[:-1]  # _order_key
        rows += 1
        if key >= top_key:
            top_key, top_seq = key, seq
        elif backwards is None and _key_time(top_key) - _key_time(key) > skew:
            backwards = (seq, key, top_seq, top_key)
        if key < low:
            low = key
            minima.append((key, seq))
    top = (top_key, top_seq) if rows else None
    return {"step": "order", "rows": rows, "backwards": backwards, "top": top, "minima": minima}


def _merge_order(report: Report, results: list[dict[str, Any]], skew: dt.timedelta) -> None:
    report.rows += sum(r["rows"] for r in results)
    top: tuple[str, int] | None = None
    first: tuple[int, str] | None = None
    for r in results:
        found = r["backwards"]
        if top is not None:
            limit = _key_time(top[0]) - skew
            for key, seq in r["minima"]:
                if _key_time(key) < limit:
                    if found is None or seq < found[0]:
                        found = (seq, key, top[1], top[0])
                    break
        if found is not None and (first is None or found[0] < first[0]):
            seq, key, earlier, earlier_key = found
            late = (_key_time(earlier_key) - _key_time(key)).total_seconds()
            first = (
                seq, f"entry {seq} is dated {key}Z, {late:,.3f} s before entry {earlier} "
                f"({earlier_key}Z) that the log puts before it (tolerance {skew.total_seconds():g}"
                " s, CHANCERY_VERIFY_CLOCK_SKEW): reordered or back-dated",
            )
        if r["top"] is not None and (top is None or r["top"][0] > top[0]):
            top = r["top"]
    if first is not None:
        report.diverge(*first)


def _subject_range(
    stype: str, lo: int | None, hi: int | None, skew_seconds: float
) -> dict[str, Any]:
    """The events of one subject type with subject ids in ``[lo, hi)``: each integrated one's
    leaf rebuilt from its row's columns (the first edited one returned), and, when an app
    registered checks for the type, each subject's events (in log order) with its rows given
    to the app's check."""
    with transaction.atomic():  # one transaction for the side-by-side streams (PostgreSQL)
        return _subjects(stype, lo, hi, skew_seconds)


def _subjects(stype: str, lo: int | None, hi: int | None, skew_seconds: float) -> dict[str, Any]:
    registered = checks.get(stype)
    skew = dt.timedelta(seconds=skew_seconds)
    where = ["subject_type = %s"]
    params: list[Any] = [stype]
    if lo is not None:
        where.append("subject_id >= %s")
        params.append(lo)
    if hi is not None:
        where.append("subject_id < %s")
        params.append(hi)
    events = stream(
        "SELECT subject_id, seq, id, kind, CAST(at AS TEXT), actor_id, CAST(data AS TEXT), "  # noqa: S608
        f"salt, leaf FROM {Event._meta.db_table} WHERE {' AND '.join(where)} "
        "ORDER BY subject_id, id",
        params,
    )
    findings: list[tuple[int | None, str]] = []
    subjects = 0
    edited: tuple[int, int, str, str] | None = None
    check = registered.check if registered is not None else None
    subject_cls, entry_cls = checks.Subject, checks.Entry

    def run(sid: int, row: Any, entries: list[checks.Entry]) -> None:
        nonlocal subjects
        subjects += 1
        if check is None:
            return
        if not _in_log_order(entries):
            entries.sort(key=_log_order)
        for f in check(subject_cls(stype, sid, row, entries, skew)):
            findings.append((f.entry.seq if f.entry is not None else None, f.text))

    rows = registered.rows(lo, hi) if registered is not None else iter(())
    row = next(rows, None)
    current: int | None = None
    subject = ""
    entries: list[checks.Entry] = []
    append = entries.append
    loads = orjson.loads
    privates: dict[str, frozenset[str]] = {}
    for sid, seq, pk, kind, at, actor_id, text, salt, stored in events:
        if sid != current:
            if current is not None:
                row = _flush(run, current, row, rows, entries)
            current, entries, subject = sid, [], f"{stype}:{sid}"
            append = entries.append
        data = loads(text)
        if seq is not None and (edited is None or seq < edited[0]):
            private = privates.get(kind)
            if private is None:
                private = privates[kind] = kinds.private_fields(kind)
            leaf = _leaf(kind, subject, _leaf_time(at), actor_id, data, salt, private)
            if leaf != stored and leaf != bytes(stored):
                why = "edited" if kinds.get(kind) else "edited, or of a kind no app declares"
                edited = (seq, pk, kind, why)
        append(entry_cls(seq, pk, kind, at, actor_id, data))
    if current is not None:
        row = _flush(run, current, row, rows, entries)
    while row is not None:
        run(row[0], row[1], [])
        row = next(rows, None)
    return {
        "step": "subjects", "type": stype, "checked": registered is not None,
        "subjects": subjects, "findings": findings, "edited": edited,
    }


def _leaf(
    kind: str, subject: str, at: str, actor_id: int | None, data: dict[str, Any], salt: str,
    private: frozenset[str],
) -> bytes:
    """:func:`~chancery.ledger.services.build_leaf` of an event row (``private``: its kind's
    private keys), byte for byte (a test holds the two equal), in one call and one dict."""
    actor: str | None = None if actor_id is None else str(actor_id)
    if salt:
        if not private.isdisjoint(data):
            data = {k: private_commitment(salt, v) if k in private else v for k, v in data.items()}
        if actor:
            actor = "sha256:" + hashlib.sha256(bytes.fromhex(salt) + actor.encode()).hexdigest()
    return orjson.dumps(
        {"v": LEAF_VERSION, "kind": kind, "subject": subject, "at": at, "actor": actor,
         "data": data},
        option=orjson.OPT_SORT_KEYS,
    )


def _log_order(e: checks.Entry) -> tuple[bool, int]:
    """Integrated entries by index, then pending ones as they were written."""
    return (e.seq is None, e.seq if e.seq is not None else e.id)


def _in_log_order(entries: list[checks.Entry]) -> bool:
    previous = -1
    for e in entries:  # read in id order: almost always the log's order already
        if e.seq is None:
            return all(x.seq is None for x in entries[entries.index(e):])
        if e.seq < previous:
            return False
        previous = e.seq
    return True


def _flush(
    run: Callable[[int, Any, list[checks.Entry]], None],
    sid: int,
    row: tuple[int, Any] | None,
    rows: Iterator[tuple[int, Any]],
    entries: list[checks.Entry],
) -> tuple[int, Any] | None:
    """Check subject ``sid`` (with its row if the rows reached it; rows before it have no
    events and are checked alone); returns the next row not yet checked."""
    while row is not None and row[0] < sid:
        run(row[0], row[1], [])
        row = next(rows, None)
    if row is not None and row[0] == sid:
        run(sid, row[1], entries)
        return next(rows, None)
    run(sid, None, entries)
    return row
