"""The sender's view of a message: received / in review / delivered / acknowledged / rejected."""

from __future__ import annotations

from typing import Any

from chancery.correspondence.models import (
    Hold,
    Message,
    State,
)
from chancery.correspondence.services.common import active_hold as _hold_of

# --- the sender's view -------------------------------------------------------------------------


POLICY_PENDING = "received, delivery pending the transition"

_UNKNOWN: Any = object()


def sender_status(message: Message, *, active_hold: Hold | None = _UNKNOWN) -> str:
    """What the liaison sees: received / in review / delivered / acknowledged (or rejected).

    ``active_hold``: the message's active hold (None: it has none) when the caller knows it."""
    if message.state == State.REJECTED:
        return "rejected"
    if message.state in (State.DELIVERED, State.ACKNOWLEDGED):
        return State(message.state).value
    if active_hold is _UNKNOWN:
        if message.holds.filter(released_at__isnull=True, is_policy=True).exists():
            return POLICY_PENDING
        hold = _hold_of(message)
    else:
        hold = active_hold
        if hold is not None and hold.is_policy:
            return POLICY_PENDING
    if message.state == State.RECEIVED and hold is None:
        return "received"
    return "in review"

