"""What every app's pages share: sign-in, htmx detection, a ``ChanceryError`` shown as the
error page with its status, and a safe ``next`` address. Each app's ``views.py`` builds on these;
the shell (``web/``) holds the layout they extend."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from chancery.errors import ChanceryError

View = Callable[..., HttpResponseBase]


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request for a fragment (a history-restore request wants the whole page)."""
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "history_restore_request", False)


def signed_in(fn: View) -> View:
    """``login_required``; an htmx request whose session has ended is sent to the login page
    as a whole (``HX-Redirect``) instead of having the login form swapped into a panel."""

    protected = login_required(fn)

    @wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated and is_htmx(request):
            # 401 rather than django-htmx's default 200: the request was not served.
            return HttpResponseClientRedirect(
                f"{settings.LOGIN_URL}?next={quote(request.path)}", status=401
            )
        return protected(request, *args, **kwargs)

    return wrapper


def error_page(request: HttpRequest, exc: ChanceryError) -> HttpResponse:
    template = "web/_error.html" if is_htmx(request) else "web/error.html"
    return render(request, template, {"error": exc}, status=exc.status)


def web_view(fn: View) -> View:
    """Login required; a ``ChanceryError`` raised by access helpers or services becomes the
    error page with the error's status (403, 404, 409, 422...)."""

    @wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return fn(request, *args, **kwargs)
        except ChanceryError as exc:
            return error_page(request, exc)

    return signed_in(wrapper)


def safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return fallback


Panel = Callable[[HttpRequest, Any], str]
"""A panel another app adds to a page it does not own: given the request and the page's subject
(a message), the panel's HTML (already rendered and escaped), or "" to show nothing."""

_PANELS: dict[str, list[tuple[int, Panel]]] = {}


def register_panel(place: str, panel: Panel, *, order: int = 100) -> None:
    """Add ``panel`` to every page that shows the panels of ``place`` (``"message"``: a message's
    staff page; ``"portal_message"``: a message's page in the liaison portal). This is how an app
    further down the layering (records) shows its part on a page of an app it may import but
    that may not import it (correspondence). Registering the same panel again is harmless."""
    entries = _PANELS.setdefault(place, [])
    if all(p is not panel for _, p in entries):
        entries.append((order, panel))
        entries.sort(key=lambda e: e[0])


def panels(place: str, request: HttpRequest, subject: Any) -> list[str]:
    """The HTML of the panels registered for ``place``, in order, empty ones left out."""
    return [html for _, panel in _PANELS.get(place, []) if (html := panel(request, subject))]
