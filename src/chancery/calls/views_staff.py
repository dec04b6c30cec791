"""The officers' and principals' offices' call pages: the queue in precedence order, a call's page
with its action panel, the calendar where an officer moves a call and the rest is re-solved, the
solve's progress, and a principal's office's list of every request addressed to it.

Thin, as every app's pages: access through ``calls.access``, every change through the services
(``requests``, ``scheduling``, ``interpreters``); a ``ChanceryError`` becomes a message on the page
with its 4xx status and nothing changes. Without JavaScript every form is a plain POST answered
by a redirect; the solve's progress is polled with htmx (a plain link otherwise).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, is_sender_only, roles_of
from chancery.calls import access, access_staff
from chancery.calls.lists import (
    SHOW,
    CallFilter,
    CallTable,
    GatedTable,
    PrincipalCallTable,
    RankedTable,
    filter_calls,
    leader_zone,
    time_columns,
    zone_of,
    zoned,
)
from chancery.calls.models import (
    ON_CALENDAR,
    OPEN_CALL_STATES,
    CallRequest,
    CallState,
    ContactAttempt,
    Interpreter,
    ScheduleRun,
)
from chancery.calls.services import blocked as blocked_time
from chancery.calls.services import interpreters, ranking, requests, scheduling
from chancery.calls.services.actions import allowed_actions
from chancery.calls.services.common import OFFICERS, settings_for
from chancery.directory import access as directory_access
from chancery.directory.models import Principal
from chancery.errors import ChanceryError, Forbidden, InvalidInput, NotFound
from chancery.ledger.reads import record_read
from chancery.ledger.services import history
from chancery.lists import list_context, render_list
from chancery.pages import error_page, is_htmx, safe_next, signed_in, web_view

CONTENT_ROLES = ALL_SEEING | {Role.PRINCIPAL_OFFICE}
"""Who reads a request's purpose on its page (each read recorded, ``part="request"``)."""

SLOT = 5
"""The calendar's resolution, minutes."""

MAX_DAYS = 14


