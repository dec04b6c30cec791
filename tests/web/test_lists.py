"""The shared list component through the real pages: sorting, filtering, paging, the htmx
region; the inbox's bulk acknowledgement; the audit's folded reads of any subject type."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.correspondence import services
from chancery.correspondence.access import message_reads, read_content
from chancery.correspondence.models import Message, State
from chancery.ledger import reads
from chancery.ledger.models import Event, Read
from chancery.testing import body_of, client_for

pytestmark = pytest.mark.django_db

HX_LIST = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "list"}


def trackings(html: str, table_id: str | None = None) -> list[str]:
    """The tracking numbers of a page's table rows, in order."""
    if table_id:
        html = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return list(dict.fromkeys(re.findall(r"CH-\d{4}-\d{6}", body)))


# --------------------------------------------------------------------------- messages


def test_messages_sort_by_column_and_keep_the_filters(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    ca = submit("From Canada")
    fr = submit("De France", by=people["liaison_fr"], office=world["pres_fr"])
    c = client_for(people["officer"])
    assert trackings(body_of(c.get("/messages/"))) == [fr.tracking, ca.tracking]  # newest first
    html = body_of(c.get("/messages/", {"sort": "tracking"}))
    assert trackings(html) == [ca.tracking, fr.tracking]
    assert 'aria-sort="ascending"' in html
    assert trackings(body_of(c.get("/messages/", {"sort": "-tracking"}))) == [
        fr.tracking, ca.tracking,
    ]
    assert trackings(body_of(c.get("/messages/", {"sort": "sender"}))) == [
        ca.tracking, fr.tracking,  # Canada before France
    ]
    # a sort link keeps the filters and starts again at page 1
    html = body_of(c.get("/messages/", {"q": "France", "page": "1"}))
    assert trackings(html) == [fr.tracking]
    assert re.search(r'href="\?[^"]*q=France[^"]*sort=tracking', html)


def test_messages_filter_held_awaiting_and_overdue(
    people: dict[str, User], submit: Any
) -> None:
    plain, held, confirmed, late = (submit(t) for t in ("plain", "held", "confirmed", "late"))
    hold = services.place_hold(held, by=people["officer"], category="security", reason="Scan")
    h2 = services.place_hold(confirmed, by=people["officer"], category="security", reason="x")
    services.confirm_hold(h2, by=people["officer2"])
    Message.objects.filter(pk=late.pk).update(due_at=clock.now() - timedelta(hours=1))
    c = client_for(people["officer"])

    def shown(show: str) -> set[str]:
        return set(trackings(body_of(c.get("/messages/", {"show": show}))))

    assert shown("held") == {held.tracking, confirmed.tracking}
    assert shown("awaiting") == {held.tracking}  # the confirmed hold has its second officer
    assert shown("overdue") == {late.tracking}
    assert shown("") == {plain.tracking, held.tracking, confirmed.tracking, late.tracking}
    assert shown("no-such-filter") == shown("")  # a stale bookmark shows everything
    html = body_of(c.get("/messages/", {"show": "awaiting"}))
    assert "awaiting a second officer" in html and 'class="is-held"' in html
    assert hold.pk  # (the hold is the one shown)


def test_messages_filter_by_principal_and_state(people: dict[str, User], submit: Any) -> None:
    pe = submit("For the president-elect")
    vp = submit("For the vice-president-elect", principal="vice-president-elect")
    services.triage(vp, by=people["officer"])
    c = client_for(people["officer"])
    assert trackings(body_of(c.get("/messages/", {"principal": "vice-president-elect"}))) == [
        vp.tracking,
    ]
    assert trackings(body_of(c.get("/messages/", {"state": "received"}))) == [pe.tracking]
    html = body_of(c.get("/messages/", {"principal": "nobody", "state": "triaged"}))
    assert trackings(html) == [vp.tracking]  # an unknown principal is ignored, the rest applies


def test_messages_page_and_the_htmx_region(people: dict[str, User], submit: Any) -> None:
    made = [submit(f"Letter {i}") for i in range(52)]
    c = client_for(people["officer"])
    first = body_of(c.get("/messages/"))
    assert len(trackings(first)) == 50 and "Page 1 of 2 · 52 in all" in first
    assert 'rel="next"' in first and 'hx-boost="true"' in first
    second = c.get("/messages/", {"page": "2"}, **HX_LIST)
    html = body_of(second)
    assert "<html" not in html and html.lstrip().startswith('<div id="list"')  # the region
    assert trackings(html) == [made[1].tracking, made[0].tracking]
    assert "Page 2 of 2" in html
    assert "<html" in body_of(c.get("/messages/", {"page": "2"}, HTTP_HX_REQUEST="true"))
    assert len(trackings(body_of(c.get("/messages/", {"page": "99"})))) == 2  # last page


# --------------------------------------------------------------------------- inbox


def test_inbox_sorts_and_filters_through_the_same_component(
    people: dict[str, User], submit: Any
) -> None:
    a, b = submit("A"), submit("B")
    services.place_hold(b, by=people["officer"], category="security", reason="Scan")
    c = client_for(people["staffer"])
    inbox = "/principals/president-elect/inbox/"
    assert trackings(body_of(c.get(inbox, {"sort": "tracking"})), "inbox") == [
        a.tracking, b.tracking,
    ]
    assert trackings(body_of(c.get(inbox, {"show": "awaiting"})), "inbox") == [b.tracking]
    region = body_of(c.get(inbox, {"sort": "-tracking"}, **{**HX_LIST, "HTTP_HX_TARGET":
                                                            "inbox-list"}))
    assert region.lstrip().startswith('<div id="inbox-list"')


def test_the_office_acknowledges_several_messages_at_once(
    people: dict[str, User], submit: Any
) -> None:
    one, two, three = (submit(t) for t in ("one", "two", "three"))
    for m in (one, two, three):
        services.deliver(m, by=people["officer"])
    c = client_for(people["staffer"])
    inbox = "/principals/president-elect/inbox/"
    html = body_of(c.get(inbox))
    assert html.count('form="acknowledge-many"') == 3 and 'id="acknowledge-many"' in html
    # the operations center sees the inbox without the check boxes
    assert 'form="acknowledge-many"' not in body_of(client_for(people["officer"]).get(inbox))

    r = c.post(
        "/principals/president-elect/inbox/acknowledge/",
        {"tracking": [one.tracking, two.tracking], "next": inbox},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == inbox
    assert f"2 messages acknowledged: {one.tracking}, {two.tracking}." in body_of(r)
    states = dict(Message.objects.values_list("pk", "state"))
    assert states[one.pk] == states[two.pk] == State.ACKNOWLEDGED
    assert states[three.pk] == State.DELIVERED
    assert Event.objects.filter(kind="message.acknowledged").count() == 2  # one each


def test_a_refused_message_rolls_the_whole_batch_back(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    delivered, undelivered = submit("delivered"), submit("not yet")
    services.deliver(delivered, by=people["officer"])
    vp = submit("for the VP", principal="vice-president-elect")
    services.deliver(vp, by=people["officer"])
    c = client_for(people["staffer"])
    url = "/principals/president-elect/inbox/acknowledge/"
    before = Event.objects.count()

    r = c.post(url, {"tracking": [delivered.tracking, undelivered.tracking]}, follow=True)
    html = body_of(r)
    assert "None of the 2 selected messages was acknowledged" in html
    assert undelivered.tracking in html and "only a delivered message" in html
    assert Message.objects.get(pk=delivered.pk).state == State.DELIVERED  # rolled back
    assert Event.objects.count() == before

    html = body_of(c.post(url, {"tracking": [delivered.tracking, vp.tracking]}, follow=True))
    assert "None of the 2 selected" in html  # another principal's message: refused, all of it
    assert Message.objects.get(pk=delivered.pk).state == State.DELIVERED
    assert "Tick the delivered messages" in body_of(c.post(url, {}, follow=True))
    # only the principal's own office acknowledges
    officer = client_for(people["officer"])
    html = body_of(officer.post(url, {"tracking": [delivered.tracking]}, follow=True))
    assert "Nothing was acknowledged" in html
    assert Message.objects.get(pk=delivered.pk).state == State.DELIVERED


# --------------------------------------------------------------------------- translations


def test_translation_queue_filters_by_status_and_language(
    people: dict[str, User], submit: Any
) -> None:
    fr = submit("Chers amis", language="fr")
    de = submit("Liebe Freunde", language="de")
    t_fr = services.request_translation(fr, by=people["officer"])
    services.request_translation(de, by=people["officer"])
    services.sign_off_translation(t_fr, by=people["translator"], text="Dear friends")
    c = client_for(people["officer"])
    assert trackings(body_of(c.get("/translations/"))) == [de.tracking]  # open ones by default
    assert trackings(body_of(c.get("/translations/", {"status": "signed_off"}))) == [fr.tracking]
    assert set(trackings(body_of(c.get("/translations/", {"status": ""})))) == {
        fr.tracking, de.tracking,
    }
    html = body_of(c.get("/translations/", {"status": "", "source_language": "fr"}))
    assert trackings(html) == [fr.tracking]
    assert trackings(body_of(c.get("/translations/", {"status": "", "sort": "-message"}))) == [
        de.tracking, fr.tracking,
    ]


# --------------------------------------------------------------------------- the access audit


def test_the_audit_folds_repeated_reads(people: dict[str, User], submit: Any) -> None:
    message = submit("Read me")
    officer = people["officer"]
    for _ in range(3):
        read_content(officer, message, via="web")
    read_content(officer, message, via="api")
    with clock.travel(timedelta(hours=2)):
        read_content(officer, message, via="web")
    c = client_for(people["auditor"])
    html = body_of(c.get("/audit/"))
    assert "5 reads." in html and "Shown as 3 rows" in html
    rows = html.split('id="reads"', 1)[1].split("</tbody>", 1)[0].split("<tr")[2:]
    assert len(rows) == 3
    folded = next(r for r in rows if "3 reads" in r)
    assert "first " in folded and message.tracking in folded and "each=1" in folded
    each = body_of(c.get("/audit/", {"each": "1", "via": "web"}))
    assert "4 reads." in each
    assert each.split('id="reads"', 1)[1].split("</tbody>", 1)[0].count("<tr") == 1 + 4


def test_reads_of_any_subject_type_are_recorded_and_labelled(
    people: dict[str, User], submit: Any
) -> None:
    """A later domain records its reads with one call and names its subjects in the audit
    through the label registry; the ledger knows neither."""
    auditor = people["auditor"]
    reads.record_read(auditor, "readout", 7, via="web")
    reads.record_read(auditor, "telcon", 3, via="export", part="pdf")
    reads.register_subject_labels(
        "readout", lambda ids: {i: reads.SubjectLabel(f"RO-{i}", "embargoed") for i in ids}
    )
    try:
        html = body_of(client_for(auditor).get("/audit/"))
        assert "RO-7" in html and "embargoed" in html
        assert "telcon #3" in html  # nobody registered a label for it
        only = body_of(client_for(auditor).get("/audit/", {"subject": "readout:7", "each": "1"}))
        assert "1 read." in only and "telcon" not in only.split('id="reads"', 1)[1]
    finally:
        reads._LABELLERS.pop("readout", None)
    assert Read.objects.filter(subject_type="readout", subject_id=7, via="web").count() == 1
    assert not message_reads().exists()  # they are not reads of messages
