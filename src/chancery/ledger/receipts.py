"""Receipts with inclusion proofs: C2SP tlog-proof@v1 for each event of a subject."""

from __future__ import annotations

from typing import Any

from chancery.ledger import proof
from chancery.ledger.sequencer import current_head, proof_reader, served
from chancery.ledger.services import history


def log_proofs(
    subject_type: str, subject_id: int, *, proofs: bool = True, kind: str | None = None
) -> dict[str, Any]:
    """Every event of the subject (or only those of ``kind``) with its log index once the
    current checkpoint covers it, and with ``proofs`` its tlog-proof (``None`` while pending).

    Each proof's ``extra`` is the event's leaf (canonical JSON), so the holder can recompute its
    hash; for a message, the leaf of ``message.received`` carries the content commitment that
    the sender recomputes from its text and the salt in its receipt."""
    head = current_head()
    size = head.size if head else 0
    checkpoint = served(head) if head else ""
    reader = proof_reader(head) if proofs and head and size else None
    events = history(subject_type, subject_id)
    if kind is not None:
        events = events.filter(kind=kind)
    entries = []
    for event_kind, at, seq, leaf in events.values_list("kind", "at", "seq", "leaf"):
        index = seq if seq is not None and seq < size else None
        text = None
        if reader is not None and index is not None:
            text = proof.format_proof(
                proof.TlogProof(
                    index=index,
                    hashes=tuple(reader.inclusion_proof(index)),
                    checkpoint=checkpoint,
                    extra=bytes(leaf),
                )
            )
        entries.append(
            {"kind": event_kind, "at": at.isoformat(), "index": index, "tlog_proof": text}
        )
    return {
        "origin": head.origin if head else None,
        "vkey": head.vkey if head else None,
        "size": size,
        "entries": entries,
    }
