"""C2SP ``tlog-tiles``: the log's Merkle tree and entries as static, cacheable tiles.

Pure standard-library code on top of :mod:`chancery.ledger.merkle` (no Django), so that the
sequencer, the server, monitors and offline verifiers all share it. It follows
https://c2sp.org/tlog-tiles and Go's ``golang.org/x/mod/sumdb/tlog`` (``tile.go`` and
``tlog.go``) with tile height 8:

- A hash tile at *level* ``L`` and *index* ``N`` holds up to 256 consecutive Merkle tree hashes
  at tree level ``8 * L``: hash ``i`` is
  ``MTH(D[(N*256 + i) * 256**L : (N*256 + i + 1) * 256**L])``.
  Level 0 tiles hold the leaf hashes; each hash of a level ``L + 1`` tile is the root of one
  *full* level ``L`` tile. Tree levels between multiples of 8 are recomputed from the tile
  below (a perfect subtree of ``2**(8L + r)`` leaves is the root of ``2**r`` consecutive hashes
  of a level ``L`` tile).
- For a tree of size ``s`` the level ``L`` tiles hold ``s >> 8L`` hashes: ``(s >> 8L) >> 8``
  full tiles (width 256) and, when ``(s >> 8L) & 255`` is not 0, one *partial* tile of that
  width at the right edge. Partial tiles are never hashed into the level above.
- Entry bundles (``tile/entries/N``) hold the entries whose leaf hashes are in level 0 tile
  ``N``, each as a big-endian uint16 length and the entry's bytes.
- Paths: ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, with ``N`` written in
  zero-padded 3-digit groups, all but the last prefixed with ``x`` (1234067 is
  ``x001/x234/067``), and ``.p/<W>`` (``W`` in 1..255) only on partial tiles.

The main entry points are :func:`extend` (what the sequencer runs for each batch: the new content
of every tile that changed, reading only the partial tiles at the right edge) and
:class:`TileHashReader` (roots, inclusion and consistency proofs from a few tiles, byte-identical
to :func:`chancery.ledger.merkle.inclusion_proof` and
:func:`~chancery.ledger.merkle.consistency_proof` over the full list of leaves).

The reader does not authenticate tiles: callers that fetch tiles from an untrusted source check
what they compute (:meth:`TileHashReader.root`, or a proof with ``merkle.verify_*``) against a
signed checkpoint, which fails if any hash used was tampered with.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from chancery.ledger.merkle import EMPTY_ROOT, HASH_SIZE

__all__ = [
    "MAX_ENTRY_SIZE",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "TileCache",
    "TileError",
    "TileHashReader",
    "TileRef",
    "TileUpdate",
    "decode_entries",
    "encode_entries",
    "entries_path",
    "extend",
    "extend_entries",
    "new_tiles",
    "parse_tile_path",
    "tile_path",
    "tile_root",
    "tile_width",
    "tiles_for_size",
]

TILE_HEIGHT = 8
"""Tree levels covered by one tile."""

TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes (or entries) in a full tile: 256."""

MAX_ENTRY_SIZE = 0xFFFF
"""Largest entry an entry bundle can hold (its length is a big-endian uint16)."""

MAX_LEVEL = 63
"""Largest tile level allowed in a path by the spec."""

_FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE
_MAX_INDEX = 1 << 64  # no tile index of a log with fewer than 2**64 entries reaches this
_MEMO_SIZE = 1 << 14  # subtree hashes a reader remembers (about 1.5 MiB at most)
_MAX_PATH_LEN = 128  # far longer than any valid path; keeps parsing of junk cheap

_sha256 = hashlib.sha256
_NODE_PREFIX = _sha256(b"\x01")  # copied per node: cheaper than hashing b"\x01" + left + right


class TileError(ValueError):
    """A tile path, tile, entry bundle or argument that is not valid."""


# --- Paths -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TileRef:
    """One tile (``level`` 0..63) or entry bundle (``level`` None), and its width (1..256)."""

    level: int | None
    index: int
    width: int = TILE_WIDTH

    @property
    def is_entries(self) -> bool:
        """Whether this is an entry bundle rather than a hash tile."""
        return self.level is None

    @property
    def is_partial(self) -> bool:
        """Whether the tile has fewer than 256 hashes (or entries)."""
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """The tile's path, ``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``."""
        if self.level is None:
            return entries_path(self.index, self.width)
        return tile_path(self.level, self.index, self.width)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_index_width(index: int, width: int) -> None:
    if not _is_int(index) or index < 0:
        raise TileError(f"tile index must be a non-negative integer, not {index!r}")
    if not _is_int(width) or not 1 <= width <= TILE_WIDTH:
        raise TileError(f"tile width must be an integer from 1 to {TILE_WIDTH}, not {width!r}")


