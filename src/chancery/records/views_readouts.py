"""The pages of read-outs.

Staff (signed in): the list (``/records/readouts/``, filtered by state), one read-out with its
versions, its clearance / embargo / link / publication panel (the publication rule's words) and
its history, and the draft form from a call. Public (no login): the published read-outs, one
read-out with its corrections and its log entry, its JSON and the index JSON (the Atom feed is
``records/feeds.py``). Thin: access through ``records.access_readouts``, every change through
``records.services.readouts``; a ``ChanceryError`` becomes the error page with its status."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
import django_tables2 as tables
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chancery import clock
from chancery.calls.access import access_call
from chancery.errors import ChanceryError, InvalidInput
from chancery.ledger.services import history
from chancery.lists import Table, list_context, render_list
from chancery.pages import error_page, web_view
from chancery.records import access_readouts as access
from chancery.records.models import Readout
from chancery.records.readouts_public import public_dict, published_versions
from chancery.records.services import readouts as services

PUBLIC_PER_PAGE = 20

# --------------------------------------------------------------------------- staff: the list


class ReadoutTable(Table):
    tracking = tables.TemplateColumn(
        '<a class="tracking" href="{% url \'readout_detail\' record.tracking %}">'
        "{{ record.tracking }}</a>",
        verbose_name="Tracking", order_by=("id",),
    )
    call = tables.TemplateColumn(
        "{{ record.call.office.polity }} · {{ record.call.tracking }}", verbose_name="Call",
        order_by=("call_id",),
    )
    slug = tables.Column(verbose_name="Address")
    state = tables.Column(verbose_name="State")
    version = tables.Column(verbose_name="Version")
    first_published_at = tables.TemplateColumn(
        "{% load chancery_web %}{% if record.first_published_at %}"
        "{{ record.first_published_at|when }}{% else %}—{% endif %}",
        verbose_name="First published",
    )

    list_id = "readouts-list"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "readouts"}
        empty_text = "No read-outs match."

    def render_state(self, record: Readout) -> str:
        return format_html('<span class="badge state-{}">{}</span>', record.state,
                           Readout.State(record.state).label)

    def row_data(self, record: Readout) -> dict[str, str]:
        return {"state": record.state, "slug": record.slug}


class ReadoutFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Readout.State.choices, empty_label="Any state")

    class Meta:
        model = Readout
        fields = ["state"]


@web_view
@require_GET
def readout_list(request: HttpRequest) -> HttpResponseBase:
    qs = access.visible_readouts(request.user).order_by("-created_at", "-id")
    filterset = ReadoutFilter(request.GET, queryset=qs)
    context = list_context(request, ReadoutTable, qs, filterset=filterset)
    return render_list(request, "records/readout_list.html", {
        **context, "filter": filterset, "nav_active": "records",
    })


# --------------------------------------------------------------------------- staff: one


def _local(moment: dt.datetime | None, readout: Readout) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(readout.call.principal.time_zone)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _detail_context(request: HttpRequest, readout: Readout) -> dict[str, Any]:
    versions = list(
        access.readable_readout_versions(request.user).filter(readout=readout)
        .order_by("-number")
    )
    access.record_draft_read(request.user, readout, versions, via="web")
    latest = versions[0] if versions else None
    refusal = services.publication_refusal(readout, clock.now())
    user = request.user
    return {
        "readout": readout,
        "call": readout.call,
        "versions": versions,
        "latest": latest,
        "refusal": refusal,
        "may_clear": latest is not None and latest.cleared_at is None
        and services.may_clear(user, readout),
        "may_act": services.may_act(user, readout.call),
        "events": list(history("readout", readout.pk)),
        "zone": readout.call.principal.time_zone,
        "embargo_local": _local(readout.embargo_until, readout),
        "public_url": reverse("readout_public", args=[readout.slug])
        if readout.published_version else "",
        "nav_active": "records",
    }


@web_view
@require_GET
def readout_detail(request: HttpRequest, tracking: str) -> HttpResponseBase:
    readout = access.access_readout(request.user, tracking)
    return render(request, "records/readout_detail.html", _detail_context(request, readout))


def _parse_local(raw: str, readout: Readout) -> dt.datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        naive = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{raw!r} is not a date and time; use the picker (YYYY-MM-DD HH:MM).", field="until"
        ) from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(readout.call.principal.time_zone))


@web_view
@require_POST
def readout_action(request: HttpRequest, tracking: str, action: str) -> HttpResponseBase:
    """One action of the panel: clear, embargo, link, publish."""
    readout = access.access_readout(request.user, tracking)
    post, by = request.POST, request.user
    try:
        if action == "clear":
            raw = post.get("version", "")
            if not raw.isdigit():
                raise InvalidInput("Say which version you clear.", field="version")
            services.clear_readout(readout, by=by, version=int(raw))
            done = f"Version {raw} cleared."
        elif action == "embargo":
            until = None if post.get("lift") else _parse_local(post.get("until", ""), readout)
            services.set_embargo(readout, by=by, until=until, note=post.get("note", ""))
            done = "Embargo lifted." if until is None else "Embargo set."
        elif action == "link":
            services.link_counterpart(readout, by=by, url=post.get("url", ""))
            done = "Link saved."
        elif action == "publish":
            v = services.publish_readout(readout, by=by)
            where = reverse("readout_public", args=[readout.slug])
            done = f"Version {v.number} published at {where}."
        else:
            return error_page(request, InvalidInput(f"No action {action!r} on a read-out."))
    except ChanceryError as exc:
        readout = access.access_readout(request.user, tracking)
        context = {**_detail_context(request, readout), "error": exc, "open_form": action}
        return render(request, "records/readout_detail.html", context, status=exc.status)
    flash.success(request, done)
    return redirect("readout_detail", tracking=readout.tracking)


# --------------------------------------------------------------------------- staff: draft


@web_view
@require_http_methods(["GET", "POST"])
def readout_new(request: HttpRequest, call_tracking: str) -> HttpResponseBase:
    """Draft the call's read-out (the first version, or a new one)."""
    call = access_call(request.user, call_tracking)
    services.require_act(request.user, call, "draft read-outs")
    existing = access.readout_of_call(request.user, call)
    latest = services.latest_version(existing) if existing else None
    correction = bool(existing and existing.published_version)
    status = 200
    error = None
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("title", "body", "correction_note")}
        try:
            v = services.draft_readout(call, by=request.user, **data)
        except ChanceryError as exc:
            error, status = exc, exc.status
        else:
            flash.success(request, f"Version {v.number} drafted.")
            return redirect("readout_detail", tracking=v.readout.tracking)
    else:
        data = {
            "title": latest.title if latest else services.default_title(call),
            "body": latest.body if latest else "",
            "correction_note": "",
        }
    return render(request, "records/readout_form.html", {
        "call": call, "readout": existing, "data": data, "error": error,
        "correction": correction, "nav_active": "records",
    }, status=status)


