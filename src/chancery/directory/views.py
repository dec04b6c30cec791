"""Directory pages: the admin tools for principals (recording a transition status). Thin: the
rule is ``directory.services.set_principal_status``."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect

from chancery.accounts.models import Role
from chancery.accounts.roles import require_role
from chancery.directory import services
from chancery.directory.access import principal_by_slug, principals, status_changes
from chancery.directory.models import Principal
from chancery.errors import ChanceryError
from chancery.lists import Table, list_context, render_list
from chancery.pages import web_view

# --------------------------------------------------------------------------- admin tools


class StatusChangeTable(Table):
    """Every recorded transition status, newest first (the shared list component: sort by
    column with ``?sort=``, page with ``?page=``)."""

    at = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.at|when }}", verbose_name="When",
        attrs={"td": {"class": "nowrap"}},
    )
    principal = tables.TemplateColumn(
        "{{ record.principal.title }} {{ record.principal.name }}", verbose_name="Principal",
        order_by=("principal__title", "at"),
    )
    status = tables.TemplateColumn(
        "<strong>{{ record.get_status_display }}</strong>", verbose_name="Status",
    )
    by = tables.TemplateColumn(
        "{% load chancery_web %}{{ record.by|who }}", verbose_name="Recorded by",
        order_by=("by__username",),
    )
    note = tables.TemplateColumn(
        '<span dir="auto">{{ record.note|default:"—" }}</span>', verbose_name="Note",
        orderable=False,
    )

    list_id = "status-changes"

    class Meta(Table.Meta):
        attrs = {"class": "data", "id": "status-change-list"}
        empty_text = "No status recorded yet."


def _confirm_value(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@web_view
def admin_principals(request: HttpRequest) -> HttpResponseBase:
    """Record a transition status. A change that releases or holds messages takes two steps:
    the first names how many will move and asks for a note; the second (with that number)
    records it. If the number changed meanwhile, the page asks again with the new one."""
    require_role(request.user, Role.ADMIN, action="record a principal's transition status")
    status = 200
    error: ChanceryError | None = None
    confirming: dict[str, object] | None = None
    if request.method == "POST":
        try:
            principal = principal_by_slug(request.POST.get("principal", ""), field="principal")
            released = services.set_principal_status(
                principal, by=request.user,
                status=request.POST.get("status", ""), note=request.POST.get("note", ""),
                confirm=_confirm_value(request.POST.get("confirm")),
            )
        except services.ConfirmationNeeded as exc:
            confirming = {
                "principal": request.POST.get("principal", ""),
                "status": request.POST.get("status", ""),
                "note": request.POST.get("note", ""),
                "count": exc.count,
                "text": exc.message.split(". Confirm with", 1)[0] + ".",
            }
        except ChanceryError as exc:
            error, status = exc, exc.status
            if exc.field == "note" and request.POST.get("confirm"):
                # The note was missing at the confirmation step: ask again, with the error.
                confirming = {
                    "principal": request.POST.get("principal", ""),
                    "status": request.POST.get("status", ""),
                    "note": "",
                    "count": _confirm_value(request.POST.get("confirm")),
                    "text": exc.message,
                }
        else:
            principal.refresh_from_db()
            text = f"Recorded: the {principal.title} is now '{principal.get_status_display()}'."
            if released:
                text += "".join(f" {part}." for part in services.released_text(released))
            else:
                text += " No message was waiting for this status."
            flash.success(request, text)
            return redirect("admin_principals")
    elif request.method != "GET":
        return HttpResponse(status=405)
    order = Principal.STATUS_ORDER
    rows = []
    for p in principals():
        rows.append({
            "p": p,
            # What recording the status its policy waits for would release: the held messages.
            "held": services.status_change_moves(p, p.delivery_requires) if p.gate_active else 0,
            "can_ascertain": order.index(p.status) < order.index(Principal.Status.ASCERTAINED),
            "other_statuses": [(s.value, s.label) for s in Principal.Status if s.value != p.status],
        })
    context: dict[str, Any] = list_context(request, StatusChangeTable, status_changes())
    return render_list(request, "directory/admin_principals.html", {
        **context, "rows": rows, "error": error, "confirming": confirming,
        "nav_active": "admin-principals",
    }, status=status)
