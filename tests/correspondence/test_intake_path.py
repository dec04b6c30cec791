"""The intake path's shortcuts keep its behaviour: the answer is what SubmittedOut renders, and a
retry is recognised by the idempotency constraint alone (no probe before the insert)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chancery.api import api as ninja_api
from chancery.correspondence import services
from chancery.correspondence.models import Message
from chancery.correspondence.schemas import SubmittedOut
from chancery.errors import Conflict
from chancery.ledger.models import Event

LETTER = "Monsieur le Président élu, toutes mes félicitations. « Bravo » — Justin"


def _post(client: Client, token: str, body: dict[str, Any], key: str) -> Any:
    return client.post(
        "/api/v1/messages", data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key,
    )


def _as_schema_renders(message: Message, status: int) -> Any:
    """The answer as django-ninja renders it after validating it through SubmittedOut."""
    data = SubmittedOut.model_validate(services.submission_answer(message)).model_dump()
    response = ninja_api.create_response(None, data, status=status)  # type: ignore[arg-type]
    return response["Content-Type"], json.loads(response.content)


@pytest.mark.parametrize("gate", [False, True], ids=["open", "policy-gate"])
def test_answer_is_what_the_schema_renders(
    client: Client, world: dict[str, Any], people: dict[str, User], token_for: Any,
    request: pytest.FixtureRequest, gate: bool,
) -> None:
    if gate:
        request.getfixturevalue("gated")
    token = token_for(people["liaison_ca"])
    body = {
        "principal": "president-elect", "sender_office": world["pm_ca"].pk,
        "subject": "Félicitations", "body": LETTER, "language": "fr",
    }
    r = _post(client, token, body, "answer-1")
    assert r.status_code == 201, r.content
    message = Message.objects.get()
    content_type, expected = _as_schema_renders(message, 201)
    assert r["Content-Type"] == content_type
    assert r.json() == expected
    assert r.json()["receipt"]["received_at"].endswith("Z")

    again = _post(client, token, body, "answer-1")  # the retry answers the same, with 200
    assert again.status_code == 200, again.content
    assert again.json() == expected
    assert Message.objects.count() == 1


def test_retry_and_conflict_without_a_probe(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    liaison = people["liaison_ca"]
    sub = services.Submission(
        principal="president-elect", sender_office=world["pm_ca"].pk, body=LETTER
    )
    first, created = services.submit_message(sub, by=liaison, idempotency_key="k-1")
    assert created
    events = Event.objects.count()
    again, created = services.submit_message(sub, by=liaison, idempotency_key="k-1")
    assert not created and again.pk == first.pk
    assert Event.objects.count() == events and Message.objects.count() == 1

    changed = services.Submission(
        principal="president-elect", sender_office=world["pm_ca"].pk, body="Another letter."
    )
    with pytest.raises(Conflict):
        services.submit_message(changed, by=liaison, idempotency_key="k-1")
    assert Message.objects.count() == 1

    # The key is per submitter: another liaison's same key makes its own message.
    other, created = services.submit_message(
        services.Submission(
            principal="president-elect", sender_office=world["pres_fr"].pk, body=LETTER
        ),
        by=people["liaison_fr"], idempotency_key="k-1",
    )
    assert created and other.pk != first.pk


def test_a_new_submission_does_not_read_messages(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    """No idempotency probe: a new submission writes its message without reading any first."""
    sub = services.Submission(
        principal="president-elect", sender_office=world["pm_ca"].pk, body=LETTER
    )
    with CaptureQueriesContext(connection) as ctx:
        services.submit_message(sub, by=people["liaison_ca"], idempotency_key="fresh")
    table = Message._meta.db_table
    sql = [q["sql"] for q in ctx.captured_queries]
    assert any(s.startswith(f'INSERT INTO "{table}"') for s in sql), sql
    assert not any(s.startswith("SELECT") and f'"{table}"' in s for s in sql), sql
