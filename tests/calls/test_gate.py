"""The support policy and call requests: a request made while the policy gates calls is
recorded, counted and visible to the principal's office, the liaison is told why, and it is not
in the queue; recording the status releases it (in order of receipt) in the same transaction;
the worker's sweep puts right what a status change could not see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from chancery import clock, worker
from chancery.calls.access import principal_calls
from chancery.calls.models import CallRequest, CallState
from chancery.calls.services import gate, ranking
from chancery.calls.services import requests as svc
from chancery.directory.models import Principal
from chancery.directory.services import (
    ConfirmationNeeded,
    set_principal_status,
    status_change_moves,
)
from chancery.errors import Conflict
from chancery.ledger import integrity
from chancery.ledger.services import history
from chancery.testing import set_policy


def request(world: dict[str, Any], by: Any, office: str = "pm_ca", **kw: Any) -> CallRequest:
    today = clock.now().date()
    call, _ = svc.submit_call(
        svc.CallSubmission(
            principal="president-elect", office=world[office].pk, purpose="A call.",
            language="en", earliest=today, latest=today + dt.timedelta(days=10), **kw,
        ),
        by=by,
    )
    return call


def kinds(call: CallRequest) -> list[str]:
    return list(history("call", call.pk).values_list("kind", flat=True))


def test_a_request_while_gated_is_recorded_counted_and_not_in_the_queue(
    world, people, gated
) -> None:
    call = request(world, people["liaison_ca"])
    assert call.waits_for == "ascertained" and call.gated
    assert history("call", call.pk).get().data["waits_for"] == "ascertained"
    status = svc.sender_status(call)
    assert status.startswith("Calls wait for 'Ascertained' under the President-elect's support")
    assert call.tracking in status and "enters the queue in order" in status
    # Counted and visible to the principal's office; not ranked.
    assert list(principal_calls(people["staffer"], "president-elect")) == [call]
    assert ranking.ranked(gated) == []
    with pytest.raises(Conflict, match="Calls wait for 'Ascertained'"):
        svc.triage_call(call, by=people["officer"])
    with pytest.raises(Conflict, match="wait"):
        svc.approve_call(call, by=people["staffer"])
    with pytest.raises(Conflict, match="wait"):
        svc.defer_call(call, by=people["officer"], reason="Later.")
    # A gated request may be declined (the liaison sees the reason).
    other = request(world, people["liaison_fr"], office="pres_fr")
    other = svc.decline_call(other, by=people["staffer"], reason="Not before ascertainment.")
    assert other.state == CallState.DECLINED


def test_recording_the_status_releases_in_order_of_receipt(world, people, gated) -> None:
    first = request(world, people["liaison_ca"])
    second = request(world, people["liaison_fr"], office="pres_fr")
    assert status_change_moves(gated, "ascertained") == 2  # no message waits; two calls
    with pytest.raises(ConfirmationNeeded):
        set_principal_status(gated, by=people["admin"], status="ascertained", confirm=None)
    set_principal_status(gated, by=people["admin"], status="ascertained")
    for call in (first, second):
        call.refresh_from_db()
        assert call.waits_for == "" and kinds(call) == ["call.requested", "call.gate_released"]
        event = history("call", call.pk).last()
        assert event is not None
        assert event.data["status"] == "ascertained" and event.actor == people["admin"]
    released = list(
        history("call", first.pk).filter(kind="call.gate_released").values_list("id", flat=True)
    ) + list(
        history("call", second.pk).filter(kind="call.gate_released").values_list("id", flat=True)
    )
    assert released == sorted(released)  # first received, first released
    # In the queue now, by precedence: the head of state before the head of government.
    assert [c.pk for c, _ in ranking.ranked(gated)] == [second.pk, first.pk]
    triaged = svc.triage_call(first, by=people["officer"])
    assert triaged.rank == 2 and "head of state before head of government" in triaged.rank_reason
    # A new request once the gate is open is not gated.
    assert not request(world, people["liaison_ca"]).gated


def test_closing_the_gate_again_holds_requests_not_yet_approved(world, people) -> None:
    pe = world["pe"]
    open_call = request(world, people["liaison_ca"])
    approved = svc.approve_call(
        svc.triage_call(request(world, people["liaison_fr"], office="pres_fr"),
                        by=people["officer"]),
        by=people["officer"],
    )
    # A support policy set in the admin (not a status change): the worker's sweep follows it.
    set_policy(pe, Principal.Status.INAUGURATED)
    assert gate.sync_call_gates() == 1
    open_call.refresh_from_db()
    approved.refresh_from_db()
    assert open_call.waits_for == "inaugurated" and kinds(open_call)[-1] == "call.gated"
    assert history("call", open_call.pk).last().data["waits_for"] == "inaugurated"
    assert approved.waits_for == "" and kinds(approved)[-1] == "call.approved"
    assert gate.sync_call_gates() == 0  # nothing left to do
    # Status inaugurated releases it, in the status change's own transaction.
    set_principal_status(pe, by=people["admin"], status="inaugurated")
    open_call.refresh_from_db()
    assert not open_call.waits_for and kinds(open_call)[-1] == "call.gate_released"


def test_the_sweep_releases_what_a_status_change_missed_and_skips_disputed(
    world, people, gated
) -> None:
    call = request(world, people["liaison_ca"])
    # The policy lifted in the admin: the request no longer waits (the worker's pass).
    set_policy(gated, "")
    assert worker.run_once()["calls_gated"] == 1
    call.refresh_from_db()
    assert not call.gated and kinds(call)[-1] == "call.gate_released"
    # A principal whose row was changed behind the application's back is left alone.
    held = request(world, people["liaison_fr"], office="pres_fr")
    assert not held.gated
    with connection.cursor() as cur:
        cur.execute("UPDATE directory_principal SET delivery_requires = 'inaugurated' "
                    "WHERE id = %s", [gated.pk])
    integrity.check_changed_rows()
    assert gated.pk in set(integrity.disputed("principal"))
    assert gate.sync_call_gates() == 0
    held.refresh_from_db()
    assert not held.gated


def test_the_admin_page_confirms_and_reports_messages_and_call_requests_apart(
    world: dict[str, Any], people: dict[str, Any], gated: Principal, submit: Any
) -> None:
    """Recording ascertainment on the admin page: the confirmation counts the held messages and
    the call requests each by name, and what it released is reported the same way."""
    from chancery.testing import client_for

    submit("One")
    call = request(world, people["liaison_ca"])
    c = client_for(people["admin"])
    ask = {"principal": "president-elect", "status": "ascertained", "note": "GSA letter"}
    html = c.post("/admin-tools/principals/", ask).content.decode()
    assert "2 items will move" in html
    assert "releases 1 message and 1 call request held under its support policy" in html
    done = c.post("/admin-tools/principals/", {**ask, "confirm": "2"}, follow=True)
    text = done.content.decode()
    assert "1 held message released and delivered in order of receipt" in text
    assert f"1 call request released into its queue in order: {call.tracking}" in text
