"""The officers' and principals' offices' call pages, per persona: the queue in precedence order
with its reasons, gated requests listed apart, a call's page and its action panel posting to the
services (refusals shown, nothing changed), a principal's office's list, who is kept out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.calls.models import CallRequest, CallState, ScheduleRun
from chancery.calls.services import ranking, requests
from chancery.calls.services.requests import CallSubmission, submit_call
from chancery.ledger.models import Read
from chancery.ledger.services import history
from chancery.testing import body_of, client_for, fresh

NY = ZoneInfo("America/New_York")


def _days(n: int) -> dt.date:
    return (clock.now().astimezone(NY) + dt.timedelta(days=n)).date()


def _submit(world: dict[str, Any], by: User, office: str, language: str,
            purpose: str, principal: str = "president-elect") -> CallRequest:
    call, _ = submit_call(
        CallSubmission(principal=principal, office=world[office].pk, purpose=purpose,
                       language=language, earliest=_days(2), latest=_days(8)),
        by=by,
    )
    return call


@pytest.fixture
def calls(world: dict[str, Any], people: dict[str, User]) -> dict[str, CallRequest]:
    """Canada's prime minister and France's president ask the president-elect for a call."""
    return {
        "ca": _submit(world, people["liaison_ca"], "pm_ca", "en", "Climate and trade"),
        "fr": _submit(world, people["liaison_fr"], "pres_fr", "fr", "Alliance matters"),
    }


def _kinds(call: CallRequest) -> list[str]:
    return [e.kind for e in history("call", call.pk)]


def _rows(html: str, table_id: str) -> list[str]:
    """The tracking numbers in table ``table_id``, in order ([] for an empty list)."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    if table is None:
        return []
    return re.findall(r'data-tracking="(CALL-\d{4}-\d+)"', table.group(0))


# --------------------------------------------------------------------------- the queue


def test_queue_lists_open_requests_in_precedence_order_with_reasons(
    people: dict[str, User], calls: dict[str, CallRequest], world: dict[str, Any]
) -> None:
    order = ranking.ranked(world["pe"])
    # Ceremonial precedence: a head of state before a head of government.
    assert [c.pk for c, _ in order] == [calls["fr"].pk, calls["ca"].pk]
    for who in ("officer", "auditor", "staffer"):
        html = body_of(client_for(people[who]).get("/calls/"))
        assert _rows(html, "queue") == [calls["fr"].tracking, calls["ca"].tracking], who
        for _, place in order:
            assert place.reason and place.reason in html.replace("&#x27;", "'")
        assert 'id="gated-count">0<' in html


def test_gated_requests_are_listed_apart_and_counted(
    gated: Any, people: dict[str, User], world: dict[str, Any]
) -> None:
    held = _submit(world, people["liaison_ca"], "pm_ca", "en", "Held by the policy")
    assert held.waits_for
    for who in ("officer", "staffer"):
        html = body_of(client_for(people[who]).get("/calls/"))
        assert _rows(html, "queue") == []
        assert _rows(html, "gated") == [held.tracking]
        assert 'id="gated-count">1<' in html
        assert "waits for ascertainment" in html
        assert "1 request waits for the support policy" in html
    # The state tabs list it too ("waiting for the support policy").
    html = body_of(client_for(people["officer"]).get("/calls/?show=gated"))
    assert _rows(html, "calls") == [held.tracking]


