"""Recording events. Callers run inside the transaction of the change they record."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import orjson
from django.db import transaction

from chancery import clock
from chancery.fastinsert import insert
from chancery.ledger.models import Event

LEAF_VERSION = 1
MAX_LEAF_BYTES = 64 * 1024


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same bytes on every machine.

    Byte for byte what ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()`` gives (tests/ledger/test_canonical.py checks it on random values),
    made by orjson because ``chancery verify`` rebuilds every leaf of the log with it. Leaves
    hold strings, integers, booleans, null, lists and objects with string keys, never floats."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


PRIVATE_TEXT = frozenset({"reason", "note", "first_officer"})
"""Keys of event data holding text people wrote (a hold's reason, a rejection's reason) or a
person's name: the public leaf carries a salted commitment to it, never the words, like the
message body. The acting user's name is committed the same way: the public sees that a person
acted, and when; the operations center (and ``chancery verify``) can show who, from the row."""


def text_commitment(salt: str, text: str) -> str:
    return "sha256:" + hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


def public_data(data: dict[str, Any], salt: str) -> dict[str, Any]:
    """``data`` as the public log shows it: free text replaced by its salted commitment."""
    return {
        k: text_commitment(salt, v) if k in PRIVATE_TEXT and isinstance(v, str) and v else v
        for k, v in data.items()
    }


def leaf_time(at: dt.datetime) -> str:
    """An event's time in its leaf: ISO 8601 in UTC with a Z (microseconds when not zero)."""
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def build_leaf(
    kind: str,
    subject_type: str,
    subject_id: int,
    at: dt.datetime | str,
    actor: str | None,
    data: dict[str, Any],
    salt: str = "",
) -> bytes:
    """The log leaf of an event: canonical JSON of what the event row holds.

    ``chancery verify`` rebuilds every leaf with this function from the rows' columns, so an
    edit to any of them behind the application's back changes the leaf and is detected.
    ``at`` may be given already formatted (:func:`leaf_time`)."""
    if salt:
        data = public_data(data, salt)
        actor = text_commitment(salt, actor) if actor else actor
    return canonical_json(
        {
            "v": LEAF_VERSION,
            "kind": kind,
            "subject": f"{subject_type}:{subject_id}",
            "at": at if isinstance(at, str) else leaf_time(at),
            "actor": actor,
            "data": data,
        }
    )


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
    salt = (
        secrets.token_hex(16)
        if actor is not None or PRIVATE_TEXT.intersection(payload)
        else ""
    )
    leaf = build_leaf(
        kind, subject_type, subject_id, when,
        actor.get_username() if actor is not None else None, payload, salt,
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
            salt=salt,
        )
    )
