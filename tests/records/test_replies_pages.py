"""Replies through the pages and the API, as the principal's office, the officers and the
liaisons use them: the reply panel on the staff message page (with "Draft a reply"), drafting,
clearing and sending from the reply's page, the panel on the liaison's portal message page with
the text and the receipt download; another country's liaison gets 404; bad input is a clear 4xx
with nothing written; every showing of the text is a recorded read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.accounts.models import Role
from chancery.correspondence import services as messages
from chancery.correspondence.models import Message
from chancery.ledger import sequencer
from chancery.ledger.models import Event, Read
from chancery.ledger.services import history, text_commitment
from chancery.records.models import Reply
from chancery.records.services.replies import clear_reply, draft_reply, send_reply
from chancery.testing import body_of, client_for, make_user

TEXT = "Thank you for your kind message; the President-elect looks forward to working together."


@pytest.fixture
def staffer2(world: dict[str, Any]) -> User:
    return make_user("staffer2.pe", Role.PRINCIPAL_OFFICE, principal=world["pe"])


@pytest.fixture
def delivered(submit: Any, people: dict[str, User]) -> Message:
    return messages.deliver(submit("Congratulations.", language="en"), by=people["officer"])


@pytest.fixture
def api(client: Client, token_for: Callable[[User], str]) -> Callable[..., Any]:
    tokens: dict[int, str] = {}

    def _api(user: User, method: str, path: str, body: Any = None) -> Any:
        if user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        fn = getattr(client, method.lower())
        if body is None:
            return fn(f"/api/v1{path}", **extra)
        return fn(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                  **extra)

    return _api


def _reads(user: User, reply: Reply) -> int:
    return Read.objects.filter(subject_type="reply", subject_id=reply.pk, user=user).count()


def test_the_office_drafts_clears_and_sends_from_the_pages(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    staff = client_for(people["staffer"])
    page = body_of(staff.get(f"/messages/{delivered.tracking}/"))
    assert 'id="replies-panel"' in page and "No reply yet." in page
    assert f"/records/replies/new/{delivered.tracking}/" in page
    form = staff.get(f"/records/replies/new/{delivered.tracking}/")
    assert form.status_code == 200 and 'id="reply-form"' in body_of(form)
    # an empty text is answered on the form, nothing written
    bad = staff.post(f"/records/replies/new/{delivered.tracking}/",
                     {"kind": "reply", "language": "en", "body": "  "})
    assert bad.status_code == 422 and "empty" in body_of(bad)
    assert not Reply.objects.exists()
    done = staff.post(f"/records/replies/new/{delivered.tracking}/",
                      {"kind": "reply", "language": "en", "body": TEXT})
    reply = Reply.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/records/replies/{reply.tracking}/"
    detail = body_of(staff.get(done["Location"]))
    assert TEXT in detail and 'id="act-redraft"' in detail
    assert 'id="act-clear"' not in detail and "another person of the principal" in detail
    assert _reads(people["staffer"], reply) == 1
    # the message page lists it now
    page = body_of(staff.get(f"/messages/{delivered.tracking}/"))
    assert reply.tracking in page and "Draft" in page

    other = client_for(staffer2)
    assert 'id="act-clear"' in body_of(other.get(f"/records/replies/{reply.tracking}/"))
    # the drafter redrafts meanwhile: clearing what staffer2 read (v1) is stale, a 409
    staff.post(f"/records/replies/{reply.tracking}/redraft/", {"body": TEXT + " Warmly."})
    stale = other.post(f"/records/replies/{reply.tracking}/clear/", {"version": "1"})
    assert stale.status_code == 409 and "at version 2, not 1" in body_of(stale)
    ok = other.post(f"/records/replies/{reply.tracking}/clear/", {"version": "2"})
    assert ok.status_code == 302
    sent = staff.post(f"/records/replies/{reply.tracking}/send/")
    assert sent.status_code == 302
    assert Reply.objects.get().state == "sent"
    again = staff.post(f"/records/replies/{reply.tracking}/redraft/", {"body": "Changed."})
    assert again.status_code == 409 and "never changed" in body_of(again)
    assert Reply.objects.get().body == TEXT + " Warmly."
    assert list(history("reply", reply.pk).values_list("kind", flat=True)) == [
        "reply.drafted", "reply.drafted", "reply.cleared", "reply.sent"]
    listing = body_of(staff.get("/records/replies/?state=sent"))
    assert reply.tracking in listing
    assert staff.get("/records/replies/nope/").status_code == 404


def test_who_gets_the_draft_link_and_the_pages(
    submit: Any, delivered: Message, people: dict[str, User]
) -> None:
    reply = draft_reply(delivered, by=people["officer"], body=TEXT)
    # another principal's office does not see the message's reply page, nor draft
    vp = client_for(people["staffer_vp"])
    assert vp.get(f"/records/replies/{reply.tracking}/").status_code == 404
    assert vp.get(f"/records/replies/new/{delivered.tracking}/").status_code == 404
    # the auditor sees the replies, without the link
    page = body_of(client_for(people["auditor"]).get(f"/messages/{delivered.tracking}/"))
    assert reply.tracking in page and 'id="draft-reply"' not in page
    # an undelivered message: no link, the reason instead; the draft page refuses (409)
    pending = submit("Not yet.", language="en")
    staff = client_for(people["staffer"])
    page = body_of(staff.get(f"/messages/{pending.tracking}/"))
    assert 'id="draft-reply"' not in page
    assert staff.get(f"/records/replies/new/{pending.tracking}/").status_code == 409
    # a translator sees no reply panel; a liaison is sent to the portal
    page = body_of(client_for(people["translator"]).get(f"/messages/{delivered.tracking}/"))
    assert 'id="replies-panel"' not in page
    liaison = client_for(people["liaison_ca"])
    assert liaison.get("/records/replies/").status_code == 302


def test_the_liaison_reads_sent_replies_with_the_receipt(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    draft = draft_reply(delivered, by=people["staffer"], body="Draft only.")
    liaison = client_for(people["liaison_ca"])
    page = body_of(liaison.get(f"/portal/{delivered.tracking}/"))
    assert "Draft only." not in page and 'id="replies"' not in page
    assert liaison.get(f"/portal-replies/{draft.tracking}/").status_code == 404
    reply = draft_reply(delivered, by=people["staffer"], body=TEXT)
    reply = send_reply(clear_reply(reply, by=staffer2, version=1), by=people["officer"])
    page = body_of(liaison.get(f"/portal/{delivered.tracking}/"))
    assert 'id="replies"' in page and TEXT in page and "Draft only." not in page
    assert f"/portal-replies/{reply.tracking}/receipt.json" in page
    assert _reads(people["liaison_ca"], reply) == 1  # the panel's showing of the text
    listing = body_of(liaison.get("/portal-replies/"))
    assert reply.tracking in listing and draft.tracking not in listing
    detail = liaison.get(f"/portal-replies/{reply.tracking}/")
    assert detail.status_code == 200 and TEXT in body_of(detail)
    sequencer.integrate_all()
    got = liaison.get(f"/portal-replies/{reply.tracking}/receipt.json")
    assert got.status_code == 200
    assert got["Content-Disposition"] == f'attachment; filename="receipt-{reply.tracking}.json"'
    receipt = json.loads(got.content)
    leaf = json.loads(receipt["event"]["leaf"])
    assert text_commitment(receipt["text_commitment"]["salt"], TEXT) == leaf["data"]["text"]
    assert receipt["log"]["entries"][0]["tlog_proof"]
    assert _reads(people["liaison_ca"], reply) == 3
    # France's liaison: nothing of Canada's (404), no panel on its own pages
    france = client_for(people["liaison_fr"])
    for path in (f"/portal-replies/{reply.tracking}/",
                 f"/portal-replies/{reply.tracking}/receipt.json"):
        assert france.get(path).status_code == 404
    assert reply.tracking not in body_of(france.get("/portal-replies/"))


def test_the_api(
    delivered: Message, people: dict[str, User], staffer2: User, api: Any
) -> None:
    staffer, liaison = people["staffer"], people["liaison_ca"]
    r = api(staffer, "POST", "/replies",
            {"message": delivered.tracking, "body": TEXT, "kind": "acknowledgement"})
    assert r.status_code == 201, r.content
    out = r.json()
    tracking = out["tracking"]
    assert (out["state"], out["version"], out["kind"], out["body"]) == (
        "draft", 1, "acknowledgement", TEXT)
    assert out["actions"] == ["redraft"]
    # bad input: 422 naming the field, nothing written
    for body, field in (({"message": delivered.tracking, "body": ""}, "body"),
                        ({"message": delivered.tracking, "body": TEXT, "kind": "x"}, "kind"),
                        ({"message": delivered.tracking, "body": TEXT, "language": "zz9"},
                         "language")):
        bad = api(staffer, "POST", "/replies", body)
        assert bad.status_code == 422, bad.content
        assert field in json.dumps(bad.json())
    assert Reply.objects.count() == 1
    assert api(people["staffer_vp"], "POST", "/replies",
               {"message": delivered.tracking, "body": TEXT}).status_code == 404
    assert api(people["officer"], "POST", f"/replies/{tracking}/clear",
               {"version": 1}).status_code == 403
    assert api(staffer, "POST", f"/replies/{tracking}/clear", {"version": 1}).status_code == 403
    assert api(staffer, "POST", f"/replies/{tracking}/send").status_code == 409
    # the liaison does not see a draft
    assert api(liaison, "GET", f"/replies/{tracking}").status_code == 404
    assert api(liaison, "GET", "/replies").json() == []
    r = api(staffer, "POST", f"/replies/{tracking}/redraft", {"body": TEXT + " v2"})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert api(staffer2, "POST", f"/replies/{tracking}/clear",
               {"version": 1}).status_code == 409
    r = api(staffer2, "POST", f"/replies/{tracking}/clear", {"version": 2})
    assert r.status_code == 200 and r.json()["state"] == "cleared"
    assert api(staffer, "GET", f"/replies/{tracking}/receipt").status_code == 409
    r = api(people["officer"], "POST", f"/replies/{tracking}/send")
    assert r.status_code == 200 and r.json()["state"] == "sent"
    assert api(staffer, "POST", f"/replies/{tracking}/redraft",
               {"body": "no"}).status_code == 409
    # the liaison: its sent reply, no names, no actions; the receipt
    mine = api(liaison, "GET", "/replies").json()
    assert [m["tracking"] for m in mine] == [tracking]
    got = api(liaison, "GET", f"/replies/{tracking}").json()
    assert got["body"] == TEXT + " v2" and got["actions"] == []
    assert all(e["by"] is None for e in got["events"])
    receipt = api(liaison, "GET", f"/replies/{tracking}/receipt").json()
    leaf = json.loads(receipt["event"]["leaf"])
    assert text_commitment(receipt["text_commitment"]["salt"], receipt["text"]) == (
        leaf["data"]["text"])
    assert api(people["liaison_fr"], "GET", f"/replies/{tracking}").status_code == 404
    assert api(people["liaison_fr"], "GET", f"/replies/{tracking}/receipt").status_code == 404
    reply = Reply.objects.get()
    assert Read.objects.filter(subject_type="reply", subject_id=reply.pk, user=liaison,
                               via="api").count() == 3  # the list, the reply, the receipt
    assert Event.objects.filter(subject_type="reply").count() == 4
    staff_list = api(people["officer"], "GET", "/replies?state=sent").json()
    assert [m["tracking"] for m in staff_list] == [tracking]
    assert api(people["officer"], "GET", "/replies?state=nope").status_code == 422
