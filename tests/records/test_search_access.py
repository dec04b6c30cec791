"""Search's permissions, filters, pagination, snippets and indexer (records/search): each persona
finds only what it may read (messages by correspondence's content rule, read-outs, replies and
telcons by their parts' rules); the indexer follows the events; rebuild restores the index."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.accounts.models import Role
from chancery.calls.models import CallRequest
from chancery.correspondence import services as messages
from chancery.correspondence.access import can_read_content, readable_messages
from chancery.correspondence.models import Message
from chancery.demo.world import MESSAGES
from chancery.errors import InvalidInput, NotFound
from chancery.ledger.models import Read
from chancery.records.models import Reply, SearchCursor, SearchDoc
from chancery.records.search import index, snippets
from chancery.records.search.query import search
from chancery.records.services import readouts, replies
from chancery.testing import make_user
from tests.records.conftest import index_now

pytestmark = pytest.mark.django_db

GERMAN = next(m for m in MESSAGES if m["language"] == "de")


def hits(user: User, q: str, **kw: Any) -> set[tuple[str, int]]:
    page = search(user, q, per_page=100, **kw)
    return {(r.doc_type, r.subject_id) for r in page.results}


@pytest.fixture
def staffer2(world: dict[str, Any]) -> User:
    return make_user("staffer2.pe", Role.PRINCIPAL_OFFICE, principal=world["pe"])


@pytest.fixture
def mail(submit: Any, world: dict[str, Any], people: dict[str, User]) -> dict[str, Message]:
    """Canada's German message to the President-elect (delivered), France's (received, not
    delivered), Canada's to the Vice President-elect (delivered); indexed."""
    ca = submit(body=GERMAN["body"], subject=GERMAN["subject"], language="de")
    messages.deliver(ca, by=people["officer"])
    fr = submit(body="Glückwünsche aus Paris.", language="de", office=world["pres_fr"],
                by=people["liaison_fr"])
    vp = submit(body="Glückwünsche an die Vizepräsidentin.", language="de",
                principal="vice-president-elect")
    messages.deliver(vp, by=people["officer"])
    index_now()
    return {"ca": ca, "fr": fr, "vp": vp}


def test_messages_by_the_content_rule(mail: dict[str, Message], people: dict[str, User]) -> None:
    ca, fr, vp = (("message", mail[k].pk) for k in ("ca", "fr", "vp"))
    everything = {ca, fr, vp}
    for who in ("officer", "protocol", "records", "auditor", "admin"):
        assert hits(people[who], "glückwünsche") == everything, who
    # A liaison never sees another country's message.
    assert hits(people["liaison_ca"], "glückwünsche") == {ca, vp}
    assert hits(people["liaison_fr"], "glückwünsche") == {fr}
    # A staffer: its principal's delivered messages only.
    assert hits(people["staffer"], "glückwünsche") == {ca}
    assert hits(people["staffer_vp"], "glückwünsche") == {vp}
    assert hits(people["translator"], "glückwünsche") == set()  # no French translation asked


def test_readable_messages_agrees_with_can_read_content(
    mail: dict[str, Message], people: dict[str, User], world: dict[str, Any], submit: Any,
) -> None:
    """Every persona, every state a message can be in (and a French translation requested)."""
    messages.triage(submit("Bonjour.", language="fr"), by=people["officer"])
    asked = submit("Félicitations.", language="fr")
    messages.request_translation(asked, by=people["officer"])
    rejected = submit("Spam.", language="en")
    messages.reject(rejected, by=people["officer"], reason="Not a message to the principal.")
    acked = messages.deliver(submit("Hello.", language="en"), by=people["officer"])
    messages.acknowledge(acked, by=people["staffer"])
    assert {m.state for m in Message.objects.all()} >= {
        "received", "triaged", "translation_requested", "rejected", "delivered", "acknowledged"
    }
    for who, user in people.items():
        rule = {m.pk for m in Message.objects.all() if can_read_content(user, m)}
        assert set(readable_messages(user).values_list("pk", flat=True)) == rule, who


