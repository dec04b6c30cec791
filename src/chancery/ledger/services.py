"""Recording events. Callers run inside the transaction of the change they record."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.fastinsert import insert
from chancery.ledger.models import Event

LEAF_VERSION = 1
MAX_LEAF_BYTES = 64 * 1024


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same bytes on every machine."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_event(
    subject_type: str,
    subject_id: int,
    kind: str,
    *,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    when = at or clock.now()
    payload = dict(data or {})
    leaf = canonical_json(
        {
            "v": LEAF_VERSION,
            "kind": kind,
            "subject": f"{subject_type}:{subject_id}",
            "at": when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "actor": actor.get_username() if actor is not None else None,
            "data": payload,
        }
    )
    if len(leaf) > MAX_LEAF_BYTES:
        raise ValueError(f"event leaf is {len(leaf)} bytes; the limit is {MAX_LEAF_BYTES}")
    return insert(
        Event(
            at=when,
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            actor=actor,
            data=payload,
            leaf=leaf,
        )
    )