# --------------------------------------------------------------------------- public


def public_view(fn: Any) -> Any:
    """No login; a ``ChanceryError`` is the error page with its status."""

    @wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return fn(request, *args, **kwargs)
        except ChanceryError as exc:
            return error_page(request, exc)

    return wrapper


@public_view
@require_GET
def public_list(request: HttpRequest) -> HttpResponseBase:
    """The published read-outs, newest first, paginated."""
    page = Paginator(access.published_readouts(), PUBLIC_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page)
    shown = {
        (v.readout_id, v.number): v
        for v in access.published_readout_versions().filter(readout__in=rows)
    }
    items = [
        {"readout": r, "version": shown.get((r.pk, r.published_version or 0)),
         "corrected": (r.published_version or 0) > min(
             (n for (rid, n) in shown if rid == r.pk), default=0)}
        for r in rows
    ]
    return render(request, "records/readout_public_list.html", {
        "page": page, "items": items, "nav_active": "public-readouts",
    })


@public_view
@require_GET
def public_readout(request: HttpRequest, slug: str) -> HttpResponseBase:
    readout = access.public_readout(slug)
    versions = published_versions(readout)
    return render(request, "records/readout_public.html", {
        "readout": readout, "call": readout.call, "current": versions[0],
        "earlier": versions[1:], "first": versions[-1], "nav_active": "public-readouts",
    })


def _json(data: Any) -> JsonResponse:
    response = JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public_view
@require_GET
def public_json(request: HttpRequest, slug: str) -> HttpResponseBase:
    readout = access.public_readout(slug)
    url = request.build_absolute_uri(reverse("readout_public", args=[slug]))
    return _json(public_dict(readout, url=url))


@public_view
@require_GET
def public_index_json(request: HttpRequest) -> HttpResponseBase:
    """Every published read-out: its address, date, latest version and digest."""
    out = []
    for r in access.published_readouts():
        latest = published_versions(r)[0]
        out.append({
            "slug": r.slug,
            "url": request.build_absolute_uri(reverse("readout_public", args=[r.slug])),
            "json": request.build_absolute_uri(reverse("readout_public_json", args=[r.slug])),
            "title": latest.version.title,
            "date": latest.object["date"],
            "version": latest.version.number,
            "digest": latest.digest,
            "published_at": latest.published_at.isoformat(),
            "first_published_at": r.first_published_at.isoformat()
            if r.first_published_at else None,
        })
    return _json({"readouts": out})