def test_translations_follow_their_message(
    submit: Any, people: dict[str, User], world: dict[str, Any]
) -> None:
    m = submit("Meilleurs vœux de la France.", language="fr", office=world["pres_fr"],
               by=people["liaison_fr"])
    t = messages.request_translation(m, by=people["officer"])
    index_now()
    assert hits(people["officer"], "warmest") == set()  # not signed off: not indexed
    messages.sign_off_translation(t, by=people["translator"], text="The warmest wishes of France.")
    assert index_now() == 2  # the message and its signed-off translation
    assert hits(people["officer"], "warmest") == {("translation", t.pk)}
    assert hits(people["translator"], "warmest voeux") == set()  # words from both texts
    assert hits(people["translator"], "warmest") == {("translation", t.pk)}
    assert hits(people["liaison_fr"], "warmest") == {("translation", t.pk)}
    assert hits(people["liaison_ca"], "warmest") == set()
    assert hits(people["staffer"], "warmest") == set()  # not delivered
    page = search(people["officer"], "warmest")
    assert page.results[0].url == f"/messages/{m.tracking}/"


def test_replies_by_their_rule(
    mail: dict[str, Message], people: dict[str, User], staffer2: User
) -> None:
    ca = mail["ca"]
    draft = replies.draft_reply(ca, by=people["staffer"], body="Vielen Dank für Ihre Glückwünsche.")
    index_now()
    doc = ("reply", draft.pk)
    assert doc in hits(people["staffer"], "glückwünsche dank")
    assert doc in hits(people["officer"], "dank")
    assert doc not in hits(people["liaison_ca"], "dank")  # not sent
    assert doc not in hits(people["staffer_vp"], "dank")
    replies.clear_reply(draft, by=staffer2, version=1)
    replies.send_reply(Reply.objects.get(pk=draft.pk), by=people["staffer"])
    index_now()
    assert hits(people["liaison_ca"], "dank") == {doc}
    assert hits(people["liaison_fr"], "dank") == set()
    assert search(people["staffer"], "dank", types="reply", states="sent").total == 1
    assert search(people["staffer"], "dank", states="draft").total == 0


def test_readout_versions_by_their_rule(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    v1 = readouts.draft_readout(completed_call, by=people["officer"], title="Read-out",
                                body="The President-elect spoke with President Macron.")
    index_now()
    doc = ("readout", v1.pk)
    assert doc in hits(people["officer"], "macron")
    assert doc in hits(people["staffer"], "macron")
    assert doc not in hits(people["staffer_vp"], "macron")
    assert doc not in hits(people["liaison_fr"], "macron")
    readouts.clear_readout(v1.readout, by=people["staffer"], version=1)
    readouts.publish_readout(v1.readout, by=people["staffer"])
    index_now()
    assert hits(people["liaison_fr"], "macron") == {doc}  # published: public
    assert search(people["officer"], "macron").results[0].state == "published"
    v2 = readouts.draft_readout(completed_call, by=people["officer"], title="Read-out",
                                body="The President-elect spoke with President Macron today.",
                                correction_note="The day.")
    index_now()
    assert hits(people["officer"], "macron") == {doc, ("readout", v2.pk)}  # one doc per version
    assert hits(people["liaison_fr"], "macron") == {doc}


def test_filters(mail: dict[str, Message], people: dict[str, User]) -> None:
    officer = people["officer"]
    ca, fr, vp = (("message", mail[k].pk) for k in ("ca", "fr", "vp"))
    assert hits(officer, "glückwünsche", principal="vice-president-elect") == {vp}
    assert hits(officer, "glückwünsche", country="FR") == {fr}
    assert hits(officer, "glückwünsche", country="ca") == {ca, vp}
    assert hits(officer, "glückwünsche", states=["delivered"]) == {ca, vp}
    assert hits(officer, "glückwünsche", states="received,delivered") == {ca, fr, vp}
    assert hits(officer, "glückwünsche", types=["telcon", "reply"]) == set()
    today = clock.now().date()
    assert hits(officer, "glückwünsche", date_from=today, date_to=today) == {ca, fr, vp}
    assert hits(officer, "glückwünsche", date_to=str(today - dt.timedelta(days=1))) == set()
    assert hits(officer, "glückwünsche", date_from=str(today + dt.timedelta(days=1))) == set()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"date_from": "2020-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2020-11-10", "date_to": "2020-11-09"}, "date_from"),
        ({"types": ["memo"]}, "types"),
        ({"states": "pending"}, "states"),
        ({"page": 0}, "page"),
        ({"per_page": 1000}, "per_page"),
    ],
)
def test_bad_filters_are_422(
    mail: dict[str, Message], people: dict[str, User], kw: dict[str, Any], field: str
) -> None:
    reads = Read.objects.count()
    with pytest.raises(InvalidInput) as err:
        search(people["officer"], "glückwünsche", via="web", **kw)
    assert err.value.field == field
    assert Read.objects.count() == reads