def _url(name: str, *args: Any) -> str:
    """The address of another part's page, or "" while that part is not there."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _is_officer(user: Any) -> bool:
    return bool(roles_of(user) & set(OFFICERS))


def _principals_for(user: Any) -> list[Principal]:
    return access_staff.followed_principals(user)


def _chosen(request: HttpRequest, choices: list[Principal], slug: str = "") -> Principal:
    slug = slug or request.GET.get("principal") or request.POST.get("principal") or ""
    if not slug:
        return choices[0]
    for p in choices:
        if p.slug == slug:
            return p
    directory_access.principal_by_slug(slug, field="principal")  # 404 naming the known
    raise Forbidden("You follow the calls of your own principal only.")


def _portal_redirect(tracking: str = "") -> HttpResponseBase | None:
    """Where a liaison follows its requests (the portal, H1's pages)."""
    target = _url("call_portal_request", tracking) if tracking else _url("call_portal")
    return redirect(target) if target else None


# --------------------------------------------------------------------------- the queue


def _last_run(user: Any, principal: Principal) -> ScheduleRun | None:
    return access_staff.principal_runs(user, principal).first()


@web_view
@require_GET
def call_queue(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if is_sender_only(user):
        target = _portal_redirect()
        if target is not None:
            return target
    choices = _principals_for(user)
    principal = _chosen(request, choices)
    scope = access.visible_calls(user).filter(principal=principal)
    show = request.GET.get("show", "")
    if show not in SHOW and show != "all":
        show = ""
    open_states = [s.value for s in OPEN_CALL_STATES]
    counts = {key: filter_calls(scope, key).count() for key in ("gated", "unplaced")}
    by_state = dict(
        (row["state"], row["n"])
        for row in scope.order_by().values("state").annotate(n=_count())
    )
    ranked_rows: list[CallRequest] = []
    if not show:
        for call, place in ranking.ranked(principal):
            call.ranked = place  # type: ignore[attr-defined]
            ranked_rows.append(call)
    tabs = [
        ("", "In precedence order", len(ranked_rows) if not show else None),
        ("gated", SHOW["gated"][1], counts["gated"]),
        *((s.value, s.label, by_state.get(s.value, 0)) for s in CallState
          if by_state.get(s.value) or s.value == show),
        ("all", "All", sum(by_state.values())),
    ]
    context: dict[str, Any] = {
        "principal": principal,
        "choices": choices,
        "show": show,
        "tabs": tabs,
        "counts": counts,
        "last_run": _last_run(user, principal),
        "is_officer": _is_officer(user),
        "nav_active": "calls",
    }
    if not show:
        context.update(list_context(request, RankedTable, ranked_rows, per_page=500))
        gated = filter_calls(scope, "gated").order_by("received_at", "id")
        context["gated_table"] = GatedTable(list(gated), request=request)
        context["unplaced"] = list(
            scope.filter(state__in=open_states).exclude(unplaced_reason="")
            .order_by("rank", "received_at", "id")
        )
        for call in context["unplaced"]:
            call.leader_zone = leader_zone(call)  # type: ignore[attr-defined]
    else:
        qs = filter_calls(scope, show if show != "all" else "").order_by("-received_at", "-id")
        context.update(list_context(
            request, CallTable, qs, filterset=CallFilter(request.GET, queryset=qs),
        ))
    return render_list(request, "calls/staff_queue.html", context)


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


# --------------------------------------------------------------------------- a call's page


def _window(call: CallRequest) -> dict[str, str]:
    """The leader's proposed window in the leader's zone and, for its first day, in the
    principal's."""
    lz = zone_of(leader_zone(call))
    start = dt.datetime.combine(call.earliest, call.local_start, tzinfo=lz)
    end = dt.datetime.combine(call.earliest, call.local_end, tzinfo=lz)
    return {
        "dates": f"{call.earliest:%a %-d %b %Y} – {call.latest:%a %-d %b %Y}",
        "leader": f"{call.local_start:%H:%M}–{call.local_end:%H:%M} {start.tzname()} "
                  f"({leader_zone(call)})",
        "principal": f"{zoned(start, call.principal.time_zone, '%H:%M')}–"
                     f"{zoned(end, call.principal.time_zone, '%H:%M')} "
                     f"({call.principal.time_zone}, on {call.earliest:%-d %b})",
    }


def detail_context(request: HttpRequest, call: CallRequest) -> dict[str, Any]:
    user = request.user
    actions = {a.action.replace("-", "_"): a for a in allowed_actions(call, user)}
    content = bool(roles_of(user) & CONTENT_ROLES)
    if content:
        record_read(user, access.SUBJECT, call.pk, via="web", part="request")
    lz = leader_zone(call)
    return {
        "call": call,
        "content": content,
        "times": time_columns(call),
        "window": _window(call),
        "leader_zone": lz,
        "principal_zone": call.principal.time_zone,
        "actions": actions,
        "any_action": any(a.allowed for a in actions.values()),
        "notes": [a.reason for a in actions.values() if a.personal],
        "outcomes": ContactAttempt.Outcome.choices,
        "attempts": list(call.attempts.select_related("by")),
        "interpreters": list(access_staff.reassign_roster(user)) if actions.get("reassign")
        else [],
        "start_local": _local_input(call.start, call.principal.time_zone),
        "events": list(history(access.SUBJECT, call.pk)),
        "package_url": _url("call_package", call.tracking),
        "ics_url": _url("call_ics", call.tracking),
        "calendar_url": _calendar_url(call.principal, call.start),
        "nav_active": "calls",
    }


def _local_input(moment: dt.datetime | None, zone: str) -> str:
    """A ``datetime-local`` input's value for ``moment`` in ``zone``."""
    if moment is None:
        return ""
    return moment.astimezone(zone_of(zone)).strftime("%Y-%m-%dT%H:%M")


def _calendar_url(principal: Principal, moment: dt.datetime | None = None, **extra: Any) -> str:
    params: dict[str, Any] = {"principal": principal.slug}
    if moment is not None:
        params["start"] = moment.astimezone(zone_of(principal.time_zone)).date().isoformat()
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return f"{reverse('call_calendar')}?{urlencode(params)}"


@web_view
@require_GET
def call_detail(request: HttpRequest, tracking: str) -> HttpResponseBase:
    if is_sender_only(request.user):
        # The liaison follows its request in the portal: status, receipt, the decline reason,
        # never the officers' notes.
        call = access.access_call(request.user, tracking)
        target = _portal_redirect(call.tracking)
        if target is not None:
            return target
        raise NotFound(f"No call request {tracking} that you can see.", field="tracking")
    call = access.access_call(request.user, tracking)
    if call.tracking != tracking:
        return redirect("call_detail", tracking=call.tracking)
    return render(request, "calls/staff_call.html", detail_context(request, call))


def parse_local(text: str, zone_name: str, *, field: str = "start") -> dt.datetime:
    """A ``datetime-local`` value (``2020-11-23T09:30``) in ``zone_name`` as an aware time; 422
    for what is not one, or for a local time the clocks skip."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            f"Give the new start as a date and time in {zone_name}, like 2020-11-23T09:30.",
            field=field,
        )
    try:
        naive = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date and time; give it like 2020-11-23T09:30 ({zone_name}).",
            field=field,
        ) from None
    if naive.tzinfo is not None:
        return naive
    zone = zone_of(zone_name)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise InvalidInput(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name}: the clocks go forward then. "
            "Choose another time.",
            field=field,
        )
    return aware


def _reason(request: HttpRequest) -> str:
    return (request.POST.get("reason") or "").strip()


def _act(request: HttpRequest, call: CallRequest, action: str) -> str:
    """Run one action through the services; return what to tell the person."""
    user = request.user
    post = request.POST
    t = call.tracking
    if action == "triage":
        requests.triage_call(call, by=user, note=post.get("note", ""))
        return f"{t} is triaged."
    if action == "approve":
        requests.approve_call(call, by=user)
        return f"{t} is approved for scheduling."
    if action == "defer":
        requests.defer_call(call, by=user, reason=_reason(request))
        return f"{t} is deferred."
    if action == "decline":
        requests.decline_call(call, by=user, reason=_reason(request))
        return f"{t} is declined; the requesting side sees the reason."
    if action == "attempt":
        requests.record_attempt(call, by=user, outcome=post.get("outcome", ""),
                                note=post.get("note", ""))
        return "Contact attempt recorded."
    if action == "complete":
        raw = (post.get("minutes") or "").strip()
        minutes = None
        if raw:
            try:
                minutes = int(raw)
            except ValueError:
                raise InvalidInput(f"{raw!r} is not a number of minutes.",
                                   field="minutes") from None
        requests.complete_call(call, by=user, minutes=minutes)
        return f"{t} is completed."
    if action == "fail":
        requests.fail_call(call, by=user, reason=_reason(request))
        return f"{t} is recorded as failed to connect."
    if action == "move":
        start = parse_local(post.get("start", ""), call.principal.time_zone)
        scheduling.move_call(call, start, by=user)
        return f"{t} is moved to {zoned(start, call.principal.time_zone)}; the rest is re-solved."
    if action == "release":
        scheduling.release_call(call, by=user)
        return f"{t} is no longer fixed: the next solve may move it."
    if action == "reassign":
        raw = (post.get("interpreter") or "").strip()
        chosen: Interpreter | None = None
        if raw:
            chosen = access_staff.roster_interpreter(user, raw)
        interpreters.reassign_interpreter(call, chosen, by=user)
        return f"{t}: interpreter {'set to ' + chosen.name if chosen else 'removed'}."
    raise NotFound(f"There is no call action {action!r}.")


ACTIONS = {"triage", "approve", "defer", "decline", "attempt", "complete", "fail", "move",
           "release", "reassign"}


@signed_in
@require_POST
def call_action(request: HttpRequest, tracking: str, action: str) -> HttpResponseBase:
    try:
        call = access.access_call(request.user, tracking)
        if is_sender_only(request.user):
            raise NotFound(f"No call request {tracking} that you can see.", field="tracking")
    except ChanceryError as exc:
        return error_page(request, exc)
    back = safe_next(request, reverse("call_detail", args=[call.tracking]))
    try:
        if action not in ACTIONS:
            raise NotFound(f"There is no call action {action!r}.")
        done = _act(request, call, action)
    except ChanceryError as exc:
        call = access.access_call(request.user, call.tracking)
        if back.startswith(reverse("call_calendar")):
            return _calendar_error(request, call.principal, exc)
        context = detail_context(request, call)
        context.update({"error": exc, "posted": request.POST, "open_form": action})
        return render(request, "calls/staff_call.html", context, status=exc.status)
    flash.success(request, done)
    if action == "move":
        # The move queued a re-solve: the calendar shows the move and follows the solve.
        run = scheduling.current_run(call.principal)
        call.refresh_from_db()
        return redirect(_calendar_url(
            call.principal, call.start if not request.POST.get("cal_start") else None,
            start=request.POST.get("cal_start"), days=request.POST.get("days"),
            run=run.pk if run else None, moved=call.tracking,
        ))
    return redirect(back)


# --------------------------------------------------------------------------- the calendar


@dataclass
class Block:
    """One thing drawn on the calendar: its column (day), rows (5-minute slots) and content."""

    column: int
    row: int
    span: int
    call: CallRequest | None = None
    label: str = ""
    kind: str = "call"
    info: dict[str, str] = field(default_factory=dict)
    blocked_id: int | None = None


@dataclass
class Calendar:
    principal: Principal
    zone: str
    start: dt.date
    days: list[dt.date]
    first_hour: int
    last_hour: int
    blocks: list[Block]
    day_start: dt.time
    day_end: dt.time

    @property
    def hours(self) -> list[tuple[int, int]]:
        """(hour, its first grid row)."""
        return [(h, 2 + (h - self.first_hour) * 60 // SLOT)
                for h in range(self.first_hour, self.last_hour)]

    @property
    def abbreviation(self) -> str:
        """The zone's abbreviation on the first day shown ("EST")."""
        noon = dt.datetime.combine(self.start, dt.time(12), tzinfo=zone_of(self.zone))
        return noon.tzname() or ""

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * 60 // SLOT

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=len(self.days))

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=len(self.days))


