"""A status change that moves many messages at once asks for a confirmation naming how many,
and a note: on the admin page (a confirmation step), in the API (409 naming the number unless
``confirm`` equals it; 422 without a note) and in the CLI (``--confirm N --note``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.correspondence import services
from chancery.correspondence.models import Message, State
from chancery.directory.models import Principal, StatusChange
from chancery.directory.services import ConfirmationNeeded

pytestmark = pytest.mark.django_db
PAGE = "/admin-tools/principals/"


def _admin(people: dict[str, User]) -> Client:
    c = Client()
    c.force_login(people["admin"])
    return c


def _states() -> set[str]:
    return set(Message.objects.values_list("state", flat=True))


def test_admin_page_asks_for_the_count_and_a_note(
    people: dict[str, User], gated: Principal, submit: Any
) -> None:
    first, second = submit("One"), submit("Two")
    c = _admin(people)
    page = c.get(PAGE).content.decode()
    assert "required: 2 messages will be delivered" in page

    ask = {"principal": "president-elect", "status": "ascertained", "note": ""}
    step = c.post(PAGE, ask)
    html = step.content.decode()
    assert step.status_code == 200 and 'id="confirm"' in html
    assert "2 items will move" in html and "releases 2 messages held under" in html
    assert 'name="confirm" value="2"' in html
    assert _states() == {State.RECEIVED} and not StatusChange.objects.exists()

    # Confirmed, but without a note: refused (422), still asking.
    r = c.post(PAGE, {**ask, "confirm": "2"})
    assert r.status_code == 422 and 'id="confirm"' in r.content.decode()
    assert _states() == {State.RECEIVED}

    # A stale count (a third message arrived since): asked again with the new number.
    submit("Three")
    r = c.post(PAGE, {**ask, "confirm": "2", "note": "GSA letter"})
    assert r.status_code == 200 and 'name="confirm" value="3"' in r.content.decode()
    assert _states() == {State.RECEIVED}

    done = c.post(PAGE, {**ask, "confirm": "3", "note": "GSA letter"}, follow=True)
    assert "3 held messages released" in done.content.decode()
    assert _states() == {State.DELIVERED}
    assert StatusChange.objects.get().note == "GSA letter"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.delivered_at is not None and second.delivered_at is not None


def test_a_change_that_moves_nothing_needs_no_confirmation(
    people: dict[str, User], world: dict[str, Any], submit: Any
) -> None:
    submit("Not gated")
    r = _admin(people).post(
        PAGE, {"principal": "vice-president-elect", "status": "ascertained"}, follow=True
    )
    assert "No message was waiting" in r.content.decode()


def test_api_refuses_with_the_count_until_confirmed(
    people: dict[str, User], gated: Principal, submit: Any, token_for: Any
) -> None:
    submit("One")
    submit("Two")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(people['admin'])}"}

    def post(body: dict[str, Any]) -> Any:
        return Client().post(
            "/api/v1/principals/president-elect/status", data=json.dumps(body),
            content_type="application/json", **auth,
        )

    r = post({"status": "ascertained", "note": "GSA letter"})
    assert r.status_code == 409
    assert r.json()["field"] == "confirm" and "confirm=2" in r.json()["detail"]
    assert r.json()["error"] == "conflict"
    assert post({"status": "ascertained", "confirm": 1, "note": "x"}).status_code == 409
    r = post({"status": "ascertained", "confirm": 2})
    assert r.status_code == 422 and r.json()["field"] == "note"
    assert _states() == {State.RECEIVED}
    r = post({"status": "ascertained", "confirm": 2, "note": "GSA letter"})
    assert r.status_code == 200 and r.json()["gate_active"] is False
    assert _states() == {State.DELIVERED}


def test_closing_the_gate_holds_and_asks_too(
    people: dict[str, User], world: dict[str, Any], submit: Any
) -> None:
    """Giving a principal a status its policy waits for holds the open messages: that moves
    them as well, so it is confirmed the same way."""
    pe = world["pe"]
    pe.status = Principal.Status.ASCERTAINED
    pe.delivery_requires = Principal.Status.ASCERTAINED
    pe.save()
    message = submit("Open")
    with pytest.raises(ConfirmationNeeded) as asked:
        services.set_principal_status(
            pe, by=people["admin"], status="projected", note="", confirm=None
        )
    assert asked.value.count == 1 and "holds 1 message under" in asked.value.message
    services.set_principal_status(
        pe, by=people["admin"], status="projected", note="Court order", confirm=1
    )
    assert services.active_hold(message) is not None
