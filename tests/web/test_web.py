"""The web UI, driven with Django's test client by the personas of tests/fixtures.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from chancery.correspondence import services
from chancery.correspondence.access import message_reads
from chancery.correspondence.models import Hold, Message, State, Translation
from chancery.testing import body_of, client_for

pytestmark = pytest.mark.django_db


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def msg(submit: Any) -> Message:
    return submit("Félicitations, Monsieur le Président élu. Congratulations.", subject="Greetings")


def act(
    user: User, message: Message, action: str, _h: dict[str, str] | None = None, **data: Any
) -> Any:
    url = reverse("message_action", args=[message.tracking, action])
    return client_for(user).post(url, data, **(_h or {}))


# --------------------------------------------------------------------------- access by role


def test_anonymous_is_sent_to_login(msg: Message) -> None:
    c = client_for(None)
    for url in [
        "/",
        f"/messages/{msg.tracking}/",
        "/principals/president-elect/inbox/",
        "/translations/",
        "/portal/",
        "/portal/new/",
        "/admin-tools/principals/",
        "/audit/",
        "/messages/",
    ]:
        response = c.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_htmx_request_without_session_redirects_the_whole_page(msg: Message) -> None:
    c = client_for(None)
    for response in (c.get("/", **HX), c.post(f"/messages/{msg.tracking}/deliver/", **HX)):
        assert response.status_code == 401
        assert response["HX-Redirect"].startswith("/login/?next=/")


def test_login_and_logout(people: dict[str, User]) -> None:
    c = Client()
    page = c.get("/login/")
    assert page.status_code == 200 and "Sign in" in body_of(page)
    bad = c.post("/login/", {"username": "officer.one", "password": "wrong"})
    assert bad.status_code == 200 and "Sign-in failed" in body_of(bad)
    ok = c.post("/login/", {"username": "officer.one", "password": "pw-officer.one"})
    assert ok.status_code == 302 and ok["Location"] == "/"
    home = c.get("/")
    assert home.status_code == 200 and "officer.one" in body_of(home)
    assert c.get("/logout/").status_code == 405  # logging out is a POST
    out = c.post("/logout/")
    assert out.status_code == 302 and out["Location"] == "/login/"
    assert c.get("/").status_code == 302


@pytest.mark.parametrize(
    ("persona", "status", "location"),
    [
        ("officer", 200, None),
        ("protocol", 200, None),
        ("admin", 200, None),
        ("auditor", 200, None),
        ("liaison_ca", 302, "/portal/"),
        ("staffer", 302, "/principals/president-elect/inbox/"),
        ("staffer_vp", 302, "/principals/vice-president-elect/inbox/"),
        ("translator", 302, "/translations/"),
    ],
)
def test_home_by_role(
    people: dict[str, User], msg: Message, persona: str, status: int, location: str | None
) -> None:
    response = client_for(people[persona]).get("/")
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    else:
        assert "Open queue" in body_of(response)
        assert msg.tracking in body_of(response)


def test_user_without_role_is_refused(world: dict[str, Any]) -> None:
    nobody = User.objects.create_user("nobody", password="pw")
    response = client_for(nobody).get("/")
    assert response.status_code == 403
    assert "no role" in body_of(response)


PAGES = {
    "inbox": "/principals/president-elect/inbox/",
    "translations": "/translations/",
    "portal": "/portal/",
    "portal_new": "/portal/new/",
    "admin": "/admin-tools/principals/",
    "audit": "/audit/",
}
ALLOWED = {
    "inbox": {"officer", "officer2", "protocol", "admin", "auditor", "staffer"},
    "translations": {"officer", "officer2", "protocol", "admin", "translator"},
    "portal": {"liaison_ca", "liaison_fr"},
    "portal_new": {"liaison_ca", "liaison_fr"},
    "admin": {"admin"},
    "audit": {"auditor", "admin"},
}
PERSONAS = [
    "officer",
    "officer2",
    "protocol",
    "translator",
    "liaison_ca",
    "liaison_fr",
    "staffer",
    "staffer_vp",
    "auditor",
    "admin",
]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_render_for_their_roles_and_refuse_the_others(
    people: dict[str, User], msg: Message, page: str
) -> None:
    for persona in PERSONAS:
        response = client_for(people[persona]).get(PAGES[page])
        if persona in ALLOWED[page]:
            assert response.status_code == 200, (page, persona)
            assert "<html" in body_of(response)
        else:
            assert response.status_code == 403, (page, persona, response.status_code)
            assert 'class="notice error"' in body_of(response)


def test_unknown_page_and_csrf_failure_use_our_templates(
    people: dict[str, User], msg: Message
) -> None:
    c = client_for(people["officer"])
    missing = c.get("/no/such/page/")
    assert missing.status_code == 404 and "Page not found" in body_of(missing)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["officer"])
    refused = strict.post(f"/messages/{msg.tracking}/deliver/")
    assert refused.status_code == 403 and "The form has expired" in body_of(refused)
    msg.refresh_from_db()
    assert msg.state == State.RECEIVED


def test_unknown_principal_inbox_is_404(people: dict[str, User]) -> None:
    assert client_for(people["officer"]).get("/principals/nobody/inbox/").status_code == 404


def test_navigation_follows_roles(people: dict[str, User]) -> None:
    officer = body_of(client_for(people["officer"]).get("/"))
    assert 'href="/translations/"' in officer and 'href="/audit/"' not in officer
    assert 'href="/admin-tools/principals/"' not in officer
    admin = body_of(client_for(people["admin"]).get("/"))
    assert 'href="/admin-tools/principals/"' in admin and 'href="/audit/"' in admin
    liaison = body_of(client_for(people["liaison_ca"]).get("/portal/"))
    assert 'href="/portal/new/"' in liaison and 'href="/translations/"' not in liaison


# --------------------------------------------------------------------------- message detail


def test_detail_by_role(people: dict[str, User], msg: Message) -> None:
    url = f"/messages/{msg.tracking}/"
    expected = {
        "officer": 200,
        "protocol": 200,
        "admin": 200,
        "auditor": 200,
        "liaison_ca": 302,
        "staffer": 200,
        "liaison_fr": 404,
        "staffer_vp": 404,
        "translator": 404,
    }
    for persona, status in expected.items():
        assert client_for(people[persona]).get(url).status_code == status, persona
    # The sender follows its own message in the portal.
    response = client_for(people["liaison_ca"]).get(url)
    assert response["Location"] == f"/portal/{msg.tracking}/"


def test_french_liaison_cannot_open_a_canadian_message(
    people: dict[str, User], submit: Any
) -> None:
    message = submit("Canada's letter", attachments=[("letter.txt", b"Canadian attachment")])
    attachment = message.attachments.get()
    c = client_for(people["liaison_fr"])
    for url in [
        f"/messages/{message.tracking}/",
        f"/portal/{message.tracking}/",
        f"/portal/{message.tracking}/receipt.json",
        f"/messages/{message.tracking}/attachments/{attachment.pk}/",
    ]:
        response = c.get(url)
        assert response.status_code == 404, url
        assert "Canada's letter" not in body_of(response)
    response = c.post(
        f"/messages/{message.tracking}/place-hold/", {"category": "other", "reason": "x"}
    )
    assert response.status_code == 404
    assert not message.holds.exists()
    assert not message_reads(message).exists()
    listing = body_of(c.get("/portal/"))
    assert message.tracking not in listing


def test_detail_records_a_content_read(people: dict[str, User], msg: Message) -> None:
    response = client_for(people["officer"]).get(f"/messages/{msg.tracking}/")
    assert response.status_code == 200
    html = body_of(response)
    assert "Félicitations, Monsieur le Président élu." in html
    assert 'dir="auto"' in html and 'id="original-text"' in html
    read = message_reads(msg).get()
    assert read.user == people["officer"] and read.via == "web" and read.part == "body"


def test_principal_office_sees_metadata_and_hold_only_before_delivery(
    people: dict[str, User], msg: Message
) -> None:
    services.place_hold(
        msg, by=people["officer"], category="security", reason="Screening the envelope"
    )
    response = client_for(people["staffer"]).get(f"/messages/{msg.tracking}/")
    html = body_of(response)
    assert response.status_code == 200
    assert "Félicitations" not in html and "Greetings" not in html
    assert "Screening the envelope" in html and "officer.one" in html
    assert 'id="content-withheld"' in html
    assert not message_reads(msg).exists()


def test_original_and_translation_side_by_side_with_language(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    message = submit(
        "Toutes nos félicitations.", by=people["liaison_fr"], office=world["pres_fr"], language="fr"
    )
    translation = services.request_translation(message, by=people["officer"])
    services.sign_off_translation(
        translation, by=people["translator"], text="All our congratulations."
    )
    html = body_of(client_for(people["officer"]).get(f"/messages/{message.tracking}/"))
    assert 'class="split texts"' in html
    assert 'lang="fr">Toutes nos félicitations.</div>' in html
    assert 'dir="auto" lang="en">All our congratulations.</div>' in html
    assert "signed off by translator.fr" in html


def test_attachment_is_downloaded_never_rendered(people: dict[str, User], submit: Any) -> None:
    message = submit("With a note", attachments=[("note.txt", b"<html><script>x</script></html>")])
    attachment = message.attachments.get()
    c = client_for(people["officer"])
    html = body_of(c.get(f"/messages/{message.tracking}/"))
    url = f"/messages/{message.tracking}/attachments/{attachment.pk}/"
    assert url in html
    response = c.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "note.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"<html><script>x</script></html>"
    assert message_reads(message).filter(part=f"attachment:{attachment.pk}").exists()
    assert c.get(f"/messages/{message.tracking}/attachments/99999/").status_code == 404


def test_bad_tracking_numbers_are_404(people: dict[str, User]) -> None:
    c = client_for(people["officer"])
    assert c.get("/messages/not-a-number/").status_code == 404
    assert c.get("/messages/CH-2020-999999/").status_code == 404


# --------------------------------------------------------------------------- actions


def test_hold_confirm_release_deliver_by_post(people: dict[str, User], msg: Message) -> None:
    officer, officer2 = people["officer"], people["officer2"]
    detail = f"/messages/{msg.tracking}/"
    r = act(officer, msg, "place-hold", category="authenticity", reason="Verify the signature")
    assert r.status_code == 302 and r["Location"] == detail
    hold = Hold.objects.get(message=msg)
    assert hold.reason == "Verify the signature" and hold.placed_by == officer

    # The officer who placed the hold cannot confirm it: the error is on the page, with 403.
    r = act(officer, msg, "confirm-hold", hold=hold.pk)
    assert r.status_code == 403
    assert "different officer" in body_of(r)
    hold.refresh_from_db()
    assert hold.confirmed_at is None

    second = client_for(officer2)
    r = second.post(f"{detail}confirm-hold/", {"hold": hold.pk})
    assert r.status_code == 302
    hold.refresh_from_db()
    assert hold.confirmed_by == officer2
    assert "Hold confirmed." in body_of(second.get(detail))  # the flash message

    r = act(officer, msg, "deliver")
    assert r.status_code == 409 and "release the hold first" in body_of(r)

    r = act(officer2, msg, "release-hold", hold=hold.pk, reason="Signature verified")
    assert r.status_code == 302
    r = act(officer, msg, "deliver")
    assert r.status_code == 302
    msg.refresh_from_db()
    assert msg.state == State.DELIVERED


def test_actions_over_htmx_return_the_panel(people: dict[str, User], msg: Message) -> None:
    officer, officer2 = people["officer"], people["officer2"]
    r = act(officer, msg, "place-hold", category="legal", reason="Legal review", _h=HX)
    html = body_of(r)
    assert r.status_code == 200
    assert '<div id="panel"' in html and "<html" not in html
    assert 'id="history" aria-labelledby="history-h" hx-swap-oob="true"' in html
    assert "Legal review" in html
    hold = Hold.objects.get(message=msg)
    r = act(officer, msg, "confirm-hold", hold=hold.pk, _h=HX)
    assert r.status_code == 403 and "different officer" in body_of(r)
    assert '<div id="panel"' in body_of(r)
    r = act(officer2, msg, "confirm-hold", hold=hold.pk, _h=HX)
    assert r.status_code == 200 and "Hold confirmed." in body_of(r)


def test_stale_hold_form_is_a_conflict(people: dict[str, User], msg: Message) -> None:
    hold = services.place_hold(msg, by=people["officer"], category="other", reason="First")
    services.release_hold(hold, by=people["officer2"], reason="done")
    services.place_hold(msg, by=people["protocol"], category="other", reason="Second")
    r = act(people["officer2"], msg, "confirm-hold", hold=hold.pk)
    assert r.status_code == 409 and "changed since you loaded" in body_of(r)


def test_other_actions(people: dict[str, User], msg: Message) -> None:
    officer = people["officer"]
    assert act(officer, msg, "triage").status_code == 302
    msg.refresh_from_db()
    assert msg.state == State.TRIAGED
    assert act(officer, msg, "reject", reason="").status_code == 422
    assert act(officer, msg, "no-such-action").status_code == 404
    assert act(people["liaison_ca"], msg, "deliver").status_code == 403
    assert act(people["staffer"], msg, "acknowledge").status_code == 409
    assert act(officer, msg, "reject", reason=f"Not from the office {XSS}").status_code == 302
    msg.refresh_from_db()
    assert msg.state == State.REJECTED
    portal = client_for(people["liaison_ca"]).get(f"/portal/{msg.tracking}/")
    assert "Not from the office" in body_of(portal)
    assert XSS not in body_of(portal)


def test_get_on_an_action_is_not_allowed(people: dict[str, User], msg: Message) -> None:
    assert (
        client_for(people["officer"]).get(f"/messages/{msg.tracking}/deliver/").status_code == 405
    )


def test_acknowledge_from_the_inbox(people: dict[str, User], msg: Message) -> None:
    services.deliver(msg, by=people["officer"])
    inbox = "/principals/president-elect/inbox/"
    c = client_for(people["staffer"])
    html = body_of(c.get(inbox))
    assert "Acknowledge" in html and f"/messages/{msg.tracking}/" in html
    r = c.post(f"/messages/{msg.tracking}/acknowledge/", {"next": inbox})
    assert r.status_code == 302 and r["Location"] == inbox
    msg.refresh_from_db()
    assert msg.state == State.ACKNOWLEDGED


def test_next_never_leaves_the_site(people: dict[str, User], msg: Message) -> None:
    r = client_for(people["officer"]).post(
        f"/messages/{msg.tracking}/triage/", {"next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == f"/messages/{msg.tracking}/"


# --------------------------------------------------------------------------- inbox


def test_inbox_shows_held_reason_not_body(people: dict[str, User], msg: Message) -> None:
    hold = services.place_hold(
        msg, by=people["officer"], category="security", reason="Envelope under screening"
    )
    services.confirm_hold(hold, by=people["officer2"])
    response = client_for(people["staffer"]).get("/principals/president-elect/inbox/")
    html = body_of(response)
    assert response.status_code == 200
    assert msg.tracking in html and "Held" in html
    assert "Envelope under screening" in html
    assert "Security screening" in html and "officer.one" in html and "officer.two" in html
    assert "Félicitations" not in html and "Greetings" not in html
    assert "Prime Minister of Canada" in html
    assert not message_reads().exists()


def test_inbox_counts_policy_held_messages(
    people: dict[str, User], gated: Any, submit: Any
) -> None:
    submit("One")
    submit("Two")
    html = body_of(client_for(people["staffer"]).get("/principals/president-elect/inbox/"))
    assert "2 messages held by the support policy" in html
    assert "Delivery waits for ascertainment" in html
    held = body_of(
        client_for(people["staffer"]).get("/principals/president-elect/inbox/?show=held")
    )
    assert held.count('class="is-held"') == 2


# --------------------------------------------------------------------------- escaping


def test_html_in_text_is_escaped_everywhere(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    message = submit(f"Body {XSS}", subject=f"Subject {XSS}", language="fr")
    services.place_hold(message, by=people["officer"], category="other", reason=f"Reason {XSS}")
    translation = services.request_translation(message, by=people["protocol"])
    pages = {
        "officer": [
            "/",
            f"/messages/{message.tracking}/",
            "/principals/president-elect/inbox/",
            "/messages/",
            "/translations/",
        ],
        "liaison_ca": ["/portal/", f"/portal/{message.tracking}/"],
        "staffer": ["/principals/president-elect/inbox/", f"/messages/{message.tracking}/"],
        "translator": [f"/translations/{translation.pk}/"],
        "auditor": ["/audit/", f"/messages/{message.tracking}/"],
    }
    for persona, urls in pages.items():
        c = client_for(people[persona])
        for url in urls:
            html = body_of(c.get(url))
            assert "<script>alert" not in html, (persona, url)
            assert "<img src=x" not in html, (persona, url)
    officer_html = body_of(client_for(people["officer"]).get(f"/messages/{message.tracking}/"))
    assert "Body &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in officer_html
    assert "Reason &lt;script&gt;" in officer_html
    sign = client_for(people["translator"]).post(
        f"/translations/{translation.pk}/", {"text": f"Translated {XSS}"}
    )
    assert sign.status_code == 302
    html = body_of(client_for(people["officer"]).get(f"/messages/{message.tracking}/"))
    assert "Translated &lt;script&gt;" in html and "<script>alert" not in html


# --------------------------------------------------------------------------- dashboard


def test_dashboard_counts_queue_holds_and_htmx_fragment(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    first = submit("First")
    second = submit("Second", principal="vice-president-elect")
    services.place_hold(second, by=people["officer"], category="protocol", reason="Check protocol")
    c = client_for(people["officer"])
    html = body_of(c.get("/"))
    assert first.tracking in html and second.tracking in html
    assert html.index(first.tracking) < html.index(second.tracking)  # oldest first
    assert "Check protocol" in html and "Awaiting a second officer" in html
    assert "target-ok" in html
    assert 'hx-trigger="every 15s"' in html
    counts = html.split('id="counts"')[1].split("</table>")[0]
    received_row = counts.split("state-received")[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', received_row) == ["1", "1"]
    assert "<strong>2</strong>" in received_row  # both principals together
    fragment = c.get("/", **HX)
    assert "HX-Request" in fragment["Vary"]
    assert fragment.status_code == 200
    assert "<html" not in body_of(fragment) and 'id="live"' in body_of(fragment)


def test_a_held_message_past_its_target_is_not_shown_as_overdue(
    people: dict[str, User], submit: Any, gated: Any
) -> None:
    """The row's badge says what the counts say: a hold accounts for a late message, so it is
    "past target, held" (amber), not "overdue" (red, the escalation's meaning)."""
    import datetime as dt

    from chancery import clock

    submit("Held by the policy")
    c = client_for(people["officer"])
    with clock.travel(dt.timedelta(hours=5)):
        html = body_of(c.get("/"))
    assert "target-held" in html and "past target by 1 h, held" in html
    assert "target-overdue" not in html


def test_dashboard_target_colours_and_escalation(people: dict[str, User], submit: Any) -> None:
    import datetime as dt

    from chancery import clock

    message = submit("Late")
    c = client_for(people["officer"])
    with clock.travel(dt.timedelta(hours=3, minutes=30)):
        assert "target-soon" in body_of(c.get("/"))
    with clock.travel(dt.timedelta(hours=5)):
        services.escalate_overdue()
        html = body_of(c.get("/"))
        assert "target-overdue" in html and "overdue by 1 h" in html
        assert "Escalated" in html
    message.refresh_from_db()
    assert message.escalated_at is not None


def test_demo_clock_and_principal_status_in_header(
    people: dict[str, User], settings: Any, gated: Any
) -> None:
    c = client_for(people["officer"])
    html = body_of(c.get("/"))
    assert "Demo clock" not in html
    assert "President-elect</strong>: Projected winner" in html
    assert "waits for ascertainment" in html
    import datetime as dt

    from django.utils import timezone

    from chancery import clock

    settings.CHANCERY_CLOCK_OFFSET = clock.offset_to(
        dt.datetime(2020, 11, 23, 15, 4, tzinfo=dt.UTC)
    )
    html = body_of(c.get("/"))
    assert (
        "Demo clock: 23 Nov 2020 10:04 EST" in html or "Demo clock: 23 Nov 2020 10:05 EST" in html
    )
    assert timezone.now().year > 2020


# --------------------------------------------------------------------------- translations


def test_translation_queue_and_sign_off(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    message = submit("Chers amis", by=people["liaison_fr"], office=world["pres_fr"], language="fr")
    other = submit("Liebe Freunde", language="de")
    t_fr = services.request_translation(message, by=people["officer"])
    t_de = services.request_translation(other, by=people["officer"])
    translator = client_for(people["translator"])
    queue = body_of(translator.get("/translations/"))
    assert message.tracking in queue and other.tracking not in queue
    assert f"/translations/{t_fr.pk}/" in queue
    officer_queue = body_of(client_for(people["officer"]).get("/translations/"))
    assert message.tracking in officer_queue and other.tracking in officer_queue
    assert translator.get(f"/translations/{t_de.pk}/").status_code == 404

    page = translator.get(f"/translations/{t_fr.pk}/")
    html = body_of(page)
    assert page.status_code == 200 and "Chers amis" in html and "<textarea" in html
    assert 'lang="fr">Chers amis</div>' in html
    assert message_reads(message).filter(user=people["translator"]).exists()

    empty = translator.post(f"/translations/{t_fr.pk}/", {"text": "  "})
    assert empty.status_code == 422 and "translation (text) is empty" in body_of(empty)
    done = translator.post(f"/translations/{t_fr.pk}/", {"text": "Dear friends"})
    assert done.status_code == 302 and done["Location"] == "/translations/"
    t_fr.refresh_from_db()
    assert t_fr.status == Translation.Status.SIGNED_OFF and t_fr.text == "Dear friends"
    again = translator.post(f"/translations/{t_fr.pk}/", {"text": "Again"})
    assert again.status_code == 409
    # An officer sees the page but has no form to sign off.
    officer_page = body_of(client_for(people["officer"]).get(f"/translations/{t_de.pk}/"))
    assert "<textarea" not in officer_page
    assert (
        client_for(people["officer"]).post(f"/translations/{t_de.pk}/", {"text": "x"}).status_code
        == 403
    )


# --------------------------------------------------------------------------- liaison portal


def test_portal_submit_and_follow(people: dict[str, User], world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(people["liaison_ca"])
    form = body_of(c.get("/portal/new/"))
    assert "Prime Minister of Canada" in form and "President of the French Republic" not in form
    response = c.post(
        "/portal/new/",
        {
            "sender_office": str(world["pm_ca"].pk),
            "principal": "president-elect",
            "subject": "Congratulations",
            "body": "Dear Mr. President-elect,\n\nCongratulations.",
            "language": "en",
            "attachments": [SimpleUploadedFile("letter.txt", b"signed letter", "text/plain")],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"] == f"/portal/{message.tracking}/"
    assert message.channel == "portal" and message.attachments.count() == 1
    assert message.body == "Dear Mr. President-elect,\n\nCongratulations."
    follow = c.get(response["Location"])
    html = body_of(follow)
    assert message.tracking in html and "Received" in html
    assert message.commitment in html
    assert f"receipt-{message.tracking}.json" in html
    assert "Dear Mr. President-elect," in html  # the text as received, and the read is recorded
    assert message_reads(message).filter(user=people["liaison_ca"], via="web"
    ).exists()
    receipt = c.get(f"/portal/{message.tracking}/receipt.json")
    assert receipt.status_code == 200
    assert (
        receipt["Content-Disposition"] == f'attachment; filename="receipt-{message.tracking}.json"'
    )
    data = json.loads(receipt.content)
    assert (
        data["tracking"] == message.tracking and data["commitment"]["value"] == message.commitment
    )
    listing = body_of(c.get("/portal/"))
    assert message.tracking in listing and "Congratulations" in listing


def test_portal_refuses_another_countrys_office_and_bad_input(
    people: dict[str, User], world: dict[str, Any]
) -> None:
    c = client_for(people["liaison_ca"])
    response = c.post(
        "/portal/new/",
        {
            "sender_office": str(world["pres_fr"].pk),
            "principal": "president-elect",
            "body": "Hi",
        },
    )
    assert response.status_code == 403
    assert "only for its own country" in body_of(response)
    empty = c.post(
        "/portal/new/",
        {
            "sender_office": str(world["pm_ca"].pk),
            "principal": "president-elect",
            "body": "",
        },
    )
    assert empty.status_code == 422 and "message text (body) is empty" in body_of(empty)
    no_office = c.post("/portal/new/", {"principal": "president-elect", "body": "Hi"})
    assert no_office.status_code == 422 and "Choose the office" in body_of(no_office)
    from django.core.files.uploadedfile import SimpleUploadedFile

    disguised = c.post(
        "/portal/new/",
        {
            "sender_office": str(world["pm_ca"].pk),
            "principal": "president-elect",
            "body": "Hi",
            "attachments": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")],
        },
    )
    assert disguised.status_code == 422
    assert not Message.objects.exists()


def test_portal_shows_policy_pending_status(
    people: dict[str, User], gated: Any, submit: Any
) -> None:
    message = submit("Held by policy")
    html = body_of(client_for(people["liaison_ca"]).get(f"/portal/{message.tracking}/"))
    assert "Received, delivery pending the transition" in html


# --------------------------------------------------------------------------- admin tools


def test_record_ascertainment_releases_held_messages(
    people: dict[str, User], gated: Any, submit: Any
) -> None:
    first, second = submit("One"), submit("Two")
    c = client_for(people["admin"])
    page = body_of(c.get("/admin-tools/principals/"))
    assert "Record ascertainment" in page and "<strong>2</strong> messages" in page
    response = c.post(
        "/admin-tools/principals/",
        {
            "principal": "president-elect",
            "status": "ascertained",
            "note": "GSA letter",
            "confirm": "2",  # the number the confirmation step names (tests/web/test_mass)
        },
        follow=True,
    )
    html = body_of(response)
    assert "2 held messages released" in html
    assert first.tracking in html and second.tracking in html
    first.refresh_from_db()
    assert first.state == State.DELIVERED
    again = c.post(
        "/admin-tools/principals/", {"principal": "president-elect", "status": "ascertained"}
    )
    assert again.status_code == 409
    assert (
        client_for(people["officer"])
        .post("/admin-tools/principals/", {"principal": "president-elect", "status": "inaugurated"})
        .status_code
        == 403
    )


# --------------------------------------------------------------------------- audit


def test_audit_lists_and_filters_reads(people: dict[str, User], submit: Any) -> None:
    a, b = submit("A"), submit("B")
    client_for(people["officer"]).get(f"/messages/{a.tracking}/")
    client_for(people["protocol"]).get(f"/messages/{b.tracking}/")
    c = client_for(people["auditor"])
    html = body_of(c.get("/audit/"))
    assert a.tracking in html and b.tracking in html and "officer.one" in html
    html = body_of(c.get("/audit/", {"user": "officer.one"}))
    assert (
        a.tracking in html.split('id="reads"')[1] and b.tracking not in html.split('id="reads"')[1]
    )
    html = body_of(c.get("/audit/", {"message": b.tracking}))
    assert "1 read." in html
    html = body_of(c.get("/audit/", {"message": "nonsense"}))
    assert "is not a tracking number" in html


def test_message_list_search(people: dict[str, User], submit: Any) -> None:
    message = submit("Find me")
    c = client_for(people["officer"])
    assert message.tracking in body_of(c.get("/messages/", {"q": "Canada"}))
    r = c.get("/messages/", {"q": message.tracking.lower()})
    assert r.status_code == 302 and r["Location"] == f"/messages/{message.tracking}/"
    assert message.tracking not in body_of(c.get("/messages/", {"state": "delivered"}))


# --------------------------------------------------------------------------- UI review fixes


def test_failed_action_keeps_what_was_typed_and_the_form_open(
    people: dict[str, User], msg: Message
) -> None:
    """A refused hold keeps the category and reason typed, with the form open and the error in
    it (plain POST and htmx alike)."""
    for extra in ({}, HX):
        r = act(people["officer"], msg, "place-hold", extra, category="authenticity",
                reason="   ")
        html = body_of(r)
        assert r.status_code == 422
        assert '<details id="place-hold" open>' in html
        assert 'id="place-hold-error"' in html and "The reason is empty" in html
        assert '<option value="authenticity" selected>' in html
        assert re.search(r'<textarea id="hold-reason"[^>]*aria-invalid="true"[^>]*>   </textarea>',
                         html)
    assert not Hold.objects.filter(message=msg).exists()

    r = act(people["officer"], msg, "request-translation", HX, source_language="qq",
            target_language="en")
    html = body_of(r)
    assert r.status_code == 422 and '<details id="request-translation" open>' in html
    assert 'id="tr-source" name="source_language" type="text" size="4" maxlength="8" value="qq"' \
        in html
    assert "not an ISO 639-1 language code" in html

    long_reason = "x" * 2100
    r = act(people["officer"], msg, "reject", HX, reason=long_reason)
    html = body_of(r)
    assert r.status_code == 413 and '<details id="reject" open>' in html
    assert long_reason in html
    # Forms that did not fail stay closed and empty.
    assert '<details id="place-hold">' in html
    assert re.search(r'<textarea id="hold-reason"[^>]*></textarea>', html)


def test_failed_release_keeps_the_reason(people: dict[str, User], msg: Message) -> None:
    hold = services.place_hold(msg, by=people["officer"], category="security", reason="Screen")
    r = act(people["officer2"], msg, "release-hold", HX, hold=hold.pk + 999,
            reason="Checked with the embassy")
    html = body_of(r)
    assert r.status_code == 409
    assert '<details id="release-hold" open>' in html
    assert 'value="Checked with the embassy"' in html


def test_portal_attachment_error_is_beside_the_file_field(
    people: dict[str, User], world: dict[str, Any]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(people["liaison_ca"])
    r = c.post("/portal/new/", {
        "sender_office": str(world["pm_ca"].pk), "principal": "president-elect",
        "subject": "Letter", "body": "Please see the letter.",
        "attachments": [SimpleUploadedFile("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")],
    })
    html = body_of(r)
    assert r.status_code == 422
    field = html.split('id="attachments-field"', 1)[1].split("</div>", 1)[0]
    assert 'id="attachments-error"' in field and "executable" in field
    assert 'aria-invalid="true"' in field
    assert "No file was kept: choose the acceptable files again" in field
    assert '<a href="#id_attachments">Attachments</a>' in html  # linked from the summary
    assert "Please see the letter." in html and 'value="Letter"' in html
    assert not Message.objects.exists()


def test_portal_names_files_to_choose_again_after_another_error(
    people: dict[str, User], world: dict[str, Any]
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(people["liaison_ca"])
    r = c.post("/portal/new/", {
        "sender_office": str(world["pm_ca"].pk), "principal": "president-elect", "body": "",
        "attachments": [SimpleUploadedFile("a.txt", b"one", "text/plain"),
                        SimpleUploadedFile("b.txt", b"two", "text/plain")],
    })
    html = body_of(r)
    assert r.status_code == 422 and "message text (body) is empty" in html
    assert "Choose the files again before sending: a.txt, b.txt" in html
    assert 'id="attachments-error"' not in html
    assert "Choose the file" not in body_of(c.get("/portal/new/"))


def test_officer_hold_and_policy_hold_are_both_shown(
    people: dict[str, User], gated: Any, submit: Any
) -> None:
    message = submit("Held twice")
    services.place_hold(
        message, by=people["officer"], category="security", reason="Envelope under screening"
    )
    inbox = body_of(client_for(people["staffer"]).get("/principals/president-elect/inbox/"))
    row = inbox.split(f'data-tracking="{message.tracking}"', 1)[1].split("</tr>", 1)[0]
    assert "Envelope under screening" in row
    assert "Delivery waits for ascertainment" in row and row.count('class="hold-entry"') == 2
    detail = body_of(client_for(people["staffer"]).get(f"/messages/{message.tracking}/"))
    assert "Envelope under screening" in detail
    assert "Also held by the support policy" in detail
    assert "shown in the hold panel" in detail and "shown beside" not in detail


def test_signed_off_translation_time_shows_its_zone(
    people: dict[str, User], submit: Any
) -> None:
    message = submit("Félicitations, Monsieur le Président élu.", language="fr")
    t = services.request_translation(message, by=people["officer"], source_language="fr")
    services.sign_off_translation(t, by=people["translator"], text="Congratulations.")
    html = body_of(client_for(people["officer"]).get(f"/messages/{message.tracking}/"))
    head = html.split("signed off by", 1)[1].split("</span>", 1)[0]
    assert re.search(r"\d{1,2} \w{3} \d{4} \d{2}:\d{2} [A-Z]{2,5}", head), head


def test_pages_carry_an_icon_so_browsers_do_not_ask_for_favicon(
    people: dict[str, User]
) -> None:
    html = body_of(client_for(people["officer"]).get("/"))
    assert '<link rel="icon" href="data:image/svg+xml' in html


def test_text_heads_wrap_instead_of_cutting_off_the_time_zone() -> None:
    from pathlib import Path

    import chancery.web

    css = (Path(chancery.web.__file__).parent / "static/web/chancery.css").read_text()
    rule = re.search(r"^\.text-head \.muted \{([^}]*)\}", css, re.M)
    assert rule is not None and "ellipsis" not in rule.group(1)
