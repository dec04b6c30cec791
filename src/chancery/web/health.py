"""Health endpoints for load balancers and orchestrators (Kubernetes probes).

``/healthz`` (liveness): the web process answers; touches nothing else (no database), so a
database outage never makes an orchestrator restart healthy web processes.

``/readyz`` (readiness): the database answers a trivial query and the worker's heartbeat is
fresh (``ledger.liveness``). 200 with a JSON body naming each check, or 503 with the same body
naming the failed ones. Never cached.

Both are outside sign-in, sessions and i18n, and never redirect. :class:`HealthMiddleware`,
first in ``MIDDLEWARE``, answers them before any other middleware runs: a probe addresses the
pod or instance by its IP (a Host header outside ``ALLOWED_HOSTS``, which Django's host check
would refuse with a 400) and over plain HTTP (which an HTTPS redirect would turn into a 301).
The same views are in ``urls.py`` for ``reverse`` and for a set-up without the middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from chancery.ledger import liveness

log = logging.getLogger(__name__)


def _no_store(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
def healthz(request: HttpRequest) -> HttpResponseBase:
    """Liveness: 200 ``ok``. No database, no session."""
    if request.method not in ("GET", "HEAD"):
        return _no_store(HttpResponse("use GET\n", status=405, content_type="text/plain",
                                      headers={"Allow": "GET, HEAD"}))
    return _no_store(HttpResponse("ok\n", content_type="text/plain; charset=utf-8"))


@csrf_exempt
def readyz(request: HttpRequest) -> HttpResponseBase:
    """Readiness: the database (``SELECT 1``) and the worker's heartbeat."""
    if request.method not in ("GET", "HEAD"):
        return _no_store(HttpResponse("use GET\n", status=405, content_type="text/plain",
                                      headers={"Allow": "GET, HEAD"}))
    checks: dict[str, dict[str, Any]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True}
    except DatabaseError as exc:
        log.warning("readyz: the database is unreachable: %s", exc)
        checks["database"] = {
            "ok": False,
            "message": f"the database did not answer: {type(exc).__name__}: {exc}".strip()[:300],
        }
        checks["worker"] = {
            "ok": False,
            "message": "not checked: its heartbeat is in the database",
        }
    if checks["database"]["ok"]:
        try:
            worker = next(p for p in liveness.processes() if p.name == liveness.WORKER)
            checks["worker"] = worker.as_json(public=True)
        except DatabaseError as exc:
            checks["worker"] = {"ok": False, "message": f"could not read its heartbeat: {exc}"}
    failed = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "fail" if failed else "ok", "checks": checks, "failed": failed}
    return _no_store(JsonResponse(body, status=503 if failed else 200))


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
    "/healthz": healthz,
    "/readyz": readyz,
}


class HealthMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before the rest of the middleware (host check, HTTPS
    redirect, sessions, sign-in); every other request passes through untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        view = ENDPOINTS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
