"""The liaison portal's call pages: request a call, the mission's call requests, one request
with its status (why it waits, when the support policy holds calls; the decline reason), its
events' kinds and times, and its receipt. Thin: access through ``calls.access``, every change
through ``calls.services.requests``; a ``ChanceryError`` becomes a message on the page with its
4xx status."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import django_tables2 as tables
from django import forms
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from chancery import clock
from chancery.accounts.roles import require_role
from chancery.calls.access import SUBJECT, access_liaison_call, liaison_calls
from chancery.calls.models import CallChannel, CallRequest, CallState
from chancery.calls.services import requests as services
from chancery.calls.services.common import OFFICERS
from chancery.directory import access as directory_access
from chancery.directory.access import liaison_mission, sending_offices
from chancery.directory.models import Office
from chancery.errors import ChanceryError
from chancery.ledger.reads import record_read
from chancery.ledger.receipts import duration, log_proofs
from chancery.lists import Table, list_context, render_list
from chancery.pages import web_view

# --------------------------------------------------------------------------- the list


class PortalCallTable(Table):
    """The mission's call requests (``access.liaison_calls``) and where each stands, in the
    liaison's words (``services.sender_status``)."""

    tracking = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'call_portal_request\' record.tracking %}">'
        "{{ record.tracking }}</a>",
        verbose_name="Tracking", order_by=("id",),
    )
    office = tables.TemplateColumn(
        "{{ record.office }}", verbose_name="From", order_by=("office__title",)
    )
    principal = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.principal.title|short_title }}", verbose_name="With",
        order_by=("principal__title",), attrs={"td": {"class": "nowrap"}},
    )
    window = tables.Column(verbose_name="Window", orderable=False, empty_values=(),
                           accessor="pk", attrs={"td": {"class": "nowrap"}})
    received_at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.received_at|when }}", verbose_name="Received",
        attrs={"td": {"class": "nowrap"}},
    )
    status = tables.Column(verbose_name="Status", orderable=False, empty_values=(),
                           accessor="pk")

    list_id = "portal-calls-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "portal-calls"}
        empty_text = "No call requests yet."

    def render_window(self, record: CallRequest) -> str:
        return f"{record.earliest:%-d %b} – {record.latest:%-d %b %Y}"

    def render_status(self, record: CallRequest) -> str:
        label = "Waiting for the support policy" if record.gated and record.is_open else (
            CallState(record.state).label)
        return format_html('<span class="badge state-{}">{}</span>', record.state, label)

    def row_data(self, record: CallRequest) -> dict[str, str]:
        return {"state": record.state, "gated": "1" if record.gated else ""}


@web_view
@require_GET
def portal_calls(request: HttpRequest) -> HttpResponseBase:
    mission = liaison_mission(request.user)
    qs = liaison_calls(request.user).order_by("-received_at", "-id")
    context = list_context(request, PortalCallTable, qs)
    return render_list(request, "calls/portal_calls.html", {
        **context, "mission": mission, "nav_active": "portal-calls",
    })


# --------------------------------------------------------------------------- the form


