"""The call request API under generated requests (schemathesis, as tests/core/test_openapi.py
does for the whole API): valid and invalid bodies, with an officer's and a liaison's token,
aimed also at real calls in several states. Never a server error. (The fuzzing phase only:
tests/core/test_openapi.py runs every phase over the whole API, these routes included.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.calls.models import CallRequest, CallState
from chancery.calls.services import requests as svc

try:
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error
except ImportError:  # pragma: no cover - schemathesis is in the "test" extra
    schemathesis = None

STEPS = "receipt|triage|approve|defer|decline|attempts|complete|fail"
PATHS = rf"^/api/v1/calls(/\{{tracking\}}(/({STEPS}))?)?$"


@pytest.fixture
def calls_world(world: dict[str, Any], people: dict[str, User]) -> dict[str, Any]:
    """Calls in several states: requested, triaged, scheduled (with an attempt)."""
    today = clock.now().date()

    def request() -> CallRequest:
        call, _ = svc.submit_call(
            svc.CallSubmission(principal="president-elect", office=world["pm_ca"].pk,
                               purpose="Talk.", language="fr", earliest=today,
                               latest=today + dt.timedelta(days=7)),
            by=people["liaison_ca"],
        )
        return call

    requested = request()
    triaged = svc.triage_call(request(), by=people["officer"])
    scheduled = svc.approve_call(svc.triage_call(request(), by=people["officer"]),
                                 by=people["officer"])
    start = clock.now() + dt.timedelta(days=1)
    CallRequest.objects.filter(pk=scheduled.pk).update(
        state=CallState.SCHEDULED, start=start, end=start + dt.timedelta(minutes=30)
    )
    svc.record_attempt(scheduled, by=people["officer"], outcome="busy")
    return {"tracking": [requested.tracking, triaged.tracking, scheduled.tracking]}


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Serve WSGI requests on the test's own database connection, inside its transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(people: dict[str, User], token_for: Callable[[User], str]) -> list[str]:
    return [token_for(people["officer"]), token_for(people["liaison_ca"])]


if schemathesis is not None:
    from chancery.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=PATHS
    )
    schema.config.generation.update(
        modes=["positive", "negative"], max_examples=6, database="none"
    )
    schema.config.phases.update(phases=["fuzzing"])

    @schema.parametrize()
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def test_calls_api_fuzz(
        case: Any, tokens: list[str], calls_world: dict[str, Any], same_connection: None
    ) -> None:
        officer, liaison = ({"Authorization": f"Bearer {t}"} for t in tokens)
        case.call_and_validate(headers=officer, checks=[not_a_server_error])
        if case.path_parameters:
            for tracking in calls_world["tracking"]:
                case.path_parameters = {"tracking": tracking}
                case.call_and_validate(headers=officer, checks=[not_a_server_error])
        case.call_and_validate(headers=liaison, checks=[not_a_server_error])

else:  # pragma: no cover

    def test_calls_api_fuzz() -> None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
