"""A liaison's call requests in the portal, with the test client: from the portal page to the
form, a bad request answered on the form (nothing written), a good one to its page with the
receipt; while the support policy holds calls, the page says why; a decline shows its reason;
another mission's request is 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from chancery import clock
from chancery.calls.models import CallRequest
from chancery.calls.services import requests as svc
from chancery.ledger.models import Event
from chancery.ledger.services import text_commitment
from chancery.testing import body_of, client_for


def form(world: dict[str, Any], **kw: Any) -> dict[str, Any]:
    today = clock.now().date()
    data = {
        "principal": "president-elect", "office": str(world["pm_ca"].pk),
        "purpose": "Félicitations ; le climat.", "language": "fr",
        "earliest": (today + dt.timedelta(days=2)).isoformat(),
        "latest": (today + dt.timedelta(days=9)).isoformat(),
        "local_start": "09:00", "local_end": "17:00", "time_zone": "", "duration": "20",
    }
    data.update(kw)
    return data


def test_a_liaison_requests_a_call_and_follows_it(world, people) -> None:
    c = client_for(people["liaison_ca"])
    portal = body_of(c.get("/portal/"))
    assert 'id="portal-calls-link"' in portal and "/portal-calls/" in portal
    empty = c.get("/portal-calls/")
    assert empty.status_code == 200 and "No call requests yet" in body_of(empty)
    page = c.get("/portal-calls/new/")
    assert page.status_code == 200
    text = body_of(page)
    assert "Prime Minister of Canada" in text and "President of the French Republic" not in text

    bad = c.post("/portal-calls/new/", form(world, time_zone="Mars/Olympus"))
    assert bad.status_code == 422 and "not a known IANA time zone" in body_of(bad)
    past = c.post("/portal-calls/new/", form(world, earliest="2020-01-01", latest="2020-01-02"))
    assert past.status_code == 422 and "already past" in body_of(past)
    other = c.post("/portal-calls/new/", form(world, office=str(world["pres_fr"].pk)))
    assert other.status_code == 422  # not a choice the form offers
    assert not CallRequest.objects.exists()

    done = c.post("/portal-calls/new/", form(world), follow=True)
    assert done.status_code == 200
    call = CallRequest.objects.get()
    assert call.channel == "portal" and call.duration == 20
    assert call.time_zone == "America/Toronto"
    text = body_of(done)
    assert call.tracking in text and "Received: your call request" in text
    assert "waiting to be triaged" in text and "call.requested" in text
    receipt = json.loads(c.get(f"/portal-calls/{call.tracking}/receipt.json").content)
    commitment = receipt["purpose_commitment"]
    assert commitment["value"] == text_commitment(commitment["salt"], call.purpose)
    listed = body_of(c.get("/portal-calls/"))
    assert call.tracking in listed

    # Declined: the liaison reads the reason; not the officers' notes or names.
    svc.triage_call(call, by=people["officer"], note="Internal: busy week.")
    svc.decline_call(call, by=people["staffer"], reason="The schedule is full this month.")
    page = body_of(c.get(f"/portal-calls/{call.tracking}/"))
    assert 'id="decline"' in page and "The schedule is full this month." in page
    assert "Internal: busy week." not in page and "officer.one" not in page
    assert "staffer.pe" not in page
    assert "call.triaged" in page and "call.declined" in page

    # Another mission's liaison: 404, as for a request that does not exist.
    fr = client_for(people["liaison_fr"])
    assert fr.get(f"/portal-calls/{call.tracking}/").status_code == 404
    assert fr.get(f"/portal-calls/{call.tracking}/receipt.json").status_code == 404
    assert call.tracking not in body_of(fr.get("/portal-calls/"))
    # Not a liaison: 403.
    assert client_for(people["officer"]).get("/portal-calls/").status_code == 403


def test_while_the_policy_holds_calls_the_page_says_why(world, people, gated) -> None:
    c = client_for(people["liaison_ca"])
    done = c.post("/portal-calls/new/", form(world), follow=True)
    assert done.status_code == 200
    call = CallRequest.objects.get()
    assert call.waits_for == "ascertained"
    text = body_of(done)
    assert 'id="policy-wait"' in text
    assert "Calls wait for &#x27;Ascertained&#x27; under the President-elect&#x27;s support" in text
    assert "Waiting for the support policy" in body_of(c.get("/portal-calls/"))
    assert Event.objects.get(kind="call.requested").data["waits_for"] == "ascertained"


def test_an_officer_enters_a_call_request_made_by_telephone(world, people) -> None:
    """Staff enter a request the other side made by telephone or note: channel "staff", any
    office in office, recorded with its event; a liaison cannot use the staff form."""
    from chancery.calls.models import CallRequest
    from chancery.ledger.services import history
    from chancery.testing import client_for

    c = client_for(people["officer"])
    page = c.get("/calls/new/")
    assert page.status_code == 200 and "Enter a call request" in page.content.decode()
    today = clock.now().date()
    r = c.post("/calls/new/", {
        "principal": "president-elect", "office": world["pres_fr"].pk,
        "purpose": "Appel de félicitations (reçu par téléphone).", "language": "fr",
        "earliest": today + dt.timedelta(days=1), "latest": today + dt.timedelta(days=5),
        "local_start": "09:00", "local_end": "18:00", "time_zone": "", "duration": 20,
    })
    call = CallRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/calls/{call.tracking}/"
    assert call.channel == "staff" and call.office == world["pres_fr"]
    assert call.submitted_by == people["officer"]
    assert [e.kind for e in history("call", call.pk)] == ["call.requested"]
    # Bad input comes back on the form, nothing written.
    r = c.post("/calls/new/", {"principal": "president-elect", "office": world["pm_ca"].pk,
                               "purpose": "x", "language": "en", "earliest": today,
                               "latest": today - dt.timedelta(days=3), "duration": 15,
                               "local_start": "09:00", "local_end": "18:00"})
    assert r.status_code == 422 and CallRequest.objects.count() == 1
    assert client_for(people["liaison_ca"]).get("/calls/new/").status_code == 403
