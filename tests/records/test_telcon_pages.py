"""Telcons through the pages and the API: the form prefilled from the call, the record with its
banners, caution notice and panel, the comparison of versions, the PDF (with its banner), the
workflow as JSON, and who gets 403 / 404; every content read recorded."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pypdf import PdfReader

from chancery.calls.models import CallRequest
from chancery.ledger.reads import Read
from chancery.ledger.services import history
from chancery.records.models import Telcon
from chancery.records.services import telcons as svc
from chancery.testing import body_of, client_for
from tests.records.test_telcons import BODY, content


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


@pytest.fixture
def telcon(completed_call: CallRequest, people: dict[str, User]) -> Telcon:
    return svc.draft_telcon(completed_call, by=people["officer"], **content())


def _reads(t: Telcon, via: str) -> int:
    return Read.objects.filter(subject_type="telcon", subject_id=t.pk, via=via).count()


def test_the_workflow_through_the_api(
    api: Callable[..., Any], completed_call: CallRequest, people: dict[str, User]
) -> None:
    officer, records = people["officer"], people["records"]
    draft = {
        "regime": "federal", "location": "Telephone", "participants": ["The President-elect"],
        "note_takers": ["A. One", "B. Two"], "classification": "U", "body": "(U) Thanks.",
    }
    bad = api(officer, "POST", f"/records/telcons/{completed_call.tracking}",
              {**draft, "note_takers": ["A. One"]})
    assert bad.status_code == 422 and bad.json()["field"] == "note_takers"
    assert not Telcon.objects.exists()
    r = api(officer, "POST", f"/records/telcons/{completed_call.tracking}", draft)
    assert r.status_code == 201, r.content
    out = r.json()
    tracking = out["tracking"]
    assert out["content"]["banner"] == "UNCLASSIFIED"
    assert out["content"]["caution"].startswith("CAUTION: A memorandum of a telephone")
    assert out["state"] == "draft" and "revise" in out["actions"]
    again = api(records, "POST", f"/records/telcons/{completed_call.tracking}", draft)
    assert again.status_code == 409
    r = api(officer, "POST", f"/records/telcons/{tracking}",
            {"note": "Added a paragraph.", "body": "(U) Thanks.\n\n(U) And more."})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = api(officer, "POST", f"/records/telcons/{tracking}/reviewers",
            {"users": ["officer.two"]})
    assert r.json()["reviewers"] == ["officer.two"]
    stale = api(people["officer2"], "POST", f"/records/telcons/{tracking}/review", {"version": 1})
    assert stale.status_code == 409 and "current version is 2" in stale.json()["detail"]
    r = api(people["officer2"], "POST", f"/records/telcons/{tracking}/review", {"version": 2})
    assert r.json()["state"] == "reviewed"
    assert api(officer, "POST", f"/records/telcons/{tracking}/approve",
               {"version": 2}).status_code == 403
    assert api(records, "POST", f"/records/telcons/{tracking}/approve",
               {"version": 2}).json()["state"] == "approved"
    # The principal's office knows it exists, but reads it only once on the list.
    staffer = people["staffer"]
    assert api(staffer, "GET", "/records/telcons").json()[0]["tracking"] == tracking
    assert api(staffer, "GET", f"/records/telcons/{tracking}").status_code == 403
    assert api(people["staffer_vp"], "GET", f"/records/telcons/{tracking}").status_code == 404
    assert api(people["staffer_vp"], "GET", "/records/telcons").json() == []
    r = api(records, "POST", f"/records/telcons/{tracking}/distribute", {"users": ["staffer.pe"]})
    assert r.json()["state"] == "distributed" and r.json()["recipients"] == ["staffer.pe"]
    t = Telcon.objects.get()
    before = _reads(t, "api")
    r = api(staffer, "GET", f"/records/telcons/{tracking}?version=1")
    assert r.status_code == 200 and r.json()["content"]["body"] == "(U) Thanks."
    assert _reads(t, "api") == before + 1
    r = api(records, "POST", f"/records/telcons/{tracking}/distribution", {"users": []})
    assert r.json()["recipients"] == []
    assert api(staffer, "GET", f"/records/telcons/{tracking}").status_code == 403
    assert api(officer, "GET", "/records/telcons?level=X").status_code == 422
    assert len(api(officer, "GET", "/records/telcons?state=distributed&level=U").json()) == 1
    assert [e.kind for e in history("telcon", t.pk)][-1] == "telcon.distribution"


def test_the_form_the_record_the_comparison_and_the_pdf(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    officer = client_for(people["officer"])
    page = officer.get(f"/records/telcons/new/{completed_call.tracking}/")
    assert page.status_code == 200
    html = body_of(page)
    assert completed_call.principal.name in html and completed_call.office.leader.name in html
    assert html.count('name="note_takers" value=""') >= 2
    fields = {
        "kind": "telcon", "regime": "presidential", "location": "Telephone",
        "participants": "The President-elect\nEmmanuel Macron", "note_takers": ["A. One"],
        "classification": "C", "classified_by": "J. Doe", "reasons": ["b"],
        "declassify_on": "2040-01-01", "body": BODY, "time_zone": "America/New_York",
    }
    page = officer.post(f"/records/telcons/new/{completed_call.tracking}/", fields)
    assert page.status_code == 422 and "two distinct" in body_of(page)
    assert "Emmanuel Macron" in body_of(page)  # what was typed is kept
    page = officer.post(f"/records/telcons/new/{completed_call.tracking}/",
                        {**fields, "note_takers": ["A. One", "B. Two", ""]})
    t = Telcon.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/records/telcons/{t.tracking}/")
    html = body_of(officer.get(f"/records/telcons/{t.tracking}/"))
    assert html.count(">CONFIDENTIAL</p>") == 2  # the banner, top and bottom
    assert "is not a verbatim transcript" in html and "(C) President Macron" in html
    assert 'id="act-revise"' in html and 'id="act-reviewers"' in html
    page = officer.post(f"/records/telcons/{t.tracking}/revise/", {
        **fields, "note_takers": ["A. One", "B. Two"], "note": "Summit named.", "time_zone": "",
        "body": BODY.replace("the coming summit", "the G7 summit in June"),
    })
    assert page.status_code == 302, body_of(page)
    html = body_of(officer.get(f"/records/telcons/{t.tracking}/compare/?a=1&b=2"))
    assert "<del>coming summit.</del>" in html and "<ins>G7 summit in June.</ins>" in html
    assert 'class="paragraph changed"' in html
    before = _reads(t, "export")
    pdf = officer.get(f"/records/telcons/{t.tracking}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "CONFIDENTIAL" in text and "not a verbatim transcript" in text
    assert _reads(t, "export") == before + 1
    # The list, its filters; the staffer sees it, may not open it; the other office never.
    assert t.tracking in body_of(officer.get("/records/telcons/?level=C"))
    assert t.tracking not in body_of(officer.get("/records/telcons/?level=U"))
    staffer = client_for(people["staffer"])
    assert t.tracking in body_of(staffer.get("/records/telcons/"))
    assert staffer.get(f"/records/telcons/{t.tracking}/").status_code == 403
    assert staffer.get(f"/records/telcons/{t.tracking}.pdf").status_code == 403
    assert client_for(people["staffer_vp"]).get(f"/records/telcons/{t.tracking}/").status_code \
        == 404
    assert client_for(people["staffer"]).get(
        f"/records/telcons/new/{completed_call.tracking}/"
    ).status_code == 403


def test_the_panel_offers_what_the_services_accept(
    telcon: Telcon, people: dict[str, User]
) -> None:
    t = telcon
    svc.name_reviewers(t, [people["officer2"]], by=people["officer"])
    reviewer = client_for(people["officer2"])
    html = body_of(reviewer.get(f"/records/telcons/{t.tracking}/"))
    assert 'id="act-review"' in html and 'id="act-approve"' not in html
    page = reviewer.post(f"/records/telcons/{t.tracking}/do/review/", {"version": "1"})
    assert page.status_code == 302
    records = client_for(people["records"])
    html = body_of(records.get(f"/records/telcons/{t.tracking}/"))
    assert 'id="act-approve"' in html
    page = records.post(f"/records/telcons/{t.tracking}/do/approve/", {"version": "7"})
    assert page.status_code == 409 and "current version is 1" in body_of(page)
    assert records.post(f"/records/telcons/{t.tracking}/do/approve/",
                        {"version": "1"}).status_code == 302
    page = records.post(f"/records/telcons/{t.tracking}/do/distribute/",
                        {"users": [str(people["staffer"].pk)]})
    assert page.status_code == 302
    t.refresh_from_db()
    assert t.state == Telcon.State.DISTRIBUTED
    assert client_for(people["staffer"]).get(f"/records/telcons/{t.tracking}/").status_code \
        == 200
    assert client_for(people["auditor"]).post(
        f"/records/telcons/{t.tracking}/do/set_distribution/", {"users": []}
    ).status_code == 403
