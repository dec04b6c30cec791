"""The correspondence lists (messages, a principal's inbox, the translation queue, the access
audit) as tables and filters of the shared list component (``chancery/lists.py``)."""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, Trunc
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from chancery.correspondence.access import SUBJECT, can_read_content
from chancery.correspondence.models import Message, State, Translation
from chancery.correspondence.services.actions import may, may_translation
from chancery.correspondence.services.counts import filter_messages, row_overdue_action
from chancery.correspondence.services.sender import sender_status
from chancery.directory.access import principals
from chancery.lists import Table

# --------------------------------------------------------------------------- what a list shows


SHOW: dict[str, tuple[str, str]] = {
    "held": ("held", "Held"),
    "awaiting": ("awaiting_second_officer", "Awaiting a second officer"),
    "overdue": ("overdue", "Overdue"),
    "overdue_action": ("overdue_action", "Overdue action"),
    "pending": ("open", "Not yet delivered"),
    "delivered": ("delivered", "Delivered"),
    "acknowledged": ("acknowledged", "Acknowledged"),
    "rejected": ("rejected", "Rejected"),
}
"""The ``?show=`` filters of the message lists: key -> (the count in ``services.counts`` whose
predicate it filters by, label). What each shows is ``counts.DEFINITIONS[name]``."""


def _show(qs: QuerySet[Message], name: str, value: str) -> QuerySet[Message]:
    return filter_messages(qs, SHOW[value][0]) if value in SHOW else qs


def _search(qs: QuerySet[Message], name: str, value: str) -> QuerySet[Message]:
    value = value.strip()
    if not value:
        return qs
    return qs.filter(
        Q(sender_office__title__icontains=value)
        | Q(sender_office__leader__name__icontains=value)
        | Q(sender_office__country__name__icontains=value)
        | Q(sender_office__organisation__name__icontains=value)
    )


class MessageFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label="Tracking number or sender")
    state = django_filters.ChoiceFilter(choices=State.choices, empty_label="Any")
    principal = django_filters.ModelChoiceFilter(
        field_name="principal", to_field_name="slug", queryset=lambda request: principals(),
        empty_label="Any principal", label="To",
    )
    show = django_filters.ChoiceFilter(
        choices=[(k, label) for k, (_, label) in SHOW.items()], method=_show, empty_label="All",
        label="Showing",
    )

    class Meta:
        model = Message
        fields: list[str] = []


# --------------------------------------------------------------------------- message columns

TRACKING = """<a class="tracking" href="{% url 'message_detail' record.tracking %}">\
{{ record.tracking }}</a>"""
SENDER = """<span class="sender">{{ record.sender_office.polity }}</span>\
<span class="sender-sub">{{ record.sender_office }}</span>"""
STATE = """<span class="badge state-{{ record.state }}">{{ record.get_state_display }}</span>\
{% if record.escalated_at %} <span class="badge escalated">Escalated</span>{% endif %}\
{% with late=record.overdue_action %}{% if late %}{% load chancery_web %} \
<span class="badge escalated overdue-action" data-kind="{{ late.kind }}" \
title="{{ late.label|capfirst }}: {{ late.should }}.">Overdue action · {{ late.since|age }}</span>\
{% endif %}{% endwith %}"""
TARGET_HOLD = """{% load chancery_web %}{% with hold=record.active_holds.0 t=record|target %}\
{% if t %}<span class="target target-{{ t.level }}">{{ t.label }}</span>{% endif %} \
{% if hold %}<span class="badge {% if hold.is_policy %}policy{% else %}held{% endif %}">\
{% if hold.is_policy %}Policy hold{% else %}{{ hold.get_category_display }}\
{% if not hold.confirmed_at %} · awaiting a second officer{% endif %}{% endif %}</span>\
{% endif %}{% endwith %}"""
SENDER_ORDER = ("sender_office__title",)  # (the tables' order_sender sorts by polity first)


