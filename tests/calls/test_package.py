"""The call package (calls.package, calls.services.package, /calls/<tracking>/package/ and its
PDF): what it shows each persona, the talking points and their clearance, the reads recorded.

The world runs in the week of 2027 when Europe has left summer time and the United States not
yet (31 October to 7 November): a call at 10:00 in New York is at 15:00 in Paris, not 16:00.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from chancery import clock
from chancery.calls.models import CallChannel, CallRequest, CallState, Interpreter
from chancery.calls.package import package_context, years_and_days
from chancery.calls.services import package, requests, scheduling
from chancery.correspondence import services as correspondence
from chancery.directory.models import Country, Leader, Office
from chancery.errors import Conflict, Forbidden, InvalidInput, TooLarge
from chancery.ledger.models import Event, Read
from chancery.ledger.services import history
from chancery.testing import body_of, client_for, fresh

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2027, 10, 30, 12, 0, tzinfo=dt.UTC)
CALL_DAY = dt.date(2027, 11, 2)
SUBJECT = "Félicitations pour votre élection"
TRANSLATION = "Congratulations on your election, with my warmest wishes."


@pytest.fixture(autouse=True)
def in_the_dst_gap() -> Iterator[None]:
    with clock.travel(NOW - clock.now()):
        yield


def kinds(call: CallRequest) -> list[str]:
    return [e.kind for e in history("call", call.pk)]


def approved(people: dict[str, User], office: Office, *, language: str = "fr",
             by: str = "liaison_fr", channel: str = CallChannel.PORTAL) -> CallRequest:
    call, _ = requests.submit_call(
        requests.CallSubmission(
            principal="president-elect", office=office.pk, purpose="Congratulations; climate.",
            language=language, earliest=CALL_DAY - dt.timedelta(days=1), latest=CALL_DAY,
            local_start=dt.time(9, 0), local_end=dt.time(19, 0),
        ),
        by=people[by], channel=channel,
    )
    requests.triage_call(call, by=people["protocol"])
    return requests.approve_call(call, by=people["officer"])


def scheduled(people: dict[str, User], office: Office, hour: int = 10) -> CallRequest:
    call = approved(people, office)
    start = dt.datetime.combine(CALL_DAY, dt.time(hour, 0), NY)
    return scheduling.move_call(call, start, by=people["officer"])


@pytest.fixture
def macron(world: dict[str, Any]) -> Office:
    office: Office = world["pres_fr"]
    office.took_office = dt.date(2017, 5, 14)
    office.save(update_fields=["took_office"])
    return office


@pytest.fixture
def letter(submit: Any, people: dict[str, User], macron: Office) -> Any:
    """A letter from the Élysée, translated and delivered to the president-elect's office."""
    message = submit("Monsieur le Président élu, toutes mes félicitations.", office=macron,
                     by=people["liaison_fr"], subject=SUBJECT, language="fr")
    t = correspondence.request_translation(message, by=people["officer"], source_language="fr",
                                           target_language="en")
    correspondence.sign_off_translation(t, by=people["translator"], text=TRANSLATION)
    correspondence.deliver(message, by=people["officer"])
    return message


@pytest.fixture
def call(people: dict[str, User], macron: Office, interpreter: Interpreter,
         letter: Any) -> CallRequest:
    return scheduled(people, macron)


