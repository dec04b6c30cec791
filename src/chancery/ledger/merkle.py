"""The Merkle core of the transparency log: RFC 6962 hashing, proofs and their verification.

Pure functions over 32-byte SHA-256 hashes, with no Django (or any other project) imports, so
that receipt verification and monitors can use this module on its own.

Everything follows RFC 9162 §2.1 (which restates RFC 6962 §2.1 with the verification algorithms
spelled out), so that independent implementations such as Go's ``golang.org/x/mod/sumdb/tlog``
and ``github.com/transparency-dev/merkle`` agree with us bit for bit:

- :func:`leaf_hash`, :func:`node_hash`, :data:`EMPTY_ROOT`: §2.1.1 (hash prefixes 0x00 / 0x01).
- :func:`root`: the Merkle Tree Hash ``MTH`` of §2.1.1.
- :func:`inclusion_proof`, :func:`verify_inclusion`: ``PATH`` of §2.1.3.1 and the verification
  algorithm of §2.1.3.2.
- :func:`consistency_proof`, :func:`verify_consistency`: ``PROOF``/``SUBPROOF`` of §2.1.4.1 and
  the verification algorithm of §2.1.4.2.
- :class:`Tree`: the tree's right edge (its perfect subtrees, largest first), which is all a
  sequencer needs to append leaves and compute ``MTH`` without holding the whole tree.

Proof generators raise :class:`ValueError` on impossible arguments; verifiers never raise on
bad input, they return ``False``. The verifiers check the known pitfalls: ``index < size``
(so size 0 never proves an inclusion), the final ``sn == 0`` check, empty proofs and equal sizes.
Sizes and roots given to a verifier must come from a signed checkpoint, never from the proof's
sender alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Tree",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "subtree_root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Size in bytes of every hash in the log (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""``MTH({})``, the root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """``MTH({d}) = HASH(0x00 || d)``: the hash of one leaf's data (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``HASH(0x01 || left || right)``: an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray | memoryview) and len(value) == HASH_SIZE


