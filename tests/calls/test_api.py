"""The calls API, as liaisons, officers, the principal's office and the auditor use it: submit
with Idempotency-Key (201, then 200), read (the liaison's view), the receipt, each step of the
lifecycle, and bad input (422 naming the field, 403, 404, 409), nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chancery import clock
from chancery.calls.models import CallRequest, CallState
from chancery.ledger.models import Event, Read
from chancery.ledger.services import history, text_commitment


@pytest.fixture
def api(client: Client, token_for: Callable[[User], str]) -> Callable[..., Any]:
    """``api(user, method, path, body=None, **headers)`` through Django's test client."""
    tokens: dict[int, str] = {}

    def _api(user: User, method: str, path: str, body: Any = None, **headers: str) -> Any:
        if user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        fn = getattr(client, method.lower())
        if body is None:
            return fn(f"/api/v1{path}", **extra)
        return fn(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                  **extra)

    return _api


def ask(world: dict[str, Any], **kw: Any) -> dict[str, Any]:
    today = clock.now().date()
    body = {
        "principal": "president-elect", "office": world["pm_ca"].pk,
        "purpose": "Félicitations; le climat.", "language": "fr",
        "earliest": (today + dt.timedelta(days=1)).isoformat(),
        "latest": (today + dt.timedelta(days=10)).isoformat(),
        "local_start": "09:00", "local_end": "18:30",
    }
    body.update(kw)
    return body


def test_submit_retry_read_and_receipt(world, people, api) -> None:
    liaison = people["liaison_ca"]
    r = api(liaison, "POST", "/calls", ask(world), **{"Idempotency-Key": "ca-1"})
    assert r.status_code == 201, r.content
    out = r.json()
    tracking = out["tracking"]
    assert out["status"].startswith("Received")
    assert out["receipt"]["window"] == {
        "earliest": ask(world)["earliest"], "latest": ask(world)["latest"],
        "local_start": "09:00", "local_end": "18:30", "time_zone": "America/Toronto",
    }
    again = api(liaison, "POST", "/calls", ask(world), **{"Idempotency-Key": "ca-1"})
    assert again.status_code == 200 and again.json()["tracking"] == tracking
    other = api(liaison, "POST", "/calls", ask(world, duration=30), **{"Idempotency-Key": "ca-1"})
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    assert CallRequest.objects.count() == 1

    # The receipt: the salt recomputes the commitment the public log holds.
    receipt = api(liaison, "GET", f"/calls/{tracking}/receipt").json()
    commitment = receipt["purpose_commitment"]
    assert commitment["value"] == text_commitment(commitment["salt"], "Félicitations; le climat.")
    event = Event.objects.get(kind="call.requested")
    assert commitment["value"].encode() in bytes(event.leaf)
    assert [e["kind"] for e in receipt["log"]["entries"]] == ["call.requested"]

    # The liaison's view: no officers' notes, ranks or names.
    call = CallRequest.objects.get()
    api(people["officer"], "POST", f"/calls/{tracking}/triage", {"note": "Secret note."})
    mine = api(liaison, "GET", f"/calls/{tracking}").json()
    assert mine["state"] == "triaged" and mine["triage_note"] is None and mine["rank"] is None
    assert mine["actions"] is None
    assert [e["kind"] for e in mine["events"]] == ["call.requested", "call.triaged"]
    assert all(e["by"] is None for e in mine["events"])
    assert "Secret note." not in json.dumps(mine) and "officer.one" not in json.dumps(mine)
    theirs = api(people["officer"], "GET", f"/calls/{tracking}").json()
    assert theirs["triage_note"] == "Secret note." and theirs["rank"] == 1
    assert theirs["events"][1]["by"] == "officer.one" and "approve" in theirs["actions"]
    assert theirs["submitted_by"] == "liaison.ca"
    assert call.tracking == tracking
    # Reading the purpose is recorded for the auditors; a list leaves it out.
    reads = Read.objects.filter(subject_type="call", subject_id=call.pk, part="purpose")
    assert {r.user.get_username() for r in reads} == {"liaison.ca", "officer.one"}
    assert all(r.via == "api" for r in reads)
    listed = api(people["officer"], "GET", "/calls").json()
    assert listed[0]["purpose"] is None and reads.count() == 3


