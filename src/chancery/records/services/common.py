"""What the parts of records share: recording their events, each with its call's tracking
number and principal (telcons, read-outs) or its message's (replies). One wrapper per subject
type, the type written out, so ``tests/ledger/test_kinds.py`` sees what each emits. The event's
kind is the parameter ``event`` (not ``kind``: ``telcon.drafted`` and ``reply.drafted`` carry a
``kind`` key of their own)."""

from __future__ import annotations

from typing import Any

from chancery.ledger.services import record_event


def _call_data(obj: Any) -> dict[str, Any]:
    return {"call": obj.call.tracking, "principal": obj.call.principal.slug}


def telcon_event(telcon: Any, event: str, by: Any, **data: Any) -> None:
    """Record an event of a telcon (kinds in ``records/events.py``) in the caller's transaction."""
    record_event("telcon", telcon.pk, event, actor=by, data={**_call_data(telcon), **data})


def readout_event(readout: Any, event: str, by: Any, **data: Any) -> None:
    """Record an event of a read-out in the caller's transaction (``by`` None: the worker)."""
    record_event("readout", readout.pk, event, actor=by, data={**_call_data(readout), **data})


def reply_event(reply: Any, event: str, by: Any, **data: Any) -> None:
    """Record an event of a reply in the caller's transaction."""
    record_event(
        "reply", reply.pk, event, actor=by,
        data={"message": reply.message.tracking, "principal": reply.message.principal.slug,
              **data},
    )