def _check_hashes(leaf_hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(leaf_hashes):
        if not _is_hash(h):
            raise ValueError(f"leaf hash {i} is not a {HASH_SIZE}-byte hash")


def _largest_power_of_two_below(n: int) -> int:
    """The ``k`` of RFC 9162 §2.1.1: the largest power of two smaller than ``n`` (``n > 1``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaf_hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """``MTH(D[lo:hi])`` over leaf hashes, iteratively in O(hi - lo), without copying the input.

    Pairing the hashes level by level and carrying an unpaired last node up unchanged builds the
    same left-balanced tree as the recursive definition, which splits at the largest power of two.
    """
    if hi <= lo:
        return EMPTY_ROOT
    level = [bytes(h) for h in leaf_hashes[lo:hi]]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash ``MTH(D_n)`` of RFC 9162 §2.1.1, given the leaves' hashes.

    The empty list gives :data:`EMPTY_ROOT`. Runs in O(n) time.
    """
    _check_hashes(leaf_hashes)
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """``MTH(D[start:end])``: the hash of the subtree over leaves ``start`` to ``end - 1``."""
    if not 0 <= start <= end <= len(leaf_hashes):
        raise ValueError(f"range [{start}, {end}) is outside a tree of {len(leaf_hashes)} leaves")
    _check_hashes(leaf_hashes[start:end])
    return _mth(leaf_hashes, start, end)


def _path(m: int, leaf_hashes: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    """``PATH(m, D[lo:hi])`` of RFC 9162 §2.1.3.1, with ``m`` relative to ``lo``."""
    out: list[bytes] = []
    # Walk down from the root, collecting siblings; the RFC lists them leaf first.
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if m < k:
            out.append(_mth(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            out.append(_mth(leaf_hashes, lo, lo + k))
            lo += k
            m -= k
    out.reverse()
    return out


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path ``PATH(index, D_n)`` for leaf ``index`` of the tree over ``leaf_hashes``.

    RFC 9162 §2.1.3.1; ``n = len(leaf_hashes)``. Hashes are ordered from the leaf's sibling up
    to the root's child, as the RFC and every C2SP format expect. O(n) time.
    """
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is not in a tree of {n} leaves")
    _check_hashes(leaf_hashes)
    return _path(index, leaf_hashes, 0, n)


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows that ``leaf_hash`` is leaf ``index`` of the tree ``(size, root)``.

    The algorithm of RFC 9162 §2.1.3.2, step by step, including its checks that
    ``index < size`` (so no proof verifies against the empty tree), that ``sn`` does not reach 0
    before the path is used up, and that ``sn == 0`` at the end (so no extra or missing hashes).
    """
    if not (isinstance(index, int) and isinstance(size, int)):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root)):
        return False
    if isinstance(proof, bytes | bytearray | str) or not all(_is_hash(p) for p in proof):
        return False
    # 1. Compare leaf_index against tree_size: fail unless leaf_index < tree_size.
    if index < 0 or index >= size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    # 4. For each value p in the inclusion_path array:
    for p in proof:
        # a. If sn is 0, stop the iteration and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. r = HASH(0x01 || p || r)
            r = node_hash(bytes(p), r)
            # ii. If LSB(fn) is not set, right-shift fn and sn equally until LSB(fn) is set
            #     or fn is 0.
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # Otherwise: r = HASH(0x01 || r || p)
            r = node_hash(r, bytes(p))
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. Compare sn to 0 and r against root_hash.
    return sn == 0 and r == bytes(root)


def _subproof(
    m: int, leaf_hashes: Sequence[bytes], lo: int, hi: int, complete: bool
) -> list[bytes]:
    """``SUBPROOF(m, D[lo:hi], b)`` of RFC 9162 §2.1.4.1, iteratively, with ``m`` relative to lo."""
    tail: list[bytes] = []  # hashes appended after the recursive part, innermost first
    while True:
        n = hi - lo
        if m == n:
            # SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
            head = [] if complete else [_mth(leaf_hashes, lo, hi)]
            break
        k = _largest_power_of_two_below(n)
        if m <= k:
            # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            tail.append(_mth(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            tail.append(_mth(leaf_hashes, lo, lo + k))
            lo += k
            m -= k
            complete = False
    tail.reverse()
    return head + tail


def consistency_proof(old_size: int, new_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """``PROOF(old_size, D[0:new_size])``: the consistency proof between two sizes of one tree.

    RFC 9162 §2.1.4.1 defines it for ``0 < old_size < new_size`` as
    ``SUBPROOF(old_size, D_new, true)``. For ``old_size == new_size`` and for ``old_size == 0``
    the proof is empty, which is what :func:`verify_consistency` (and other implementations)
    accept. ``leaf_hashes`` holds at least the first ``new_size`` leaves. O(new_size) time.
    """
    if not 0 <= old_size <= new_size <= len(leaf_hashes):
        raise ValueError(
            f"no consistency proof from size {old_size} to {new_size} "
            f"in a tree of {len(leaf_hashes)} leaves"
        )
    if old_size in (0, new_size):
        return []
    _check_hashes(leaf_hashes[:new_size])
    return _subproof(old_size, leaf_hashes, 0, new_size, True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows that tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    For ``0 < old_size < new_size`` this is the algorithm of RFC 9162 §2.1.4.2, step by step
    (an empty proof fails; the final checks are ``fr == old_root``, ``sr == new_root`` and
    ``sn == 0``). The cases the RFC leaves outside that algorithm are decided as
    ``github.com/transparency-dev/merkle`` does, only more strictly:

    - ``old_size > new_size`` (or a negative size): invalid.
    - ``old_size == new_size``: valid only with an empty proof and ``old_root == new_root``.
    - ``old_size == 0``: valid only with an empty proof and ``old_root`` the empty tree's root.
    """
    if not (isinstance(old_size, int) and isinstance(new_size, int)):
        return False
    if not (_is_hash(old_root) and _is_hash(new_root)):
        return False
    if isinstance(proof, bytes | bytearray | str) or not all(_is_hash(p) for p in proof):
        return False
    old_root, new_root = bytes(old_root), bytes(new_root)
    if old_size < 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    if old_size == 0:
        return len(proof) == 0 and old_root == EMPTY_ROOT
    # 1. If consistency_path is an empty array, stop and fail.
    if len(proof) == 0:
        return False
    path = [bytes(p) for p in proof]
    # 2. If first is an exact power of 2, prepend first_hash to the consistency_path array.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, right-shift both fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, stop the iteration and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. fr = HASH(0x01 || c || fr); sr = HASH(0x01 || c || sr)
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # ii. If LSB(fn) is not set, right-shift fn and sn equally until LSB(fn) is set
            #     or fn is 0.
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # Otherwise: sr = HASH(0x01 || sr || c)
            sr = node_hash(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. Verify fr == first_hash, sr == second_hash and sn == 0.
    return sn == 0 and fr == old_root and sr == new_root


class Tree:
    """A Merkle tree held as its right edge only: O(log n) hashes for a tree of any size.

    The right edge is the list of roots of the perfect subtrees that make up the tree, largest
    (leftmost) first: one per set bit of ``size``. Appending a leaf merges equal-sized subtrees
    as in binary addition, and :meth:`root` folds them from the right, which is exactly
    ``MTH`` of RFC 9162 §2.1.1 (the tree is left-balanced, split at the largest power of two).
    This is what a sequencer keeps between batches, and what it stores to resume after a restart
    (see :meth:`from_right_edge`).
    """

    __slots__ = ("_edge", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._edge: list[bytes] = []

    @classmethod
    def from_right_edge(cls, size: int, edge: Sequence[bytes]) -> Tree:
        """A tree of ``size`` leaves whose perfect subtrees' roots, largest first, are ``edge``."""
        if not isinstance(size, int) or size < 0:
            raise ValueError(f"invalid tree size {size!r}")
        if len(edge) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} right-edge hashes, not {len(edge)}"
            )
        _check_hashes(edge)
        tree = cls()
        tree._size = size
        tree._edge = [bytes(h) for h in edge]
        return tree

    @classmethod
    def from_leaves(cls, leaf_hashes: Sequence[bytes]) -> Tree:
        """A tree holding ``leaf_hashes``, appended in order."""
        tree = cls()
        tree.extend(leaf_hashes)
        return tree

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._size

    @property
    def right_edge(self) -> list[bytes]:
        """The perfect subtrees' roots, largest (leftmost) first; a copy."""
        return list(self._edge)

    def append(self, leaf_hash: bytes) -> int:
        """Append one leaf hash; returns the new leaf's index. Amortised O(1) hashes."""
        if not _is_hash(leaf_hash):
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes")
        index = self._size
        h = bytes(leaf_hash)
        s = index
        # Each trailing 1 bit of the old size is a perfect subtree the new one merges with.
        while s & 1:
            h = node_hash(self._edge.pop(), h)
            s >>= 1
        self._edge.append(h)
        self._size = index + 1
        return index

    def append_subtree(self, level: int, subtree_root: bytes) -> None:
        """Append a perfect subtree of ``2**level`` leaves given by its root, as if its leaves
        were appended one by one; the size must be a multiple of ``2**level``. A verifier that
        has checked a full tile's 256 hashes appends the tile's root this way (``level`` 8)."""
        if not isinstance(level, int) or level < 0 or self._size & ((1 << level) - 1):
            raise ValueError(f"a subtree of 2**{level} leaves cannot follow {self._size} leaves")
        if not _is_hash(subtree_root):
            raise ValueError(f"a subtree root is {HASH_SIZE} bytes")
        h = bytes(subtree_root)
        s = self._size >> level
        while s & 1:
            h = node_hash(self._edge.pop(), h)
            s >>= 1
        self._edge.append(h)
        self._size += 1 << level

    def extend(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append several leaf hashes in order."""
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """``MTH`` of the current tree (RFC 9162 §2.1.1); :data:`EMPTY_ROOT` when empty."""
        if not self._edge:
            return EMPTY_ROOT
        r = self._edge[-1]
        for h in reversed(self._edge[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> Tree:
        """An independent copy."""
        return Tree.from_right_edge(self._size, self._edge)

    def __repr__(self) -> str:
        return f"Tree(size={self._size}, root={self.root().hex()})"