def _parse_day(text: str, default: dt.date) -> dt.date:
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a day; give it as YYYY-MM-DD.",
                           field="start") from None


def _parse_days(text: str) -> int:
    if not text:
        return 7
    try:
        n = int(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number of days.", field="days") from None
    if not 1 <= n <= MAX_DAYS:
        raise InvalidInput(f"Show between 1 and {MAX_DAYS} days (not {n}).", field="days")
    return n


def build_calendar(user: Any, principal: Principal, start: dt.date, ndays: int) -> Calendar:
    """The principal's days × hours (its own zone): the calls on the calendar and the blocked
    time, placed on 5-minute rows; the hours are the principal's call hours, widened to show
    any call outside them."""
    zone = zone_of(principal.time_zone)
    settings = settings_for(principal)
    days = [start + dt.timedelta(days=i) for i in range(ndays)]
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=zone)
    hi = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    calls = list(
        access.visible_calls(user)
        .filter(principal=principal, state__in=[s.value for s in ON_CALENDAR],
                start__lt=hi, end__gt=lo)
        .order_by("start", "id")
    )
    blocked = access_staff.blocked_times(user, principal, lo, hi)
    first = settings.day_start.hour
    last = settings.day_end.hour + (1 if settings.day_end.minute else 0)
    for c in calls:
        assert c.start is not None and c.end is not None
        s, e = c.start.astimezone(zone), c.end.astimezone(zone)
        first = min(first, s.hour if s.date() >= start else 0)
        if e.date() > s.date():
            last = 24
        else:
            last = max(last, e.hour + (1 if e.minute else 0))
    first, last = max(0, first), min(24, max(last, first + 1))

    def place(s: dt.datetime, e: dt.datetime) -> list[tuple[int, int, int]]:
        """(column, row, span) of the piece of [s, e) on each shown day, within the hours."""
        out = []
        for i, day in enumerate(days):
            top = dt.datetime.combine(day, dt.time(first), tzinfo=zone)
            bottom = (dt.datetime.combine(day, dt.time(last), tzinfo=zone) if last < 24
                      else dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0),
                                               tzinfo=zone))
            a, b = max(s, top), min(e, bottom)
            if a >= b:
                continue
            # Wall-clock minutes from the top (a DST day still shows its clock hours).
            a_l, b_l = a.astimezone(zone), b.astimezone(zone)
            m0 = (a_l.hour - first) * 60 + a_l.minute
            m1 = (b_l.hour - first) * 60 + b_l.minute if b_l.date() == day else (last - first) * 60
            row = 2 + m0 // SLOT
            span = max(1, math.ceil((m1 - m0) / SLOT))
            out.append((i + 2, row, span))
        return out

    blocks: list[Block] = []
    for day_index, day in enumerate(days):
        # The hours outside the principal's call hours (shown when a call is there).
        for a, b in ((dt.time(first), settings.day_start), (settings.day_end, None)):
            s = dt.datetime.combine(day, a, tzinfo=zone)
            e = (dt.datetime.combine(day, b, tzinfo=zone) if b is not None
                 else dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone))
            for col, row, span in place(s, e):
                if col == day_index + 2:
                    blocks.append(Block(col, row, span, kind="off", label="Outside call hours"))
    for bt in blocked:
        for col, row, span in place(bt.start, bt.end):
            blocks.append(Block(col, row, span, kind="blocked", label=bt.label or "Blocked",
                                blocked_id=bt.pk))
    for c in calls:
        assert c.start is not None and c.end is not None
        info = time_columns(c)
        info["input"] = _local_input(c.start, principal.time_zone)
        info["leader_time"] = zoned(c.start, leader_zone(c), "%H:%M")
        info["principal_time"] = (
            f"{c.start.astimezone(zone):%H:%M}–{c.end.astimezone(zone):%H:%M}"
        )
        for col, row, span in place(c.start, c.end):
            blocks.append(Block(col, row, span, call=c, kind="call", info=info))
    return Calendar(principal=principal, zone=principal.time_zone, start=start, days=days,
                    first_hour=first, last_hour=last, blocks=blocks,
                    day_start=settings.day_start, day_end=settings.day_end)


