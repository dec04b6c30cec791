"""The read-out pages: the staff's list, panel and draft form (drafts recorded as reads); the
public pages with no login: the text with its corrections and log entry, the JSON whose
``published`` object hashes to the digest in the log, and the Atom feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery.calls.models import CallRequest
from chancery.calls.services.requests import complete_call, record_attempt
from chancery.ledger import sequencer
from chancery.ledger.models import Event, Read
from chancery.ledger.services import canonical_json, history
from chancery.records.models import Readout
from chancery.records.services import readouts as services
from chancery.testing import client_for

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def corrected(completed_call: CallRequest, people: dict[str, User]) -> Readout:
    """Published, then corrected and the correction published."""
    v = services.draft_readout(completed_call, by=people["officer"], title="Read-out of the call",
                               body="First text.")
    services.clear_readout(v.readout, by=people["staffer"], version=1)
    services.publish_readout(v.readout, by=people["staffer"])
    services.draft_readout(completed_call, by=people["officer"], title="Read-out of the call",
                           body="Corrected text.", correction_note="The date was wrong.")
    services.clear_readout(v.readout, by=people["staffer"], version=2)
    services.publish_readout(v.readout, by=people["staffer"])
    return Readout.objects.get(pk=v.readout_id)


def test_draft_form_then_panel_clear_and_publish(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    officer = client_for(people["officer"])
    url = f"/records/readouts/new/{completed_call.tracking}/"
    page = officer.get(url)
    assert page.status_code == 200
    title = "Read-out of the call between Joseph R. Biden Jr. and Emmanuel Macron, President of"
    assert title in page.content.decode()
    bad = officer.post(url, {"title": "T", "body": ""})
    assert bad.status_code == 422 and not Readout.objects.exists()
    assert client_for(people["liaison_fr"]).get(url).status_code == 403
    assert client_for(people["translator"]).post(url, {"title": "T", "body": "B"}).status_code \
        in (403, 404)
    done = officer.post(url, {"title": "Read-out", "body": "They spoke."})
    readout = Readout.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"/{readout.tracking}/")
    staffer = client_for(people["staffer"])
    detail = staffer.get(f"/records/readouts/{readout.tracking}/")
    html = detail.content.decode()
    assert detail.status_code == 200 and "is not cleared" in html and "act-clear" in html
    assert Read.objects.filter(subject_type="readout", user=people["staffer"]).exists()
    assert client_for(people["staffer_vp"]).get(
        f"/records/readouts/{readout.tracking}/").status_code == 404
    stale = staffer.post(f"/records/readouts/{readout.tracking}/clear/", {"version": "7"})
    assert stale.status_code == 409
    ok = staffer.post(f"/records/readouts/{readout.tracking}/clear/", {"version": "1"})
    assert ok.status_code == 302
    link = staffer.post(f"/records/readouts/{readout.tracking}/link/", {"url": "ftp://x"})
    assert link.status_code == 422
    staffer.post(f"/records/readouts/{readout.tracking}/publish/")
    readout.refresh_from_db()
    assert readout.state == "published"
    listing = officer.get("/records/readouts/?state=published")
    assert readout.tracking in listing.content.decode()
    assert readout.tracking not in officer.get("/records/readouts/?state=draft").content.decode()
    assert [e.kind for e in history("readout", readout.pk)] == [
        "readout.drafted", "readout.cleared", "readout.published"]


def test_public_pages_need_no_login_and_show_corrections(
    corrected: Readout, people: dict[str, User]
) -> None:
    sequencer.integrate_all()
    anon = client_for(None)
    listing = anon.get("/readouts/")
    assert listing.status_code == 200 and corrected.slug in listing.content.decode()
    page = anon.get(f"/readouts/{corrected.slug}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Corrected on" in html and "The date was wrong." in html
    assert "Corrected text." in html and "First text." in html  # the old text still listed
    published = Event.objects.filter(subject_type="readout", kind="readout.published").last()
    assert published is not None and published.seq is not None
    assert f'id="log-index">{published.seq}<' in html
    assert anon.get("/readouts/no-such-thing/").status_code == 404


def test_a_draft_is_not_public(completed_call: CallRequest, people: dict[str, User]) -> None:
    v = services.draft_readout(completed_call, by=people["officer"], title="T", body="Secret.")
    anon = client_for(None)
    assert anon.get(f"/readouts/{v.readout.slug}/").status_code == 404
    assert anon.get(f"/readouts/{v.readout.slug}.json").status_code == 404
    assert "Secret." not in anon.get("/readouts/feed.atom").content.decode()
    assert anon.get(f"/records/readouts/{v.readout.tracking}/").status_code == 302  # sign in


def test_the_digest_in_the_log_is_the_hash_of_the_public_json(corrected: Readout) -> None:
    data = json.loads(client_for(None).get(f"/readouts/{corrected.slug}.json").content)
    events = list(history("readout", corrected.pk).filter(kind="readout.published"))
    assert data["digest"] == events[-1].data["digest"]
    assert hashlib.sha256(canonical_json(data["published"])).hexdigest() == data["digest"]
    # and by the rule stated in words: sorted keys, no whitespace, UTF-8
    text = json.dumps(data["published"], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    assert hashlib.sha256(text.encode()).hexdigest() == events[-1].data["digest"]
    assert data["published"]["body"] == "Corrected text."
    [earlier] = data["earlier"]
    assert hashlib.sha256(canonical_json(earlier["published"])).hexdigest() == \
        events[0].data["digest"]
    index = json.loads(client_for(None).get("/readouts/index.json").content)
    assert [r["digest"] for r in index["readouts"]] == [data["digest"]]


def test_atom_feed_parses_with_one_entry_per_published_version(corrected: Readout) -> None:
    response = client_for(None).get("/readouts/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["Corrected: Read-out of the call", "Read-out of the call"]
    ids = {e.findtext(f"{ATOM}id") for e in entries}
    assert len(ids) == 2
    assert root.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    summary: Any = entries[0].find(f"{ATOM}summary")
    assert summary is not None and "The date was wrong." in (summary.text or "")


def test_the_public_list_is_paginated_newest_first(
    corrected: Readout, people: dict[str, User], world: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chancery import clock
    from chancery.records import views_readouts
    from tests.calls.placed import place

    call = place(world, people, office="pm_ca", language="en",
                 at=(clock.now() - dt.timedelta(hours=3)).replace(second=0, microsecond=0),
                 minutes=15)
    record_attempt(call, by=people["officer"], outcome="connected")
    complete_call(call, by=people["officer"], minutes=15)
    v = services.draft_readout(call, by=people["officer"], title="Canada's read-out", body="B.")
    services.clear_readout(v.readout, by=people["staffer"], version=1)
    services.publish_readout(v.readout, by=people["staffer"])
    monkeypatch.setattr(views_readouts, "PUBLIC_PER_PAGE", 1)
    anon = client_for(None)
    first = anon.get("/readouts/").content.decode()
    second = anon.get("/readouts/?page=2").content.decode()
    assert "Canada&#x27;s read-out" in first and "Page 1 of 2" in first
    assert corrected.slug in second and "corrected" in second
    assert "Canada" not in second.split('id="readouts"')[1].split("</ol>")[0]
