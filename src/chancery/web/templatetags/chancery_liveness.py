"""The processes panel (``web/_liveness.html``): when the worker and the sequencer last ran,
and the age of the log's checkpoint, with a red notice for each that has gone silent or stale.

``{% liveness_panel %}`` on the staff dashboard (with what each last run did and where it
runs); ``{% liveness_panel public=True %}`` on the public transparency page (times only)."""

from __future__ import annotations

from typing import Any

from django import template

from chancery import clock
from chancery.ledger import liveness

register = template.Library()


@register.inclusion_tag("web/_liveness.html")
def liveness_panel(public: bool = False) -> dict[str, Any]:
    now = clock.wall()
    processes = liveness.processes(now)
    log = liveness.checkpoint(now)
    return {
        "processes": processes,
        "log": log,
        "public": public,
        "all_ok": all(p.ok for p in processes) and log is not None and not log.stale,
    }


@register.filter
def seconds(value: float | None) -> str:
    """A number of seconds in words: '0.5 s', '20 s', '14 minutes'."""
    return "" if value is None else liveness.seconds(float(value))
