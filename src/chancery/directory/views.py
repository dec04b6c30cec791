"""Directory pages: the admin tools for principals (recording a transition status). Thin: the
rule is ``directory.services.set_principal_status``."""

from __future__ import annotations

from django.contrib import messages as flash
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from chancery.accounts.models import Role
from chancery.correspondence.access import (
    require_role,
)
from chancery.correspondence.models import (
    Hold,
)
from chancery.directory import services
from chancery.directory.models import Principal
from chancery.errors import ChanceryError, NotFound
from chancery.pages import web_view

# --------------------------------------------------------------------------- admin tools


@web_view
def admin_principals(request: HttpRequest) -> HttpResponseBase:
    require_role(request.user, Role.ADMIN, action="record a principal's transition status")
    status = 200
    error: ChanceryError | None = None
    if request.method == "POST":
        principal = Principal.objects.filter(slug=request.POST.get("principal", "")).first()
        try:
            if principal is None:
                raise NotFound("No such principal.")
            released = services.set_principal_status(
                principal, by=request.user,
                status=request.POST.get("status", ""), note=request.POST.get("note", ""),
            )
        except ChanceryError as exc:
            error, status = exc, exc.status
        else:
            principal.refresh_from_db()
            text = f"Recorded: the {principal.title} is now '{principal.get_status_display()}'."
            if released:
                shown = ", ".join(m.tracking for m in released[:10])
                more = f" and {len(released) - 10} more" if len(released) > 10 else ""
                text += (
                    f" {len(released)} held message{'s' if len(released) != 1 else ''} released "
                    f"and delivered in order of receipt: {shown}{more}."
                )
            else:
                text += " No message was waiting for this status."
            flash.success(request, text)
            return redirect("admin_principals")
    elif request.method != "GET":
        return HttpResponse(status=405)
    held = dict(
        Hold.objects.filter(released_at__isnull=True, is_policy=True)
        .values("message__principal_id")
        .annotate(n=Count("id"))
        .values_list("message__principal_id", "n")
    )
    order = Principal.STATUS_ORDER
    rows = []
    for p in Principal.objects.prefetch_related("status_changes__by"):
        rows.append({
            "p": p,
            "held": held.get(p.pk, 0),
            "can_ascertain": order.index(p.status) < order.index(Principal.Status.ASCERTAINED),
            "other_statuses": [(s.value, s.label) for s in Principal.Status if s.value != p.status],
            "history": list(p.status_changes.all()),
        })
    return render(request, "directory/admin_principals.html", {
        "rows": rows, "error": error, "nav_active": "admin-principals",
    }, status=status)


