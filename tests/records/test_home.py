"""The records home page: the calls that ended without a record, and where records stand."""

from __future__ import annotations

from typing import Any

from chancery.records.services import readouts, telcons
from chancery.testing import body_of, client_for


def test_a_completed_call_without_a_record_is_listed_until_it_has_both(
    completed_call: Any, people: dict[str, Any]
) -> None:
    page = client_for(people["records"]).get("/records/")
    assert page.status_code == 200
    text = body_of(page)
    assert completed_call.tracking in text and "Draft the telcon" in text

    readouts.draft_readout(completed_call, by=people["officer"], title="Read-out",
                           body="The President-elect spoke with the President of France.")
    telcons.draft_telcon(
        completed_call, by=people["records"], regime="presidential", location="Secure line",
        participants=["The President-elect", "President Emmanuel Macron"],
        note_takers=["A. Note", "B. Note"], classification="U", body="(U) Congratulations.",
    )
    text = body_of(client_for(people["records"]).get("/records/"))
    assert completed_call.tracking not in text
    assert "every call that ended has its telcon and read-out" in text


def test_the_records_menu_and_who_may_open_the_page(people: dict[str, Any]) -> None:
    for who in ("records", "officer", "staffer", "auditor"):
        page = client_for(people[who]).get("/records/")
        assert page.status_code == 200, who
        assert 'href="/records/"' in body_of(page)
    assert client_for(people["liaison_fr"]).get("/records/").status_code == 403
    assert client_for(None).get("/records/").status_code == 302


def test_a_calls_page_links_its_telcon_and_read_out(
    completed_call: Any, people: dict[str, Any]
) -> None:
    url = f"/calls/{completed_call.tracking}/"
    text = body_of(client_for(people["records"]).get(url))
    assert "Draft the telcon" in text and f"/records/telcons/new/{completed_call.tracking}/" in text
    version = readouts.draft_readout(completed_call, by=people["officer"], title="Read-out",
                                     body="The President-elect spoke with President Macron.")
    text = body_of(client_for(people["records"]).get(url))
    assert version.readout.tracking in text and 'id="call-readout"' in text
    # The liaison is sent to its portal's page of the call, which has no such panel.
    portal = client_for(people["liaison_fr"]).get(url, follow=True)
    assert portal.redirect_chain and 'id="records-panel"' not in body_of(portal)
