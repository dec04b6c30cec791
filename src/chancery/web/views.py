"""The shell's pages: the home page (each role's landing page; the operations dashboard composed
from the apps) and the public transparency page. Thin: counts and rules come from the apps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, roles_of
from chancery.calls.services.overdue import overdue_call_action
from chancery.correspondence import access, services, transparency
from chancery.correspondence.access import visible_messages
from chancery.correspondence.models import State
from chancery.correspondence.views import _active_holds
from chancery.directory import access as directory_access
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
        if Role.INTERPRETER in roles:
            return redirect("call_my_assignments")
        raise Forbidden(
            "Your account has no role in Chancery yet; ask an administrator to give you one."
        )
    context = dashboard_context(request)
    template = "web/_dashboard_live.html" if is_htmx(request) else "web/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


DASHBOARD_COUNTS = (
    ("held_officer", "Under an officer's hold"),
    ("held_policy", "Held by support policy"),
    ("past_target", "Past delivery target"),
    ("overdue", "Overdue, no hold"),
    ("escalated", "Escalated"),
    ("overdue_action", "Overdue action"),
)

OVERDUE_NEXT_STAFF = (
    "The worker does this on each pass (every few seconds); when it is late, the worker "
    "(chancery worker) has stopped or is stuck: check it, and see the background processes."
)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """The operations dashboard. Every number is ``services.count_messages`` (each count's
    definition is ``services.COUNT_DEFINITIONS``, shown beside it on the page)."""
    visible = visible_messages(request.user)
    principals = list(directory_access.principals())
    now = clock.now()
    per = services.count_messages(visible, by="principal_id", now=now)
    states = list(State)
    table: list[dict[str, Any]] = []
    for p in principals:
        counts = per.get(p.pk) or dict.fromkeys(services.COUNT_DEFINITIONS, 0)
        table.append({
            "principal": p,
            "cells": [counts[s.value] for s in states],
            "total": counts["total"],
            "counts": counts,
        })
    overall = {
        name: sum(r["counts"][name] for r in table) for name in services.COUNT_DEFINITIONS
    }
    totals = [overall[s.value] for s in states]
    count_rows: list[dict[str, Any]] = [
        {"state": s.value, "label": s.label, "cells": [r["cells"][i] for r in table],
         "total": totals[i], "definition": services.COUNT_DEFINITIONS[s.value]}
        for i, s in enumerate(states)
    ]
    for key, label in DASHBOARD_COUNTS:
        count_rows.append({
            "state": "", "label": label, "cells": [r["counts"][key] for r in table],
            "total": overall[key], "extra": True,
            "definition": services.COUNT_DEFINITIONS[key],
        })
    open_count = overall["open"]
    queue = list(access.officer_queue(request.user).prefetch_related(_active_holds())[:QUEUE_LIMIT])
    holds = list(access.held_by_officers(request.user).order_by("expires_at", "id"))
    return {
        "states": states,
        "table": table,
        "totals": totals,
        "count_rows": count_rows,
        "grand_total": overall["total"],
        "counts": overall,
        "definitions": services.COUNT_DEFINITIONS,
        "policy_held_total": overall["held_policy"],
        "overdue_total": overall["overdue"],
        "escalated_total": overall["escalated"],
        "overdue_action": services.overdue_action(visible, now=now),
        "calls_overdue": overdue_call_action(now),
        "overdue_link": f"{reverse('message_list')}?show=overdue_action",
        "overdue_next": OVERDUE_NEXT_STAFF,
        "queue": queue,
        "open_count": open_count,
        "queue_more": max(open_count - len(queue), 0),
        "holds": holds,
        "refreshed_at": now,
        "nav_active": "dashboard",
    }


# --------------------------------------------------------------------------- public transparency

OVERDUE_NEXT_PUBLIC = (
    "When it is late, Chancery's automatic processing has stopped. It is shown here so that "
    "stopping it cannot withhold messages quietly."
)


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
        "overdue_action_now": sum(s.overdue_action.total.count for s in stats),
        "overdue_next": OVERDUE_NEXT_PUBLIC,
        "log": log,
        "log_url": request.build_absolute_uri("/log").rstrip("/"),
        "as_of": clock.now(),
        "target_hours": settings.CHANCERY_DELIVERY_TARGET_HOURS,
        "definitions": services.COUNT_DEFINITIONS,
        "nav_active": "transparency",
    })


