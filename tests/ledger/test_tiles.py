"""C2SP tlog-tiles (chancery.ledger.tiles) against the spec and against merkle.py, no database.

Tile content is checked against the spec's formula (hash ``i`` of tile ``(L, N)`` is
``MTH(D[(N*256 + i) * 256**L : (N*256 + i + 1) * 256**L])``, computed with merkle.py over the
full list of leaves), and every root and proof read from tiles against merkle.py's list-based
functions and verifiers.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.ledger import merkle
from chancery.ledger.tiles import (
    MAX_ENTRY_SIZE,
    TileCache,
    TileError,
    TileHashReader,
    TileRef,
    TileUpdate,
    decode_entries,
    encode_entries,
    entries_path,
    extend,
    extend_entries,
    new_tiles,
    parse_tile_path,
    tile_path,
    tile_root,
    tile_width,
    tiles_for_size,
)

HASH = merkle.HASH_SIZE


def _leaves(n: int, seed: int = 0) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {seed} {i}".encode()) for i in range(n)]


class Store:
    """Hash tiles as a sequencer would keep them, checking every read ``extend`` makes."""

    def __init__(self) -> None:
        self.size = 0
        self.tiles: dict[tuple[int, int], bytes] = {}
        self.reads: list[tuple[int, int, int]] = []

    def read_tile(self, level: int, index: int, width: int) -> bytes:
        # extend may only read the partial tile at the right edge of a level, with its width.
        count = self.size >> (8 * level)
        assert (index, width) == (count >> 8, count & 255), (level, index, width, self.size)
        assert width > 0
        assert all(r[0] != level for r in self.reads), "read twice at one level"
        self.reads.append((level, index, width))
        data = self.tiles[(level, index)]
        assert len(data) == width * HASH
        return data

    def add(self, hashes: list[bytes]) -> TileUpdate:
        self.reads = []
        update = extend(self.size, self.read_tile, hashes)
        assert update.size == self.size + len(hashes)
        expected = [r for r in new_tiles(self.size, update.size) if not r.is_entries]
        assert update.refs() == expected
        for (level, index), data in update.tiles.items():
            old = self.tiles.get((level, index), b"")
            assert data.startswith(old), "a tile's old hashes changed"
            assert len(old) < 256 * HASH, "a full tile was rewritten"
        self.tiles.update(update.tiles)
        self.size = update.size
        return update

    def reader(self, size: int | None = None, **kwargs: TileCache) -> TileHashReader:
        return TileHashReader(self.size if size is None else size, self.read_tiles_at, **kwargs)

    def read_tiles_at(self, level: int, index: int, width: int) -> bytes:
        # Tiles of any smaller size are prefixes of the current ones.
        data = self.tiles[(level, index)]
        assert len(data) >= width * HASH
        return data[: width * HASH]


def _expected_tiles(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every hash tile of the tree over ``leaves``, straight from the spec's formula."""
    out: dict[tuple[int, int], bytes] = {}
    size = len(leaves)
    level = 0
    while (count := size >> (8 * level)) > 0:
        span = 256**level
        hashes = [
            leaves[i] if level == 0 else merkle.subtree_root(leaves, i * span, (i + 1) * span)
            for i in range(count)
        ]
        for n in range(0, count, 256):
            out[(level, n // 256)] = b"".join(hashes[n : n + 256])
        level += 1
    return out


# --- Paths -------------------------------------------------------------------------------------


def test_spec_path_examples() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 0, 12) == "tile/1/000.p/12"
    assert tile_path(2, 5, 256) == "tile/2/005"
    assert tile_path(63, 1000) == "tile/63/x001/000"
    assert tile_path(0, 999) == "tile/0/999"
    assert entries_path(1234, 5) == "tile/entries/x001/234.p/5"
    assert entries_path(0) == "tile/entries/000"
    assert parse_tile_path("tile/0/x001/x234/067") == TileRef(0, 1234067, 256)
    assert parse_tile_path("tile/1/000.p/12") == TileRef(1, 0, 12)
    assert parse_tile_path("tile/entries/x001/234.p/5") == TileRef(None, 1234, 5)
    ref = parse_tile_path("tile/entries/x001/234.p/5")
    assert ref.is_entries and ref.is_partial and ref.path == "tile/entries/x001/234.p/5"
    full = parse_tile_path("tile/3/x999/999")
    assert not full.is_entries and not full.is_partial and full.index == 999999


@pytest.mark.parametrize(
    "index", [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 999999, 1000000, 1234067, 2**56 - 1]
)
@pytest.mark.parametrize("width", [1, 2, 100, 255, 256])
def test_path_round_trip(index: int, width: int) -> None:
    for level in (0, 1, 7, 63):
        path = tile_path(level, index, width)
        assert parse_tile_path(path) == TileRef(level, index, width)
        assert parse_tile_path(path).path == path
    assert parse_tile_path(entries_path(index, width)) == TileRef(None, index, width)
    assert (".p/" in tile_path(0, index, width)) == (width < 256)


@given(level=st.integers(0, 63), index=st.integers(0, 2**64 - 1), width=st.integers(1, 256))
def test_path_round_trip_any(level: int, index: int, width: int) -> None:
    ref = TileRef(level, index, width)
    assert parse_tile_path(ref.path) == ref
    entries = TileRef(None, index, width)
    assert parse_tile_path(entries.path) == entries


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile",
        "tile/0",
        "tile/0/",
        "/tile/0/000",
        "tile/0/000/",
        "log/tile/0/000",
        "tile/0/0",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/1",
        "tile/0/x001",
        "tile/0/001/002",
        "tile/0/x001/x02/003",
        "tile/0/x000/001",  # leading zero group
        "tile/0/x000/x001/002",
        "tile/0/X001/002",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/+1/000",
        "tile/a/000",
        "tile/data/000",
        "tile/Entries/000",
        "tile/entries/0",
        "tile/0/000.p/256",  # full tiles have no .p
        "tile/0/000.p/0",
        "tile/0/000.p/300",
        "tile/0/000.p/012",
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/1/",
        "tile/0/000.p/1.p/1",
        "tile/0/000.q/1",
        "tile/0/000.p/ 1",
        "tile/0/000\n",
        "tile/0/000.p/1\n",
        "tile/0/\u0661\u0662\u0663",  # non-ASCII digits
        "tile/\u0661/000",
        "tile/8/000/extra",
        "tile/0/" + "x999/" * 40 + "000",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",  # index >= 2**64
    ],
)
def test_bad_paths_rejected(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


@given(st.text(alphabet="tile/0123456789xp.entris-", max_size=40))
def test_parse_tile_path_never_crashes(path: str) -> None:
    try:
        ref = parse_tile_path(path)
    except TileError:
        return
    assert ref.path == path  # anything accepted is canonical


def test_bad_path_arguments() -> None:
    for args in [(-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257), (True, 0, 1)]:
        with pytest.raises(TileError):
            tile_path(*args)
    with pytest.raises(TileError):
        entries_path(0, 0)
    with pytest.raises(TileError):
        parse_tile_path(b"tile/0/000")  # type: ignore[arg-type]


# --- Entry bundles -----------------------------------------------------------------------------


def test_entries_round_trip() -> None:
    entries = [b"", b"a", b"\x00" * 255, b"x" * 256, bytes(range(256)) * 10, b"y" * MAX_ENTRY_SIZE]
    data = encode_entries(entries)
    assert data[:2] == b"\x00\x00" and data[2:5] == b"\x00\x01a"
    assert decode_entries(data) == entries
    assert decode_entries(data, expected=len(entries)) == entries
    assert encode_entries([]) == b"" and decode_entries(b"") == []
    bytes_like: list[Any] = [bytearray(b"ab"), memoryview(b"c")]
    assert encode_entries(bytes_like) == b"\x00\x02ab\x00\x01c"
    rng = random.Random(1)
    for _ in range(50):
        entries = [rng.randbytes(rng.randrange(0, 600)) for _ in range(rng.randrange(0, 30))]
        assert decode_entries(encode_entries(entries)) == entries


def test_entries_bad_data() -> None:
    with pytest.raises(TileError, match="65535"):
        encode_entries([b"z" * (MAX_ENTRY_SIZE + 1)])
    with pytest.raises(TileError):
        encode_entries(["text"])  # type: ignore[list-item]
    good = encode_entries([b"abc", b"de"])
    for cut in range(1, len(good)):
        if cut == 5:
            continue  # b"\x00\x03abc" alone is a valid bundle
        with pytest.raises(TileError, match="truncated"):
            decode_entries(good[:cut])
    with pytest.raises(TileError, match="truncated"):
        decode_entries(good + b"\x00")
    with pytest.raises(TileError, match="truncated"):
        decode_entries(b"\xff\xff" + b"a" * 100)
    with pytest.raises(TileError, match="3"):
        decode_entries(good, expected=3)


def test_extend_entries() -> None:
    rng = random.Random(2)
    entries = [rng.randbytes(rng.randrange(0, 40)) for _ in range(1500)]
    bundles: dict[int, bytes] = {}
    size = 0
    reads: list[tuple[int, int]] = []

    def read_bundle(index: int, width: int) -> bytes:
        assert (index, width) == (size >> 8, size & 255) and width > 0
        reads.append((index, width))
        return bundles[index]

    while size < len(entries):
        batch = entries[size : size + rng.choice([1, 3, 100, 255, 256, 257, 600])]
        reads.clear()
        changed = extend_entries(size, read_bundle, batch)
        assert len(reads) <= 1
        new_size = size + len(batch)
        assert sorted(changed) == [r.index for r in new_tiles(size, new_size) if r.is_entries]
        bundles.update(changed)
        size = new_size
    assert extend_entries(size, read_bundle, []) == {}
    for ref in tiles_for_size(size):
        if ref.is_entries:
            got = decode_entries(bundles[ref.index], expected=ref.width)
            assert got == entries[ref.index * 256 : ref.index * 256 + ref.width]
    # One call gives the same bundles; a corrupt partial bundle is refused.
    assert extend_entries(0, read_bundle, entries) == bundles
    with pytest.raises(TileError):
        extend_entries(3, lambda i, w: encode_entries([b"a", b"b"]), [b"c"])


# --- Which tiles a tree has --------------------------------------------------------------------


def test_spec_tile_examples() -> None:
    refs = [r for r in tiles_for_size(70_000) if not r.is_entries]
    assert refs == (
        [TileRef(0, n) for n in range(273)]
        + [TileRef(0, 273, 112), TileRef(1, 0), TileRef(1, 1, 17), TileRef(2, 0, 1)]
    )
    assert [r for r in tiles_for_size(256) if not r.is_entries] == [TileRef(0, 0), TileRef(1, 0, 1)]
    assert tiles_for_size(256)[-1] == TileRef(None, 0, 256)
    assert tiles_for_size(0) == []
    assert tiles_for_size(1) == [TileRef(0, 0, 1), TileRef(None, 0, 1)]
    entries = [r for r in tiles_for_size(70_000) if r.is_entries]
    assert entries == [TileRef(None, n) for n in range(273)] + [TileRef(None, 273, 112)]
    assert tile_width(0, 273, 70_000) == 112
    assert tile_width(0, 272, 70_000) == 256
    assert tile_width(0, 274, 70_000) == 0
    assert tile_width(1, 1, 70_000) == 17
    assert tile_width(2, 0, 70_000) == 1
    assert tile_width(3, 0, 70_000) == 0
    assert tile_width(None, 273, 70_000) == 112


def test_tiles_for_size_agrees_with_tile_width() -> None:
    for size in [*range(0, 600), 65535, 65536, 65537, 16777216, 10_000_000, 2**40 + 3]:
        refs = tiles_for_size(size) if size < 100_000 else new_tiles(size - 1, size)
        for ref in refs:
            assert tile_width(ref.level, ref.index, size) == ref.width > 0
    with pytest.raises(TileError):
        tiles_for_size(-1)
    with pytest.raises(TileError):
        new_tiles(5, 4)
    # Go's TestNewTilesForSize, with height 8 instead of 10 (hash tiles only).
    assert len([r for r in new_tiles(1023, 1025) if not r.is_entries]) == 3  # 0/3, 0/4.p/1, 1/0.p/4
    assert len(new_tiles(1, 1)) == 0


# --- Building tiles ----------------------------------------------------------------------------


def test_tile_root() -> None:
    leaves = _leaves(256)
    assert tile_root(b"".join(leaves)) == merkle.root(leaves)
    with pytest.raises(TileError):
        tile_root(b"".join(leaves[:255]))


def test_extend_bad_input() -> None:
    store = Store()
    store.add(_leaves(300))
    with pytest.raises(TileError):
        extend(0, store.read_tile, [b"short"])
    with pytest.raises(TileError):
        extend(0, store.read_tile, [b"a" * 31, b"b" * 33])
    with pytest.raises(TileError):
        extend(-1, store.read_tile, [])
    with pytest.raises(TileError, match="bytes"):
        extend(5, lambda level, index, width: b"x" * 10, _leaves(1))
    assert extend(300, store.read_tile, []) == TileUpdate(300, {})


def test_every_size_up_to_1100() -> None:
    """One leaf at a time: each size's tiles, root and proofs against merkle.py.

    Proofs are compared byte for byte with merkle.py for one random index and old size per tree
    size (all of them up to 40 leaves), and checked with merkle.py's verifiers for the edges.
    """
    leaves = _leaves(1100)
    roots = [merkle.EMPTY_ROOT]
    tree = merkle.Tree()
    for h in leaves:
        tree.append(h)
        roots.append(tree.root())
    store = Store()
    rng = random.Random(3)
    for size in range(0, len(leaves) + 1):
        if size:
            store.add([leaves[size - 1]])
        reader = store.reader()
        assert reader.root() == roots[size]
        refs = [r for r in tiles_for_size(size) if not r.is_entries]
        assert {(r.level, r.index) for r in refs} == set(store.tiles)
        for ref in refs:
            assert ref.level is not None
            assert len(store.tiles[(ref.level, ref.index)]) == ref.width * HASH
        if size == 0:
            continue
        same = {rng.randrange(size)} if size > 40 else set(range(size))
        for i in same:
            assert reader.inclusion_proof(i) == merkle.inclusion_proof(i, leaves[:size])
        for i in {0, size - 1, size // 2, rng.randrange(size)}:
            proof = reader.inclusion_proof(i)
            assert merkle.verify_inclusion(i, size, leaves[i], proof, roots[size])
            assert reader.leaf_hash(i) == leaves[i]
        same = {rng.randrange(size + 1)} if size > 40 else set(range(size + 1))
        for old in same:
            assert reader.consistency_proof(old) == merkle.consistency_proof(old, size, leaves)
        for old in {0, 1, size - 1, size, size // 2, rng.randrange(size + 1)}:
            proof = reader.consistency_proof(old)
            assert merkle.verify_consistency(old, size, roots[old], roots[size], proof)
    assert store.tiles == _expected_tiles(leaves)


@pytest.mark.parametrize("seed", range(4))
def test_random_batches_and_large_sizes(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.choice([65536, 65537, 70_000]) if seed == 0 else rng.randrange(1200, 70_000)
    leaves = _leaves(size, seed)
    whole = Store()
    whole.add(leaves)
    assert whole.tiles == _expected_tiles(leaves)
    batched = Store()
    checkpoints = []
    while batched.size < size:
        n = min(size - batched.size, rng.choice([1, 2, 255, 256, 257, rng.randrange(1, 5000)]))
        batched.add(leaves[batched.size : batched.size + n])
        assert len(batched.reads) <= 3
        checkpoints.append(batched.size)
    assert batched.tiles == whole.tiles
    reader = whole.reader()
    root = merkle.root(leaves)
    assert reader.root() == root
    for i in [0, size - 1, *rng.sample(range(size), 3)]:
        proof = reader.inclusion_proof(i)
        assert merkle.verify_inclusion(i, size, leaves[i], proof, root)
    assert reader.inclusion_proof(size // 3) == merkle.inclusion_proof(size // 3, leaves)
    # Older tree sizes read from the same (grown) tiles, and proofs between them.
    for old in rng.sample(checkpoints, min(3, len(checkpoints))):
        old_reader = whole.reader(old)
        old_root = merkle.root(leaves[:old])
        assert old_reader.root() == old_root
        proof = reader.consistency_proof(old)
        assert merkle.verify_consistency(old, size, old_root, root, proof)
        if old == checkpoints[0]:
            assert proof == merkle.consistency_proof(old, size, leaves)
        j = rng.randrange(old)
        assert merkle.verify_inclusion(j, old, leaves[j], old_reader.inclusion_proof(j), old_root)


def test_extend_reads_only_right_edge_partial_tiles() -> None:
    store = Store()
    store.add(_leaves(65535))  # every level has a partial tile: 0/255.p/255, 1/000.p/255
    store.add(_leaves(1, 9))  # fills both, creating 2/000.p/1
    assert store.reads == [(0, 255, 255), (1, 0, 255)]
    assert sorted(store.tiles) == [(0, n) for n in range(256)] + [(1, 0), (2, 0)]
    store.add(_leaves(256, 9))
    assert store.reads == []  # level 0 was full; level 1 has no partial tile yet
    store.add(_leaves(3, 9))
    assert store.reads == []
    assert store.size == 65795


# --- Reading hashes and proofs from tiles ------------------------------------------------------


class CountingReader:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[tuple[int, int, int]] = []

    def __call__(self, level: int, index: int, width: int) -> bytes:
        self.calls.append((level, index, width))
        return self.store.read_tiles_at(level, index, width)


def test_reader_reads_few_tiles_and_caches() -> None:
    size = 70_000
    store = Store()
    store.add(_leaves(size))
    counting = CountingReader(store)
    reader = TileHashReader(size, counting)
    reader.root()
    # The root needs only the right edge's partial tiles.
    assert sorted(counting.calls) == [(0, 273, 112), (1, 1, 17), (2, 0, 1)]
    for i in [0, 12345, 65535, 69_999]:
        counting.calls.clear()
        fresh = CountingReader(store)
        TileHashReader(size, fresh).inclusion_proof(i)
        assert len(fresh.calls) == len(set(fresh.calls)) <= 6
        for level, index, width in fresh.calls:
            assert tile_width(level, index, size) == width
    for old in [1, 255, 256, 40_000, 65_536, 69_999]:
        fresh = CountingReader(store)
        TileHashReader(size, fresh).consistency_proof(old)
        assert len(fresh.calls) == len(set(fresh.calls)) <= 7
    # With a warm cache nothing is read again.
    reader.inclusion_proof(12345)
    reader.consistency_proof(40_000)
    counting.calls.clear()
    reader.inclusion_proof(12345)
    reader.consistency_proof(40_000)
    assert counting.calls == []


def test_shared_cache_between_sizes() -> None:
    leaves = _leaves(3000)
    store = Store()
    store.add(leaves)
    cache = TileCache(capacity=4)
    for size in [1, 255, 256, 257, 700, 1000, 2999, 3000, 700, 256]:
        reader = store.reader(size, cache=cache)
        assert reader.root() == merkle.root(leaves[:size])
        assert reader.inclusion_proof(size - 1) == merkle.inclusion_proof(size - 1, leaves[:size])
        assert len(cache) <= 4
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(TileError):
        TileCache(0)


def test_subtree_hash() -> None:
    leaves = _leaves(3000)
    store = Store()
    store.add(leaves)
    reader = store.reader()
    for level in range(12):
        for index in range(3000 >> level):
            span = 1 << level
            want = merkle.subtree_root(leaves, index * span, (index + 1) * span)
            assert reader.subtree_hash(level, index) == want
    with pytest.raises(TileError):
        reader.subtree_hash(0, 3000)
    with pytest.raises(TileError):
        reader.subtree_hash(3, 375)  # leaves 3000..3007
    with pytest.raises(TileError):
        reader.subtree_hash(12, 0)
    with pytest.raises(TileError):
        reader.subtree_hash(-1, 0)


def test_reader_bad_arguments() -> None:
    store = Store()
    store.add(_leaves(10))
    reader = store.reader()
    for bad in [-1, 10, 11, True]:
        with pytest.raises(TileError):
            reader.inclusion_proof(bad)
        with pytest.raises(TileError):
            reader.leaf_hash(bad)
    for bad_old in [-1, 11]:
        with pytest.raises(TileError):
            reader.consistency_proof(bad_old)
    empty = TileHashReader(0, store.read_tiles_at)
    assert empty.root() == merkle.EMPTY_ROOT
    assert empty.consistency_proof(0) == []
    with pytest.raises(TileError):
        empty.inclusion_proof(0)
    with pytest.raises(TileError):
        TileHashReader(-1, store.read_tiles_at)
    short: Callable[[int, int, int], bytes] = lambda level, index, width: b"\x00" * 31  # noqa: E731
    with pytest.raises(TileError, match="bytes"):
        TileHashReader(10, short).root()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_proofs_match_merkle_hypothesis(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, 2200))
    leaves = _leaves(size, 7)
    store = Store()
    cuts = sorted(data.draw(st.sets(st.integers(1, size), max_size=6)) | {size})
    for cut in cuts:
        store.add(leaves[store.size : cut])
    reader = store.reader()
    index = data.draw(st.integers(0, size - 1))
    assert reader.inclusion_proof(index) == merkle.inclusion_proof(index, leaves)
    old = data.draw(st.integers(0, size))
    assert reader.consistency_proof(old) == merkle.consistency_proof(old, size, leaves)


def _no_read(level: int, index: int, width: int) -> bytes:
    raise AssertionError(f"unexpected read of tile {level}/{index}.p/{width}")


def _check_seeded_reader(size: int, rng: random.Random) -> None:
    hashes = [rng.randbytes(32) for _ in range(size)]
    stored = extend(0, _no_read, hashes).tiles
    reads: list[tuple[int, int, int]] = []

    def read(level: int, index: int, width: int) -> bytes:
        reads.append((level, index, width))
        return stored[(level, index)][: width * 32]

    seeded = TileHashReader(size, read, right_edge=merkle.Tree.from_leaves(hashes).right_edge)
    assert seeded.root() == merkle.root(hashes)
    assert reads == []  # the root needs nothing but the edge
    plain = TileHashReader(size, lambda lv, i, w: stored[(lv, i)][: w * 32])
    for index in {0, size // 2, size - 1}:
        assert seeded.inclusion_proof(index) == plain.inclusion_proof(index)
    for old in {1, size // 3, size - 1} - {0}:
        assert seeded.consistency_proof(old) == plain.consistency_proof(old)


def test_a_seeded_right_edge_gives_the_same_proofs_with_fewer_reads() -> None:
    rng = random.Random(7)
    for size in (1, 2, 3, 255, 256, 257, 1000, 70_001):
        _check_seeded_reader(size, rng)
    with pytest.raises(TileError):
        TileHashReader(3, _no_read, right_edge=[b"\0" * 32])


def test_stored_inner_nodes_give_the_same_proofs_without_hashing() -> None:
    from chancery.ledger.tiles import INNER_BYTES, tile_inner_nodes, tile_root

    rng = random.Random(11)
    size = 70_001
    hashes = [rng.randbytes(32) for _ in range(size)]
    stored = extend(0, _no_read, hashes).tiles

    def with_inner(level: int, index: int, width: int) -> tuple[bytes, bytes | None]:
        data = stored[(level, index)][: width * 32]
        return data, tile_inner_nodes(data) if width == 256 else None

    plain = TileHashReader(size, lambda lv, i, w: stored[(lv, i)][: w * 32])
    fast = TileHashReader(size, with_inner)
    assert fast.root() == plain.root() == merkle.root(hashes)
    for index in (0, 1, 255, 256, 65_535, 65_536, size - 1):
        assert fast.inclusion_proof(index) == plain.inclusion_proof(index)
    full = stored[(0, 0)]
    inner = tile_inner_nodes(full)
    assert len(inner) == INNER_BYTES and inner[-32:] == tile_root(full)