def order_by_polity(
    queryset: QuerySet[Any], is_descending: bool, prefix: str = ""
) -> tuple[QuerySet[Any], bool]:
    """Sort by the sender's country or organisation name, then its office (for ``From``)."""
    polity = Coalesce(
        f"{prefix}sender_office__country__name", f"{prefix}sender_office__organisation__name"
    )
    sign = "-" if is_descending else ""
    queryset = queryset.annotate(_polity=polity).order_by(
        f"{sign}_polity", f"{sign}{prefix}sender_office__title", f"{sign}pk"
    )
    return queryset, True


class _StateColumn(tables.TemplateColumn):
    """The state, with the overdue action flag (``services.counts.row_overdue_action``) on the
    rows of a queryset from ``with_overdue_action``: ``record.overdue_action``."""

    def render(self, record: Any, table: Any, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(record, "overdue_action"):
            record.overdue_action = (
                row_overdue_action(record) if hasattr(record, "since_action_hold") else None
            )
        return super().render(record, table, *args, **kwargs)


def _held_row(record: Message) -> str:
    return "is-held" if getattr(record, "active_holds", None) else ""


class MessageTable(Table):
    tracking = tables.TemplateColumn(TRACKING, verbose_name="Tracking", order_by=("id",))
    sender = tables.TemplateColumn(SENDER, verbose_name="From", order_by=SENDER_ORDER)
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.principal.title|short_title }}", verbose_name="To",
        order_by=("principal__title",), attrs={"td": {"class": "nowrap"}},
    )
    received_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.received_at|when }}", verbose_name="Received",
        attrs={"td": {"class": "nowrap"}},
    )
    state = _StateColumn(STATE, verbose_name="State")
    target = tables.TemplateColumn(
        TARGET_HOLD, verbose_name="Target / hold", order_by=("due_at",)
    )

    class Meta(Table.Meta):
        empty_text = "No message matches."

    def order_sender(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        return order_by_polity(queryset, is_descending)

    def row_class(self, record: Message) -> str:
        return _held_row(record)


SELECT = """{% if record.may_acknowledge %}<input type="checkbox" name="tracking" \
value="{{ record.tracking }}" form="acknowledge-many" \
aria-label="Select {{ record.tracking }}">{% endif %}"""


class _AcknowledgeColumn(tables.TemplateColumn):
    """A column whose template reads ``record.may_acknowledge``: ``services.may("acknowledge",
    record, user)``, the acknowledge rule itself (no query), worked out once per row."""

    def render(self, record: Any, table: Any, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(record, "may_acknowledge"):
            record.may_acknowledge = may("acknowledge", record, table.request.user).allowed
        return super().render(record, table, *args, **kwargs)


class InboxTable(Table):
    """A principal's inbox. The office's own staff get a first column of check boxes for the
    messages they may acknowledge, for the "Acknowledge the selected" form
    (``acknowledge-many``); the view leaves it out for everyone else (``exclude=("select",)``).
    The check box and the row's Acknowledge button are offered exactly where
    ``services.may("acknowledge", ...)`` allows it."""

    select = _AcknowledgeColumn(
        SELECT, verbose_name="", orderable=False, attrs={"td": {"class": "select"}}
    )
    tracking = tables.TemplateColumn(TRACKING, verbose_name="Tracking", order_by=("id",))
    sender = tables.Column(
        verbose_name="From", order_by=SENDER_ORDER, empty_values=(), accessor="pk"
    )
    received_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.received_at|when }}", verbose_name="Received",
        attrs={"td": {"class": "nowrap"}},
    )
    channel = tables.TemplateColumn(
        "{{ record.get_channel_display }}", verbose_name="Channel",
        attrs={"th": {"class": "hide-narrow"}, "td": {"class": "hide-narrow"}},
    )
    state = _StateColumn(STATE, verbose_name="State")
    action = _AcknowledgeColumn(
        template_name="correspondence/_inbox_action.html", verbose_name="Hold / action",
        orderable=False,
    )

    list_id = "inbox-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "inbox"}
        empty_text = "No messages in this list."

    def order_sender(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        return order_by_polity(queryset, is_descending)

    def render_sender(self, record: Message) -> str:
        subject = ""
        if record.subject and can_read_content(self.request.user, record):
            subject = format_html(
                '<span class="sender-sub" dir="auto">“{}”</span>', record.subject
            )
        return format_html(
            '<span class="sender">{}</span><span class="sender-sub">{}</span>{}',
            record.sender_office.polity, record.sender_office, subject,
        )

    def row_class(self, record: Message) -> str:
        return _held_row(record)

    def row_data(self, record: Message) -> dict[str, str]:
        return {"tracking": record.tracking}


# --------------------------------------------------------------------------- translations


class TranslationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Translation.Status.choices, empty_label="Any", label="Status"
    )
    source_language = django_filters.ChoiceFilter(
        choices=[], empty_label="Any", label="From the language"
    )

    class Meta:
        model = Translation
        fields: list[str] = []

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["source_language"].extra["choices"] = languages