def _encode_n(index: int, width: int) -> str:
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    groups.reverse()
    n = "/".join(groups)
    return n if width == TILE_WIDTH else f"{n}.p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """The path of hash tile ``(level, index)`` of the given width, e.g. ``tile/0/x001/x234/067``.

    Full tiles (width 256) have no ``.p/<W>`` suffix; partial ones do (``tile/1/000.p/12``).
    """
    if not _is_int(level) or not 0 <= level <= MAX_LEVEL:
        raise TileError(f"tile level must be an integer from 0 to {MAX_LEVEL}, not {level!r}")
    _check_index_width(index, width)
    return f"tile/{level}/{_encode_n(index, width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """The path of entry bundle ``index`` of the given width, e.g. ``tile/entries/x001/234.p/5``."""
    _check_index_width(index, width)
    return f"tile/entries/{_encode_n(index, width)}"


_PATH_RE = re.compile(
    r"tile/(?P<level>entries|[0-9]+)/(?P<n>(?:x[0-9]{3}/)*[0-9]{3})(?:\.p/(?P<width>[0-9]+))?"
)


def parse_tile_path(path: str) -> TileRef:
    """Parse a tile or entry bundle path (``tile/...``, without any URL prefix), strictly.

    Only the canonical form that :func:`tile_path` / :func:`entries_path` write is accepted:
    levels 0..63 and widths 1..255 in decimal without leading zeros, ``.p/`` only for partial
    tiles (so never ``.p/256``), and ``N`` in 3-digit groups with no leading all-zero group
    (``x000/...``). Anything else raises :class:`TileError`.
    """
    if not isinstance(path, str):
        raise TileError(f"a tile path is a string, not {type(path).__name__}")
    if len(path) > _MAX_PATH_LEN:
        raise TileError("tile path is too long")
    m = _PATH_RE.fullmatch(path)
    if m is None:
        raise TileError(
            f"not a tile path: {path!r} (expected tile/<L>/<N>[.p/<W>] or "
            "tile/entries/<N>[.p/<W>], with N in 3-digit groups such as x001/x234/067)"
        )
    level_s, n_s, width_s = m.group("level", "n", "width")
    level: int | None
    if level_s == "entries":
        level = None
    else:
        if level_s != "0" and level_s.startswith("0"):
            raise TileError(f"tile level {level_s!r} has leading zeros in {path!r}")
        level = int(level_s)
        if level > MAX_LEVEL:
            raise TileError(f"tile level {level} is above {MAX_LEVEL} in {path!r}")
    groups = n_s.split("/")
    if len(groups) > 1 and groups[0] == "x000":
        raise TileError(f"tile index {n_s!r} has a leading zero group in {path!r}")
    index = int("".join(g.lstrip("x") for g in groups))
    if index >= _MAX_INDEX:
        raise TileError(f"tile index {index} is too large in {path!r}")
    width = TILE_WIDTH
    if width_s is not None:
        if width_s.startswith("0"):
            raise TileError(f"tile width {width_s!r} has leading zeros in {path!r}")
        width = int(width_s)
        if not 1 <= width < TILE_WIDTH:
            raise TileError(
                f"partial tile width must be from 1 to {TILE_WIDTH - 1}, not {width} in {path!r} "
                "(full tiles have no .p/ suffix)"
            )
    return TileRef(level, index, width)


# --- Entry bundles -----------------------------------------------------------------------------


def encode_entries(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry as a big-endian uint16 length followed by its bytes."""
    parts: list[bytes] = []
    append = parts.append
    for i, entry in enumerate(entries):
        data = entry if type(entry) is bytes else _entry_bytes(i, entry)
        n = len(data)
        if n > MAX_ENTRY_SIZE:
            raise TileError(f"entry {i} has {n} bytes; at most {MAX_ENTRY_SIZE} fit")
        append(_UINT16[n])
        append(data)
    return b"".join(parts)


