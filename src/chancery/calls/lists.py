"""The officers' call lists (the queue, every request, a principal's calls) as tables and
filters of the shared list component (``chancery/lists.py``), and the one way the pages write a
time in a zone (the principal's, the leader's)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.html import format_html

from chancery.calls.models import CallRequest, CallState
from chancery.directory.access import principals
from chancery.lists import Table


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def zoned(moment: dt.datetime | None, zone: str, fmt: str = "%a %-d %b %H:%M") -> str:
    """``moment`` in ``zone`` with the zone's abbreviation ("Mon 23 Nov 09:05 EST")."""
    if moment is None:
        return ""
    local = moment.astimezone(zone_of(zone))
    return f"{local.strftime(fmt)} {local.tzname()}"


def leader_zone(call: CallRequest) -> str:
    """The zone the leader's side gave for its window (its hours are in it)."""
    if call.time_zone or call.office.leader is None:
        return call.time_zone or "UTC"
    return call.office.leader.time_zone


# --------------------------------------------------------------------------- filters

SHOW: dict[str, tuple[str, str]] = {
    "gated": ("gated", "Waiting for the support policy"),
    "open": ("open", "Open"),
    "unplaced": ("unplaced", "Not placed by the last solve"),
    **{s.value: (s.value, s.label) for s in CallState},
}
"""The ``?show=`` tabs of the call list: key -> (filter, label)."""


def filter_calls(qs: QuerySet[CallRequest], show: str) -> QuerySet[CallRequest]:
    if show == "gated":
        return qs.exclude(waits_for="").filter(state__in=_open())
    if show == "open":
        return qs.filter(state__in=_open())
    if show == "unplaced":
        return qs.exclude(unplaced_reason="").filter(state__in=_open())
    if show in CallState.values:
        return qs.filter(state=show)
    return qs


def _open() -> list[str]:
    from chancery.calls.models import OPEN_CALL_STATES

    return [s.value for s in OPEN_CALL_STATES]


def _search(qs: QuerySet[CallRequest], name: str, value: str) -> QuerySet[CallRequest]:
    value = value.strip()
    if not value:
        return qs
    return qs.filter(
        Q(office__title__icontains=value)
        | Q(office__leader__name__icontains=value)
        | Q(office__country__name__icontains=value)
        | Q(office__organisation__name__icontains=value)
    )


class CallFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label="Leader or country")
    principal = django_filters.ModelChoiceFilter(
        field_name="principal", to_field_name="slug", queryset=lambda request: principals(),
        empty_label="Any principal", label="With",
    )

    class Meta:
        model = CallRequest
        fields: list[str] = []


# --------------------------------------------------------------------------- columns

TRACKING = """<a class="tracking" href="{% url 'call_detail' record.tracking %}">\
{{ record.tracking }}</a>"""
CALLER = """<span class="sender">{{ record.office.leader.name }}</span>\
<span class="sender-sub">{{ record.office.title }} ({{ record.office.polity }})</span>"""
STATE = """{% load chancery_web %}<span class="badge call-state state-{{ record.state }}">\
{{ record.get_state_display }}</span>{% if record.waits_for and record.is_open %} \
<span class="badge policy" title="The principal's support policy holds the request until \
the status is {{ record.waits_for }}">waits for {{ record.waits_for|status_noun }}</span>\
{% endif %}\
{% if record.fixed and record.start %} <span class="badge fixed" \
title="Placed by an officer: a re-solve keeps it">fixed</span>{% endif %}"""


def _time_cell(call: CallRequest) -> str:
    if call.start is None:
        if call.unplaced_reason and call.is_open:
            return format_html(
                '<span class="muted">not placed</span><span class="sender-sub unplaced">{}</span>',
                call.unplaced_reason,
            )
        return format_html(
            '<span class="muted">not scheduled</span><span class="sender-sub">window {} – {}'
            "</span>", call.earliest.strftime("%-d %b"), call.latest.strftime("%-d %b"),
        )
    return format_html(
        '<span class="time-principal">{}</span><span class="sender-sub time-leader">'
        "leader: {}</span>",
        zoned(call.start, call.principal.time_zone), zoned(call.start, leader_zone(call)),
    )