def test_an_unknown_principal_is_404(mail: dict[str, Message], people: dict[str, User]) -> None:
    with pytest.raises(NotFound, match="president-elect"):
        search(people["officer"], "glückwünsche", principal="nobody")


def test_pagination(submit: Any, people: dict[str, User]) -> None:
    for i in range(25):
        submit(body=f"Herzliche Glückwünsche, Nummer {i}.", language="de")
    index_now()
    seen: list[tuple[str, int]] = []
    for n in (1, 2, 3):
        page = search(people["officer"], "herzliche", page=n, per_page=10)
        assert (page.total, page.pages, page.page) == (25, 3, n)
        assert len(page.results) == (10 if n < 3 else 5)
        seen += [(r.doc_type, r.subject_id) for r in page.results]
    assert len(set(seen)) == 25
    assert search(people["officer"], "herzliche", page=9, per_page=10).page == 3  # last page
    assert search(people["officer"], "herzliche", page=1, per_page=10).page_numbers == [1, 2, 3]


def test_snippets_highlight_the_original_text() -> None:
    assert snippets.highlight("Glückwünsche zu Ihrer Wahl", "gluckwunsche WAHL") == (
        "<mark>Glückwünsche</mark> zu Ihrer <mark>Wahl</mark>"
    )
    assert snippets.highlight("日本国政府を代表して", "日本") == "<mark>日本</mark>国政府を代表して"
    assert snippets.highlight("東京都の知事", "京都") == "東<mark>京都</mark>の知事"
    assert snippets.highlight("祝贺 表示祝贺", "贺") == "祝<mark>贺</mark> 表示祝<mark>贺</mark>"
    assert snippets.highlight("أتقدم إليكم بخالص التهنئة", "التهنئة") == (
        "أتقدم إليكم بخالص <mark>التهنئة</mark>"
    )
    assert snippets.highlight("הריני לברכך בחום", "בחום") == "הריני לברכך <mark>בחום</mark>"
    assert snippets.highlight("आपको हार्दिक बधाई", "हार्दिक") == "आपको <mark>हार्दिक</mark> बधाई"
    # Decomposed input (e + combining acute) is marked whole, as written.
    assert snippets.highlight("Cafe\u0301 noir", "cafe") == "<mark>Cafe\u0301</mark> noir"
    # The text is escaped; nothing in it becomes markup.
    assert snippets.highlight("<b>Wahl</b> & more", "wahl") == (
        "&lt;b&gt;<mark>Wahl</mark>&lt;/b&gt; &amp; more"
    )
    long = "Anfang. " + "Text " * 100 + "Glückwünsche am Ende " + "Schluss " * 50
    cut = snippets.snippet(long, "glückwünsche", width=120)
    assert cut.startswith("…") and cut.endswith("…") and "<mark>Glückwünsche</mark>" in cut
    assert len(cut) < 160


