"""While the database is unreachable: a 503 with Retry-After, never an HTML 500.

``DatabaseUnavailableMiddleware`` is the first entry of ``MIDDLEWARE`` (the outermost), and
turns a lost database into answers a client can act on:

- ``/api/…``: JSON in the API's error shape (``{"error": "unavailable", "detail": …}``);
- ``/log/…`` (read by monitors and witnesses): plain text;
- every other path: a static "temporarily unavailable" page, rendered without a request
  context, so no context processor (they query) runs.

Each carries ``Retry-After: CHANCERY_UNAVAILABLE_RETRY_AFTER`` (seconds).

An error raised by a view (or a template it renders) reaches ``process_exception``. Django
turns an error raised inside another middleware (a session saved, a user authenticated in a
middleware) into a 500 response before it can reach an outer middleware; the
``got_request_exception`` signal, sent first, marks the request, and ``__call__`` replaces
that 500 (Django has logged that one with its traceback).

What counts as "unreachable", and the logging (one ERROR per process when an outage starts,
one WARNING when a request reaches the database again; not Django's ``django.request`` line
for every 503): ``chancery.outages``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string

from chancery.outages import DATABASE, database_unavailable

_MARK = "_chancery_database_unavailable"
_THEN = "answering 503 with Retry-After until it is back"


def _failed(exc: BaseException, request: HttpRequest) -> None:
    DATABASE.failed(exc, f"at {request.method} {request.path}", _THEN)


def _reached() -> None:
    """A request went through: if it used the database (a connection is open), the database
    answers again."""
    if DATABASE.down and any(
        c.connection is not None for c in connections.all(initialized_only=True)
    ):
        DATABASE.reached()


def retry_after() -> int:
    return int(settings.CHANCERY_UNAVAILABLE_RETRY_AFTER)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for ``request``'s kind of path, with Retry-After; touches no database."""
    wait = retry_after()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "error": "unavailable",
                "detail": (
                    "The database is unreachable at the moment, so nothing can be read or "
                    f"recorded; retry in {wait} s (Retry-After). A message sent again with the "
                    "same Idempotency-Key is never recorded twice."
                ),
            },
            status=503,
        )
    elif request.path.startswith("/log/"):
        response = HttpResponse(
            f"temporarily unavailable: the database is unreachable; retry in {wait} s\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    else:
        response = HttpResponse(
            render_to_string("unavailable.html", {"retry_after": wait}), status=503
        )
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    # Logged once per outage (chancery.outages), not once per request by django.request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@receiver(got_request_exception, dispatch_uid="chancery.web.outage")
def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django is about to answer 500 for an error no view raised (a middleware did): mark the
    request if that error is a lost database, for the outermost middleware to answer 503."""
    if request is None:
        return
    exc = database_unavailable(sys.exc_info()[1])
    if exc is not None:
        setattr(request, _MARK, exc)


class DatabaseUnavailableMiddleware:
    """Outermost middleware: answer 503 with Retry-After while the database is unreachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            response = self.get_response(request)
        except Exception as exc:  # only with DEBUG_PROPAGATE_EXCEPTIONS: Django converts them
            found = database_unavailable(exc)
            if found is None:
                raise
            _failed(found, request)
            return unavailable_response(request)
        marked = getattr(request, _MARK, None)
        if marked is not None:
            _failed(marked, request)
            return unavailable_response(request)
        if response.status_code < 500:
            _reached()
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        found = database_unavailable(exc)
        if found is None:
            return None
        _failed(found, request)
        return unavailable_response(request)
