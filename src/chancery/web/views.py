"""The shell's pages: the home page (each role's landing page; the operations dashboard composed
from the apps) and the public transparency page. Thin: counts and rules come from the apps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import profile_of, roles_of
from chancery.correspondence import transparency
from chancery.correspondence.access import (
    ALL_SEEING,
    visible_messages,
)
from chancery.correspondence.models import (
    PRE_DELIVERY,
    Hold,
    State,
)
from chancery.correspondence.views import _active_holds
from chancery.directory.models import Principal
from chancery.errors import Forbidden
from chancery.pages import is_htmx, web_view

QUEUE_LIMIT = 200


@web_view
@require_GET
def home(request: HttpRequest) -> HttpResponseBase:
    roles = roles_of(request.user)
    if not roles & ALL_SEEING:
        if Role.LIAISON in roles:
            return redirect("portal")
        if Role.PRINCIPAL_OFFICE in roles:
            principal = profile_of(request.user).principal
            if principal is not None:
                return redirect("inbox", slug=principal.slug)
        if Role.TRANSLATOR in roles:
            return redirect("translations")
        raise Forbidden(
            "Your account has no role in Chancery yet; ask an administrator to give you one."
        )
    context = dashboard_context(request)
    template = "web/_dashboard_live.html" if is_htmx(request) else "web/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    visible = visible_messages(request.user)
    principals = list(Principal.objects.all())
    counts: dict[int, dict[str, int]] = {p.pk: {} for p in principals}
    for row in visible.order_by().values("principal_id", "state").annotate(n=Count("id")):
        counts.setdefault(row["principal_id"], {})[row["state"]] = row["n"]
    held = dict(
        Hold.objects.filter(released_at__isnull=True, is_policy=True)
        .values("message__principal_id")
        .annotate(n=Count("id"))
        .values_list("message__principal_id", "n")
    )
    now = clock.now()
    overdue = dict(
        visible.filter(state__in=PRE_DELIVERY, due_at__lte=now)
        .order_by()
        .values("principal_id")
        .annotate(n=Count("id"))
        .values_list("principal_id", "n")
    )
    states = list(State)
    table: list[dict[str, Any]] = []
    for p in principals:
        per = counts.get(p.pk, {})
        table.append({
            "principal": p,
            "cells": [per.get(s.value, 0) for s in states],
            "total": sum(per.values()),
            "policy_held": held.get(p.pk, 0),
            "overdue": overdue.get(p.pk, 0),
        })
    totals = [sum(r["cells"][i] for r in table) for i in range(len(states))]
    count_rows: list[dict[str, Any]] = [
        {"state": s.value, "label": s.label, "cells": [r["cells"][i] for r in table],
         "total": totals[i]}
        for i, s in enumerate(states)
    ]
    extra = (("policy_held", "Held by support policy"), ("overdue", "Past delivery target"))
    for key, label in extra:
        cells = [r[key] for r in table]
        count_rows.append({"state": "", "label": label, "cells": cells, "total": sum(cells),
                           "extra": True})
    open_qs = (
        visible.filter(state__in=PRE_DELIVERY)
        .order_by("received_at", "id")
        .prefetch_related(_active_holds())
    )
    open_count = open_qs.count()
    queue = list(open_qs[:QUEUE_LIMIT])
    holds = list(
        Hold.objects.filter(released_at__isnull=True, is_policy=False)
        .select_related(
            "message__principal", "message__sender_office__leader",
            "message__sender_office__country", "message__sender_office__organisation",
            "placed_by", "confirmed_by", "renewal_requested_by",
        )
        .order_by("expires_at", "id")
    )
    return {
        "states": states,
        "table": table,
        "totals": totals,
        "count_rows": count_rows,
        "grand_total": sum(totals),
        "policy_held_total": sum(held.values()),
        "overdue_total": sum(overdue.values()),
        "escalated_total": visible.filter(
            state__in=PRE_DELIVERY, escalated_at__isnull=False
        ).count(),
        "queue": queue,
        "open_count": open_count,
        "queue_more": max(open_count - len(queue), 0),
        "holds": holds,
        "refreshed_at": now,
        "nav_active": "dashboard",
    }


# --------------------------------------------------------------------------- public transparency


@require_GET
def transparency_page(request: HttpRequest) -> HttpResponseBase:
    """Public, no sign-in: counts per principal and day (never content), the log's current
    checkpoint and key, and how to verify them independently."""
    stats = transparency.daily_counts()
    log = transparency.log_state()
    return render(request, "web/transparency.html", {
        "stats": stats,
        "totals": transparency.grand_totals(stats),
        "held_now": sum(s.held_now for s in stats),
        "overdue_now": sum(s.overdue_now for s in stats),
        "log": log,
        "log_url": request.build_absolute_uri("/log").rstrip("/"),
        "as_of": clock.now(),
        "target_hours": settings.CHANCERY_DELIVERY_TARGET_HOURS,
        "nav_active": "transparency",
    })


