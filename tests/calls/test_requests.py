"""Call requests through the services, as the personas use them: intake (every bad input a
clear 4xx with nothing written), idempotency, the lifecycle with its events, every refusal."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from chancery import clock
from chancery.calls.models import CallRequest, CallState, ContactAttempt, Invitation
from chancery.calls.services import invitations
from chancery.calls.services import requests as svc
from chancery.calls.services.actions import allowed_actions, may
from chancery.directory.models import Office
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from chancery.ledger.models import Event
from chancery.ledger.services import history


def today() -> dt.date:
    return clock.now().date()


def submission(world: dict[str, Any], **kw: Any) -> svc.CallSubmission:
    fields: dict[str, Any] = {
        "principal": "president-elect", "office": world["pm_ca"].pk,
        "purpose": "Congratulations; climate and the border.", "language": "en",
        "earliest": today() + dt.timedelta(days=1), "latest": today() + dt.timedelta(days=14),
    }
    fields.update(kw)
    return svc.CallSubmission(**fields)


def kinds(call: CallRequest) -> list[str]:
    return list(history("call", call.pk).values_list("kind", flat=True))


@pytest.fixture
def call(world: dict[str, Any], people: dict[str, Any]) -> CallRequest:
    made, _ = svc.submit_call(submission(world), by=people["liaison_ca"])
    return made


def schedule(call: CallRequest) -> CallRequest:
    """Put an approved call on the calendar (the row and its invitation; the scheduling part
    writes its own event), for the steps after it."""
    start = clock.now() + dt.timedelta(days=2)
    CallRequest.objects.filter(pk=call.pk).update(
        state=CallState.SCHEDULED, start=start, end=start + dt.timedelta(minutes=15), sequence=1
    )
    call = CallRequest.objects.get(pk=call.pk)
    invitations.invite(call)
    return call


# --------------------------------------------------------------------------- intake


def test_a_liaison_requests_a_call_and_the_event_records_it(world, people) -> None:
    call, created = svc.submit_call(
        submission(world, language="fr", duration=20), by=people["liaison_ca"],
        channel="portal",
    )
    assert created
    assert call.tracking.startswith(f"CALL-{call.received_at.year}-")
    assert call.time_zone == "America/Toronto"  # the leader's, by default
    assert call.state == CallState.REQUESTED and not call.gated
    assert call.planned_minutes == 40  # interpreted consecutively
    event = history("call", call.pk).get()
    assert event.kind == "call.requested"
    assert event.data["office"] == world["pm_ca"].pk
    assert event.data["waits_for"] == "" and event.data["local_start"] == "08:00"
    assert event.data["purpose"] == call.purpose  # in the row; the leaf has a commitment
    assert call.purpose.encode() not in bytes(event.leaf)
    assert svc.sender_status(call).startswith("Received")


def test_a_retry_with_the_same_key_returns_the_first_and_a_different_body_is_409(
    world, people
) -> None:
    sub = submission(world)
    first, created = svc.submit_call(sub, by=people["liaison_ca"], idempotency_key="k-1")
    again, created_again = svc.submit_call(sub, by=people["liaison_ca"], idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(Conflict) as exc:
        svc.submit_call(replace(sub, duration=30), by=people["liaison_ca"],
                        idempotency_key="k-1")
    assert exc.value.field == "Idempotency-Key" and first.tracking in exc.value.message
    # Another liaison may use the same key for its own request.
    other, created_other = svc.submit_call(
        submission(world, office=world["pres_fr"].pk), by=people["liaison_fr"],
        idempotency_key="k-1",
    )
    assert created_other and other.pk != first.pk
    assert CallRequest.objects.count() == 2
    assert Event.objects.filter(kind="call.requested").count() == 2


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"principal": "nobody"}, NotFound, "principal"),
        ({"office": 999999}, NotFound, "office"),
        ({"office": "x"}, InvalidInput, "office"),
        ({"purpose": "  "}, InvalidInput, "purpose"),
        ({"purpose": "x" * 4001}, TooLarge, "purpose"),
        ({"language": "xx"}, InvalidInput, "language"),
        ({"language": "english"}, InvalidInput, "language"),
        ({"time_zone": "Mars/Olympus"}, InvalidInput, "time_zone"),
        ({"time_zone": "EST5EDT "}, InvalidInput, "time_zone"),
        ({"duration": 4}, InvalidInput, "duration"),
        ({"duration": 121}, InvalidInput, "duration"),
        ({"duration": True}, InvalidInput, "duration"),
        ({"local_start": dt.time(20, 0), "local_end": dt.time(8, 0)}, InvalidInput, "local_end"),
        ({"local_start": dt.time(9, 0), "local_end": dt.time(9, 0)}, InvalidInput, "local_end"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    world, people, change, error, field
) -> None:
    with pytest.raises(error) as exc:
        svc.submit_call(submission(world, **change), by=people["liaison_ca"])
    assert exc.value.field == field
    assert exc.value.message
    assert not CallRequest.objects.exists() and not Event.objects.filter(
        subject_type="call").exists()


def test_windows_past_reversed_or_too_long_are_refused(world, people) -> None:
    liaison = people["liaison_ca"]
    t = today()
    cases = [
        ({"earliest": t - dt.timedelta(days=9), "latest": t - dt.timedelta(days=2)}, "past"),
        ({"earliest": t + dt.timedelta(days=5), "latest": t + dt.timedelta(days=4)},
         "before earliest"),
        ({"earliest": t, "latest": t + dt.timedelta(days=60)}, "at most 60 days"),
    ]
    for change, words in cases:
        with pytest.raises(InvalidInput) as exc:
            svc.submit_call(submission(world, **change), by=liaison)
        assert exc.value.field == "latest" and words in exc.value.message
    # 60 days inclusive is accepted; a window that began yesterday but runs on is too.
    svc.submit_call(submission(world, earliest=t, latest=t + dt.timedelta(days=59)), by=liaison)
    svc.submit_call(submission(world, earliest=t - dt.timedelta(days=1), latest=t), by=liaison)
    assert CallRequest.objects.count() == 2


def test_who_may_request_and_for_which_office(world, people) -> None:
    with pytest.raises(Forbidden) as exc:
        svc.submit_call(submission(world, office=world["pres_fr"].pk), by=people["liaison_ca"])
    assert exc.value.field == "office" and "France" in exc.value.message
    for persona in ("staffer", "translator", "auditor"):
        with pytest.raises(Forbidden):
            svc.submit_call(submission(world), by=people[persona])
    with pytest.raises(InvalidInput) as bad_channel:
        svc.submit_call(submission(world), by=people["liaison_ca"], channel="staff")
    assert bad_channel.value.field == "channel"
    # An officer enters a request for any office, by the staff channel.
    call, _ = svc.submit_call(
        submission(world, office=world["pres_fr"].pk), by=people["officer"], channel="staff"
    )
    assert call.channel == "staff" and call.time_zone == "Europe/Paris"
    assert CallRequest.objects.count() == 1


def test_an_office_without_a_leader_or_out_of_office_is_refused(world, people) -> None:
    ministry = Office.objects.create(country=world["ca"], kind=Office.Kind.MINISTRY,
                                     title="Global Affairs Canada")
    with pytest.raises(InvalidInput) as exc:
        svc.submit_call(submission(world, office=ministry.pk), by=people["liaison_ca"])
    assert exc.value.field == "office" and "no leader" in exc.value.message
    Office.objects.filter(pk=world["pm_ca"].pk).update(left_office=dt.date(2020, 1, 1))
    with pytest.raises(InvalidInput) as left:
        svc.submit_call(submission(world), by=people["liaison_ca"])
    assert "left office" in left.value.message
    assert not CallRequest.objects.exists()


# --------------------------------------------------------------------------- the lifecycle


def test_the_whole_lifecycle_with_its_events(world, people, call) -> None:
    officer, staffer = people["officer"], people["staffer"]
    call = svc.triage_call(call, by=officer, note="Neighbour; early.")
    assert call.state == CallState.TRIAGED and call.rank == 1 and call.rank_reason
    assert call.tier == ""  # the default policy has no tiers
    call = svc.approve_call(call, by=staffer)  # the principal's office approves
    assert call.state == CallState.APPROVED
    call = schedule(call)
    attempt = svc.record_attempt(call, by=officer, outcome="no_answer", note="Line rang out.")
    assert attempt.outcome == "no_answer"
    assert CallRequest.objects.get(pk=call.pk).state == CallState.SCHEDULED
    svc.record_attempt(call, by=officer, outcome="connected")
    call = CallRequest.objects.get(pk=call.pk)
    assert call.state == CallState.CONNECTED and call.connected_at is not None
    call = svc.complete_call(call, by=officer, minutes=18)
    assert call.state == CallState.COMPLETED and call.completed_at is not None
    assert kinds(call) == [
        "call.requested", "call.triaged", "call.approved", "call.attempt", "call.attempt",
        "call.connected", "call.completed",
    ]
    events = list(history("call", call.pk))
    assert events[1].data == {"call": call.tracking, "principal": "president-elect",
                              "tier": "", "rank": 1, "note": "Neighbour; early."}
    assert events[4].data["outcome"] == "connected"
    assert events[-1].data["minutes"] == 18
    assert svc.sender_status(call) == "The call took place."


def test_decline_and_defer_of_a_scheduled_call_clear_its_time_and_cancel(
    world, people, call
) -> None:
    officer = people["officer"]
    call = svc.approve_call(svc.triage_call(call, by=officer), by=officer)
    call = schedule(call)
    call = svc.defer_call(call, by=officer, reason="The principal travels that week.")
    assert call.state == CallState.DEFERRED and call.start is None and call.sequence == 2
    assert call.defer_reason == "The principal travels that week."
    assert kinds(call)[-2:] == ["call.unscheduled", "call.deferred"]
    cancel = Invitation.objects.get(call=call, method="CANCEL")
    assert cancel.sequence == 2 and "STATUS:CANCELLED" in cancel.ics
    # A deferred request is triaged again, then declined.
    call = svc.triage_call(call, by=officer)
    call = svc.decline_call(call, by=people["staffer"], reason="Not this month.")
    assert call.state == CallState.DECLINED and call.decline_reason == "Not this month."
    assert kinds(call)[-2:] == ["call.triaged", "call.declined"]
    assert svc.sender_status(call) == "Declined: Not this month."


def test_failure_after_attempts(world, people, call) -> None:
    officer = people["officer"]
    call = schedule(svc.approve_call(svc.triage_call(call, by=officer), by=officer))
    with pytest.raises(Conflict) as none_yet:
        svc.fail_call(call, by=officer, reason="No answer.")
    assert "no contact attempt" in none_yet.value.message
    svc.record_attempt(call, by=officer, outcome="busy")
    call = svc.fail_call(call, by=officer, reason="Busy three times.")
    assert call.state == CallState.FAILED
    assert kinds(call)[-2:] == ["call.attempt", "call.failed"]


def test_every_refusal_says_why(world, people, call) -> None:
    officer, staffer, liaison = people["officer"], people["staffer"], people["liaison_ca"]
    # who: 403
    for action, by in [
        (lambda: svc.triage_call(call, by=staffer), "triage"),
        (lambda: svc.triage_call(call, by=liaison), "triage"),
        (lambda: svc.approve_call(call, by=people["staffer_vp"]), "another principal"),
        (lambda: svc.decline_call(call, by=liaison, reason="x"), "decline"),
        (lambda: svc.approve_call(call, by=people["auditor"]), "approve"),
        (lambda: svc.record_attempt(call, by=staffer, outcome="busy"), "attempt"),
    ]:
        with pytest.raises(Forbidden) as exc:
            action()
        assert by in exc.value.message
    # now: 409
    with pytest.raises(Conflict, match="not triaged yet"):
        svc.approve_call(call, by=officer)
    with pytest.raises(Conflict, match="scheduled or cleared"):
        svc.record_attempt(call, by=officer, outcome="busy")
    with pytest.raises(Conflict, match="only a connected call"):
        svc.complete_call(call, by=officer)
    with pytest.raises(Conflict, match="scheduled or cleared"):
        svc.fail_call(call, by=officer, reason="x")
    # input: 422
    with pytest.raises(InvalidInput) as empty:
        svc.decline_call(call, by=officer, reason=" ")
    assert empty.value.field == "reason"
    with pytest.raises(InvalidInput) as outcome:
        svc.record_attempt(call, by=officer, outcome="maybe")
    assert outcome.value.field == "outcome"
    with pytest.raises(InvalidInput) as minutes:
        svc.complete_call(call, by=officer, minutes=0)
    assert minutes.value.field == "minutes"
    call = svc.decline_call(call, by=officer, reason="No.")
    for action in (
        lambda: svc.triage_call(call, by=officer),
        lambda: svc.defer_call(call, by=officer, reason="x"),
        lambda: svc.decline_call(call, by=officer, reason="x"),
    ):
        with pytest.raises(Conflict, match="declined"):
            action()
    assert kinds(call) == ["call.requested", "call.declined"]
    assert not ContactAttempt.objects.exists()


def test_allowed_actions_match_what_the_services_accept(world, people, call) -> None:
    officer, staffer, liaison = people["officer"], people["staffer"], people["liaison_ca"]
    offered = {a.action for a in allowed_actions(call, officer) if a}
    assert offered == {"triage", "defer", "decline"}
    assert {a.action for a in allowed_actions(call, staffer) if a} == {"defer", "decline"}
    assert not any(allowed_actions(call, liaison))
    assert may(call, people["staffer_vp"], "approve").stage == "who"
    assert may(call, staffer, "approve").stage == "now"
    assert may(call, officer, "approve").stage == "now"
    call = svc.approve_call(svc.triage_call(call, by=officer), by=officer)
    assert {a.action for a in allowed_actions(call, officer) if a} == {
        "defer", "decline", "schedule", "move", "draft_points",
    }  # no "reassign" before the call has a time: the scheduler chooses its interpreter
    assert "no time yet" in may(call, officer, "reassign").reason
    call = schedule(call)
    assert may(call, officer, "reassign")
    assert not may(call, staffer, "clear_package")  # no talking points yet
    CallRequest.objects.filter(pk=call.pk).update(talking_points="Thank him.")
    call = CallRequest.objects.get(pk=call.pk)
    assert may(call, staffer, "clear_package")
    assert not may(call, people["staffer_vp"], "clear_package")
    assert not may(call, officer, "clear_package")
    with pytest.raises(ValueError):
        may(call, officer, "dance")
