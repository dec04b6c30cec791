"""Every refusal of the records API names the input the caller wrote (the battery in
tests/core/test_api_edges.py checks the schema's refusals; these, the services' refusals that the
endpoints rename): a telcon's ``users`` (the services say reviewers / recipients), a read-out's
``call`` and a reply's ``message`` (the access helpers say ``tracking``, the path's name), the
search's ``type`` and ``state`` (the service's ``types`` / ``states``). Nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.calls.models import CallRequest
from chancery.correspondence import services as messages
from chancery.ledger.models import Event
from chancery.records.models import Readout, Reply, Telcon, TelconRecipient
from chancery.records.services import readouts, telcons


@pytest.fixture
def api(client: Client, token_for: Callable[[User], str]) -> Callable[..., Any]:
    def _api(user: User, method: str, path: str, body: Any = None) -> Any:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
        if body is None:
            return getattr(client, method)(f"/api/v1{path}", **extra)
        return getattr(client, method)(f"/api/v1{path}", data=json.dumps(body),
                                       content_type="application/json", **extra)

    return _api


def refused(r: Any, status: int, field: str) -> str:
    assert r.status_code == status, r.content
    assert r.json()["field"] == field, r.json()
    return str(r.json()["detail"])


def _telcon(call: CallRequest, by: User) -> Telcon:
    return telcons.draft_telcon(
        call, by=by, regime="presidential", location="Telephone",
        participants=["The President-elect", "The President of France"],
        note_takers=["A. Note", "B. Note"], classification="U", body="(U) They spoke.",
    )


def test_a_telcons_users_are_named_users(
    api: Callable[..., Any], completed_call: CallRequest, people: dict[str, User]
) -> None:
    officer, records = people["officer"], people["records"]
    telcon = _telcon(completed_call, officer)
    path = f"/records/telcons/{telcon.tracking}"
    before = Event.objects.count()
    assert "no user 'nobody'" in refused(
        api(officer, "post", f"{path}/reviewers", {"users": ["nobody"]}), 422, "users")
    # the services' own refusals (the drafter reviewing, nobody named, a liaison) are renamed
    assert "someone else" in refused(
        api(officer, "post", f"{path}/reviewers", {"users": [officer.username]}), 422, "users")
    assert "at least one reviewer" in refused(
        api(officer, "post", f"{path}/reviewers", {"users": []}), 422, "users")
    telcon.refresh_from_db()
    assert telcon.reviewers == [] and Event.objects.count() == before

    telcons.name_reviewers(telcon, [people["officer2"]], by=officer)
    telcons.review_telcon(telcon, by=people["officer2"], version=1)
    telcons.approve_telcon(telcon, by=records, version=1)
    before = Event.objects.count()
    assert "at least one recipient" in refused(
        api(records, "post", f"{path}/distribute", {"users": []}), 422, "users")
    assert "no internal role" in refused(
        api(records, "post", f"{path}/distribute", {"users": [people["liaison_fr"].username]}),
        422, "users")
    assert "no user" in refused(
        api(records, "post", f"{path}/distribution", {"users": ["ghost"]}), 422, "users")
    telcon.refresh_from_db()
    assert telcon.state == Telcon.State.APPROVED and not TelconRecipient.objects.exists()
    assert Event.objects.count() == before
    # the right input still works
    ok = api(records, "post", f"{path}/distribute", {"users": [people["staffer"].username]})
    assert ok.status_code == 200 and ok.json()["state"] == "distributed"


def test_a_readouts_call_and_version(
    api: Callable[..., Any], completed_call: CallRequest, people: dict[str, User]
) -> None:
    officer = people["officer"]
    before = Event.objects.count()
    for call in ("CALL-2020-999999", "not a call"):
        refused(api(officer, "post", "/records/readouts",
                    {"call": call, "title": "Read-out", "body": "They spoke."}), 404, "call")
    assert not Readout.objects.exists() and Event.objects.count() == before
    v = readouts.draft_readout(completed_call, by=officer, title="Read-out", body="They spoke.")
    for version in (0, -1, 2**40):
        refused(api(people["staffer"], "post", f"/records/readouts/{v.readout.tracking}/clear",
                    {"version": version}), 422, "version")
    v.refresh_from_db()
    assert v.cleared_at is None


def test_a_replys_message(
    api: Callable[..., Any], submit: Any, people: dict[str, User]
) -> None:
    delivered = messages.deliver(submit("Congratulations.", language="en"), by=people["officer"])
    staffer = people["staffer"]
    before = Event.objects.count()
    for message in ("CH-2020-999999", "nothing"):
        refused(api(staffer, "post", "/replies", {"message": message, "body": "Thank you."}),
                404, "message")
        refused(api(staffer, "get", f"/replies?message={message}"), 404, "message")
    assert not Reply.objects.exists() and Event.objects.count() == before
    made = api(staffer, "post", "/replies", {"message": delivered.tracking, "body": "Thanks."})
    assert made.status_code == 201, made.content
    listed = api(staffer, "get", f"/replies?message={delivered.tracking}")
    assert [r["tracking"] for r in listed.json()] == [made.json()["tracking"]]


def test_the_searchs_type_and_state(api: Callable[..., Any], people: dict[str, User]) -> None:
    officer = people["officer"]
    assert "memo" in refused(api(officer, "get", "/records/search?q=climate&type=memo"),
                             422, "type")
    assert "pending" in refused(
        api(officer, "get", "/records/search?q=climate&type=telcon&state=pending"), 422, "state")
    refused(api(officer, "get", "/records/search?q=climate&date_from=soon"), 422, "date_from")
    ok = api(officer, "get", "/records/search?q=climate&type=telcon&state=draft")
    assert ok.status_code == 200 and ok.json()["total"] == 0