def calendar_context(request: HttpRequest, principal: Principal, choices: list[Principal],
                     *, start: dt.date | None = None, ndays: int = 7) -> dict[str, Any]:
    user = request.user
    today = clock.now().astimezone(zone_of(principal.time_zone)).date()
    cal = build_calendar(user, principal, start or today, ndays)
    waiting = list(
        access.visible_calls(user)
        .filter(principal=principal, state=CallState.APPROVED, waits_for="")
        .order_by("rank", "received_at", "id")
    )
    for c in waiting:
        c.leader_zone = leader_zone(c)  # type: ignore[attr-defined]
    run_id = request.GET.get("run", "")
    run = (access_staff.principal_runs(user, principal).filter(pk=int(run_id)).first()
           if run_id.isdigit() else None)
    progress = run_view(run) if run is not None else {}
    return {
        **progress,
        "then": request.get_full_path() if request.method == "GET" else "",
        "principal": principal,
        "choices": choices,
        "cal": cal,
        "today": today,
        "waiting": waiting,
        "run": run,
        "moved": request.GET.get("moved", ""),
        "last_run": _last_run(user, principal),
        "can_move": _is_officer(user),
        "days_param": ndays,
        "default_input": f"{cal.start:%Y-%m-%d}T{cal.day_start:%H:%M}",
        "block_start": f"{cal.start:%Y-%m-%d}T00:00",
        "block_end": f"{cal.start + dt.timedelta(days=1):%Y-%m-%d}T00:00",
        "nav_active": "calls-calendar",
    }