def pdf_text(content: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(content))
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def flat(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the package


def test_the_page_and_the_pdf_show_the_package(
    call: CallRequest, people: dict[str, User], letter: Any
) -> None:
    officer = people["officer"]
    package.draft_talking_points(call, "1. Congratulate.\n2. Climate: Paris Agreement.",
                                 by=officer)
    page = client_for(officer).get(f"/calls/{call.tracking}/package/")
    assert page.status_code == 200
    html = flat(body_of(page))
    for expected in (
        "Emmanuel Macron", "President of the French Republic", "10 years and 169 days",
        "Tuesday 2 November 2027, 10:00–10:30 EDT",  # consecutive interpretation: 2 × 15 min
        "Tuesday 2 November 2027, 15:00–15:30 CET",  # Paris already on winter time
        "Claire Fontaine", SUBJECT, TRANSLATION, "Climate: Paris Agreement",
        "Not yet cleared", "30 minutes with consecutive interpretation",
    ):
        assert expected in html, expected
    assert 'id="points-form"' in html and 'id="clear-form"' not in html  # an officer drafts
    assert Read.objects.filter(subject_type="call", subject_id=call.pk, user=officer,
                               via="web", part="package").count() == 1
    # The letter's content shown in the package is a read of the letter too.
    assert Read.objects.filter(subject_type="message", subject_id=letter.pk, user=officer,
                               part="package").exists()

    pdf = client_for(officer).get(f"/calls/{call.tracking}/package.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text, _ = pdf_text(pdf.content)
    text = flat(text)
    for expected in ("Emmanuel Macron", "10:00–10:30 EDT", "15:00–15:30 CET", "Claire Fontaine",
                     SUBJECT, "Congratulations on your election", "Paris Agreement"):
        assert expected in text, (expected, text)
    assert Read.objects.filter(subject_type="call", subject_id=call.pk, user=officer,
                               via="export", part="package").count() == 1


def test_a_japanese_name_renders_in_the_pdf(people: dict[str, User],
                                            world: dict[str, Any]) -> None:
    jp = Country.objects.create(code="JP", name="Japan")
    suga = Leader.objects.create(name="Yoshihide Suga", native_name="菅義偉", languages=["ja"],
                                 time_zone="Asia/Tokyo")
    office = Office.objects.create(leader=suga, country=jp, kind=Office.Kind.HEAD_OF_GOVERNMENT,
                                   title="Prime Minister of Japan",
                                   took_office=dt.date(2020, 9, 16))
    call = approved(people, office, language="ja", by="officer", channel=CallChannel.STAFF)
    response = client_for(people["staffer"]).get(f"/calls/{call.tracking}/package.pdf")
    assert response.status_code == 200
    text, fonts = pdf_text(response.content)
    assert "菅義偉" in text and "Not scheduled yet" in flat(text)
    assert any("CJK" in f for f in fonts), fonts  # drawn with a CJK font, not tofu


def test_prior_calls_and_correspondence_as_each_persona_may_see_them(
    call: CallRequest, people: dict[str, User], macron: Office, letter: Any
) -> None:
    earlier = scheduled(people, macron, hour=12)
    requests.record_attempt(earlier, by=people["officer"], outcome="connected")
    requests.complete_call(earlier, by=people["officer"], minutes=20)
    seen = package_context(fresh(call), people["staffer"])
    assert [c["call"].pk for c in seen["prior_calls"]] == [earlier.pk]
    assert [m["message"].pk for m in seen["correspondence"]] == [letter.pk]
    assert seen["correspondence"][0]["translation"].text == TRANSLATION
    # The interpreter reads the package of its call, but no one's correspondence.
    interpreter_user = call.interpreter.user  # type: ignore[union-attr]
    page = client_for(interpreter_user).get(f"/calls/{call.tracking}/package/")
    assert page.status_code == 200
    html = body_of(page)
    assert "Emmanuel Macron" in html and SUBJECT not in html
    assert 'id="points-form"' not in html and 'id="clear-form"' not in html
    # Nobody else's package: a liaison (even of the calling country), the other office.
    for who in ("liaison_fr", "liaison_ca", "staffer_vp"):
        assert client_for(people[who]).get(f"/calls/{call.tracking}/package/").status_code == 404
        assert client_for(people[who]).get(f"/calls/{call.tracking}/package.pdf"
                                           ).status_code == 404


def test_years_and_days_count_anniversaries() -> None:
    assert years_and_days(dt.date(2017, 5, 14), dt.date(2027, 10, 30)) == (10, 169)
    assert years_and_days(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == (1, 0)
    assert years_and_days(dt.date(2020, 11, 3), dt.date(2020, 11, 2)) == (0, 0)


# --------------------------------------------------------------------------- clearance


def test_clearance_and_a_redraft(call: CallRequest, people: dict[str, User]) -> None:
    officer, staffer = people["officer"], people["staffer"]
    office = client_for(staffer)
    # No talking points yet: the office is told why, and the service refuses with 409.
    page = office.get(f"/calls/{call.tracking}/package/")
    assert 'id="clear-form"' not in body_of(page) and "no talking points yet" in body_of(page)
    with pytest.raises(Conflict, match="no talking points"):
        package.clear_package(call, by=staffer)
    refused = office.post(f"/calls/{call.tracking}/package/clear/")
    assert refused.status_code == 409
    # Bad talking points: nothing written.
    with pytest.raises(InvalidInput, match="The talking points is empty"):
        package.draft_talking_points(call, "   ", by=officer)
    with pytest.raises(TooLarge):
        package.draft_talking_points(call, "x" * 20001, by=officer)
    bad = client_for(officer).post(f"/calls/{call.tracking}/package/points/", {"text": ""})
    assert bad.status_code == 422
    assert "call.talking_points" not in kinds(call)
    # Only officers draft; only the principal's own office clears.
    with pytest.raises(Forbidden):
        package.draft_talking_points(call, "Points.", by=staffer)
    assert office.post(f"/calls/{call.tracking}/package/points/",
                       {"text": "Points."}).status_code == 403

    points = "Congratulate; climate; NATO."
    ok = client_for(officer).post(f"/calls/{call.tracking}/package/points/", {"text": points})
    assert ok.status_code == 302
    with pytest.raises(Forbidden):
        package.clear_package(fresh(call), by=officer)
    with pytest.raises(Forbidden, match="another principal's office"):
        package.clear_package(fresh(call), by=people["staffer_vp"])
    assert client_for(people["liaison_fr"]).post(
        f"/calls/{call.tracking}/package/clear/").status_code == 404
    assert client_for(people["staffer_vp"]).post(
        f"/calls/{call.tracking}/package/clear/").status_code == 404
    assert fresh(call).state == CallState.SCHEDULED

    page = office.get(f"/calls/{call.tracking}/package/")
    assert 'id="clear-form"' in body_of(page) and 'id="points-form"' not in body_of(page)
    assert office.post(f"/calls/{call.tracking}/package/clear/").status_code == 302
    cleared = fresh(call)
    assert cleared.state == CallState.CLEARED and cleared.cleared_by == staffer
    assert cleared.cleared_at is not None
    event = Event.objects.filter(subject_type="call", subject_id=call.pk).order_by("-id")[0]
    assert event.kind == "call.package_cleared" and event.data["text"] == points
    assert event.actor == staffer
    assert "Cleared by staffer.pe" in body_of(office.get(f"/calls/{call.tracking}/package/"))
    with pytest.raises(Conflict):
        package.clear_package(cleared, by=staffer)  # cleared already

    # The same words again change nothing; new words need the office's clearance again.
    package.draft_talking_points(cleared, points, by=officer)
    assert kinds(call).count("call.talking_points") == 1
    package.draft_talking_points(cleared, points + " Trade.", by=officer)
    redrafted = fresh(call)
    assert redrafted.state == CallState.SCHEDULED
    assert (redrafted.cleared_by, redrafted.cleared_at) == (None, None)
    assert kinds(call)[-3:] == ["call.talking_points", "call.package_cleared",
                                "call.talking_points"]
    assert "Not yet cleared" in body_of(office.get(f"/calls/{call.tracking}/package/"))
    package.clear_package(redrafted, by=staffer)
    assert fresh(call).state == CallState.CLEARED


def test_points_are_drafted_before_scheduling_but_not_after_the_call(
    people: dict[str, User], macron: Office, interpreter: Interpreter
) -> None:
    call = approved(people, macron)
    package.draft_talking_points(call, "Early points.", by=people["officer"])
    assert fresh(call).state == CallState.APPROVED
    with pytest.raises(Conflict, match="only a scheduled call"):
        package.clear_package(fresh(call), by=people["staffer"])
    requests.decline_call(fresh(call), by=people["officer"], reason="No time this week.")
    with pytest.raises(Conflict):
        package.draft_talking_points(fresh(call), "Late points.", by=people["officer"])
    assert fresh(call).talking_points == "Early points."


# --------------------------------------------------------------------------- in the browser


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_office_reads_and_clears_the_package_in_chromium(
    live_server: Any, page: Any, call: CallRequest, people: dict[str, User]
) -> None:
    import os
    from pathlib import Path

    from playwright.sync_api import expect

    from tests.live import login

    package.draft_talking_points(call, "1. Congratulate.\n2. Climate.", by=people["officer"])
    base = live_server.url
    login(page, base, "staffer.pe")
    page.goto(f"{base}/calls/{call.tracking}/package/")
    expect(page.locator("#pkg-leader-time")).to_contain_text("15:00–15:30 CET")
    expect(page.locator("#pkg-principal-time")).to_contain_text("10:00–10:30 EDT")
    expect(page.locator("#pkg-cleared")).to_contain_text("Not yet cleared")
    if os.environ.get("CHANCERY_SCREENSHOTS") == "1":
        shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        page.screenshot(path=str(shots / "calls-package.png"), full_page=True)
    page.get_by_role("button", name="Clear the package").click()
    expect(page.locator(".notice.success")).to_contain_text("is cleared")
    expect(page.locator("#pkg-cleared")).to_contain_text("Cleared by staffer.pe")
    expect(page.get_by_role("button", name="Clear the package")).to_have_count(0)
    assert fresh(call).state == CallState.CLEARED