def test_the_lifecycle_through_the_api(world, people, api) -> None:
    officer, staffer = people["officer"], people["staffer"]
    tracking = api(people["liaison_ca"], "POST", "/calls", ask(world)).json()["tracking"]
    assert api(officer, "POST", f"/calls/{tracking}/triage", {}).status_code == 200
    r = api(staffer, "POST", f"/calls/{tracking}/approve")
    assert r.status_code == 200 and r.json()["state"] == "approved"
    start = clock.now() + dt.timedelta(days=2)
    CallRequest.objects.filter(state="approved").update(
        state=CallState.SCHEDULED, start=start, end=start + dt.timedelta(minutes=30)
    )
    r = api(officer, "POST", f"/calls/{tracking}/attempts", {"outcome": "busy"})
    assert r.status_code == 200 and r.json()["state"] == "scheduled"
    r = api(officer, "POST", f"/calls/{tracking}/attempts", {"outcome": "connected"})
    assert r.json()["state"] == "connected"
    r = api(officer, "POST", f"/calls/{tracking}/complete", {"minutes": 25})
    assert r.status_code == 200 and r.json()["state"] == "completed"
    call = CallRequest.objects.get()
    assert list(history("call", call.pk).values_list("kind", flat=True)) == [
        "call.requested", "call.triaged", "call.approved", "call.attempt", "call.attempt",
        "call.connected", "call.completed",
    ]
    # Refusals: 409 in the wrong state, 403 for the wrong person, 422 for bad input.
    assert api(officer, "POST", f"/calls/{tracking}/fail", {"reason": "x"}).status_code == 409
    second = api(people["liaison_ca"], "POST", "/calls", ask(world)).json()["tracking"]
    r = api(people["liaison_ca"], "POST", f"/calls/{second}/decline", {"reason": "x"})
    assert r.status_code == 403
    r = api(officer, "POST", f"/calls/{second}/decline", {"reason": ""})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api(officer, "POST", f"/calls/{second}/attempts", {"outcome": "maybe"})
    assert r.status_code in (409, 422)
    r = api(staffer, "POST", f"/calls/{second}/decline", {"reason": "Not now."})
    assert r.status_code == 200
    seen = api(people["liaison_ca"], "GET", f"/calls/{second}").json()
    assert seen["decline_reason"] == "Not now." and seen["status"] == "Declined: Not now."
    assert api(officer, "POST", f"/calls/{second}/defer", {"reason": "x"}).status_code == 409


def test_listing_and_who_sees_what(world, people, api) -> None:
    ca = api(people["liaison_ca"], "POST", "/calls", ask(world)).json()["tracking"]
    fr = api(people["liaison_fr"], "POST", "/calls",
             ask(world, office=world["pres_fr"].pk, principal="vice-president-elect")).json()
    fr_tracking = fr["tracking"]

    def listed(user: User, query: str = "") -> list[str]:
        r = api(user, "GET", f"/calls{query}")
        assert r.status_code == 200, r.content
        return [c["tracking"] for c in r.json()]

    assert listed(people["liaison_ca"]) == [ca]
    assert set(listed(people["auditor"])) == {ca, fr_tracking}
    assert listed(people["auditor"], "?principal=vice-president-elect") == [fr_tracking]
    assert listed(people["officer"], "?state=declined") == []
    assert listed(people["staffer"]) == [ca]
    r = api(people["officer"], "GET", "/calls?state=nonsense")
    assert r.status_code == 422 and r.json()["field"] == "state"
    # Another country's liaison and another principal's office: 404, as for no such call.
    assert api(people["liaison_fr"], "GET", f"/calls/{ca}").status_code == 404
    assert api(people["staffer_vp"], "GET", f"/calls/{ca}").status_code == 404
    assert api(people["liaison_fr"], "GET", f"/calls/{ca}/receipt").status_code == 404
    assert api(people["auditor"], "GET", f"/calls/{ca}").status_code == 200
    assert api(people["auditor"], "POST", f"/calls/{ca}/triage", {}).status_code == 403
    assert api(people["officer"], "GET", "/calls/CALL-2020-999999").status_code == 404


def test_the_list_costs_the_same_queries_for_more_calls(world, people, api) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(people["officer"], "GET", "/calls").status_code == 200
        return len(ctx.captured_queries)

    api(people["liaison_ca"], "POST", "/calls", ask(world))
    api(people["officer"], "GET", "/calls")  # the token's first use
    few = queries()
    for _ in range(4):
        api(people["liaison_ca"], "POST", "/calls", ask(world))
    assert queries() == few


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, 422, "time_zone"),
        ({"earliest": "2020-01-01", "latest": "2020-01-05"}, 422, "latest"),
        ({"latest": "2000-01-01"}, 422, "latest"),
        ({"earliest": "not-a-date"}, 422, "earliest"),
        ({"local_start": "25:00"}, 422, "local_start"),
        ({"local_start": "10:00+02:00"}, 422, "local_start"),
        ({"local_start": "19:00", "local_end": "09:00"}, 422, "local_end"),
        ({"duration": 500}, 422, "duration"),
        ({"language": "zz"}, 422, "language"),
        ({"purpose": ""}, 422, "purpose"),
        ({"principal": "nobody"}, 404, "principal"),
        ({"office": 999999}, 404, "office"),
        ({"office": 0}, 422, "office"),
        ({"office": "PM"}, 422, "office"),
        ({"office": "pres_fr"}, 403, "office"),
    ],
)
def test_bad_input(world, people, api, change, status, field) -> None:
    if change.get("office") == "pres_fr":
        change = {"office": world["pres_fr"].pk}
    r = api(people["liaison_ca"], "POST", "/calls", ask(world, **change))
    assert r.status_code == status, r.content
    assert r.json()["field"] == field and r.json()["detail"]
    assert not CallRequest.objects.exists()
    assert not Event.objects.filter(subject_type="call").exists()


def test_a_missing_field_and_an_empty_body_are_422(world, people, api) -> None:
    body = ask(world)
    del body["purpose"]
    r = api(people["liaison_ca"], "POST", "/calls", body)
    assert r.status_code == 422 and r.json()["field"] == "purpose"
    r = api(people["liaison_ca"], "POST", "/calls", "")
    assert r.status_code in (400, 422)
    r = api(people["liaison_ca"], "POST", "/calls", ask(world), **{"Idempotency-Key": " "})
    assert r.status_code == 422 and r.json()["field"] == "Idempotency-Key"
    assert not CallRequest.objects.exists()
