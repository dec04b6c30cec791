"""The API's edges: rate limits (API throttle, sign-in limit), duplicate JSON keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client

from chancery.correspondence.models import Message
from chancery.ledger.models import Event


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --------------------------------------------------------------------------- API throttle


def test_api_throttle_per_user_answers_429_with_retry_after(
    client: Client, people: dict[str, User], token_for: Callable[[User], str], settings: Any
) -> None:
    settings.CHANCERY_API_RATE_USER = "3/min"
    officer, auditor = token_for(people["officer"]), token_for(people["auditor"])
    for _ in range(3):
        assert client.get("/api/v1/principals", **bearer(officer)).status_code == 200
    r = client.get("/api/v1/principals", **bearer(officer))
    assert r.status_code == 429
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == "throttled"
    assert "3 per minute" in body["detail"] and "your account" in body["detail"]
    retry = int(r["Retry-After"])
    assert 1 <= retry <= 60 and f"retry in {retry} s" in body["detail"]
    # a second token of the same user shares the user's count; another user has their own
    assert client.get("/api/v1/principals", **bearer(token_for(people["officer"]))).status_code \
        == 429
    assert client.get("/api/v1/principals", **bearer(auditor)).status_code == 200
    # the web session counts as the same user
    session = Client()
    session.force_login(people["officer"])
    assert session.get("/api/v1/principals").status_code == 429


def test_api_throttle_off_and_raised(
    client: Client, people: dict[str, User], token_for: Callable[[User], str], settings: Any
) -> None:
    token = token_for(people["officer"])
    settings.CHANCERY_API_RATE_USER = "1/min"
    assert client.get("/api/v1/principals", **bearer(token)).status_code == 200
    assert client.get("/api/v1/principals", **bearer(token)).status_code == 429
    settings.CHANCERY_API_RATE_USER = None  # "off"
    for _ in range(5):
        assert client.get("/api/v1/principals", **bearer(token)).status_code == 200


def test_api_throttle_without_credentials_is_per_address(client: Client, settings: Any) -> None:
    """Endpoints open to anyone (here the JSON 404 for unknown paths) count per address."""
    settings.CHANCERY_API_RATE_ANON = "2/min"
    for _ in range(2):
        assert client.get("/api/v1/nothing-here").status_code == 404
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 429 and r.json()["error"] == "throttled"
    assert "without credentials" in r.json()["detail"] and int(r["Retry-After"]) >= 1
    other = client.get("/api/v1/nothing-here", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 404
    # X-Forwarded-For is not believed without a configured proxy (CHANCERY_NUM_PROXIES=0)
    spoofed = client.get("/api/v1/nothing-here", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed.status_code == 429


def test_throttle_counters_are_in_the_configured_caches() -> None:
    """The API counts per process by default (cheap); the login limit in the database cache,
    shared by every process."""
    from django.core.cache.backends.locmem import LocMemCache

    assert isinstance(caches["throttle"], LocMemCache)
    assert isinstance(caches["default"], DatabaseCache)


# --------------------------------------------------------------------------- sign-in limit


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_login_limit_per_username_and_address(
    client: Client, people: dict[str, User], settings: Any
) -> None:
    settings.CHANCERY_LOGIN_RATE = "3/15min"
    for _ in range(3):
        r = login(client, "officer.one", "wrong")
        assert r.status_code == 200 and b"Sign-in failed" in r.content
    # over the limit: 429, Retry-After, a plain message; the right password is not even tried
    r = login(client, "officer.one", "pw-officer.one")
    assert r.status_code == 429
    retry = int(r["Retry-After"])
    assert 1 <= retry <= 15 * 60
    text = r.content.decode()
    assert "Too many failed sign-ins" in text and "3 per 15 minutes" in text
    assert "Sign-in failed" not in text
    assert 'value="officer.one"' in text
    assert "_auth_user_id" not in client.session
    # the count is in the database cache, where every server process sees it
    table = connection.ops.quote_name("chancery_cache")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] >= 1
    # another username from this address, and this username from another address, are fine
    assert login(Client(), "officer.two", "pw-officer.two").status_code == 302
    assert login(Client(), "Officer.One", "x", REMOTE_ADDR="192.0.2.9").status_code == 200


def test_successful_login_clears_the_count(
    client: Client, people: dict[str, User], settings: Any
) -> None:
    settings.CHANCERY_LOGIN_RATE = "2/15min"
    assert login(client, "officer.one", "wrong").status_code == 200
    assert login(client, "officer.one", "pw-officer.one").status_code == 302
    client.logout()
    assert login(client, "officer.one", "wrong").status_code == 200
    assert login(client, "officer.one", "wrong").status_code == 200
    assert login(client, "officer.one", "wrong").status_code == 429


def test_login_limit_off(client: Client, people: dict[str, User], settings: Any) -> None:
    settings.CHANCERY_LOGIN_RATE = None
    for _ in range(12):
        assert login(client, "officer.one", "wrong").status_code == 200


# --------------------------------------------------------------------------- duplicate keys


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"principal": "president-elect", "principal": "vice-president-elect", '
         '"sender_office": OFFICE, "body": "Hello"}', "principal"),
        ('{"principal": "president-elect", "sender_office": OFFICE, "body": "a", "body": "b"}',
         "body"),
        ('{"principal": "president-elect", "sender_office": OFFICE, "body": "Hello", '
         '"attachments": [{"filename": "a.txt", "filename": "b.txt", '
         '"content_base64": "aGk="}]}', "attachments.0.filename"),
    ],
)
def test_a_key_given_twice_is_refused(
    client: Client,
    people: dict[str, User],
    world: dict[str, Any],
    token_for: Callable[[User], str],
    raw: str,
    field: str,
) -> None:
    before = (Message.objects.count(), Event.objects.count())
    r = client.post(
        "/api/v1/messages",
        data=raw.replace("OFFICE", str(world["pm_ca"].pk)).encode(),
        content_type="application/json",
        **bearer(token_for(people["liaison_ca"])),
    )
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["error"] == "invalid_input" and body["field"] == field, body
    assert repr(field.rpartition(".")[2]) in body["detail"] and "more than once" in body["detail"]
    assert (Message.objects.count(), Event.objects.count()) == before


def test_same_key_in_different_objects_is_fine(
    client: Client, people: dict[str, User], world: dict[str, Any],
    token_for: Callable[[User], str],
) -> None:
    body = {
        "principal": "president-elect", "sender_office": world["pm_ca"].pk,
        "body": "Congratulations.", "language": "en",
        "attachments": [
            {"filename": "a.txt", "content_base64": "aGVsbG8gd29ybGQ="},
            {"filename": "b.txt", "content_base64": "aGVsbG8gYWdhaW4="},
        ],
    }
    r = client.post(
        "/api/v1/messages", data=json.dumps(body), content_type="application/json",
        **bearer(token_for(people["liaison_ca"])),
    )
    assert r.status_code == 201, r.content


def test_other_body_checks_still_apply(
    client: Client, people: dict[str, User], token_for: Callable[[User], str]
) -> None:
    for raw, words in [
        (b'{"body": NaN}', "NaN"),
        (b'{"body": Infinity, "body": 1}', "Infinity"),
        (b'{"a": 1,}', "double quotes"),
        (b"[1, 2]", "array"),
    ]:
        r = client.post(
            "/api/v1/messages", data=raw, content_type="application/json",
            **bearer(token_for(people["liaison_ca"])),
        )
        assert r.status_code == 400, (raw, r.content)
        assert r.json()["error"] == "bad_request_body" and words in r.json()["detail"], raw