_UINT16 = [n.to_bytes(2, "big") for n in range(MAX_ENTRY_SIZE + 1)]


def _entry_bytes(i: int, entry: object) -> bytes:
    if not isinstance(entry, bytes | bytearray | memoryview):
        raise TileError(f"entry {i} is {type(entry).__name__}, not bytes")
    return bytes(entry)


def decode_entries(data: bytes, expected: int | None = None) -> list[bytes]:
    """The entries of an entry bundle; strict: truncated or trailing data raises TileError.

    With ``expected``, the bundle must also hold exactly that many entries.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TileError(f"an entry bundle is bytes, not {type(data).__name__}")
    data = bytes(data)
    out: list[bytes] = []
    pos, end = 0, len(data)
    while pos < end:
        if pos + 2 > end:
            raise TileError(f"entry bundle is truncated in the length of entry {len(out)}")
        n = (data[pos] << 8) | data[pos + 1]
        pos += 2
        if pos + n > end:
            raise TileError(
                f"entry bundle is truncated: entry {len(out)} needs {n} bytes, {end - pos} are left"
            )
        out.append(data[pos : pos + n])
        pos += n
    if expected is not None and len(out) != expected:
        raise TileError(f"entry bundle holds {len(out)} entries, not {expected}")
    return out


# --- Which tiles a tree has --------------------------------------------------------------------


def _check_size(size: int, name: str = "tree size") -> None:
    if not _is_int(size) or size < 0:
        raise TileError(f"{name} must be a non-negative integer, not {size!r}")


def tile_width(level: int | None, index: int, size: int) -> int:
    """The width of tile ``(level, index)`` in a tree of ``size`` leaves: 256 when full, less
    at the right edge, 0 when the tree has no such tile (yet). ``level`` None is the entry
    bundle, which has the width of level 0 tile ``index``."""
    _check_size(size)
    if level is None:
        level = 0
    if not _is_int(level) or not 0 <= level <= MAX_LEVEL:
        raise TileError(f"tile level must be an integer from 0 to {MAX_LEVEL}, not {level!r}")
    if not _is_int(index) or index < 0:
        raise TileError(f"tile index must be a non-negative integer, not {index!r}")
    count = size >> (TILE_HEIGHT * level)  # hashes at this level
    full = count >> TILE_HEIGHT
    if index < full:
        return TILE_WIDTH
    if index == full:
        return count & (TILE_WIDTH - 1)
    return 0


def _level_tiles(level: int | None, first: int, count: int) -> list[TileRef]:
    """The tiles holding hashes ``first`` to ``count - 1`` of a level that has ``count``."""
    refs = [TileRef(level, n) for n in range(first >> TILE_HEIGHT, count >> TILE_HEIGHT)]
    if count & (TILE_WIDTH - 1):
        refs.append(TileRef(level, count >> TILE_HEIGHT, count & (TILE_WIDTH - 1)))
    return refs


def new_tiles(old_size: int, new_size: int) -> list[TileRef]:
    """The hash tiles and entry bundles that are new or changed from ``old_size`` to ``new_size``.

    Like Go's ``tlog.NewTiles``: per level, the tile that held the old right edge (now wider)
    and every tile after it. Hash tiles come level by level, then the entry bundles. These are
    exactly the keys :func:`extend` returns (plus the bundles).
    """
    _check_size(old_size, "old size")
    _check_size(new_size, "new size")
    if old_size > new_size:
        raise TileError(f"a tree does not shrink from {old_size} to {new_size} leaves")
    refs: list[TileRef] = []
    level = 0
    while (new_count := new_size >> (TILE_HEIGHT * level)) > 0:
        old_count = old_size >> (TILE_HEIGHT * level)
        if old_count != new_count:
            refs += _level_tiles(level, old_count, new_count)
        level += 1
    if old_size != new_size:
        refs += _level_tiles(None, old_size, new_size)
    return refs


def tiles_for_size(size: int) -> list[TileRef]:
    """Every hash tile (all levels, level by level) and then every entry bundle of a tree of
    ``size`` leaves, each with its width at that size (256, or less for the right-most)."""
    return new_tiles(0, size)


# --- Hashing inside a tile ---------------------------------------------------------------------


def _next_level(data: bytes) -> bytes:
    """The parents of consecutive pairs of the hashes in ``data`` (an odd last one is dropped)."""
    copy = _NODE_PREFIX.copy
    out: list[bytes] = []
    append = out.append
    for i in range(0, len(data) - HASH_SIZE, 2 * HASH_SIZE):
        h = copy()
        h.update(data[i : i + 2 * HASH_SIZE])
        append(h.digest())
    return b"".join(out)


INNER_BYTES = (TILE_WIDTH - 1) * HASH_SIZE
"""Size of a full tile's inner nodes: its levels 1 to 8 (128 + 64 + ... + 1 hashes)."""


