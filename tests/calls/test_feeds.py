"""Calendar files: the subscribable feeds by secret token (no login; unknown or revoked: 404;
an interpreter's feed holds only its own calls), the issuing of tokens, and a call's .ics for
those who may see the call."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django.urls import reverse

from chancery.accounts.models import hash_token
from chancery.calls.models import FeedToken, Interpreter
from chancery.calls.services import invitations
from chancery.calls.services.interpreters import enroll_interpreter
from chancery.errors import Forbidden
from chancery.testing import client_for
from tests.calls.placed import ny, place


@pytest.fixture
def luc(people: dict[str, Any]) -> Interpreter:
    return enroll_interpreter(
        by=people["officer"], username="interp.paris", name="Luc Martin", languages=["fr"],
        time_zone="Europe/Paris", day_start="08:00", day_end="20:00", daily_cap=4,
        password="a-long-pass-phrase-2020",
    )


def _uids(response: Any) -> set[str]:
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["uid"]) for e in cal.walk("VEVENT")}


def test_an_interpreter_feed_holds_its_own_calls_only(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter, luc: Interpreter
) -> None:
    mine = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    theirs = place(world, people, at=ny(2020, 11, 11, 9, 0), interpreter=luc)
    token, secret = invitations.issue_feed_token(by=interpreter.user, interpreter=interpreter)
    assert token.digest == hash_token(secret) and secret not in token.digest
    assert not FeedToken.objects.filter(digest=secret).exists()  # only the hash is stored

    anonymous = client_for(None)
    response = anonymous.get(reverse("call_feed", args=[secret]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert _uids(response) == {f"{mine.tracking}@chancery"}
    assert f"{theirs.tracking}@chancery" not in response.content.decode()


def test_unknown_and_revoked_tokens_are_404(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    anonymous = client_for(None)
    assert anonymous.get(reverse("call_feed", args=["chf_nothing"])).status_code == 404
    _, old = invitations.issue_feed_token(by=interpreter.user, interpreter=interpreter)
    _, new = invitations.issue_feed_token(by=interpreter.user, interpreter=interpreter)
    assert anonymous.get(reverse("call_feed", args=[old])).status_code == 404  # rotated
    assert anonymous.get(reverse("call_feed", args=[new])).status_code == 200
    invitations.revoke_feed_tokens(by=interpreter.user, interpreter=interpreter)
    assert anonymous.get(reverse("call_feed", args=[new])).status_code == 404


def test_a_principal_feed_is_issued_by_officers_and_lists_its_calendar(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    pe_call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    vp_call = place(world, people, at=ny(2020, 11, 10, 11, 0), principal="vpe",
                    office="pm_ca", language="en")
    for who in ("liaison_ca", "staffer", "auditor"):
        with pytest.raises(Forbidden):
            invitations.issue_feed_token(by=people[who], principal=world["pe"])
    with pytest.raises(Forbidden):  # an interpreter's feed is its own
        invitations.issue_feed_token(by=people["officer"], interpreter=interpreter)
    _, secret = invitations.issue_feed_token(by=people["officer"], principal=world["pe"])
    response = client_for(None).get(reverse("call_feed", args=[secret]))
    assert _uids(response) == {f"{pe_call.tracking}@chancery"}
    assert vp_call.tracking not in response.content.decode()


def test_issuing_from_the_pages(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    client = client_for(interpreter.user)
    page = client.get(reverse("call_my_assignments"))
    assert page.status_code == 200
    assert "No feed address yet" in page.content.decode()
    issued = client.post(reverse("call_my_feed"))
    assert issued.status_code == 200
    html = issued.content.decode()
    start = html.index("http://testserver/calls/feeds/")
    url = html[start:html.index('"', start)]
    assert client_for(None).get(url).status_code == 200
    again = client.get(reverse("call_my_assignments")).content.decode()
    assert url not in again and "it is not shown again" in again

    officer = client_for(people["officer"])
    answer = officer.post(reverse("call_principal_feed", args=["president-elect"]))
    assert answer.status_code == 200
    assert "Calendar feed of the President-elect" in answer.content.decode()
    assert client_for(people["liaison_ca"]).post(
        reverse("call_principal_feed", args=["president-elect"])
    ).status_code == 403
    assert FeedToken.objects.filter(principal=world["pe"], revoked_at__isnull=True).count() == 1


def test_a_call_ics_for_those_who_may_see_the_call(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    url = reverse("call_ics", args=[call.tracking])
    assert url == f"/calls/{call.tracking}.ics"
    for who in (people["officer"], people["staffer"], people["auditor"], interpreter.user):
        response = client_for(who).get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"].startswith("text/calendar")
        assert _uids(response) == {f"{call.tracking}@chancery"}
    # Someone who may not see the call: 404, as for anything it may not see.
    for who in (people["staffer_vp"], people["liaison_ca"]):
        assert client_for(who).get(url).status_code == 404
    assert client_for(None).get(url).status_code in (302, 401)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_an_interpreter_subscribes_in_the_browser(
    live_server: Any, page: Any, world: dict[str, Any], people: dict[str, Any],
    interpreter: Interpreter,
) -> None:
    """In Chromium: the interpreter signs in, lands on its assignments (both local times),
    makes a feed address; a calendar application fetching it gets the interpreter's call; a new
    address replaces it."""
    import urllib.error
    import urllib.request

    from playwright.sync_api import expect

    from tests.live import login

    call = place(world, people, at=ny(2020, 11, 10, 9, 0), interpreter=interpreter)
    login(page, live_server.url, "interpreter.fr")
    expect(page).to_have_url(f"{live_server.url}/calls/my-assignments/")
    row = page.locator(f'tr[data-call="{call.tracking}"]')
    expect(row).to_contain_text("15:00–15:30 CET")
    expect(row).to_contain_text("09:00–09:30 EST")
    page.get_by_role("button", name="Make a feed address").click()
    address = page.get_by_label("Feed address").input_value()
    assert address.startswith(f"{live_server.url}/calls/feeds/chf_")
    with urllib.request.urlopen(address) as answer:  # noqa: S310 - the test server's own URL
        assert answer.headers["Content-Type"].startswith("text/calendar")
        uids = {str(e["uid"]) for e in icalendar.Calendar.from_ical(answer.read()).walk("VEVENT")}
    assert uids == {f"{call.tracking}@chancery"}
    page.get_by_role("button", name="Make a new feed address").click()
    assert page.get_by_label("Feed address").input_value() != address
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(address)  # noqa: S310
    assert gone.value.code == 404


def test_a_feed_costs_the_same_queries_for_more_calls(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = invitations.issue_feed_token(by=people["officer"], principal=world["pe"])
    client = client_for(None)
    url = reverse("call_feed", args=[secret])

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen.captured_queries)

    for day in (2, 3):
        place(world, people, at=ny(2020, 11, day, 9, 0), interpreter=interpreter)
    few = queries()
    for day in (4, 5, 6, 9, 10, 11):
        place(world, people, at=ny(2020, 11, day, 9, 0), interpreter=interpreter)
    assert queries() == few