def test_queue_tabs_filter_by_state(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    requests.triage_call(calls["ca"], by=people["officer"])
    c = client_for(people["officer"])
    assert _rows(body_of(c.get("/calls/?show=triaged")), "calls") == [calls["ca"].tracking]
    assert _rows(body_of(c.get("/calls/?show=requested")), "calls") == [calls["fr"].tracking]
    assert set(_rows(body_of(c.get("/calls/?show=all")), "calls")) == {
        calls["ca"].tracking, calls["fr"].tracking}
    assert _rows(body_of(c.get("/calls/?show=all&q=France")), "calls") == [calls["fr"].tracking]


def test_queue_is_for_internal_people_of_the_right_principal(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    # The other principal's office sees its own (empty) queue, never the president-elect's.
    vp = client_for(people["staffer_vp"])
    html = body_of(vp.get("/calls/"))
    assert calls["ca"].tracking not in html and calls["fr"].tracking not in html
    assert vp.get("/calls/?principal=president-elect").status_code == 403
    assert vp.get("/calls/calendar/?principal=president-elect").status_code == 403
    assert vp.get("/principals/president-elect/calls/").status_code == 403
    assert vp.get(f"/calls/{calls['ca'].tracking}/").status_code == 404
    # A translator is not part of calls.
    assert client_for(people["translator"]).get("/calls/").status_code == 403
    # Anonymous: to the login page.
    assert client_for(None).get("/calls/").status_code == 302


def test_a_liaison_follows_its_call_in_the_portal_not_here(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    liaison = client_for(people["liaison_ca"])
    response = liaison.get(f"/calls/{calls['ca'].tracking}/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal-calls/{calls['ca'].tracking}/"
    assert liaison.get("/calls/")["Location"] == "/portal-calls/"
    html = body_of(liaison.get(f"/calls/{calls['ca'].tracking}/", follow=True))
    assert "Record a contact attempt" not in html and 'id="act-triage"' not in html
    # Another mission's request does not exist for it.
    assert liaison.get(f"/calls/{calls['fr'].tracking}/").status_code == 404
    # And it cannot act.
    response = liaison.post(f"/calls/{calls['ca'].tracking}/act/triage/")
    assert response.status_code == 404
    assert fresh(calls["ca"]).state == CallState.REQUESTED


# --------------------------------------------------------------------------- a call's page


def test_call_page_shows_details_both_zones_and_records_the_purpose_read(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    call = calls["fr"]
    html = body_of(client_for(people["officer"]).get(f"/calls/{call.tracking}/"))
    assert "Emmanuel Macron" in html and "Alliance matters" in html
    assert "Europe/Paris" in html and "America/New_York" in html
    assert "consecutive interpretation: 30 min" in html
    assert 'id="act-triage"' in html and 'id="act-decline"' in html
    assert 'id="act-attempt"' not in html  # not scheduled: no attempt offered
    assert "Requested" in html and "call.requested" not in html  # the kind's label
    reads = Read.objects.filter(subject_type="call", subject_id=call.pk)
    assert [(r.user, r.part, r.via) for r in reads] == [(people["officer"], "request", "web")]
    # The auditor reads it too (recorded) and has no actions.
    html = body_of(client_for(people["auditor"]).get(f"/calls/{call.tracking}/"))
    assert "Alliance matters" in html and 'id="actions"' not in html
    assert Read.objects.filter(subject_type="call", subject_id=call.pk).count() == 2


def test_action_posts_go_through_the_services_with_their_events(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    call = calls["ca"]
    officer = client_for(people["officer"])
    response = officer.post(f"/calls/{call.tracking}/act/triage/", {"note": "priority ally"})
    assert response.status_code == 302 and response["Location"] == f"/calls/{call.tracking}/"
    assert fresh(call).state == CallState.TRIAGED
    # The principal's office approves its principal's call.
    response = client_for(people["staffer"]).post(f"/calls/{call.tracking}/act/approve/")
    assert response.status_code == 302
    assert fresh(call).state == CallState.APPROVED
    html = body_of(officer.get(f"/calls/{call.tracking}/"))
    assert "is approved" not in html  # (the flash went to the staffer's session)
    assert 'id="act-move"' in html
    response = officer.post(f"/calls/{call.tracking}/act/decline/",
                            {"reason": "The principal cannot take it this month."})
    assert fresh(call).state == CallState.DECLINED
    assert _kinds(call) == ["call.requested", "call.triaged", "call.approved", "call.declined"]
    html = body_of(officer.get(f"/calls/{call.tracking}/"))
    assert "The principal cannot take it this month." in html


def test_refusals_are_shown_and_change_nothing(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    call = calls["ca"]
    officer = client_for(people["officer"])
    # Declining needs a reason: 422 with the service's message, the form kept open.
    response = officer.post(f"/calls/{call.tracking}/act/decline/", {"reason": "  "})
    assert response.status_code == 422
    html = body_of(response)
    assert 'class="notice error"' in html and 'id="act-decline" open' in html
    # Approving before triage: a 409 in words.
    response = officer.post(f"/calls/{call.tracking}/act/approve/")
    assert response.status_code == 409
    # The auditor changes nothing (403); an unknown action is a 404.
    assert client_for(people["auditor"]).post(
        f"/calls/{call.tracking}/act/triage/").status_code == 403
    assert officer.post(f"/calls/{call.tracking}/act/explode/").status_code == 404
    # Other parts' pages under calls/ are not taken for a tracking number.
    assert officer.get("/calls/interpreters/").status_code == 200
    # Moving a request that is not approved: refused, nothing placed.
    response = officer.post(f"/calls/{call.tracking}/act/move/",
                            {"start": f"{_days(3)}T10:00"})
    assert response.status_code in (403, 409, 422)
    now = fresh(call)
    assert now.state == CallState.REQUESTED and now.start is None
    assert _kinds(call) == ["call.requested"]
    assert not ScheduleRun.objects.exists()


def test_move_from_the_call_page_fixes_it_and_queues_a_re_solve(
    people: dict[str, User], calls: dict[str, CallRequest]
) -> None:
    call = calls["ca"]
    requests.triage_call(call, by=people["officer"])
    requests.approve_call(call, by=people["officer"])
    officer = client_for(people["officer"])
    day = _days(3)
    # A time the clocks skip, garbage, outside the principal's hours: 422, nothing moved.
    for bad in ("tomorrow at ten", f"{day}T03:00", ""):
        response = officer.post(f"/calls/{call.tracking}/act/move/", {"start": bad})
        assert response.status_code == 422, bad
        assert 'class="notice error"' in body_of(response)
    assert fresh(call).start is None and _kinds(call)[-1] == "call.approved"
    response = officer.post(f"/calls/{call.tracking}/act/move/", {"start": f"{day}T10:00"})
    assert response.status_code == 302
    assert response["Location"].startswith("/calls/calendar/?principal=president-elect")
    assert "run=" in response["Location"] and f"moved={call.tracking}" in response["Location"]
    moved = fresh(call)
    assert moved.fixed and moved.state == CallState.SCHEDULED
    assert moved.start == dt.datetime.combine(day, dt.time(10), tzinfo=NY)
    assert "call.scheduled" in _kinds(call)
    assert ScheduleRun.objects.filter(state=ScheduleRun.State.QUEUED).count() == 1


# --------------------------------------------------------------------------- a principal's calls


def test_the_principals_office_sees_every_request_addressed_to_it(
    gated: Any, people: dict[str, User], world: dict[str, Any]
) -> None:
    held = _submit(world, people["liaison_ca"], "pm_ca", "en", "Held")
    other = _submit(world, people["liaison_fr"], "pres_fr", "fr", "To the VP",
                    principal="vice-president-elect")
    staffer = client_for(people["staffer"])
    html = body_of(staffer.get("/principals/president-elect/calls/"))
    assert _rows(html, "principal-calls") == [held.tracking]
    assert "waits for ascertainment" in html and 'id="gated-notice"' in html
    assert other.tracking not in html
    html = body_of(staffer.get("/principals/president-elect/calls/?show=gated"))
    assert _rows(html, "principal-calls") == [held.tracking]
    html = body_of(client_for(people["officer"]).get("/principals/vice-president-elect/calls/"))
    assert _rows(html, "principal-calls") == [other.tracking]
    assert client_for(people["liaison_ca"]).get(
        "/principals/president-elect/calls/").status_code == 403