class CallTable(Table):
    """Every request the person may see, with its state and its time on both sides."""

    tracking = tables.TemplateColumn(TRACKING, verbose_name="Tracking", order_by=("id",))
    caller = tables.TemplateColumn(CALLER, verbose_name="Leader",
                                   order_by=("office__leader__name",))
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.principal.title|short_title }}", verbose_name="With",
        order_by=("principal__title",), attrs={"td": {"class": "nowrap"}},
    )
    received_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.received_at|when }}", verbose_name="Received",
        attrs={"td": {"class": "nowrap"}},
    )
    state = tables.TemplateColumn(STATE, verbose_name="State")
    time = tables.Column(verbose_name="Time (principal · leader)", empty_values=(),
                         accessor="pk", order_by=("start", "id"))
    rank = tables.Column(verbose_name="Rank", order_by=("rank", "id"),
                         attrs={"td": {"class": "num"}, "th": {"class": "num"}})

    list_id = "call-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "calls"}
        empty_text = "No call request matches."

    def render_time(self, record: CallRequest) -> str:
        return _time_cell(record)

    def row_data(self, record: CallRequest) -> dict[str, str]:
        return {"tracking": record.tracking, "state": record.state}


class RankedTable(Table):
    """The open, ungated requests of one principal in precedence order
    (``ranking.ranked``): the position and the keys that decided it. Rows are the calls with
    ``record.ranked`` (a ``precedence.Ranked``) set by the view."""

    position = tables.TemplateColumn(
        "{{ record.ranked.position }}{% if record.ranked.tied %}<span class='sender-sub'>tied"
        "</span>{% endif %}",
        verbose_name="#", orderable=False,
        attrs={"td": {"class": "num position"}, "th": {"class": "num"}},
    )
    tracking = tables.TemplateColumn(TRACKING, verbose_name="Tracking", orderable=False)
    caller = tables.TemplateColumn(CALLER, verbose_name="Leader", orderable=False)
    reason = tables.TemplateColumn(
        '<span class="rank-reason">{{ record.ranked.reason }}</span>'
        "{% if record.tier %}<span class='sender-sub'>tier: {{ record.tier }}</span>"
        "{% endif %}",
        verbose_name="Why here", orderable=False,
    )
    state = tables.TemplateColumn(STATE, verbose_name="State", orderable=False)
    time = tables.Column(verbose_name="Time (principal · leader)", empty_values=(),
                         accessor="pk", orderable=False)

    list_id = "queue-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "queue"}
        empty_text = "No open request is waiting: the queue is empty."

    def render_time(self, record: CallRequest) -> str:
        return _time_cell(record)

    def row_data(self, record: CallRequest) -> dict[str, str]:
        return {"tracking": record.tracking,
                "position": str(record.ranked.position)}  # type: ignore[attr-defined]


class GatedTable(Table):
    """Requests the principal's support policy holds: recorded, counted, and waiting."""

    tracking = tables.TemplateColumn(TRACKING, verbose_name="Tracking", orderable=False)
    caller = tables.TemplateColumn(CALLER, verbose_name="Leader", orderable=False)
    received_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.received_at|when }}", verbose_name="Received",
        orderable=False, attrs={"td": {"class": "nowrap"}},
    )
    waits_for = tables.TemplateColumn(
        '{% load chancery_web %}<span class="badge policy">waits for '
        '{{ record.waits_for|status_noun }}</span>',
        verbose_name="Waits for", orderable=False,
    )

    list_id = "gated-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "gated"}
        empty_text = "No request waits for the support policy."

    def row_data(self, record: CallRequest) -> dict[str, str]:
        return {"tracking": record.tracking}


class PrincipalCallTable(CallTable):
    """A principal's office's list: every request addressed to it (no "With" column)."""

    list_id = "principal-calls"

    class Meta(CallTable.Meta):
        attrs = {"class": "data", "id": "principal-calls"}
        empty_text = "No call request has been addressed to this principal yet."
        exclude = ("principal",)


def time_columns(call: Any) -> dict[str, str]:
    """The call's time in the principal's zone and in the leader's (for templates)."""
    if call.start is None:
        return {}
    return {
        "principal": zoned(call.start, call.principal.time_zone),
        "principal_end": zoned(call.end, call.principal.time_zone, "%H:%M"),
        "leader": zoned(call.start, leader_zone(call)),
        "leader_end": zoned(call.end, leader_zone(call), "%H:%M"),
    }
