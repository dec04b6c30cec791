"""The call package's pages: thin. Access goes through ``calls.package.access_package`` (itself
``calls.access.access_call``); the changes through ``calls.services.package``; a
``ChanceryError`` becomes a message on the page with its 4xx status, what was typed kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from chancery.calls.models import CallRequest
from chancery.calls.package import access_package, package_context
from chancery.calls.services import package as services
from chancery.errors import ChanceryError
from chancery.pages import web_view


def _page(
    request: HttpRequest, call: CallRequest, *, status: int = 200, **extra: Any
) -> HttpResponse:
    call.refresh_from_db()
    context = package_context(call, request.user, via="web")
    context.update(extra)
    return render(request, "calls/package.html", context, status=status)


@web_view
@require_GET
def package(request: HttpRequest, tracking: str) -> HttpResponseBase:
    call = access_package(request.user, tracking)
    if call.tracking != tracking:
        return redirect("call_package", tracking=call.tracking)
    return _page(request, call)


@web_view
@require_GET
def package_pdf(request: HttpRequest, tracking: str) -> HttpResponseBase:
    from weasyprint import HTML  # a heavy import, for this page only

    call = access_package(request.user, tracking)
    context = package_context(call, request.user, via="export")
    html = render_to_string("calls/package_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{call.tracking}-package.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@web_view
@require_POST
def package_points(request: HttpRequest, tracking: str) -> HttpResponseBase:
    call = access_package(request.user, tracking)
    text = request.POST.get("text", "")
    try:
        services.draft_talking_points(call, text, by=request.user)
    except ChanceryError as exc:
        return _page(request, call, status=exc.status, error=exc, posted_text=text)
    flash.success(request, f"Talking points of {call.tracking} saved.")
    return redirect("call_package", tracking=call.tracking)


@web_view
@require_POST
def package_clear(request: HttpRequest, tracking: str) -> HttpResponseBase:
    call = access_package(request.user, tracking)
    try:
        services.clear_package(call, by=request.user)
    except ChanceryError as exc:
        return _page(request, call, status=exc.status, error=exc)
    flash.success(request, f"The package of {call.tracking} is cleared.")
    return redirect("call_package", tracking=call.tracking)
