"""Receipts with inclusion proofs: C2SP tlog-proof@v1 for each event of a subject.

An event not yet in the log is *pending*; once it has waited longer than the latency promised
to senders (``CHANCERY_LOG_PROMISED_LATENCY``; the sequencer integrates every
``CHANCERY_LOG_INTERVAL``) it is *late*, and the receipt says so in words (:func:`late_text`),
not only "pending": a sequencer that stopped must not look like one that is merely busy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from chancery import clock
from chancery.ledger import proof
from chancery.ledger.sequencer import current_head, proof_reader, served
from chancery.ledger.services import history


def duration(seconds: float) -> str:
    """``45 s``, ``12 minutes``, ``3 hours 5 minutes``, ``2 days 4 hours``: how long, in words."""
    whole = max(0, int(seconds))
    if whole < 120:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 120:
        return f"{minutes} minutes"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} hours" + (f" {minutes} minutes" if minutes else "")
    days, hours = divmod(hours, 24)
    return f"{days} days" + (f" {hours} hours" if hours else "")


def late_text(waited: float, promised: float | None = None) -> str:
    """What a receipt says of an event that has waited ``waited`` seconds for the log, past the
    promised latency."""
    promised = settings.CHANCERY_LOG_PROMISED_LATENCY if promised is None else promised
    return (
        f"This event has waited {duration(waited)} for the public log; the promised latency is "
        f"{duration(promised)}. The log's sequencer may have stopped."
    )


def waited(at: dt.datetime, now: dt.datetime | None = None) -> tuple[float, bool]:
    """How long (seconds) a pending event of time ``at`` has waited for the log, and whether
    that is longer than the promised latency (it is late)."""
    seconds = ((now or clock.now()) - at).total_seconds()
    return seconds, seconds > settings.CHANCERY_LOG_PROMISED_LATENCY


def log_proofs(
    subject_type: str, subject_id: int, *, proofs: bool = True, kind: str | None = None
) -> dict[str, Any]:
    """Every event of the subject (or only those of ``kind``) with its log index once the
    current checkpoint covers it, and with ``proofs`` its tlog-proof (``None`` while pending).
    A pending entry carries ``waited_seconds`` (how long it has waited for the log) and
    ``late`` (longer than the promised latency, ``promised_latency_seconds``); ``late`` names
    the longest wait in words when one is late.

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
    now = clock.now()
    longest: float | None = None
    for event_kind, at, seq, leaf in events.values_list("kind", "at", "seq", "leaf"):
        index = seq if seq is not None and seq < size else None
        wait: float | None = None
        late = False
        if index is None:
            wait, late = waited(at, now)
            if late and (longest is None or wait > longest):
                longest = wait
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
            {
                "kind": event_kind, "at": at.isoformat(), "index": index, "tlog_proof": text,
                "waited_seconds": None if wait is None else round(wait, 3), "late": late,
            }
        )
    return {
        "origin": head.origin if head else None,
        "vkey": head.vkey if head else None,
        "size": size,
        "entries": entries,
        "promised_latency_seconds": settings.CHANCERY_LOG_PROMISED_LATENCY,
        "late": None if longest is None else late_text(longest),
    }
