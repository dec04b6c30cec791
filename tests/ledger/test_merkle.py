"""The Merkle core (chancery.ledger.merkle) against RFC 9162 §2.1, with no database.

The reference here is a naive, recursive transcription of RFC 9162's definitions (MTH, PATH,
PROOF/SUBPROOF) using hashlib directly, so the optimised module is checked against the text of
the standard rather than against itself; plus the published RFC 6962 test vectors (the ones
certificate-transparency, transparency-dev/merkle and Go's sumdb/tlog test against).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chancery.ledger.merkle import (
    EMPTY_ROOT,
    Tree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

# --- The naive reference, straight from RFC 9162 §2.1 ------------------------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: Sequence[bytes]) -> bytes:
    """MTH(D_n) over leaf hashes (§2.1.1)."""
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return d[0]
    k = _k(n)
    return _sha256(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


def naive_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D_n) (§2.1.3.1)."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return naive_path(m, d[:k]) + [naive_mth(d[k:])]
    return naive_path(m - k, d[k:]) + [naive_mth(d[:k])]


def naive_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D_n, b) (§2.1.4.1)."""
    n = len(d)
    if m == n:
        return [] if b else [naive_mth(d)]
    k = _k(n)
    if m <= k:
        return naive_subproof(m, d[:k], b) + [naive_mth(d[k:])]
    return naive_subproof(m - k, d[k:], False) + [naive_mth(d[:k])]


