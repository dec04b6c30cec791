"""Receipts with inclusion proofs: C2SP tlog-proof@v1 for each event of a subject."""

from __future__ import annotations

from typing import Any

from chancery.ledger import proof
from chancery.ledger.models import Event, LogHead
from chancery.ledger.sequencer import HEAD_PK, proof_reader
from chancery.ledger.views import current_note


def log_proofs(subject_type: str, subject_id: int) -> dict[str, Any]:
    """Every event of the subject with its tlog-proof once integrated (``None`` while pending).

    Each proof's ``extra`` is the event's leaf (canonical JSON), so the holder can recompute its
    hash; for a message, the leaf of ``message.received`` carries the content commitment that
    the sender recomputes from its text and the salt in its receipt."""
    head = LogHead.objects.select_related("checkpoint").filter(pk=HEAD_PK).first()
    size = head.size if head else 0
    checkpoint = current_note(head.checkpoint) if head else ""
    reader = proof_reader(head) if head and size else None
    entries = []
    for kind, at, seq, leaf in (
        Event.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("id")
        .values_list("kind", "at", "seq", "leaf")
    ):
        text = None
        if reader is not None and seq is not None and seq < size:
            text = proof.format_proof(
                proof.TlogProof(
                    index=seq,
                    hashes=tuple(reader.inclusion_proof(seq)),
                    checkpoint=checkpoint,
                    extra=bytes(leaf),
                )
            )
        entries.append(
            {
                "kind": kind,
                "at": at.isoformat(),
                "index": seq if text is not None else None,
                "tlog_proof": text,
            }
        )
    return {
        "origin": head.origin if head else None,
        "vkey": head.vkey if head else None,
        "size": size,
        "entries": entries,
    }