def tile_inner_nodes(data: bytes) -> bytes:
    """The levels above a full tile's 256 hashes inside the tile, concatenated (the root last).

    A server keeps them beside the tile so that a proof need not recompute ~250 hashes for each
    tile it reads (:class:`TileHashReader` accepts them from ``read_tile``)."""
    if len(data) != _FULL_TILE_BYTES:
        raise TileError(f"a full tile has {_FULL_TILE_BYTES} bytes, not {len(data)}")
    levels = []
    for _ in range(TILE_HEIGHT):
        data = _next_level(data)
        levels.append(data)
    return b"".join(levels)


def tile_root(data: bytes) -> bytes:
    """The Merkle root of a full tile's 256 hashes: the hash it contributes to the level above."""
    if len(data) != _FULL_TILE_BYTES:
        raise TileError(f"a full tile has {_FULL_TILE_BYTES} bytes, not {len(data)}")
    for _ in range(TILE_HEIGHT):
        data = _next_level(data)
    return data


# --- Building tiles ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TileUpdate:
    """What :func:`extend` produced: the new tree size and the complete new content of every
    hash tile that changed, keyed by ``(level, index)`` (width = ``len(data) // 32``)."""

    size: int
    tiles: dict[tuple[int, int], bytes]

    def refs(self) -> list[TileRef]:
        """The changed tiles as :class:`TileRef` (with their new widths), level by level."""
        return [
            TileRef(level, index, len(data) // HASH_SIZE)
            for (level, index), data in sorted(self.tiles.items())
        ]


def _join_hashes(hashes: Sequence[bytes]) -> bytes:
    if not set(map(len, hashes)) <= {HASH_SIZE}:
        for i, h in enumerate(hashes):
            if len(h) != HASH_SIZE:
                raise TileError(f"leaf hash {i} has {len(h)} bytes, not {HASH_SIZE}")
    try:
        return b"".join(hashes)
    except TypeError as exc:
        raise TileError(f"leaf hashes must be bytes: {exc}") from None


def _read_checked(
    read_tile: Callable[[int, int, int], bytes], level: int, index: int, width: int
) -> bytes:
    return _checked(read_tile(level, index, width), level, index, width)


def _checked(data: object, level: int, index: int, width: int) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TileError(f"read_tile({level}, {index}, {width}) returned {type(data).__name__}")
    data = bytes(data)
    if len(data) != width * HASH_SIZE:
        raise TileError(
            f"tile {tile_path(level, index, width)} has {len(data)} bytes, not {width * HASH_SIZE}"
        )
    return data


def extend(
    size: int, read_tile: Callable[[int, int, int], bytes], new_leaf_hashes: Sequence[bytes]
) -> TileUpdate:
    """Append ``new_leaf_hashes`` to a tree of ``size`` leaves; return every hash tile that changed.

    ``read_tile(level, index, width)`` must return the stored content of an existing hash tile
    (``width * 32`` bytes). It is called at most once per level, and only for the partial tile
    at that level's right edge, and only when new hashes reach that level: the new hashes of a
    level are appended to its old partial tile, the result is cut into tiles, and the root of
    every tile that becomes full is a new hash for the level above (partial tiles are never
    hashed upwards). Full tiles are never read, so they can be written once and never again.

    The result holds the complete new content of each changed tile (the old partial tile, now
    wider or full, and all tiles after it). With no new leaves nothing changes. Giving the
    leaves in several batches yields the same tiles as one batch. About one SHA-256 per leaf.
    """
    _check_size(size)
    new = _join_hashes(new_leaf_hashes)
    new_size = size + len(new) // HASH_SIZE
    tiles: dict[tuple[int, int], bytes] = {}
    level = 0
    count = size  # hashes this level held before
    while new:
        first = count >> TILE_HEIGHT
        old_width = count & (TILE_WIDTH - 1)
        buf = _read_checked(read_tile, level, first, old_width) + new if old_width else new
        roots: list[bytes] = []
        for j, off in enumerate(range(0, len(buf), _FULL_TILE_BYTES)):
            chunk = buf[off : off + _FULL_TILE_BYTES]
            tiles[(level, first + j)] = chunk
            if len(chunk) == _FULL_TILE_BYTES:
                roots.append(tile_root(chunk))
        new = b"".join(roots)
        count >>= TILE_HEIGHT
        level += 1
    return TileUpdate(new_size, tiles)


def extend_entries(
    size: int, read_bundle: Callable[[int, int], bytes], new_entries: Sequence[bytes]
) -> dict[int, bytes]:
    """Append ``new_entries`` to the entry bundles of a log of ``size`` entries.

    Returns the complete new content of every bundle that changed, by bundle index (its width
    is :func:`tile_width` ``(None, index, new_size)``). ``read_bundle(index, width)`` is called
    at most once, for the old partial bundle at the right edge, whose entry count is checked.
    """
    _check_size(size)
    if not new_entries:
        return {}
    old_width = size & (TILE_WIDTH - 1)
    first = size >> TILE_HEIGHT
    prefix = b""
    if old_width:
        raw = read_bundle(first, old_width)
        decode_entries(raw, expected=old_width)
        prefix = bytes(raw)
    out: dict[int, bytes] = {}
    take = TILE_WIDTH - old_width
    pos, index = 0, first
    while pos < len(new_entries):
        out[index] = prefix + encode_entries(new_entries[pos : pos + take])
        pos += take
        index += 1
        prefix, take = b"", TILE_WIDTH
    return out


# --- Reading hashes and proofs from tiles ------------------------------------------------------


class _Tile:
    """One tile's hashes, plus the tree levels above them inside the tile, computed on demand.

    ``levels[r]`` holds the ``width >> r`` perfect-subtree hashes ``r`` levels above the tile's
    own, concatenated. Slots are only ever assigned a complete, deterministic value, so threads
    racing to fill one compute the same bytes and no lock is needed.
    """

    __slots__ = ("levels",)

    def __init__(self, data: bytes, inner: bytes | None = None) -> None:
        self.levels: list[bytes | None] = [data] + [None] * TILE_HEIGHT
        if inner is not None and len(data) == _FULL_TILE_BYTES and len(inner) == INNER_BYTES:
            pos, width = 0, TILE_WIDTH
            for r in range(1, TILE_HEIGHT + 1):
                width >>= 1
                self.levels[r] = inner[pos : pos + width * HASH_SIZE]
                pos += width * HASH_SIZE

    def node(self, r: int, j: int) -> bytes:
        levels = self.levels
        blob = levels[r]
        if blob is None:
            k = r
            while levels[k - 1] is None:
                k -= 1
            while k <= r:
                below = levels[k - 1]
                assert below is not None
                levels[k] = _next_level(below)
                k += 1
            blob = levels[r]
            assert blob is not None
        return blob[j * HASH_SIZE : (j + 1) * HASH_SIZE]


class TileCache:
    """A thread-safe LRU cache of decoded tiles, keyed by ``(level, index, width)``.

    Tile content is fixed by the log for a given width (full tiles never change, and a partial
    tile of a given width is always the same prefix), so one cache can be shared by the readers
    of every tree size, e.g. one per served checkpoint. ``capacity`` counts tiles; a full tile
    with its inner levels takes about 16 KiB.
    """

    def __init__(self, capacity: int = 256) -> None:
        if not _is_int(capacity) or capacity < 1:
            raise TileError(f"cache capacity must be a positive integer, not {capacity!r}")
        self.capacity = capacity
        self._tiles: OrderedDict[tuple[int, int, int], _Tile] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: tuple[int, int, int]) -> _Tile | None:
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def _put(self, key: tuple[int, int, int], tile: _Tile) -> None:
        with self._lock:
            self._tiles[key] = tile
            self._tiles.move_to_end(key)
            while len(self._tiles) > self.capacity:
                self._tiles.popitem(last=False)

    def __len__(self) -> int:
        return len(self._tiles)

    def clear(self) -> None:
        """Forget every tile."""
        with self._lock:
            self._tiles.clear()


