"""C2SP ``tlog-proof@v1``: an offline-verifiable receipt that an entry is in the log.

A proof is the entry's index, its RFC 9162 inclusion proof, and the log's signed checkpoint
(with any witness cosignatures), plus optional unauthenticated ``extra`` data. Chancery puts the
entry itself (the leaf's canonical JSON) in ``extra``: the verifier hashes it, so nothing in it
is trusted until the inclusion proof binds that hash to the signed root.

Pure functions with no Django imports: ``chancery receipt verify`` runs with no database.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chancery.ledger import merkle, note

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES = 63


class ProofError(ValueError):
    """A proof that is malformed or does not verify; the message says which check failed."""


@dataclass(frozen=True)
class TlogProof:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    """The signed checkpoint note, verbatim."""
    extra: bytes | None = None


def format_proof(proof: TlogProof) -> str:
    lines = [HEADER]
    if proof.extra is not None:
        lines.append("extra " + base64.b64encode(proof.extra).decode())
    lines.append(f"index {proof.index}")
    lines += [base64.b64encode(h).decode() for h in proof.hashes]
    return "\n".join(lines) + "\n\n" + proof.checkpoint


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(f"{what} is not valid base64") from None


def parse_proof(text: str) -> TlogProof:
    head, sep, checkpoint = text.partition("\n\n")
    if not sep or not checkpoint:
        raise ProofError("no empty line followed by the checkpoint: not a tlog-proof")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ProofError(f"the first line must be {HEADER!r}; this is not a tlog-proof@v1")
    pos = 1
    extra = None
    if pos < len(lines) and lines[pos].startswith("extra "):
        extra = _b64(lines[pos][len("extra ") :], "the extra line")
        pos += 1
    if pos >= len(lines) or not lines[pos].startswith("index "):
        raise ProofError("the index line is missing")
    raw = lines[pos][len("index ") :]
    if not raw.isascii() or not raw.isdigit() or (raw != "0" and raw.startswith("0")):
        raise ProofError(f"index {raw!r} is not a decimal number without leading zeros")
    hashes = tuple(_b64(line, f"proof line {n}") for n, line in enumerate(lines[pos + 1 :], 1))
    if len(hashes) > MAX_PROOF_HASHES:
        raise ProofError(f"{len(hashes)} proof hashes; at most {MAX_PROOF_HASHES}")
    for n, h in enumerate(hashes, 1):
        if len(h) != merkle.HASH_SIZE:
            raise ProofError(f"proof line {n} is {len(h)} bytes, not a SHA-256 hash")
    return TlogProof(index=int(raw), hashes=hashes, checkpoint=checkpoint, extra=extra)


@dataclass(frozen=True)
class Verified:
    index: int
    leaf: bytes
    checkpoint: note.Checkpoint
    signers: tuple[str, ...]
    """Names of the keys (log and witnesses) whose signatures verified."""

    def entry(self) -> dict[str, Any]:
        """The leaf as JSON (Chancery's leaves are canonical JSON)."""
        parsed: dict[str, Any] = json.loads(self.leaf)
        return parsed


def verify_proof(
    text: str,
    log_verifier: note.NoteVerifier,
    witnesses: Sequence[note.NoteVerifier] = (),
    *,
    leaf: bytes | None = None,
    require_witnesses: bool = True,
) -> Verified:
    """Verify a tlog-proof: the checkpoint's signature by the log's key (and cosignatures by
    every witness given, unless ``require_witnesses`` is off), then the inclusion of ``leaf``
    (or, if not given, of the ``extra`` data as the entry) at ``index``.

    Size and root come only from the signed checkpoint, never from the proof's other lines."""
    proof = parse_proof(text)
    entry = leaf if leaf is not None else proof.extra
    if entry is None:
        raise ProofError("the proof carries no entry (extra) and none was given to check")
    try:
        cp, opened = note.open_checkpoint(proof.checkpoint, log_verifier, witnesses)
    except note.NoteError as exc:
        raise ProofError(f"checkpoint: {exc}") from None
    signed = {name for name, _ in opened.verified}
    missing = [w.name for w in witnesses if w.name not in signed]
    if require_witnesses and missing:
        raise ProofError(f"the checkpoint lacks the cosignature of {', '.join(missing)}")
    if not merkle.verify_inclusion(
        proof.index, cp.size, merkle.leaf_hash(entry), list(proof.hashes), cp.root
    ):
        raise ProofError(
            f"the inclusion proof does not bind this entry to index {proof.index} of the "
            f"checkpoint of size {cp.size}"
        )
    return Verified(index=proof.index, leaf=entry, checkpoint=cp, signers=tuple(sorted(signed)))
