"""One rule for what a user may do, read by the pages and the services alike: for each persona,
a page offers a button exactly where the service would accept the action; the header counts
what the dashboard counts; the liaison portal is a list of the shared component."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from chancery.correspondence import services
from chancery.correspondence.models import Message, Translation
from chancery.correspondence.services.actions import may_translation
from chancery.errors import ChanceryError
from chancery.ledger.services import history
from chancery.testing import body_of, client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "officer", "officer2", "protocol", "translator", "liaison_ca", "liaison_fr", "staffer",
    "staffer_vp", "auditor", "admin",
]


class _Undo(Exception):
    pass


def accepted(action: Any) -> bool:
    """Whether the service accepts ``action()``; whatever it changed is rolled back."""
    try:
        with transaction.atomic():
            action()
            raise _Undo
    except _Undo:
        return True
    except ChanceryError:
        return False


def rows_of(html: str) -> dict[str, str]:
    """An inbox's rows by tracking number (the row's HTML)."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr[^>]*data-tracking="([^"]+)".*?</tr>', html, re.S)
    }


@pytest.fixture
def inbox_world(people: dict[str, User], submit: Any) -> list[Message]:
    """The president-elect's inbox with a message in each situation an action depends on."""
    officer, officer2 = people["officer"], people["officer2"]
    received = submit("Received, nothing done yet")
    delivered = submit("Delivered")
    services.deliver(delivered, by=officer)
    acknowledged = submit("Acknowledged")
    services.deliver(acknowledged, by=officer)
    services.acknowledge(acknowledged, by=people["staffer"])
    held = submit("Held")
    hold = services.place_hold(held, by=officer, category="security", reason="Screening")
    services.confirm_hold(hold, by=officer2)
    rejected = submit("Rejected")
    services.reject(rejected, by=officer, reason="Not addressed to this office")
    return [received, delivered, acknowledged, held, rejected]


def test_the_inbox_offers_acknowledge_exactly_where_the_service_accepts_it(
    people: dict[str, User], inbox_world: list[Message]
) -> None:
    offered_somewhere = False
    for persona in PERSONAS:
        user = people[persona]
        response = client_for(user).get("/principals/president-elect/inbox/")
        if response.status_code != 200:
            assert response.status_code in (403, 404), persona
            continue
        rows = rows_of(body_of(response))
        assert set(rows) == {m.tracking for m in inbox_world}, persona
        for message in inbox_world:
            message.refresh_from_db()
            verdict = services.may("acknowledge", message, user)
            accepts = accepted(lambda m=message, u=user: services.acknowledge(m, by=u))
            assert verdict.allowed == accepts, (persona, message.tracking)
            row = rows[message.tracking]
            button = f"/messages/{message.tracking}/acknowledge/" in row
            box = f'value="{message.tracking}" form="acknowledge-many"' in row
            assert button == accepts, (persona, message.tracking, button)
            assert box == accepts, (persona, message.tracking, box)
            offered_somewhere |= button
    assert offered_somewhere  # (the staffer, on the delivered message)


def test_the_inbox_costs_no_query_per_row_for_acknowledge(
    people: dict[str, User], submit: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(6):
        services.deliver(submit(f"Delivered {i}"), by=people["officer"])
    c = client_for(people["staffer"])
    c.get("/principals/president-elect/inbox/")  # (warm the session)
    with django_assert_max_num_queries(30):
        html = body_of(c.get("/principals/president-elect/inbox/"))
    assert html.count("/acknowledge/\"") >= 6


@pytest.fixture
def translations(people: dict[str, User], submit: Any) -> list[Translation]:
    """Requests from French (open, signed off, cancelled) and from German (open)."""
    officer = people["officer"]

    def ask(body: str, language: str) -> Translation:
        message = submit(body)
        return services.request_translation(
            message, by=officer, source_language=language, target_language="en"
        )

    open_fr = ask("Félicitations", "fr")
    signed = ask("Meilleurs vœux", "fr")
    services.sign_off_translation(signed, by=people["translator"], text="Best wishes")
    cancelled = ask("Annulé", "fr")
    services.reject(cancelled.message, by=officer, reason="Sent twice")
    open_de = ask("Herzlichen Glückwunsch", "de")
    return [open_fr, signed, cancelled, open_de]


def test_the_sign_off_page_offers_signing_exactly_where_the_service_accepts_it(
    people: dict[str, User], translations: list[Translation]
) -> None:
    offered_somewhere = False
    for persona in PERSONAS:
        user = people[persona]
        c = client_for(user)
        queue = c.get("/translations/", {"status": ""})
        for t in translations:
            t.refresh_from_db()
            accepts = accepted(
                lambda t=t, u=user: services.sign_off_translation(t, by=u, text="A translation")
            )
            assert may_translation("sign_off", t, user).allowed == accepts, (persona, t.pk)
            response = c.get(f"/translations/{t.pk}/")
            if response.status_code != 200:
                assert response.status_code in (403, 404), persona
                assert not accepts, (persona, t.pk)
                continue
            html = body_of(response)
            button = "Sign off translation</button>" in html
            assert button == accepts, (persona, t.pk, t.status)
            assert ('name="text"' in html) == accepts, (persona, t.pk)
            offered_somewhere |= button
            if queue.status_code == 200:
                link = re.search(
                    rf'href="/translations/{t.pk}/">Translate<', body_of(queue)
                )
                assert bool(link) == accepts, (persona, t.pk)
    assert offered_somewhere  # (the French translator, on the open French request)


def test_a_refused_sign_off_keeps_its_texts(
    people: dict[str, User], translations: list[Translation]
) -> None:
    open_fr, signed, cancelled, open_de = translations
    c = client_for(people["translator"])
    with pytest.raises(ChanceryError, match="You are registered as a translator from fr, not "
                       "from de."):
        services.sign_off_translation(open_de, by=people["translator"], text="x")
    response = client_for(people["officer"]).post(f"/translations/{open_fr.pk}/", {"text": "x"})
    assert response.status_code == 403
    assert "Only a translator may sign off translations." in body_of(response)
    response = c.post(f"/translations/{signed.pk}/", {"text": "x"})
    assert response.status_code == 409
    html = body_of(response)
    assert "already signed off; request a new one to revise it" in html
    assert "Sign off translation</button>" not in html
    response = c.post(f"/translations/{cancelled.pk}/", {"text": "x"})
    assert response.status_code == 409
    assert f"This translation was cancelled: {cancelled.message.tracking} was rejected." in (
        body_of(response)
    )


def header_held(html: str, slug: str) -> int:
    """The header's "N held" beside a principal (0 when it shows none)."""
    part = html.split(f'data-principal="{slug}"', 1)[1].split("data-principal=", 1)[0]
    n = re.search(r"(\d+) held</span>", part.split("</div>", 1)[0])
    return int(n.group(1)) if n else 0


def test_the_header_counts_what_the_dashboard_counts(
    people: dict[str, User], gated: Any, submit: Any, world: dict[str, Any]
) -> None:
    for i in range(3):
        submit(f"Held by the policy {i}")
    submit("From France", by=people["liaison_fr"], office=world["pres_fr"])
    dashboard = client_for(people["officer"]).get("/")
    rows = {r["principal"].slug: r["counts"] for r in dashboard.context["table"]}
    assert rows["president-elect"]["held_policy"] == 4
    for persona in ("officer", "protocol", "auditor", "admin"):
        response = client_for(people[persona]).get("/")
        html = body_of(response)
        header = {s["principal"].slug: s["held"] for s in response.context["principal_statuses"]}
        assert header["president-elect"] == rows["president-elect"]["held_policy"], persona
        assert header_held(html, "president-elect") == 4, persona
    # Where it depends on the user, it counts what the user may see (its own messages).
    response = client_for(people["liaison_fr"]).get("/portal/")
    assert header_held(body_of(response), "president-elect") == 1
    response = client_for(people["staffer"]).get("/principals/president-elect/inbox/")
    assert header_held(body_of(response), "president-elect") == 4


def test_the_portal_sorts_and_pages(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    mine = [submit(f"Canada {i}") for i in range(3)]
    theirs = submit("France", by=people["liaison_fr"], office=world["pres_fr"])
    c = client_for(people["liaison_ca"])

    def listed(html: str) -> list[str]:
        body = html.split('id="portal"', 1)[1].split("</table>", 1)[0]
        return list(dict.fromkeys(re.findall(r"CH-\d{4}-\d{6}", body)))

    newest_first = [m.tracking for m in reversed(mine)]
    html = body_of(c.get("/portal/"))
    assert listed(html) == newest_first and theirs.tracking not in html
    html = body_of(c.get("/portal/", {"sort": "tracking"}))
    assert listed(html) == [m.tracking for m in mine]
    assert 'aria-sort="ascending"' in html
    assert listed(body_of(c.get("/portal/", {"sort": "-tracking"}))) == newest_first
    # pages, keeping the sort; the htmx region alone for the region's own links
    html = body_of(c.get("/portal/", {"sort": "tracking", "per_page": 2}))
    assert listed(html) == [m.tracking for m in mine[:2]]
    assert "Page 1 of 2" in html and re.search(r'href="\?[^"]*page=2', html)
    region = c.get(
        "/portal/", {"sort": "tracking", "per_page": 2, "page": 2},
        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="portal-list",
    )
    assert "<html" not in body_of(region)
    assert listed(body_of(region)) == [mine[2].tracking]
    assert 'id="portal-list"' in body_of(region)
    # the status column is the sender's view of the message
    assert "Received</span>" in body_of(region)


def test_the_message_page_history_is_the_ledger_history(
    people: dict[str, User], submit: Any
) -> None:
    message = submit("History")
    services.triage(message, by=people["officer"])
    response = client_for(people["officer"]).get(f"/messages/{message.tracking}/")
    assert [e.pk for e in response.context["events"]] == [
        e.pk for e in history("message", message.pk)
    ]
    assert len(response.context["events"]) >= 2


def test_the_admin_page_lists_status_changes_with_the_shared_list(
    people: dict[str, User], world: dict[str, Any]
) -> None:
    from chancery.directory import services as directory_services

    admin = people["admin"]
    directory_services.set_principal_status(world["pe"], by=admin, status="ascertained", note="A")
    directory_services.set_principal_status(world["vpe"], by=admin, status="ascertained", note="B")
    c = client_for(admin)

    def notes(html: str) -> list[str]:
        body = html.split('id="status-change-list"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'<span dir="auto">([AB])</span>', body)

    assert notes(body_of(c.get("/admin-tools/principals/"))) == ["B", "A"]  # newest first
    assert notes(body_of(c.get("/admin-tools/principals/", {"sort": "at"}))) == ["A", "B"]
    assert notes(body_of(c.get("/admin-tools/principals/", {"sort": "-principal"}))) == [
        "B", "A",  # Vice President-elect after President-elect
    ]
    html = body_of(c.get("/admin-tools/principals/", {"sort": "at", "per_page": 1, "page": 2}))
    assert notes(html) == ["B"] and "Page 2 of 2" in html


def test_the_bulk_acknowledge_form_is_offered_only_with_something_to_acknowledge(
    people: dict[str, User], submit: Any
) -> None:
    message = submit("Not delivered yet")
    c = client_for(people["staffer"])
    assert "Acknowledge the selected messages" not in body_of(
        c.get("/principals/president-elect/inbox/")
    )
    services.deliver(message, by=people["officer"])
    assert "Acknowledge the selected messages" in body_of(
        c.get("/principals/president-elect/inbox/")
    )
    officer = body_of(client_for(people["officer"]).get("/principals/president-elect/inbox/"))
    assert "Acknowledge the selected messages" not in officer


def test_a_list_in_its_default_order_shows_one_sorted_column(
    people: dict[str, User], submit: Any
) -> None:
    submit("One")
    html = body_of(client_for(people["officer"]).get("/messages/"))
    assert html.count("aria-sort=") == 1
    assert re.search(r'<th[^>]*aria-sort="descending"[^>]*>\s*<a[^>]*>Received<', html)