class TileHashReader:
    """Hashes, the root and proofs of the tree of ``size`` leaves, read from its hash tiles.

    ``read_tile(level, index, width)`` returns a stored hash tile (``width * 32`` bytes); it is
    only asked for tiles that exist at this size, with their width at this size, and each tile
    is read once while it stays in the cache (``cache``, shareable between readers; by default
    a private one of 256 tiles).

    Every hash is read as a perfect-subtree hash (:meth:`subtree_hash`), as Go's ``tlog`` does:
    tree level ``8L + r`` comes from a level ``L`` tile, combining ``2**r`` of its hashes. The
    root is folded from the right-edge subtrees (one per set bit of ``size``), which all lie in
    the partial tiles at the right edge; proofs take the siblings of one leaf's path (one tile
    per level) and suffixes of the right edge. So a proof reads at most a few tiles per level,
    about a dozen at 10 M leaves, and with those cached costs a few dozen dictionary look-ups.
    """

    def __init__(
        self,
        size: int,
        read_tile: Callable[[int, int, int], bytes | tuple[bytes, bytes | None]],
        cache: TileCache | None = None,
        right_edge: Sequence[bytes] | None = None,
    ) -> None:
        _check_size(size)
        self.size = size
        self._read_tile = read_tile
        self._cache = cache if cache is not None else TileCache()
        self._suffixes: dict[int, bytes] | None = None
        # Subtree hashes already looked up, keyed by level + 64 * index: proofs for nearby
        # leaves share most of their hashes. Bounded by clearing it when it grows too big.
        self._memo: dict[int, bytes] = {}
        if right_edge is not None:
            self._seed_right_edge(right_edge)

    def _seed_right_edge(self, right_edge: Sequence[bytes]) -> None:
        """Take the right edge's subtree roots (largest first, as ``merkle.Tree.right_edge``
        and the sequencer store them) instead of reading the partial tiles that hold them.

        Only for a trusted edge (the log's own database): a monitor reads everything from the
        tiles and checks the root against the signed checkpoint."""
        levels = [lv for lv in range(self.size.bit_length() - 1, -1, -1) if self.size >> lv & 1]
        if len(right_edge) != len(levels) or not all(
            isinstance(h, bytes) and len(h) == HASH_SIZE for h in right_edge
        ):
            raise TileError(
                f"a right edge of a tree of {self.size} leaves is {len(levels)} hashes"
            )
        lo = 0
        for level, h in zip(levels, right_edge, strict=True):
            self._memo[level | (lo >> level) << 6] = bytes(h)
            lo += 1 << level

    def _tile(self, level: int, index: int, width: int) -> _Tile:
        key = (level, index, width)
        tile = self._cache._get(key)
        if tile is None:
            got = self._read_tile(level, index, width)
            inner = None
            if isinstance(got, tuple):  # (data, inner nodes or None), from a server's store
                got, inner = got
            tile = _Tile(_checked(got, level, index, width), inner)
            self._cache._put(key, tile)
        return tile

    def _subtree(self, level: int, index: int) -> bytes:
        """``subtree_hash`` without argument checks, for the proof code."""
        key = level | index << 6  # level < 64
        memo = self._memo
        h = memo.get(key)
        if h is not None:
            return h
        tile_level, r = divmod(level, TILE_HEIGHT)
        pos = index << r  # position of its first hash at tree level 8 * tile_level
        tile_index = pos >> TILE_HEIGHT
        count = self.size >> (TILE_HEIGHT * tile_level)
        width = TILE_WIDTH if tile_index < count >> TILE_HEIGHT else count & (TILE_WIDTH - 1)
        tile = self._tile(tile_level, tile_index, width)
        h = tile.node(r, (pos & (TILE_WIDTH - 1)) >> r)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[key] = h
        return h

    def subtree_hash(self, level: int, index: int) -> bytes:
        """``MTH(D[index * 2**level : (index + 1) * 2**level])``, a perfect subtree of the tree."""
        if not (_is_int(level) and _is_int(index)) or level < 0 or index < 0:
            raise TileError(f"invalid subtree ({level!r}, {index!r})")
        if (index + 1) << level > self.size:
            raise TileError(
                f"subtree ({level}, {index}) is not complete in a tree of {self.size} leaves"
            )
        return self._subtree(level, index)

    def leaf_hash(self, index: int) -> bytes:
        """The hash of leaf ``index`` (from its level 0 tile)."""
        self._check_leaf(index)
        return self._subtree(0, index)

    def _check_leaf(self, index: int) -> None:
        if not _is_int(index) or not 0 <= index < self.size:
            raise TileError(f"leaf index {index!r} is not in a tree of {self.size} leaves")

    def _suffix_hashes(self) -> dict[int, bytes]:
        """``MTH(D[lo:size])`` for every ``lo`` where a right-edge subtree starts.

        These suffixes are the only ranges that are not perfect subtrees which the root and the
        RFC 9162 proofs ever need, so they are computed once per reader (one tile read per
        level, and one node hash per set bit of ``size``).
        """
        if self._suffixes is None:
            edge: list[tuple[int, bytes]] = []
            lo = 0
            for level in range(self.size.bit_length() - 1, -1, -1):
                if self.size >> level & 1:
                    edge.append((lo, self._subtree(level, lo >> level)))
                    lo += 1 << level
            suffixes: dict[int, bytes] = {}
            acc: bytes | None = None
            for lo, h in reversed(edge):
                acc = h if acc is None else _sha256(b"\x01" + h + acc).digest()
                suffixes[lo] = acc
            self._suffixes = suffixes
        return self._suffixes

    def _range(self, lo: int, hi: int) -> bytes:
        """``MTH(D[lo:hi])`` for a range the RFC recursion produces: ``lo`` is a multiple of the
        largest power of two not above ``hi - lo`` (a perfect subtree, or a right-edge suffix)."""
        n = hi - lo
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            return self._subtree(level, lo >> level)
        if hi == self.size:
            h = self._suffix_hashes().get(lo)
            if h is not None:
                return h
        # General case (not reached by the RFC recursions): fold the perfect subtrees of the
        # range from the right, as Go's subTreeHash does.
        parts: list[bytes] = []
        while lo < hi:
            level = (hi - lo).bit_length() - 1
            if lo & ((1 << level) - 1):
                raise TileError(f"range [{lo}, {hi}) is not left-aligned")
            parts.append(self._subtree(level, lo >> level))
            lo += 1 << level
        acc = parts.pop()
        while parts:
            acc = _sha256(b"\x01" + parts.pop() + acc).digest()
        return acc

    def root(self) -> bytes:
        """``MTH(D[0:size])``; :data:`merkle.EMPTY_ROOT <chancery.ledger.merkle.EMPTY_ROOT>`
        for the empty tree. Reads only the partial tiles at the right edge."""
        if self.size == 0:
            return EMPTY_ROOT
        return self._suffix_hashes()[0]

    def inclusion_proof(self, index: int) -> list[bytes]:
        """``PATH(index, D[0:size])`` of RFC 9162 §2.1.3.1, leaf's sibling first; the same bytes
        as ``merkle.inclusion_proof(index, leaf_hashes)``."""
        self._check_leaf(index)
        out: list[bytes] = []
        lo, hi, m = 0, self.size, index
        while hi - lo > 1:
            k = 1 << ((hi - lo - 1).bit_length() - 1)
            if m < k:
                out.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                out.append(self._range(lo, lo + k))
                lo += k
                m -= k
        out.reverse()
        return out

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """``PROOF(old_size, D[0:size])`` of RFC 9162 §2.1.4.1; the same bytes as
        ``merkle.consistency_proof(old_size, size, leaf_hashes)`` (empty for ``old_size`` 0 or
        ``size``)."""
        if not _is_int(old_size) or not 0 <= old_size <= self.size:
            raise TileError(
                f"no consistency proof from size {old_size!r} to a tree of {self.size} leaves"
            )
        if old_size in (0, self.size):
            return []
        tail: list[bytes] = []
        lo, hi, m, complete = 0, self.size, old_size, True
        while True:
            n = hi - lo
            if m == n:
                head = [] if complete else [self._range(lo, hi)]
                break
            k = 1 << ((n - 1).bit_length() - 1)
            if m <= k:
                tail.append(self._range(lo + k, hi))
                hi = lo + k
            else:
                tail.append(self._range(lo, lo + k))
                lo += k
                m -= k
                complete = False
        tail.reverse()
        return head + tail
