"""The OpenAPI document is a tested artifact: it lists what issue 2 promises, documents the
Idempotency-Key header and bearer authentication, and the API never answers a generated request
(valid or not, schemathesis) with a server error."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.correspondence.models import Hold, Message, Translation

try:
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error
except ImportError:  # pragma: no cover - schemathesis is in the "test" extra
    schemathesis = None


@pytest.fixture
def spec(client: Client, db: Any) -> dict[str, Any]:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    return json.loads(r.content)  # type: ignore[no-any-return]


PROMISED = [
    ("post", "/api/v1/messages"),
    ("get", "/api/v1/messages"),
    ("get", "/api/v1/messages/{tracking}"),
    ("get", "/api/v1/messages/{tracking}/receipt"),
    ("post", "/api/v1/messages/{tracking}/holds"),
    ("post", "/api/v1/holds/{hold_id}/confirm"),
    ("post", "/api/v1/holds/{hold_id}/renew"),
    ("post", "/api/v1/holds/{hold_id}/release"),
    ("post", "/api/v1/messages/{tracking}/deliver"),
    ("post", "/api/v1/messages/{tracking}/acknowledge"),
    ("post", "/api/v1/messages/{tracking}/reject"),
    ("post", "/api/v1/messages/{tracking}/translations"),
    ("get", "/api/v1/translations"),
    ("post", "/api/v1/translations/{translation_id}/sign-off"),
    ("get", "/api/v1/principals/{slug}/inbox"),
    ("post", "/api/v1/principals/{slug}/status"),
]


def test_openapi_document(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Chancery API"
    for method, path in PROMISED:
        assert path in spec["paths"], path
        assert method in spec["paths"][path], (method, path)
    # every operation is documented with its error answers
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "401" in op["responses"], (method, path)
            assert {"200", "201", "202"} & set(op["responses"]), (method, path)


def test_idempotency_key_is_documented(spec: dict[str, Any]) -> None:
    submit = spec["paths"]["/api/v1/messages"]["post"]
    params = {p["name"]: p for p in submit.get("parameters", [])}
    key = params["Idempotency-Key"]
    assert key["in"] == "header"
    assert key.get("required") is False
    assert "retr" in (key.get("description", "") + key["schema"].get("description", "")).lower()
    assert {"200", "201", "409", "422"} <= set(submit["responses"])
    assert "requestBody" in submit


def test_bearer_security_scheme_on_all_but_the_public_read_outs(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    bearer = [s for s in schemes.values() if (s.get("type"), s.get("scheme")) == ("http", "bearer")]
    assert bearer, schemes
    name = next(k for k, v in schemes.items() if v in bearer)
    public = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            security = op.get("security", spec.get("security", []))
            if not security:
                public.add((method, path))
                continue
            assert {name: []} in security, (method, path)
    # Only what the world may read without signing in: the published read-outs.
    assert public == {("get", "/api/v1/readouts"), ("get", "/api/v1/readouts/{slug}")}


def test_error_schema_is_documented(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["ErrorOut"]
    assert {"error", "detail"} <= set(error["required"])


def test_docs_page(client: Client, db: Any) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert b"openapi.json" in r.content
    # Served from our own static files: the docs must work on a network with no CDN.
    assert b"cdn." not in r.content and b"/static/ninja/swagger-ui-bundle.js" in r.content
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


# --------------------------------------------------------------------------- fuzzing

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def fuzz_world(world: dict[str, Any], people: dict[str, User], submit: Any) -> dict[str, Any]:
    """A few messages in interesting states, so that generated requests meet real objects."""
    from chancery.correspondence import services

    plain = submit("Congratulations.", language="en")
    held = submit("Félicitations.", language="fr", subject="<b>Vœux</b>")
    hold = services.place_hold(held, by=people["officer"], category="security", reason="Check.")
    services.confirm_hold(hold, by=people["officer2"])
    translated = submit(
        "Félicitations et meilleurs vœux.", language="fr",
        attachments=[("letter.pdf", PDF)],
    )
    translation = services.request_translation(translated, by=people["officer"])
    return {
        "tracking": [plain.tracking, held.tracking, translated.tracking],
        "hold_id": [hold.pk],
        "translation_id": [translation.pk],
        "slug": ["president-elect", "vice-president-elect"],
    }


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Serve WSGI requests on the test's own database connection, inside its transaction.

    Django closes "old" connections when a request starts and ends; inside a test transaction
    that would close the test's connection. Django's test client does the same as this.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _load_schema() -> Any:
    """The schema as the running app serves it (over WSGI; Django is set up by pytest-django)."""
    from chancery.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    schema.config.generation.update(
        modes=["positive", "negative"], max_examples=30, database="none"
    )
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    return schema


@pytest.fixture
def officer_token(people: dict[str, User], token_for: Callable[[User], str]) -> str:
    return token_for(people["officer"])


if schemathesis is not None:
    schema = _load_schema()

    @schema.parametrize()
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def test_api_fuzz(
        case: Any, officer_token: str, fuzz_world: dict[str, Any], same_connection: None
    ) -> None:
        """Generated requests, valid and invalid, with an officer's token: never a 5xx. Each
        request with path parameters is sent again aimed at real objects, so that generated
        bodies reach the services and not only the 404 of an unknown id."""
        headers = {"Authorization": f"Bearer {officer_token}"}
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
        params = dict(case.path_parameters or {})
        if params and all(name in fuzz_world for name in params):
            for i in range(max(len(fuzz_world[name]) for name in params)):
                case.path_parameters = {
                    name: fuzz_world[name][i % len(fuzz_world[name])] for name in params
                }
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

else:  # pragma: no cover

    def test_api_fuzz() -> None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")


def test_fuzz_world_is_consistent(fuzz_world: dict[str, Any]) -> None:
    """The fuzzing fixture builds what it says (so the fuzzing aims at real objects)."""
    assert Message.objects.count() == 3
    assert Hold.objects.filter(confirmed_at__isnull=False).count() == 1
    assert Translation.objects.count() == 1