def _calendar_error(request: HttpRequest, principal: Principal, exc: ChanceryError
                    ) -> HttpResponse:
    """The calendar again, with the refusal in words and its status; nothing moved."""
    choices = _principals_for(request.user)
    start = None
    days = 7
    try:
        start = _parse_day(request.POST.get("cal_start", ""), default=None)  # type: ignore[arg-type]
        days = _parse_days(request.POST.get("days", ""))
    except ChanceryError:
        pass
    context = calendar_context(request, principal, choices, start=start, ndays=days)
    context.update({"error": exc, "posted": request.POST})
    return render(request, "calls/calendar.html", context, status=exc.status)


@web_view
@require_GET
def call_calendar(request: HttpRequest) -> HttpResponseBase:
    choices = _principals_for(request.user)
    principal = _chosen(request, choices)
    start = _parse_day(request.GET.get("start", ""), default=None)  # type: ignore[arg-type]
    ndays = _parse_days(request.GET.get("days", ""))
    return render(request, "calls/calendar.html",
                  calendar_context(request, principal, choices, start=start, ndays=ndays))


@signed_in
@require_POST
def call_resolve(request: HttpRequest) -> HttpResponseBase:
    """Queue a re-solve of the principal's calendar (the worker runs it; the page follows)."""
    try:
        choices = _principals_for(request.user)
        principal = _chosen(request, choices)
    except ChanceryError as exc:
        return error_page(request, exc)
    try:
        run = scheduling.request_solve(principal, by=request.user)
    except ChanceryError as exc:
        return _calendar_error(request, principal, exc)
    flash.success(request, f"Re-solve #{run.pk} queued for the {principal.title}.")
    return redirect(_calendar_url(
        principal, None, run=run.pk, start=request.POST.get("cal_start"),
        days=request.POST.get("days"),
    ))


