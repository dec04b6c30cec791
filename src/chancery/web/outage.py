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

What counts as "unreachable": Django's ``InterfaceError`` and ``OperationalError`` (psycopg's
connection errors arrive wrapped as these; so do SQLite's "unable to open database file" and
"database is locked"), except SQLite's schema errors ("no such table": a database that was
never migrated is a fault to fix, not an outage to wait out).

Logging: one ERROR line per process when an outage starts (with the database's message), one
WARNING when a request reaches the database again (how long, how many answers were 503);
the failures in between are logged at DEBUG (and not by Django's ``django.request`` logger,
which would log every 503), so an outage does not flood the log.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

#: SQLite reports mistakes in the schema or the SQL as OperationalError too: not outages.
_NOT_AN_OUTAGE = re.compile(
    r"^(no such (table|column|function|index|savepoint)\b|.*\bsyntax error\b"
    r"|table \S+ has no column|.*\balready exists\b)",
    re.IGNORECASE,
)
_MARK = "_chancery_database_unavailable"


def database_unavailable(exc: BaseException | None) -> BaseException | None:
    """The database error behind ``exc`` (itself, or what it was raised from), if the error
    means the database cannot be reached now; else None."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, InterfaceError):
            return exc
        if isinstance(exc, OperationalError) and not _NOT_AN_OUTAGE.match(str(exc).strip()):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


class _Outage:
    """This process's view of the outage, for logging it once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since: float | None = None
        self.answered = 0

    def failed(self, exc: BaseException, request: HttpRequest) -> None:
        with self.lock:
            self.answered += 1
            first = self.since is None
            if first:
                self.since = time.monotonic()
        if first:
            log.error(
                "database unreachable (%s: %s) at %s %s; answering 503 with Retry-After until "
                "it is back",
                type(exc).__name__, _one_line(exc), request.method, request.path,
            )
        else:
            log.debug("database still unreachable: %s %s", request.method, request.path)

    def maybe_recovered(self) -> None:
        if self.since is None or not any(
            c.connection is not None for c in connections.all(initialized_only=True)
        ):
            return
        with self.lock:
            if self.since is None:
                return
            down, answered = time.monotonic() - self.since, self.answered
            self.since, self.answered = None, 0
        log.warning(
            "database reachable again after %.1f s (%d request(s) answered 503)", down, answered
        )


OUTAGE = _Outage()


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


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
    # Logged once per outage by _Outage, not once per request by django.request.
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
            OUTAGE.failed(found, request)
            return unavailable_response(request)
        marked = getattr(request, _MARK, None)
        if marked is not None:
            OUTAGE.failed(marked, request)
            return unavailable_response(request)
        if response.status_code < 500:
            OUTAGE.maybe_recovered()
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        found = database_unavailable(exc)
        if found is None:
            return None
        OUTAGE.failed(found, request)
        return unavailable_response(request)