class TranslationTable(Table):
    message = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'translation\' record.pk %}">'
        "{{ record.message.tracking }}</a>",
        verbose_name="Message", order_by=("message_id",),
    )
    source_language = tables.TemplateColumn(
        '{% load chancery_web %}{{ record.source_language|language_name }} <span dir="auto" '
        'lang="{{ record.source_language }}" class="muted">'
        "{{ record.source_language|native_language_name }}</span>",
        verbose_name="From the language",
    )
    sender = tables.TemplateColumn(
        '<span class="sender">{{ record.message.sender_office.polity }}</span>'
        '<span class="sender-sub">{{ record.message.sender_office }}</span>',
        verbose_name="From",
    )
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.message.principal.title|short_title }}",
        verbose_name="To", order_by=("message__principal__title",),
        attrs={"td": {"class": "nowrap"}},
    )
    target_language = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.target_language|language_name }}", verbose_name="Into"
    )
    requested_at = tables.TemplateColumn(
        '{% load chancery_web %}{{ record.requested_at|when }}<span class="sender-sub">by '
        "{{ record.requested_by|who }}</span>",
        verbose_name="Requested", attrs={"td": {"class": "nowrap"}},
    )
    status = tables.TemplateColumn(
        "{% load chancery_web %}{% if record.signed_off_at %}Signed off by "
        "{{ record.translator|who }}, {{ record.signed_off_at|when }}{% else %}Waiting "
        "{{ record.requested_at|age }}{% endif %}",
        verbose_name="Status", order_by=("status", "signed_off_at"),
    )
    action = tables.Column(verbose_name="", orderable=False, empty_values=(), accessor="pk")

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "translations"}
        empty_text = "No translation matches."

    def order_sender(self, queryset: Any, is_descending: bool) -> tuple[Any, bool]:
        return order_by_polity(queryset, is_descending, prefix="message__")

    def render_action(self, record: Translation) -> str:
        """"Translate" exactly where ``sign_off_translation`` would accept this person's
        sign-off (``allowed_translation_actions``); the page itself is open to the others."""
        if not may_translation("sign_off", record, self.request.user):
            return ""
        return format_html(
            '<a class="button small" href="{}">Translate<span class="visually-hidden"> {}'
            "</span></a>", reverse("translation", args=[record.pk]), record.message.tracking,
        )


# --------------------------------------------------------------------------- liaison portal


class PortalTable(Table):
    """The liaison's own messages (``access.sender_messages``) and where each stands, as the
    sender sees it (``services.sender_status``)."""

    tracking = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'portal_message\' record.tracking %}">'
        "{{ record.tracking }}</a>",
        verbose_name="Tracking", order_by=("id",),
    )
    sender_office = tables.TemplateColumn(
        "{{ record.sender_office }}", verbose_name="From", order_by=("sender_office__title",)
    )
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.principal.title|short_title }}", verbose_name="To",
        order_by=("principal__title",), attrs={"td": {"class": "nowrap"}},
    )
    subject = tables.TemplateColumn(
        '{{ record.subject|default:"—" }}', verbose_name="Subject",
        attrs={"td": {"dir": "auto"}},
    )
    received_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.received_at|when }}", verbose_name="Received",
        attrs={"td": {"class": "nowrap"}},
    )
    status = tables.Column(verbose_name="Status", orderable=False, empty_values=(),
                           accessor="pk")

    list_id = "portal-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "portal"}
        empty_text = "No messages yet."

    def render_status(self, record: Message) -> str:
        return render_to_string(
            "correspondence/_sender_status.html", {"status": sender_status(record)}
        )


