"""The public transparency page (/transparency/) and the log panel of the liaison portal.

A small world with known states on a fixed clock (10 Nov 2020, 12:00 in New York): delivered on
time, delivered late, held by an officer, rejected, and held by the policy gate past the
delivery target. The page must count each exactly, by day in the principal's time zone, and
never show content: no text, no hold or rejection reason, no sender.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import Page, expect

from chancery import clock
from chancery.correspondence import services
from chancery.correspondence.models import Message
from chancery.correspondence.transparency import Counts, daily_counts
from chancery.directory.models import Office, Principal
from chancery.ledger import note, proof
from chancery.ledger.keys import witness_signer
from chancery.ledger.models import LogHead
from chancery.ledger.sequencer import integrate_all, served

pytestmark = pytest.mark.django_db

NY = dt.timezone(dt.timedelta(hours=-5))  # EST, in force in November
NOW = dt.datetime(2020, 11, 10, 12, 0, tzinfo=NY)
BODY = "SECRET-BODY Félicitations, Monsieur le Président élu."
HOLD_REASON = "SECRET-HOLD-REASON the signature block needs checking"
REJECT_REASON = "SECRET-REJECT-REASON sent twice by mistake"


@pytest.fixture
def fixed_clock(settings: Any) -> dt.datetime:
    settings.CHANCERY_CLOCK_OFFSET = clock.offset_to(NOW)
    settings.CHANCERY_DELIVERY_TARGET_HOURS = 4.0
    return NOW


def _submit(
    people: dict[str, User], office: Office, principal: str, received_at: dt.datetime, body: str
) -> Message:
    message, _ = services.submit_message(
        services.Submission(principal=principal, sender_office=office.pk, body=body),
        by=people["liaison_ca"],
        received_at=received_at,
    )
    return message


@pytest.fixture
def small_world(
    fixed_clock: dt.datetime, gated: Principal, world: dict[str, Any], people: dict[str, User]
) -> dict[str, Message]:
    """The president-elect is gated (delivery waits for ascertainment); the vice
    president-elect is not."""
    pm = world["pm_ca"]
    officer, officer2 = people["officer"], people["officer2"]
    vp = "vice-president-elect"
    h = dt.timedelta(hours=1)
    on_time = _submit(people, pm, vp, NOW - 1 * h, BODY + " on time")
    services.deliver(on_time, by=officer)
    # 20:00 on 9 Nov in New York is already 10 Nov in UTC: counted on the 9th.
    late = _submit(people, pm, vp, NOW - 16 * h, BODY + " late")
    services.deliver(late, by=officer)
    held = _submit(people, pm, vp, NOW - 1 * h, BODY + " held")
    hold = services.place_hold(held, by=officer, category="authenticity", reason=HOLD_REASON)
    services.confirm_hold(hold, by=officer2)
    rejected = _submit(people, pm, vp, NOW - 2 * h, BODY + " rejected")
    services.reject(rejected, by=officer, reason=REJECT_REASON)
    gated_today = _submit(people, pm, "president-elect", NOW - 6 * h, BODY + " gated today")
    gated_earlier = _submit(people, pm, "president-elect", NOW - 48 * h, BODY + " gated earlier")
    return {
        "on_time": on_time, "late": late, "held": held, "rejected": rejected,
        "gated_today": gated_today, "gated_earlier": gated_earlier,
    }


def _by_slug() -> dict[str, Any]:
    return {s.principal.slug: s for s in daily_counts()}


def test_counts_per_principal_and_day(small_world: dict[str, Message]) -> None:
    stats = _by_slug()
    vp, pe = stats["vice-president-elect"], stats["president-elect"]
    assert vp.zone == pe.zone == "America/New_York"

    assert [(d.day, d) for d in vp.days] == [
        (dt.date(2020, 11, 10), _day(2020, 11, 10, received=3, delivered=1, rejected=1, open=1,
                                     held_officer=1)),
        (dt.date(2020, 11, 9), _day(2020, 11, 9, received=1, delivered=1, overdue=1)),
    ]
    assert vp.totals == Counts(
        received=4, delivered=2, rejected=1, open=1, held_officer=1, held_policy=0, overdue=1
    )
    assert (vp.held_now, vp.held_now_officer, vp.held_now_policy, vp.overdue_now) == (1, 1, 0, 0)

    assert [d.day for d in pe.days] == [dt.date(2020, 11, 10), dt.date(2020, 11, 8)]
    for d in pe.days:
        assert d == _day(d.day.year, d.day.month, d.day.day, received=1, open=1, held_policy=1,
                         overdue=1)
    assert (pe.held_now, pe.held_now_officer, pe.held_now_policy, pe.overdue_now) == (2, 0, 2, 2)


def _day(y: int, m: int, d: int, **counts: int) -> Any:
    from chancery.correspondence.transparency import DayCounts

    return DayCounts(day=dt.date(y, m, d), **counts)


def test_a_message_held_by_the_gate_and_an_officer_counts_once_in_each_column(
    small_world: dict[str, Message], people: dict[str, User]
) -> None:
    gated = small_world["gated_today"]
    hold = services.place_hold(gated, by=people["officer"], category="security", reason="x")
    services.confirm_hold(hold, by=people["officer2"])
    pe = _by_slug()["president-elect"]
    today = pe.days[0]
    assert (today.received, today.held_officer, today.held_policy) == (1, 1, 1)
    assert (pe.held_now, pe.held_now_officer, pe.held_now_policy) == (2, 1, 2)


def test_counting_takes_the_same_queries_for_more_messages(
    small_world: dict[str, Message], people: dict[str, User], world: dict[str, Any]
) -> None:
    with CaptureQueriesContext(connection) as few:
        daily_counts()
    for i in range(30):
        _submit(people, world["pm_ca"], "vice-president-elect",
                NOW - dt.timedelta(hours=i * 7), f"more {i}")
    with CaptureQueriesContext(connection) as many:
        stats = daily_counts()
    assert len(many.captured_queries) == len(few.captured_queries) <= 6
    assert sum(s.totals.received for s in stats) == 6 + 30


def _row(html: str, slug: str, day: str) -> dict[str, int]:
    section = html.split(f'id="counts-{slug}"', 1)[1].split("</section>", 1)[0]
    row = section.split(f'data-day="{day}"', 1)[1].split("</tr>", 1)[0]
    return {k: int(v) for k, v in re.findall(r'data-col="(\w+)">(\d+)<', row)}


def test_page_is_public_and_shows_counts_log_and_how_to_verify(
    small_world: dict[str, Message], world: dict[str, Any]
) -> None:
    integrate_all()
    head = LogHead.objects.select_related("checkpoint").get()
    response = Client().get("/transparency/")
    assert response.status_code == 200
    html = response.content.decode()

    assert _row(html, "vice-president-elect", "2020-11-10") == {
        "received": 3, "delivered": 1, "rejected": 1, "open": 1,
        "held_officer": 1, "held_policy": 0, "overdue": 0,
    }
    assert _row(html, "vice-president-elect", "total") == {
        "received": 4, "delivered": 2, "rejected": 1, "open": 1,
        "held_officer": 1, "held_policy": 0, "overdue": 1,
    }
    assert _row(html, "president-elect", "2020-11-08") == {
        "received": 1, "delivered": 0, "rejected": 0, "open": 1,
        "held_officer": 0, "held_policy": 1, "overdue": 1,
    }
    assert "America/New_York" in html

    # The log: the checkpoint verbatim, the key, the size, links, and the commands.
    checkpoint = re.search(r'<pre class="note" id="checkpoint">(.*?)</pre>', html, re.S)
    assert checkpoint is not None and checkpoint.group(1) == served(head)
    assert checkpoint.group(1).startswith(head.checkpoint.note)  # then the stamp
    assert checkpoint.group(1) == Client().get("/log/checkpoint").content.decode()
    assert head.vkey in html and f'<strong id="log-size">{head.size}</strong>' in html
    assert 'href="/log/checkpoint"' in html and 'href="/log/key"' in html
    stamp_vkey = witness_signer().vkey
    assert f'<code id="stamp-vkey" class="break">{stamp_vkey}</code>' in html
    assert 'href="/log/timestamp-key"' in html
    assert (
        f"chancery monitor http://testserver/log --key {head.vkey} --stamp-key {stamp_vkey} "
        "--max-age 300 --entries"
    ) in html
    assert f"chancery receipt verify receipt.json --key {head.vkey}" in html
    assert "golang.org/x/mod/sumdb/tlog" in html

    # Counts only: no text, no reasons, no senders.
    for secret in ("SECRET", "signature block", "sent twice", "Félicitations", "Canada",
                   "Trudeau", *(m.tracking for m in small_world.values())):
        assert secret not in html, secret


def test_page_before_the_first_checkpoint_and_navigation_links(people: dict[str, User]) -> None:
    html = Client().get("/transparency/").content.decode()
    assert 'id="checkpoint-missing"' in html and "chancery monitor" in html
    assert 'href="/transparency/"' in Client().get("/login/").content.decode()
    signed_in = Client()
    signed_in.force_login(people["officer"])
    page = signed_in.get("/").content.decode()
    nav = page.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/transparency/"' in nav and "Dashboard" in nav
    assert Client().post("/transparency/").status_code == 405


# --------------------------------------------------------------------------- the portal


def _portal(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_portal_shows_pending_then_integrated_and_serves_a_proof_that_verifies(
    submit: Any, people: dict[str, User]
) -> None:
    message = submit("Nos félicitations les plus chaleureuses.")
    c = _portal(people["liaison_ca"])
    url = f"/portal/{message.tracking}/"
    proof_url = f"{url}received.tlog-proof"

    html = c.get(url).content.decode()
    assert "pending integration" in html and "in the log</span> at index" not in html
    assert 'id="tlog-proof-pending"' in html and proof_url not in html
    assert c.get(proof_url).status_code == 404

    integrate_all()
    head = LogHead.objects.get()
    html = c.get(url).content.decode()
    assert "pending integration" not in html
    assert re.search(
        rf"in the log</span> at index <strong>\d+</strong> <span class=\"muted\">\(checkpoint "
        rf"size {head.size}\)", html,
    )
    assert f'href="{proof_url}"' in html and head.vkey in html
    assert f"chancery receipt verify received-{message.tracking}.tlog-proof --key" in html

    response = c.get(proof_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="received-{message.tracking}.tlog-proof"'
    )
    verified = proof.verify_proof(response.content.decode(), note.Verifier.from_text(head.vkey))
    entry = verified.entry()
    assert entry["kind"] == "message.received"
    assert entry["data"]["commitment"] == message.commitment
    assert verified.checkpoint.size == head.size

    # Only who may see the message: another country's liaison gets 404, as for no message.
    assert _portal(people["liaison_fr"]).get(proof_url).status_code == 404
    assert Client().get(proof_url).status_code == 302  # anonymous: to the login page


def test_portal_marks_later_events_pending_until_integrated(
    submit: Any, people: dict[str, User]
) -> None:
    message = submit("Congratulations.")
    integrate_all()
    services.triage(message, by=people["officer"])
    html = _portal(people["liaison_ca"]).get(f"/portal/{message.tracking}/").content.decode()
    received = html.split('data-kind="message.received"', 1)[1].split("</tr>", 1)[0]
    triaged = html.split('data-kind="message.triaged"', 1)[1].split("</tr>", 1)[0]
    assert "in the log" in received and "pending integration" in triaged


# --------------------------------------------------------------------------- browser


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_transparency_page_in_chromium(
    live_server: Any, page: Page, submit: Any, gated: Principal
) -> None:
    submit("A letter.")
    integrate_all()
    head = LogHead.objects.select_related("checkpoint").get()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="public transparency page").click()
    expect(page).to_have_url(f"{live_server.url}/transparency/")
    expect(page.locator("#checkpoint")).to_have_text(served(head))
    expect(page.locator("#vkey")).to_have_text(head.vkey)
    expect(page.locator('#counts-president-elect tfoot [data-col="held_policy"]')).to_have_text("1")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Transparency")
           ).to_have_attribute("aria-current", "page")