def test_results_carry_snippets_and_record_reads(
    mail: dict[str, Message], people: dict[str, User]
) -> None:
    page = search(people["staffer"], "glückwünsche", via="web")
    (r,) = page.results
    assert "<mark>Glückwünsche</mark>" in r.snippet
    assert r.url == f"/messages/{mail['ca'].tracking}/" and r.title.startswith(mail["ca"].tracking)
    assert (r.country, r.language, r.state) == ("CA", "de", "delivered")
    read = Read.objects.get(subject_type="message", subject_id=mail["ca"].pk)
    assert (read.user, read.via, read.part) == (people["staffer"], "web", "snippet")
    search(people["staffer"], "glückwünsche")  # no via: nothing recorded
    assert Read.objects.count() == 1


def test_index_pending_follows_the_events(
    submit: Any, people: dict[str, User]
) -> None:
    from chancery.ledger.models import Event

    m = submit(body="Ein Glückwunsch.", language="de")
    assert index_now() == 1
    cursor = SearchCursor.objects.get()
    assert cursor.last_seq == Event.objects.order_by("-seq").first().seq
    assert index_now() == 0
    doc = SearchDoc.objects.get(doc_type="message", subject_id=m.pk)
    assert (doc.state, doc.terms) == ("received", "ein gluckwunsch")
    messages.deliver(m, by=people["officer"])
    assert index_now() == 1
    assert SearchDoc.objects.get(doc_type="message", subject_id=m.pk).state == "delivered"
    assert index_now(limit=1) == 0  # nothing new


def test_rebuild(mail: dict[str, Message], people: dict[str, User]) -> None:
    count = SearchDoc.objects.count()
    SearchDoc.objects.all().delete()
    assert hits(people["officer"], "glückwünsche") == set()
    progress: list[tuple[int, int]] = []
    assert index.rebuild(progress=lambda done, total: progress.append((done, total))) == count
    assert progress[-1] == (3, 3)
    assert len(hits(people["officer"], "glückwünsche")) == 3
    assert index_now() == 0  # the cursor is at the end


def test_telcons_by_their_distribution(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    """A telcon's content: records officers, its drafter, its named reviewers, and once
    distributed its distribution list; not the principal's office before, nor a liaison."""
    from chancery.records.services import telcons

    t = telcons.draft_telcon(
        completed_call, by=people["officer"], regime="presidential",
        location="Telephone (Wilmington, Delaware)",
        participants=["The President-elect", "Emmanuel Macron, President of France"],
        note_takers=["Anna Note", "Ben Taker"], classification="U",
        body="(U) The President-elect thanked President Macron for his congratulations.",
    )
    index_now()
    doc = ("telcon", t.pk)
    for who in ("officer", "records", "admin"):
        assert hits(people[who], "macron congratulations") == {doc}, who
    for who in ("staffer", "officer2", "liaison_fr", "translator"):
        assert hits(people[who], "macron") == set(), who
    telcons.name_reviewers(t, [people["officer2"]], by=people["officer"])
    index_now()
    assert hits(people["officer2"], "wilmington") == {doc}  # the location is searched too
    telcons.review_telcon(t, by=people["officer2"], version=1)
    telcons.approve_telcon(t, by=people["records"], version=1)
    telcons.distribute_telcon(t, [people["staffer"]], by=people["records"])
    index_now()
    assert hits(people["staffer"], "macron") == {doc}
    assert hits(people["staffer_vp"], "macron") == set()
    page = search(people["staffer"], "macron", states="distributed", types="telcon", via="web")
    (r,) = page.results
    assert r.url == f"/records/telcons/{t.tracking}/" and r.country == "FR"
    assert "<mark>Macron</mark>" in r.snippet
    read = Read.objects.get(subject_type="telcon", subject_id=t.pk)
    assert (read.user, read.part) == (people["staffer"], "snippet")
