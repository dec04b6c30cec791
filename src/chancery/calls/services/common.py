"""What the call services share: the event of a call, the row lock, a principal's settings."""

from __future__ import annotations

from typing import Any

from chancery import clock
from chancery.accounts.models import Role
from chancery.calls.models import CallRequest, CallSettings
from chancery.directory.models import Principal
from chancery.ledger.services import record_event

OFFICERS = (Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER)
"""Who runs call logistics (scheduling, attempts, packages' drafts)."""

DEFAULT_POLICY: dict[str, Any] = {
    "keys": ["ceremonial", {"key": "alphabetical", "language": "en"}],
}
"""A principal without settings ranks callers by ceremonial precedence, then the alphabet."""


def _call_event(call: CallRequest, kind: str, by: Any, **data: Any) -> None:
    """Record an event of ``call`` (kinds in ``calls/events.py``) in the caller's transaction."""
    record_event(
        "call", call.pk, kind, actor=by,
        data={"call": call.tracking, "principal": call.principal.slug, **data},
    )


def lock_call(call: CallRequest | int) -> CallRequest:
    """Re-read the call under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    pk = call if isinstance(call, int) else call.pk
    return (
        CallRequest.objects.select_for_update(of=("self",))
        .select_related("principal", "office", "interpreter")
        .get(pk=pk)
    )


def settings_for(principal: Principal) -> CallSettings:
    """The principal's call settings; unsaved defaults (``DEFAULT_POLICY``, 08:00–20:00, six
    calls a day) when nobody has set them. Saving them is ``scheduling.save_settings``."""
    found = CallSettings.objects.filter(principal=principal).first()
    if found is not None:
        return found
    zone = {"time_zone": principal.time_zone}
    return CallSettings(principal=principal, policy={**DEFAULT_POLICY, **zone},
                        updated_at=clock.now())


def iso(value: Any) -> str | None:
    """An aware datetime as ISO 8601 in UTC for an event (None stays None)."""
    if value is None:
        return None
    import datetime as dt

    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