# --------------------------------------------------------------------------- the access audit


AUDIT_WINDOW = "hour"
"""Reads in the same clock hour fold into one row of the audit."""


def grouped_reads(reads: QuerySet[Any]) -> QuerySet[Any]:
    """Repeated reads folded into one row: the same person, subject and way (web, api,
    export) within one ``AUDIT_WINDOW`` (a clock hour of the display time zone): how many,
    the first and the last. Rows are dicts."""
    window = Trunc("at", AUDIT_WINDOW)
    return (
        reads.order_by()
        .annotate(window=window)
        .values("user_id", "user__username", "subject_type", "subject_id", "via", "window")
        .annotate(
            reads=Count("id"), first=Min("at"), last=Max("at"),
            first_part=Min("part"), last_part=Max("part"),
        )
        .order_by("-last", "subject_id")
    )


class _AuditTable(Table):
    """The reads' subject label comes from the registry the apps fill (``ledger.reads``); the
    view sets ``labels`` for the page shown."""

    labels: dict[tuple[str, int], Any] = {}

    def _label(self, record: Any) -> Any:
        if isinstance(record, dict):
            key = (record["subject_type"], record["subject_id"])
        else:
            key = (record.subject_type, record.subject_id)
        return self.labels.get(key), key

    def render_subject(self, record: Any) -> str:
        label, (subject_type, subject_id) = self._label(record)
        text = label.text if label is not None else f"{subject_type} #{subject_id}"
        if subject_type == SUBJECT:
            return format_html('<a class="tracking" href="?message={}">{}</a>', text, text)
        return format_html('<a href="?subject={}:{}">{}</a>', subject_type, subject_id, text)

    def render_detail(self, record: Any) -> str:
        label, _ = self._label(record)
        return label.detail if label is not None else ""


PERSON = (
    '<a href="?user={{ record.user__username|urlencode }}">{{ record.user__username }}</a>'
)


class GroupedReadTable(_AuditTable):
    last = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.last|when }}{% if record.reads > 1 %}"
        '<span class="sender-sub">first {{ record.first|when }}</span>{% endif %}',
        verbose_name="When (last)", attrs={"td": {"class": "nowrap"}},
    )
    person = tables.TemplateColumn(PERSON, verbose_name="Who", order_by=("user__username",))
    subject = tables.Column(verbose_name="Subject", empty_values=(), order_by=("subject_id",))
    detail = tables.Column(verbose_name="From → to", empty_values=(), orderable=False)
    part = tables.TemplateColumn(
        "{% if record.first_part == record.last_part %}{{ record.first_part }}"
        "{% else %}several parts{% endif %}",
        verbose_name="Part", orderable=False,
    )
    via = tables.Column(verbose_name="Via")
    reads = tables.TemplateColumn(
        "{% if record.reads > 1 %}<a href=\"?user={{ record.user__username|urlencode }}"
        "&amp;subject={{ record.subject_type|urlencode }}:{{ record.subject_id }}&amp;"
        "via={{ record.via|urlencode }}&amp;each=1\" title=\"Show each read\">"
        "{{ record.reads }} reads</a>{% else %}1{% endif %}",
        verbose_name="Reads", attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "reads"}
        empty_text = "No read matches."


class ReadTable(_AuditTable):
    at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.at|when }}", verbose_name="When",
        attrs={"td": {"class": "nowrap"}},
    )
    person = tables.TemplateColumn(
        '<a href="?user={{ record.user.username|urlencode }}">{{ record.user.username }}</a>',
        verbose_name="Who", order_by=("user__username",),
    )
    subject = tables.Column(verbose_name="Subject", empty_values=(), order_by=("subject_id",))
    detail = tables.Column(verbose_name="From → to", empty_values=(), orderable=False)
    part = tables.Column(verbose_name="Part")
    via = tables.Column(verbose_name="Via")

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "reads"}
        empty_text = "No read matches."