def _block_input(post: Any, name: str, zone: str) -> dt.datetime:
    if not (post.get(name) or "").strip():
        raise InvalidInput(f"Give the {name} of the blocked time as a date and time in {zone}, "
                           "like 2020-11-26T00:00.", field=name)
    return parse_local(post.get(name, ""), zone, field=name)


@signed_in
@require_POST
def call_block(request: HttpRequest) -> HttpResponseBase:
    """Block a period of the principal's time (officers): the scheduler places no call in it;
    the calls on the calendar inside it are named and a re-solve moves them."""
    try:
        choices = _principals_for(request.user)
        principal = _chosen(request, choices)
    except ChanceryError as exc:
        return error_page(request, exc)
    post = request.POST
    try:
        if not _is_officer(request.user):
            raise Forbidden("Only a watch or protocol officer blocks a principal's time.")
        zone = principal.time_zone
        start = _block_input(post, "start", zone)
        end = _block_input(post, "end", zone)
        row = blocked_time.block_time(principal, by=request.user, start=start, end=end,
                                      label=post.get("label", ""))
    except ChanceryError as exc:
        return _calendar_error(request, principal, exc)
    inside = blocked_time.calls_inside(principal, row.start, row.end)
    text = (f"Blocked {zoned(row.start, principal.time_zone)} – "
            f"{zoned(row.end, principal.time_zone)}" + (f" ({row.label})" if row.label else ""))
    if inside:
        fixed = [c.tracking for c in inside if c.fixed]
        text += (". Calls inside it: " + ", ".join(c.tracking for c in inside)
                 + "; a re-solve moves them")
        if fixed:
            text += f" (fixed by an officer, move by hand: {', '.join(fixed)})"
    flash.success(request, text + ".")
    run = scheduling.current_run(principal, active_only=True)
    return redirect(_calendar_url(principal, None if post.get("cal_start") else row.start,
                                  start=post.get("cal_start"), days=post.get("days"),
                                  run=run.pk if run else None))


