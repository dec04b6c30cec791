"""Recording events. Callers run inside the transaction of the change they record."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

import orjson
from django.db import transaction
from django.db.models import QuerySet

from chancery import clock
from chancery.fastinsert import insert
from chancery.ledger import kinds
from chancery.ledger.models import Event

LEAF_VERSION = 2
"""2: private fields come from each kind's declaration (``ledger.kinds``) and the actor's
commitment covers the user's id; 1 (before): a fixed set of key names, and the user name."""
MAX_LEAF_BYTES = 64 * 1024


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the same bytes on every machine.

    Byte for byte what ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()`` gives (tests/ledger/test_canonical.py checks it on random
    values), made by orjson because ``chancery verify`` rebuilds every leaf of the log with it.
    Leaves hold strings, integers, booleans, null, lists and objects with string keys, never
    floats."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def text_commitment(salt: str, text: str) -> str:
    return "sha256:" + hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


def private_commitment(salt: str, value: Any) -> Any:
    """What the leaf shows of a private field: a salted commitment to its text (to the
    canonical JSON of a value that is not text); empty text and null stay as they are."""
    if value is None or value == "":
        return value
    text = value if isinstance(value, str) else canonical_json(value).decode()
    return text_commitment(salt, text)


def public_data(kind: str, data: dict[str, Any], salt: str) -> dict[str, Any]:
    """``data`` as the public log shows it: the kind's private fields (``ledger.kinds``)
    replaced by their salted commitments."""
    private = kinds.private_fields(kind)
    return {k: private_commitment(salt, v) if k in private else v for k, v in data.items()}


def actor_text(user_id: int | None) -> str | None:
    """What the leaf's actor commits to: the user's id (a renamed user is the same actor)."""
    return None if user_id is None else str(user_id)


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
    """The log leaf of an event: canonical JSON of what the event row holds. ``actor`` is
    the text the actor's commitment covers (:func:`actor_text`).

    ``chancery verify`` rebuilds every leaf with this function from the rows' columns, so an
    edit to any of them behind the application's back changes the leaf and is detected.
    ``at`` may be given already formatted (:func:`leaf_time`)."""
    if salt:
        data = public_data(kind, data, salt)
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
    """Record an event of a declared kind (``ledger.kinds``) in the caller's transaction.

    Raises :class:`~chancery.ledger.kinds.UndeclaredEvent` for a kind, subject type or key
    that its app did not declare."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    payload = dict(data or {})
    declared = kinds.check(kind, subject_type, payload)
    when = at or clock.now()
    salt = (
        secrets.token_hex(16)
        if actor is not None or not declared.private.isdisjoint(payload)
        else ""
    )
    leaf = build_leaf(
        kind, subject_type, subject_id, when,
        actor_text(actor.pk) if actor is not None else None, payload, salt,
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


def history(subject_type: str, subject_id: int) -> QuerySet[Event]:
    """The events of one subject, oldest first, with their actors: the one query behind every
    event history (message pages, the API, the transparency page)."""
    return (
        Event.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("actor")
        .order_by("id")
    )
