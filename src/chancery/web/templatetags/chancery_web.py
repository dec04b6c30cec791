"""Template filters for the web UI: times relative to the Chancery clock, delivery-target
colours, language names and event labels. Display only; no rules here."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from babel import Locale
from django import template
from django.utils.dateformat import format as date_format

from chancery import clock
from chancery.correspondence.models import PRE_DELIVERY
from chancery.ledger import kinds, receipts

register = template.Library()

SOON = dt.timedelta(hours=1)

EVENT_LABELS = {
    "message.received": "Received",
    "message.triaged": "Triaged",
    "message.delivered": "Delivered to the principal's office",
    "message.acknowledged": "Acknowledged by the principal's office",
    "message.rejected": "Rejected",
    "message.escalated": "Escalated: past its delivery target",
    "translation.requested": "Translation requested",
    "translation.signed_off": "Translation signed off",
    "hold.placed": "Hold placed",
    "hold.policy": "Held by the support policy",
    "hold.confirmed": "Hold confirmed by a second officer",
    "hold.renewal_requested": "Hold renewal requested",
    "hold.renewed": "Hold renewed by a second officer",
    "hold.released": "Hold released",
}
# Event data keys that are repeated in the page around them.
_HIDDEN_KEYS = {"tracking", "principal", "hold", "translation", "office"}

_EN = Locale("en")

# What a support policy waits for, as a noun: "delivery waits for ascertainment".
STATUS_NOUNS = {
    "candidate": "candidacy",
    "projected": "projection of the winner",
    "ascertained": "ascertainment",
    "inaugurated": "inauguration",
}


@register.filter
def short_title(title: str) -> str:
    """'President-elect of the United States' -> 'President-elect' (for tight places)."""
    return re.split(r" of (?:the )?", title or "", maxsplit=1)[0]


@register.filter
def log_late(at: dt.datetime | None) -> bool:
    """Whether an event of time ``at``, not in the log yet, has waited longer than the log's
    promised latency (``ledger.receipts.waited``: the one rule the receipts use too)."""
    return at is not None and receipts.waited(at)[1]


@register.filter
def status_noun(status: str) -> str:
    return STATUS_NOUNS.get(status, status)


def duration(delta: dt.timedelta) -> str:
    """A short human duration: '2 d 4 h', '3 h 12 min', '7 min', 'under a minute'."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return "under a minute"


@register.filter
def until(moment: dt.datetime | None) -> str:
    """'in 3 h 12 min' or '5 min ago', against the Chancery clock."""
    if moment is None:
        return ""
    delta = moment - clock.now()
    if delta.total_seconds() >= 0:
        return f"in {duration(delta)}"
    return f"{duration(delta)} ago"


@register.filter
def age(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return duration(clock.now() - moment)


@register.filter
def target(message: Any) -> dict[str, str] | None:
    """Delivery target of an open message: green within target, amber within the last hour,
    red when overdue. A held message past its target is not "overdue" (the counts' definition:
    a hold accounts for it) but "past target, held", in amber."""
    if message.state not in PRE_DELIVERY:
        return None
    remaining = message.due_at - clock.now()
    if remaining.total_seconds() <= 0:
        holds = getattr(message, "active_holds", None)
        held = bool(holds) if holds is not None else message.holds.filter(
            released_at__isnull=True
        ).exists()
        if held:
            return {"level": "held", "label": f"past target by {duration(remaining)}, held"}
        return {"level": "overdue", "label": f"overdue by {duration(remaining)}"}
    if remaining <= SOON:
        return {"level": "soon", "label": f"due in {duration(remaining)}"}
    return {"level": "ok", "label": f"due in {duration(remaining)}"}


@register.filter
def language_name(code: str | None) -> str:
    if not code:
        return "language not yet known"
    name = _EN.languages.get(code)
    return f"{name} ({code})" if name else code


@register.filter
def native_language_name(code: str | None) -> str:
    """The language's name in itself (العربية, עברית), for labelling text in that language."""
    if not code:
        return ""
    try:
        return str(Locale.parse(code).get_display_name(code) or code)
    except (ValueError, TypeError, LookupError):
        return code


@register.filter
def event_label(kind: str) -> str:
    declared = kinds.get(kind)
    return EVENT_LABELS.get(kind) or (declared.label if declared else "") or kind


@register.filter
def event_details(data: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The event's public-safe data as (key, value) pairs, for display."""
    out: list[tuple[str, str]] = []
    for key, value in (data or {}).items():
        if key in _HIDDEN_KEYS or value in (None, "", [], {}):
            continue
        if key.endswith("_seconds") and isinstance(value, int | float):
            out.append((key.removesuffix("_seconds").replace("_", " "),
                        duration(dt.timedelta(seconds=value))))
            continue
        out.append((key.replace("_", " "), _show(value)))
    return out


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_HEX = re.compile(r"^[0-9a-f]{40,}$")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        if _ISO.match(value):
            try:
                return when(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
        if _HEX.match(value):
            return value[:16] + "…"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@register.filter
def who(user: Any) -> str:
    if user is None:
        return "the system"
    return str(user.get_username())


@register.filter
def when(moment: dt.datetime | None) -> str:
    """'23 Nov 2020 10:04 EST' in the display time zone."""
    if moment is None:
        return ""
    from django.utils import timezone

    return date_format(timezone.localtime(moment), "j M Y H:i T")


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@register.simple_tag(takes_context=True)
def subject_panels(context: Any, place: str, subject: Any) -> str:
    """The panels other apps add to this page (``chancery.pages.register_panel``)."""
    from django.utils.safestring import mark_safe

    from chancery.pages import panels

    request = context.get("request")
    if request is None:
        return ""
    return mark_safe("".join(panels(place, request, subject)))  # noqa: S308 (rendered templates)
