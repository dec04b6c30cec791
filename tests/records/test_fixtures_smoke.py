"""The shared fixtures give what the records tests build on."""

from __future__ import annotations

from typing import Any

from chancery.calls.models import CallState


def test_completed_call_has_ended(completed_call: Any, people: dict[str, Any]) -> None:
    assert completed_call.state == CallState.COMPLETED
    assert completed_call.completed_at is not None
    assert people["records"].groups.filter(name="records_officer").exists()