@signed_in
@require_POST
def call_unblock(request: HttpRequest, blocked_id: int) -> HttpResponseBase:
    """Unblock a period (officers); a re-solve is queued when calls wait for a time."""
    try:
        choices = _principals_for(request.user)
        principal = _chosen(request, choices)
    except ChanceryError as exc:
        return error_page(request, exc)
    try:
        if not _is_officer(request.user):
            raise Forbidden("Only a watch or protocol officer unblocks a principal's time.")
        row = blocked_time.blocked_period(principal, blocked_id)
        blocked_time.unblock_time(row, by=request.user)
    except ChanceryError as exc:
        return _calendar_error(request, principal, exc)
    flash.success(request, f"Unblocked {zoned(row.start, principal.time_zone)} – "
                  f"{zoned(row.end, principal.time_zone)}"
                  + (f" ({row.label})." if row.label else "."))
    run = scheduling.current_run(principal, active_only=True)
    post = request.POST
    return redirect(_calendar_url(principal, None if post.get("cal_start") else row.start,
                                  start=post.get("cal_start"), days=post.get("days"),
                                  run=run.pk if run else None))


def run_view(run: ScheduleRun) -> dict[str, Any]:
    """What the page says of a solve: its state, the solver's latest report, and once done
    what it placed and could not."""
    progress = run.progress or {}
    result = run.result or {}
    finished = run.state in (ScheduleRun.State.DONE, ScheduleRun.State.FAILED)
    shown = [
        (label, progress.get(key))
        for key, label in (("phase", "phase"), ("solutions", "solutions found"),
                           ("placed", "placed"), ("objective", "objective"),
                           ("bound", "bound"), ("seconds", "seconds"))
        if progress.get(key) not in (None, "")
    ]
    summary = []
    for key, label in (("placed", "placed"), ("unplaced", "not placed"),
                       ("requests", "requests"), ("status", "solver status"),
                       ("seconds", "seconds")):
        value = result.get(key)
        if isinstance(value, (list, tuple)):
            value = len(value)
        if value is not None and value != "" and not isinstance(value, dict):
            summary.append((label, value))
    return {"run": run, "finished": finished, "progress": shown, "summary": summary}


@web_view
@require_GET
def call_solve_progress(request: HttpRequest, run_id: int) -> HttpResponseBase:
    """The solve's progress: an htmx fragment polled every second while it runs; once it is
    done, the calendar reloads (``HX-Redirect``) to show the re-solved schedule."""
    run = access_staff.access_run(request.user, run_id)
    context = run_view(run)
    target = request.GET.get("then", "")
    if not target.startswith(reverse("call_calendar")):
        target = _calendar_url(run.principal, run=run.pk)
    context["then"] = target
    response = render(request, "calls/calendar_progress.html", context)
    if context["finished"] and is_htmx(request):
        response["HX-Redirect"] = target
    return response


# --------------------------------------------------------------------------- a principal's calls


@web_view
@require_GET
def principal_call_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    qs = access.principal_calls(request.user, slug)
    principal = directory_access.principal_by_slug(slug, field="principal")
    show = request.GET.get("show", "")
    if show not in SHOW:
        show = ""
    by_state = dict(
        (row["state"], row["n"])
        for row in qs.order_by().values("state").annotate(n=_count())
    )
    tabs = [
        ("", "All", sum(by_state.values())),
        ("gated", SHOW["gated"][1], filter_calls(qs, "gated").count()),
        *((s.value, s.label, by_state.get(s.value, 0)) for s in CallState
          if by_state.get(s.value)),
    ]
    rows = filter_calls(qs, show).order_by("-received_at", "-id")
    context = list_context(request, PrincipalCallTable, rows, per_page=100)
    context.update({
        "principal": principal,
        "show": show,
        "tabs": tabs,
        "gated_count": filter_calls(qs, "gated").count(),
        "nav_active": "calls",
    })
    return render_list(request, "calls/staff_principal_calls.html", context)
