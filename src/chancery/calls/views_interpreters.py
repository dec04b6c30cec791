"""The interpreter roster's pages, an interpreter's own assignments, and the calendar files
(a call's ``.ics``, the token-protected feeds). Thin: every fetch through ``calls.access`` and
``calls.access_interpreters``, every change through ``calls.services.interpreters`` /
``invitations``; a ``ChanceryError`` becomes the page's error with its status, a refused form
comes back with the service's message beside the field it names."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import django_tables2 as tables
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chancery import clock
from chancery.accounts.roles import has_role, require_role
from chancery.calls import access_interpreters as access
from chancery.calls import ical
from chancery.calls.access import access_call
from chancery.calls.access_interpreters import ROSTER_READERS
from chancery.calls.models import ON_CALENDAR, FeedToken, Interpreter
from chancery.calls.services import interpreters as roster
from chancery.calls.services import invitations
from chancery.directory.access import principal_by_slug, principals
from chancery.errors import ChanceryError, InvalidInput, NotFound
from chancery.lists import Table, list_context, render_list
from chancery.pages import web_view

# --------------------------------------------------------------------------- the roster


def week_bounds(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday of the current week, in the site's zone."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = (now or clock.now()).astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(monday, dt.time(0, 0), zone)
    return start, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 0), zone)


def roster_rows(user: Any, now: dt.datetime | None = None) -> QuerySet[Interpreter]:
    """The roster ``user`` may see, each with ``week_calls`` (its calls this week)."""
    return access.roster(user, week=week_bounds(now))


class RosterTable(Table):
    name = tables.Column(verbose_name="Interpreter")
    languages = tables.Column(verbose_name="Languages", orderable=False)
    time_zone = tables.Column(verbose_name="Zone")
    hours = tables.Column(verbose_name="Hours (own zone)", accessor="day_start",
                          order_by=("day_start", "day_end"))
    daily_cap = tables.Column(verbose_name="Calls a day")
    week_calls = tables.Column(verbose_name="Calls this week")
    active = tables.BooleanColumn(verbose_name="Active")

    class Meta(Table.Meta):
        empty_text = "No interpreter on the roster yet."

    def __init__(self, *args: Any, editable: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editable = editable

    def render_name(self, record: Interpreter) -> Any:
        if self.editable:
            return format_html('<a href="{}">{}</a> <span class="hint">{}</span>',
                               reverse("call_interpreter_edit", args=[record.pk]), record.name,
                               record.user.get_username())
        return format_html('{} <span class="hint">{}</span>', record.name,
                           record.user.get_username())

    def render_languages(self, record: Interpreter) -> str:
        return ", ".join(f"{roster.language_label(c)} ({c})" for c in record.languages)

    def render_hours(self, record: Interpreter) -> str:
        return f"{record.day_start:%H:%M}–{record.day_end:%H:%M}"


class InterpreterForm(forms.Form):
    """Inputs only: the rules are the service's (its message is the one shown)."""

    username = forms.CharField(label="Username (their login)", required=False, max_length=150)
    name = forms.CharField(label="Name", required=False, max_length=200)
    languages = forms.CharField(
        label="Languages", required=False, max_length=200,
        help_text="ISO 639-1 codes they interpret into English, e.g. 'fr, es'.",
    )
    time_zone = forms.CharField(
        label="Time zone", required=False, max_length=64,
        help_text="Where they work, e.g. Europe/Paris.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    day_start = forms.CharField(label="Hours from", required=False, initial="07:00",
                                widget=forms.TimeInput(attrs={"type": "time"}))
    day_end = forms.CharField(label="Hours to", required=False, initial="22:00",
                              widget=forms.TimeInput(attrs={"type": "time"}))
    daily_cap = forms.CharField(label="Calls a day (1–12)", required=False, initial="4",
                                widget=forms.NumberInput(attrs={"min": 1, "max": 12}))
    email = forms.CharField(label="Email (for invitations; optional)", required=False,
                            max_length=254, widget=forms.EmailInput)
    password = forms.CharField(
        label="Password (optional)", required=False, widget=forms.PasswordInput,
        help_text="Leave empty to let an administrator set it.",
    )
    active = forms.BooleanField(label="Active on the roster", required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
            del self.fields["password"]
        else:
            del self.fields["active"]

    def add_service_error(self, exc: ChanceryError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


def _roster_context(request: HttpRequest) -> dict[str, Any]:
    editable = has_role(request.user, *roster.ROSTER_ROLES)
    context = list_context(request, RosterTable, roster_rows(request.user),
                           editable=editable)
    context.update({
        "nav_active": "interpreters",
        "editable": editable,
        "feeds": _principal_feeds(request.user) if editable else [],
    })
    return context


def _principal_feeds(user: Any) -> list[tuple[Any, FeedToken | None]]:
    """Each principal with its live feed token (None when none was issued)."""
    by_principal = access.principal_feed_tokens(user)
    return [(p, by_principal.get(p.pk)) for p in principals().order_by("id")]


@web_view
@require_GET
def interpreter_list(request: HttpRequest) -> HttpResponseBase:
    require_role(request.user, *ROSTER_READERS, action="see the interpreter roster")
    return render_list(request, "calls/interp_roster.html", _roster_context(request))


def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


@web_view
@require_http_methods(["GET", "POST"])
def interpreter_new(request: HttpRequest) -> HttpResponseBase:
    require_role(request.user, *roster.ROSTER_ROLES, action="enrol interpreters")
    form = InterpreterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interp = roster.enroll_interpreter(
                by=request.user, username=data["username"], name=data["name"],
                languages=data["languages"], time_zone=data["time_zone"],
                day_start=data["day_start"], day_end=data["day_end"],
                daily_cap=data["daily_cap"], password=data["password"] or None,
                email=data["email"],
            )
        except InvalidInput as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            return redirect(reverse("call_interpreters") + f"#interp-{interp.pk}")
    return render(request, "calls/interp_form.html", {
        "form": form, "editing": None, "zones": _zones(), "nav_active": "interpreters",
    }, status=status)


@web_view
@require_http_methods(["GET", "POST"])
def interpreter_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    require_role(request.user, *roster.ROSTER_ROLES, action="change the interpreter roster")
    interp = access.access_interpreter(request.user, pk)
    initial = {
        "name": interp.name, "languages": ", ".join(interp.languages),
        "time_zone": interp.time_zone, "day_start": f"{interp.day_start:%H:%M}",
        "day_end": f"{interp.day_end:%H:%M}", "daily_cap": str(interp.daily_cap),
        "email": interp.user.email, "active": interp.active,
    }
    form = InterpreterForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roster.update_interpreter(
                interp, by=request.user, name=data["name"], languages=data["languages"],
                time_zone=data["time_zone"], day_start=data["day_start"],
                day_end=data["day_end"], daily_cap=data["daily_cap"], email=data["email"],
                active=bool(data["active"]),
            )
        except InvalidInput as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            return redirect("call_interpreters")
    return render(request, "calls/interp_form.html", {
        "form": form, "editing": interp, "zones": _zones(), "nav_active": "interpreters",
    }, status=status)


@web_view
@require_POST
def principal_feed(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Issue (or rotate) a principal's feed link; the secret is shown once, on this answer."""
    principal = principal_by_slug(slug)
    _, secret = invitations.issue_feed_token(by=request.user, principal=principal)
    context = _roster_context(request)
    context["issued"] = {"principal": principal, "url": _feed_url(request, secret)}
    return render(request, "calls/interp_roster.html", context)


# --------------------------------------------------------------------------- an interpreter's page


def _feed_url(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("call_feed", args=[secret]))


def _span(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """("Tue 10 Nov 2020", "09:00–09:30 EST") in ``zone``."""
    a, b = start.astimezone(zone), end.astimezone(zone)
    return f"{a:%a %d %b %Y}", f"{a:%H:%M}–{b:%H:%M %Z}"


def assignment_rows(user: Any, interp: Interpreter) -> list[dict[str, Any]]:
    """The interpreter's calls on the calendar, with the time in their own zone, the
    principal's and the leader's (as ``user`` may see them)."""
    calls = access.assignments(user, interp)
    own = zoneinfo.ZoneInfo(interp.time_zone)
    now = clock.now()
    rows = []
    for call in calls:
        assert call.start is not None and call.end is not None
        principal_zone = zoneinfo.ZoneInfo(call.principal.time_zone)
        leader_zone = zoneinfo.ZoneInfo(call.time_zone)
        rows.append({
            "call": call,
            "leader": ical.leader_name(call),
            # Formatted here: the template's date filter would show the site's zone.
            "own": _span(call.start, call.end, own),
            "principal": _span(call.start, call.end, principal_zone),
            "leader_time": _span(call.start, call.end, leader_zone),
            "past": call.end <= now,
            "language": roster.language_label(call.language),
        })
    return rows


def _assignments_context(request: HttpRequest, interp: Interpreter) -> dict[str, Any]:
    token = access.interpreter_feed_token(request.user, interp)
    return {
        "interpreter": interp,
        "languages": ", ".join(roster.language_label(c) for c in interp.languages),
        "rows": assignment_rows(request.user, interp),
        "token": token,
        "nav_active": "my-assignments",
    }


@web_view
@require_GET
def my_assignments(request: HttpRequest) -> HttpResponseBase:
    interp = roster.require_interpreter(request.user)
    return render(request, "calls/interp_assignments.html", _assignments_context(request, interp))


@web_view
@require_POST
def my_feed(request: HttpRequest) -> HttpResponseBase:
    """Issue or rotate the interpreter's own feed link (the old one stops working)."""
    interp = roster.require_interpreter(request.user)
    _, secret = invitations.issue_feed_token(by=request.user, interpreter=interp)
    context = _assignments_context(request, interp)
    context["feed_url"] = _feed_url(request, secret)
    return render(request, "calls/interp_assignments.html", context)


# --------------------------------------------------------------------------- calendar files


def _ics(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponseBase:
    """A subscribable feed: no login, the secret in the URL; 404 for an unknown or revoked one."""
    try:
        filename, data = invitations.feed_for(token)
    except NotFound:
        raise Http404("No such calendar feed.") from None
    return _ics(data, filename)


@web_view
@require_GET
def call_ics(request: HttpRequest, tracking: str) -> HttpResponseBase:
    """The call's invitation as a file, for whoever may see the call."""
    call = access_call(request.user, tracking)
    if call.state not in ON_CALENDAR or call.start is None:
        raise NotFound(f"{call.tracking} has no time on the calendar yet.")
    return _ics(ical.call_event_ics(call, "REQUEST"), f"{call.tracking}.ics")