class CallRequestForm(forms.Form):
    principal = forms.ChoiceField(label="With")
    office = forms.TypedChoiceField(label="The leader's office", coerce=int, empty_value=None)
    purpose = forms.CharField(
        label="Purpose", max_length=services.MAX_PURPOSE,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        help_text="What the leader wishes to discuss. Kept private: the public log holds only a "
        "commitment to it.",
    )
    language = forms.CharField(
        label="Language of the call", max_length=8,
        widget=forms.TextInput(attrs={"list": "language-codes", "size": 4}),
        help_text="ISO 639-1 code of the language the leader speaks (e.g. fr).",
    )
    brings_interpreter = forms.BooleanField(
        label="Our side brings its own interpreter", required=False
    )
    earliest = forms.DateField(label="Earliest day", widget=forms.DateInput(attrs={"type": "date"}))
    latest = forms.DateField(
        label="Latest day", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At most 60 days after the earliest day.",
    )
    local_start = forms.TimeField(
        label="From (local time)", initial=dt.time(8, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    local_end = forms.TimeField(
        label="Until (local time)", initial=dt.time(20, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    time_zone = forms.CharField(
        label="Time zone of these hours", required=False, max_length=64,
        help_text="An IANA name such as Europe/Paris; leave empty for the leader's own zone.",
    )
    duration = forms.IntegerField(
        label="Speaking time (minutes)", initial=15, min_value=1, max_value=10_000,
        help_text="5 to 120 minutes; with consecutive interpretation the call takes twice as "
        "long.",
    )

    def __init__(self, *args: Any, offices: list[Office], principals: list[Any],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_principal: Any = self.fields["principal"]
        field_principal.choices = [(p.slug, f"{p.title} {p.name}") for p in principals]
        field_office: Any = self.fields["office"]
        field_office.choices = [("", "Choose the office")] + [
            (o.pk, str(o)) for o in offices if o.leader_id is not None
        ]


def _initial() -> dict[str, Any]:
    today = clock.now().date()
    return {"earliest": today + dt.timedelta(days=1), "latest": today + dt.timedelta(days=14)}


@web_view
def portal_call_new(request: HttpRequest) -> HttpResponseBase:
    """A liaison requests a call for an office of its mission's country or organisation."""
    mission = liaison_mission(request.user)
    return _call_form(request, offices=sending_offices(request.user), mission=mission,
                      channel=CallChannel.PORTAL)


@web_view
def staff_call_new(request: HttpRequest) -> HttpResponseBase:
    """An officer enters a call request made by telephone, note or in person (channel
    "staff"), for any office in office."""
    require_role(request.user, *OFFICERS, action="enter call requests")
    offices = list(directory_access.visible_offices(request.user).filter(
        left_office__isnull=True).order_by("kind", "title"))
    return _call_form(request, offices=offices, mission=None, channel=CallChannel.STAFF)


def _call_form(request: HttpRequest, *, offices: list[Office], mission: Any,
               channel: str) -> HttpResponseBase:
    principals = list(directory_access.principals())
    languages = sorted({code for o in offices for code in o.languages} | {"en"})
    status = 200
    if request.method == "POST":
        form = CallRequestForm(request.POST, offices=offices, principals=principals)
        if form.is_valid():
            data = form.cleaned_data
            try:
                call, _ = services.submit_call(
                    services.CallSubmission(
                        principal=data["principal"], office=data["office"],
                        purpose=data["purpose"], language=data["language"],
                        earliest=data["earliest"], latest=data["latest"],
                        local_start=data["local_start"], local_end=data["local_end"],
                        time_zone=data["time_zone"].strip(), duration=data["duration"],
                        brings_interpreter=data["brings_interpreter"],
                    ),
                    by=request.user, channel=channel,
                )
            except ChanceryError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
                status = exc.status
            else:
                if mission is None:
                    flash.success(request, f"Recorded: call request {call.tracking}.")
                    return redirect("call_detail", tracking=call.tracking)
                flash.success(
                    request,
                    f"Received: your call request has the tracking number {call.tracking}. "
                    "Keep the receipt below.",
                )
                return redirect("call_portal_request", tracking=call.tracking)
        else:
            status = 422
    elif request.method == "GET":
        form = CallRequestForm(initial=_initial(), offices=offices, principals=principals)
    else:
        return HttpResponse(status=405)
    return render(request, "calls/portal_call_new.html", {
        "form": form, "mission": mission, "languages": languages,
        "nav_active": "portal-calls" if mission is not None else "calls",
    }, status=status)


# --------------------------------------------------------------------------- one request

STEPS = ["received", "in the queue", "approved", "scheduled", "took place"]
_REACHED = {
    CallState.REQUESTED: 0, CallState.TRIAGED: 1, CallState.DEFERRED: 1,
    CallState.APPROVED: 2, CallState.SCHEDULED: 3, CallState.CLEARED: 3,
    CallState.CONNECTED: 3, CallState.COMPLETED: 4,
}


def _log(call: CallRequest) -> dict[str, Any]:
    log = log_proofs("call", call.pk, proofs=False)
    entries = [
        {"kind": e["kind"], "at": dt.datetime.fromisoformat(e["at"]), "index": e["index"],
         "late": e["late"]}
        for e in log["entries"]
    ]
    return {
        "origin": log["origin"] or "", "size": log["size"], "entries": entries,
        "pending": sum(1 for e in entries if e["index"] is None),
        "promised": duration(log["promised_latency_seconds"]), "late": log["late"],
    }


@web_view
@require_GET
def portal_call(request: HttpRequest, tracking: str) -> HttpResponseBase:
    call = access_liaison_call(request.user, tracking)
    record_read(request.user, SUBJECT, call.pk, via="web", part="purpose")
    reached = -1 if call.gated and call.is_open else _REACHED.get(CallState(call.state), -1)
    return render(request, "calls/portal_call.html", {
        "call": call,
        "status": services.sender_status(call),
        "gated": call.gated and call.is_open,
        "steps": [(s, i <= reached) for i, s in enumerate(STEPS)],
        "receipt": services.receipt(call),
        "log": _log(call),
        "nav_active": "portal-calls",
    })


@web_view
@require_GET
def portal_call_receipt(request: HttpRequest, tracking: str) -> HttpResponseBase:
    call = access_liaison_call(request.user, tracking)
    body = json.dumps(
        services.receipt_with_proofs(call), indent=2, ensure_ascii=False, sort_keys=True
    )
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"receipt-{call.tracking}.json"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
