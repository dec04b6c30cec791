"""``{% call_counts_panel %}``: the public transparency page's call counts
(``calls.transparency.call_counts``), per principal and day, counts only."""

from __future__ import annotations

from typing import Any

from django import template

from chancery.calls import transparency

register = template.Library()


@register.inclusion_tag("calls/transparency_calls.html")
def call_counts_panel() -> dict[str, Any]:
    stats = transparency.call_counts()
    return {
        "call_stats": stats,
        "call_totals": transparency.call_totals(stats),
        "columns": [
            (key, label, transparency.DEFINITIONS[key])
            for key, label in transparency.COLUMNS.items()
        ],
        "definitions": transparency.DEFINITIONS,
    }