def naive_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D_n) = SUBPROOF(m, D_n, true), for 0 < m < n (§2.1.4.1)."""
    return naive_subproof(m, d, True)


# --- Fixtures ----------------------------------------------------------------------------------

MAX_LARGE = 5000
LEAVES = [leaf_hash(b"chancery test leaf " + i.to_bytes(4, "big")) for i in range(MAX_LARGE)]
SMALL = 300
NAIVE_ROOTS = [naive_mth(LEAVES[:n]) for n in range(SMALL + 1)]


def flip_bit(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[(bit // 8) % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


def sampled_indices(n: int, rng: random.Random) -> list[int]:
    if n <= 64:
        return list(range(n))
    picks = {0, 1, n // 2, n - 2, n - 1, (1 << ((n - 1).bit_length() - 1)) - 1}
    picks.update(rng.randrange(n) for _ in range(6))
    return sorted(picks)


def sampled_old_sizes(n: int, rng: random.Random) -> list[int]:
    picks = {1, n - 1, n // 2, n // 2 + 1}
    p = 1
    while p < n:
        picks.update({p - 1, p, p + 1})
        p *= 2
    picks.update(rng.randrange(1, n) for _ in range(4))
    return sorted(m for m in picks if 0 < m < n)


# --- Known vectors -----------------------------------------------------------------------------

# RFC 6962 test data used by certificate-transparency and transparency-dev/merkle.
CT_DATA = [
    bytes.fromhex(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_LEAVES = [leaf_hash(x) for x in CT_DATA]
CT_ROOTS = [
    bytes.fromhex(x)
    for x in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CT_CONSISTENCY = [
    (
        2,
        8,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT
    assert Tree().root() == EMPTY_ROOT
    assert Tree().size == 0


def test_hash_prefixes() -> None:
    assert leaf_hash(b"abc") == _sha256(b"\x00abc")
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert node_hash(left, right) == _sha256(b"\x01" + left + right)
    assert node_hash(left, right) != node_hash(right, left)
    # Domain separation: a leaf whose data is two hashes is not the node over them.
    assert leaf_hash(left + right) != node_hash(left, right)


def test_rfc6962_roots() -> None:
    for n in range(len(CT_LEAVES) + 1):
        assert root(CT_LEAVES[:n]) == CT_ROOTS[n], n
        assert Tree.from_leaves(CT_LEAVES[:n]).root() == CT_ROOTS[n], n


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_rfc6962_inclusion_vectors(index: int, size: int, proof: list[str]) -> None:
    want = [bytes.fromhex(h) for h in proof]
    assert inclusion_proof(index, CT_LEAVES[:size]) == want
    assert verify_inclusion(index, size, CT_LEAVES[index], want, CT_ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_rfc6962_consistency_vectors(old: int, new: int, proof: list[str]) -> None:
    want = [bytes.fromhex(h) for h in proof]
    assert consistency_proof(old, new, CT_LEAVES) == want
    assert verify_consistency(old, new, CT_ROOTS[old], CT_ROOTS[new], want)


# --- Every size 1-300 against the naive definitions --------------------------------------------


def test_root_matches_naive_for_every_size() -> None:
    for n in range(SMALL + 1):
        assert root(LEAVES[:n]) == NAIVE_ROOTS[n], n


def test_tree_append_matches_root_for_every_size() -> None:
    tree = Tree()
    for n in range(1, SMALL + 1):
        assert tree.append(LEAVES[n - 1]) == n - 1
        assert tree.size == n
        assert tree.root() == NAIVE_ROOTS[n], n
        assert len(tree.right_edge) == n.bit_count()
        resumed = Tree.from_right_edge(tree.size, tree.right_edge)
        assert resumed.root() == NAIVE_ROOTS[n]


def test_inclusion_proofs_match_naive_for_every_size() -> None:
    rng = random.Random(6962)
    for n in range(1, SMALL + 1):
        d = LEAVES[:n]
        for i in sampled_indices(n, rng):
            proof = inclusion_proof(i, d)
            assert proof == naive_path(i, d), (i, n)
            assert verify_inclusion(i, n, d[i], proof, NAIVE_ROOTS[n]), (i, n)


def test_consistency_proofs_match_naive_for_every_size() -> None:
    rng = random.Random(9162)
    for n in range(1, SMALL + 1):
        d = LEAVES[:n]
        olds = range(1, n) if n <= 40 else sampled_old_sizes(n, rng)
        for m in olds:
            proof = consistency_proof(m, n, d)
            assert proof == naive_proof(m, d), (m, n)
            assert verify_consistency(m, n, NAIVE_ROOTS[m], NAIVE_ROOTS[n], proof), (m, n)
        # The cases outside the RFC's 0 < m < n: empty proofs.
        assert consistency_proof(n, n, d) == []
        assert verify_consistency(n, n, NAIVE_ROOTS[n], NAIVE_ROOTS[n], [])
        assert consistency_proof(0, n, d) == []
        assert verify_consistency(0, n, EMPTY_ROOT, NAIVE_ROOTS[n], [])


def test_subtree_root() -> None:
    for lo, hi in [(0, 0), (0, 1), (3, 4), (4, 8), (5, 13), (0, 300), (256, 300)]:
        assert subtree_root(LEAVES, lo, hi) == naive_mth(LEAVES[lo:hi])
    with pytest.raises(ValueError):
        subtree_root(LEAVES[:10], 4, 11)
    with pytest.raises(ValueError):
        subtree_root(LEAVES[:10], 5, 4)


# --- Random large trees (hypothesis) -----------------------------------------------------------

_large = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def size_and_index(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=1, max_value=MAX_LARGE) | st.integers(SMALL, MAX_LARGE))
    return n, draw(st.integers(min_value=0, max_value=n - 1))


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    n = draw(st.integers(min_value=2, max_value=MAX_LARGE) | st.integers(SMALL, MAX_LARGE))
    return draw(st.integers(min_value=1, max_value=n - 1)), n


@_large
@given(size_and_index())
def test_large_inclusion(case: tuple[int, int]) -> None:
    n, i = case
    d = LEAVES[:n]
    r = root(d)
    assert r == naive_mth(d)
    proof = inclusion_proof(i, d)
    assert proof == naive_path(i, d)
    assert verify_inclusion(i, n, d[i], proof, r)
    assert not verify_inclusion(i, n, d[i], [*proof, JUNK], r)
    if proof:
        assert not verify_inclusion(i, n, d[i], proof[:-1], r)
        assert not verify_inclusion(i, n, d[i], [flip_bit(proof[0], 3), *proof[1:]], r)


@_large
@given(two_sizes())
def test_large_consistency(case: tuple[int, int]) -> None:
    m, n = case
    d = LEAVES[:n]
    old, new = root(d[:m]), root(d)
    proof = consistency_proof(m, n, d)
    assert proof == naive_proof(m, d)
    assert verify_consistency(m, n, old, new, proof)
    assert not verify_consistency(m, n, new, old, proof)
    assert not verify_consistency(m, n, old, new, proof[:-1])
    assert not verify_consistency(m, n, old, new, [*proof[:-1], flip_bit(proof[-1], 200)])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=6))
def test_tree_in_batches_matches_root(batches: list[int]) -> None:
    tree = Tree()
    done = 0
    for b in batches:
        chunk = LEAVES[done : done + b]
        tree = Tree.from_right_edge(tree.size, tree.right_edge)  # as a sequencer resumes
        tree.extend(chunk)
        done += len(chunk)
        assert tree.size == done
        assert tree.root() == root(LEAVES[:done])


# --- Tampering: every altered proof or claim fails ---------------------------------------------

TAMPER_SIZES = [*range(1, 40), 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 300]
JUNK = _sha256(b"junk")


@pytest.mark.parametrize("n", TAMPER_SIZES)
def test_tampered_inclusion_proofs_fail(n: int) -> None:
    d = LEAVES[:n]
    r = NAIVE_ROOTS[n]
    rng = random.Random(n)
    for i in sampled_indices(n, rng) if n > 40 else range(n):
        proof = inclusion_proof(i, d)
        assert verify_inclusion(i, n, d[i], proof, r)
        # A flipped bit in any hash: proof, leaf or root.
        for j in range(len(proof)):
            for bit in (0, 7, 129, 255):
                bad = [*proof[:j], flip_bit(proof[j], bit), *proof[j + 1 :]]
                assert not verify_inclusion(i, n, d[i], bad, r), (i, n, j, bit)
        assert not verify_inclusion(i, n, flip_bit(d[i], 17), proof, r)
        assert not verify_inclusion(i, n, d[i], proof, flip_bit(r, 250))
        # Dropped, added or reordered hashes.
        if proof:
            assert not verify_inclusion(i, n, d[i], proof[1:], r)
            assert not verify_inclusion(i, n, d[i], proof[:-1], r)
        assert not verify_inclusion(i, n, d[i], [*proof, JUNK], r)
        assert not verify_inclusion(i, n, d[i], [JUNK, *proof], r)
        assert not verify_inclusion(i, n, d[i], [*proof, r], r)
        if len(proof) >= 2 and proof[0] != proof[1]:
            assert not verify_inclusion(i, n, d[i], [proof[1], proof[0], *proof[2:]], r)
        # Another leaf, or this leaf at another index.
        assert not verify_inclusion(i, n, d[(i + 1) % n] if n > 1 else JUNK, proof, r)
        for other in range(n):
            if other != i:
                assert not verify_inclusion(other, n, d[i], proof, r), (i, other, n)
        # Another size, with that size's real root. (With the original root, another size can
        # verify: the RFC binds size and root only as the pair from one signed checkpoint.)
        for n2 in range(1, min(SMALL, n + 40) + 1):
            if n2 != n:
                assert not verify_inclusion(i, n2, d[i], proof, NAIVE_ROOTS[n2]), (i, n, n2)
        # Index out of range.
        assert not verify_inclusion(n, n, d[i], proof, r)
        assert not verify_inclusion(n + 1, n, d[i], proof, r)
        assert not verify_inclusion(-1, n, d[i], proof, r)


def test_inclusion_pitfalls() -> None:
    h = LEAVES[0]
    # Size 0: nothing is in the empty tree, whatever the root or proof.
    assert not verify_inclusion(0, 0, h, [], EMPTY_ROOT)
    assert not verify_inclusion(0, 0, h, [], h)
    assert not verify_inclusion(0, 0, h, [JUNK], node_hash(h, JUNK))
    # index == size with a proof that would otherwise compute the root.
    assert not verify_inclusion(1, 1, h, [], h)
    assert not verify_inclusion(2, 2, LEAVES[1], [h], node_hash(h, LEAVES[1]))
    # Size 1: the root is the leaf hash and the proof is empty; anything extra fails (sn == 0).
    assert verify_inclusion(0, 1, h, [], h)
    assert not verify_inclusion(0, 1, h, [JUNK], node_hash(h, JUNK))
    assert not verify_inclusion(0, 1, h, [JUNK], h)
    # A proof one hash too short, checked against the root it does compute: fails on sn != 0.
    d = LEAVES[:8]
    short = inclusion_proof(0, d)[:-1]
    assert not verify_inclusion(0, 8, d[0], short, root(d[:4]))
    # Malformed input is refused, not raised on.
    assert not verify_inclusion(0, 1, h[:31], [], h[:31])
    assert not verify_inclusion(0, 2, h, [JUNK[:31]], root(LEAVES[:2]))
    assert not verify_inclusion(0, 2, h, LEAVES[1], root(LEAVES[:2]))  # type: ignore[arg-type]  # bytes, not a list
    with pytest.raises(ValueError):
        inclusion_proof(0, [])
    with pytest.raises(ValueError):
        inclusion_proof(5, LEAVES[:5])
    with pytest.raises(ValueError):
        inclusion_proof(-1, LEAVES[:5])
    with pytest.raises(ValueError):
        inclusion_proof(0, [b"short"])


@pytest.mark.parametrize("n", TAMPER_SIZES[1:])
def test_tampered_consistency_proofs_fail(n: int) -> None:
    d = LEAVES[:n]
    new = NAIVE_ROOTS[n]
    rng = random.Random(-n)
    for m in range(1, n) if n <= 40 else sampled_old_sizes(n, rng):
        old = NAIVE_ROOTS[m]
        proof = consistency_proof(m, n, d)
        assert proof
        assert verify_consistency(m, n, old, new, proof)
        for j in range(len(proof)):
            for bit in (0, 100, 255):
                bad = [*proof[:j], flip_bit(proof[j], bit), *proof[j + 1 :]]
                assert not verify_consistency(m, n, old, new, bad), (m, n, j, bit)
        assert not verify_consistency(m, n, flip_bit(old, 9), new, proof)
        assert not verify_consistency(m, n, old, flip_bit(new, 9), proof)
        assert not verify_consistency(m, n, new, old, proof)  # swapped roots
        assert not verify_consistency(m, n, old, new, [])
        assert not verify_consistency(m, n, old, new, proof[1:])
        assert not verify_consistency(m, n, old, new, proof[:-1])
        assert not verify_consistency(m, n, old, new, [*proof, JUNK])
        assert not verify_consistency(m, n, old, new, [JUNK, *proof])
        assert not verify_consistency(m, n, old, new, [old, *proof])
        if len(proof) >= 2 and proof[0] != proof[1]:
            assert not verify_consistency(m, n, old, new, [proof[1], proof[0], *proof[2:]])
        # The old root claimed at another old size.
        for m2 in range(0, n + 1):
            if m2 != m:
                assert not verify_consistency(m2, n, old, new, proof), (m, m2, n)
        # Another new size, with that size's real root. (The same proof and new root at another
        # new size can verify: like an inclusion proof's, the RFC's algorithm binds a size to a
        # root only as the pair taken from one signed checkpoint; see the module's docstring.)
        for n2 in range(1, min(SMALL, n + 20) + 1):
            if n2 != n and n2 > m:
                assert not verify_consistency(m, n2, old, NAIVE_ROOTS[n2], proof), (m, n, n2)
        # Old size beyond new size.
        assert not verify_consistency(n, m, new, old, proof)
        # A root from a fork: a different leaf at index m - 1.
        forked = root([*d[: m - 1], JUNK])
        assert not verify_consistency(m, n, forked, new, proof)


def test_consistency_edge_cases() -> None:
    r4, r5 = NAIVE_ROOTS[4], NAIVE_ROOTS[5]
    # Equal sizes: only an empty proof and equal roots.
    assert verify_consistency(4, 4, r4, r4, [])
    assert not verify_consistency(4, 4, r4, r5, [])
    assert not verify_consistency(4, 4, r4, r4, [r4])
    # Size 0: consistent with anything, with an empty proof and the empty root only.
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, r5, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, r5, [r5])
    assert not verify_consistency(0, 5, r4, r5, [])
    # Old size greater than new size, negative sizes.
    assert not verify_consistency(5, 4, r5, r4, [])
    assert not verify_consistency(5, 4, r5, r4, consistency_proof(4, 5, LEAVES))
    assert not verify_consistency(-1, 4, EMPTY_ROOT, r4, [])
    # 0 < m < n: an empty proof never suffices, even for equal roots.
    assert not verify_consistency(4, 5, r4, r5, [])
    assert not verify_consistency(4, 5, r4, r4, [])
    # Malformed input is refused, not raised on.
    proof = consistency_proof(4, 5, LEAVES)
    assert not verify_consistency(4, 5, r4[:31], r5, proof)
    assert not verify_consistency(4, 5, r4, r5, [p[:31] for p in proof])
    assert not verify_consistency(4, 5, r4, r5, proof[0])  # type: ignore[arg-type]  # bytes, not a list
    with pytest.raises(ValueError):
        consistency_proof(5, 4, LEAVES)
    with pytest.raises(ValueError):
        consistency_proof(1, 6, LEAVES[:5])
    with pytest.raises(ValueError):
        consistency_proof(-1, 4, LEAVES)


def test_tree_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        Tree().append(b"short")
    with pytest.raises(ValueError):
        Tree.from_right_edge(3, [LEAVES[0]])  # 3 leaves are two perfect subtrees
    with pytest.raises(ValueError):
        Tree.from_right_edge(-1, [])
    tree = Tree.from_leaves(LEAVES[:5])
    copy = tree.copy()
    copy.append(LEAVES[5])
    assert tree.size == 5 and tree.root() == NAIVE_ROOTS[5]
    assert copy.size == 6 and copy.root() == NAIVE_ROOTS[6]
    assert "size=5" in repr(tree)


@pytest.mark.parametrize("level", [0, 1, 3, 8])
def test_append_subtree_is_appending_its_leaves(level: int) -> None:
    rng = random.Random(level)
    leaves = [rng.randbytes(32) for _ in range((1 << level) * 11 + 5)]
    tree = Tree()
    block = 1 << level
    for start in range(0, len(leaves) - block + 1, block):
        tree.append_subtree(level, root(leaves[start : start + block]))
        assert tree.size == start + block
        assert tree.root() == root(leaves[: start + block])
        assert tree.right_edge == Tree.from_leaves(leaves[: start + block]).right_edge
    tree.append(rng.randbytes(32))  # now an odd size
    with pytest.raises(ValueError):
        tree.append_subtree(max(level, 1), leaves[0])
