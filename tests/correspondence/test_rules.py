"""Issue section 4, "no silent withholding": a persona test for every rule.

Each test drives the service functions the API, the web UI and the worker use, with the personas
of tests/fixtures.py, and moves time with ``clock.travel``.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from chancery import clock, worker
from chancery.correspondence import services
from chancery.correspondence.access import (
    access_message,
    can_read_content,
    message_reads,
    read_content,
    visible_messages,
)
from chancery.correspondence.models import Hold, Message, Notification, State
from chancery.correspondence.present import message_dict
from chancery.directory.models import Principal, StatusChange
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound
from chancery.ledger.models import Event
from chancery.ledger.services import record_event
from chancery.testing import fresh, set_policy

H = timedelta(hours=1)
S = timedelta(seconds=1)


def events(message: Message) -> list[Event]:
    return list(
        Event.objects.filter(subject_type="message", subject_id=message.pk)
        .select_related("actor")
        .order_by("id")
    )


def kinds(message: Message) -> list[str]:
    return [e.kind for e in events(message)]


def active_hold(message: Message) -> Hold | None:
    return Hold.objects.filter(message=message, released_at__isnull=True).first()


@pytest.fixture
def short_holds(settings: Any) -> Any:
    """Holds lapse after 1 h unconfirmed and end 3 h after placement once confirmed."""
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    settings.CHANCERY_HOLD_MAX_HOURS = 3
    return settings


# --------------------------------------------------------------------------- 4a the office sees


def test_4a_office_sees_every_message_addressed_to_it_from_reception(
    submit: Any, people: dict[str, Any], world: dict[str, Any]
) -> None:
    first = submit("Message one")
    second = submit("Message deux", by=people["liaison_fr"], office=world["pres_fr"])
    to_vp = submit("For the Vice President-elect", principal="vice-president-elect")

    seen = set(visible_messages(people["staffer"]).values_list("pk", flat=True))
    assert seen == {first.pk, second.pk}
    assert set(visible_messages(people["staffer_vp"]).values_list("pk", flat=True)) == {to_vp.pk}
    # The office sees them the moment they are received: nothing has been triaged or delivered.
    assert {m.state for m in visible_messages(people["staffer"])} == {State.RECEIVED}
    for m in (first, second):
        assert access_message(people["staffer"], m.tracking).pk == m.pk
        # ...but the other principal's staffer does not even learn that they exist.
        with pytest.raises(NotFound):
            access_message(people["staffer_vp"], m.tracking)


def test_4a_held_message_shows_hold_not_content(submit: Any, people: dict[str, Any]) -> None:
    message = submit("Contenu confidentiel", subject="Lettre du Premier ministre")
    hold = services.place_hold(
        message, by=people["officer"], category="authenticity", reason="Verify the signature"
    )
    services.confirm_hold(hold, by=people["officer2"])
    staffer = people["staffer"]

    out = message_dict(fresh(message), staffer, via="web")
    assert out["sender"] == str(message.sender_office)
    assert out["received_at"] == message.received_at
    assert out["channel"] == message.channel
    assert out["content_visible"] is False
    assert "body" not in out and out["subject"] is None
    shown = out["hold"]
    assert shown["category"] == "authenticity"
    assert shown["reason"] == "Verify the signature"
    assert shown["placed_by"] == "officer.one"
    assert shown["confirmed_by"] == "officer.two"
    assert shown["expires_at"] == Hold.objects.get(pk=hold.pk).expires_at
    assert shown["placed_at"] == hold.placed_at
    assert not can_read_content(staffer, fresh(message))
    with pytest.raises(Forbidden):
        read_content(staffer, fresh(message), via="web")
    assert not message_reads().filter(user=staffer).exists()

    # The other principal's office sees none of it.
    assert not visible_messages(people["staffer_vp"]).filter(pk=message.pk).exists()
    assert not can_read_content(people["staffer_vp"], fresh(message))

    services.release_hold(hold, by=people["officer"], reason="Signature verified")
    assert not can_read_content(staffer, fresh(message))  # released, but not yet delivered
    services.deliver(fresh(message), by=people["officer"])
    assert can_read_content(staffer, fresh(message))
    out = message_dict(fresh(message), staffer, via="web")
    assert out["body"] == "Contenu confidentiel"
    assert out["subject"] == "Lettre du Premier ministre"
    assert message_reads(message).filter(user=staffer, via="web").count() == 1
    assert not can_read_content(people["staffer_vp"], fresh(message))


def test_4a_office_cannot_read_before_delivery_even_without_a_hold(
    submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    services.triage(message, by=people["officer"])
    assert not can_read_content(people["staffer"], fresh(message))
    services.deliver(fresh(message), by=people["officer"])
    assert can_read_content(people["staffer"], fresh(message))
    services.acknowledge(fresh(message), by=people["staffer"])
    assert can_read_content(people["staffer"], fresh(message))


# --------------------------------------------------------------------------- 4b holds


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_4b_hold_needs_a_written_reason(submit: Any, people: dict[str, Any], reason: str) -> None:
    message = submit()
    before = Event.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.place_hold(message, by=people["officer"], category="security", reason=reason)
    assert err.value.field == "reason"
    assert not Hold.objects.exists()
    assert Event.objects.count() == before


@pytest.mark.parametrize("category", ["", "whim", "transition_policy"])
def test_4b_hold_needs_an_officer_category(
    submit: Any, people: dict[str, Any], category: str
) -> None:
    message = submit()
    with pytest.raises(InvalidInput) as err:
        services.place_hold(message, by=people["officer"], category=category, reason="Because")
    assert err.value.field == "category"
    assert "security" in err.value.message  # names the categories that exist
    assert not Hold.objects.exists()


def test_4b_unconfirmed_hold_lapses_and_delivers(
    short_holds: Any, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    hold = services.place_hold(
        message, by=people["officer"], category="security", reason="Screening the attachment"
    )
    assert hold.expires_at == hold.placed_at + H

    with clock.travel(H - S):  # just before the lapse
        assert worker.run_once().expired == 0
        assert active_hold(message) is not None
        assert fresh(message).state == State.RECEIVED

    with clock.travel(H + S):  # just after
        result = worker.run_once()
    assert result.expired == 1
    released = Hold.objects.get(pk=hold.pk)
    assert released.released_at is not None and released.released_by is None
    assert released.release_reason == "expired unconfirmed"
    message = fresh(message)
    assert message.state == State.DELIVERED and message.delivered_at is not None
    tail = events(message)[-2:]
    assert [e.kind for e in tail] == ["hold.released", "message.delivered"]
    assert [e.actor for e in tail] == [None, None]


def test_4b_self_confirmation_is_refused(submit: Any, people: dict[str, Any]) -> None:
    hold = services.place_hold(
        submit(), by=people["officer"], category="legal", reason="Legal review of annex"
    )
    before = Event.objects.count()
    with pytest.raises(Forbidden) as err:
        services.confirm_hold(hold, by=people["officer"])
    assert "different officer" in err.value.message
    hold = Hold.objects.get(pk=hold.pk)
    assert hold.confirmed_at is None and hold.confirmed_by is None
    assert Event.objects.count() == before


def test_4b_confirmed_hold_survives_the_lapse_and_ends_at_the_maximum(
    short_holds: Any, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="protocol", reason="Form")
    with clock.travel(H - S):
        hold = services.confirm_hold(hold, by=people["protocol"])  # a different officer
    assert hold.confirmed_by == people["protocol"]
    assert hold.expires_at == hold.placed_at + 3 * H  # measured from placement

    with clock.travel(2 * H):  # past the lapse: still held
        worker.run_once()
        assert active_hold(message) is not None
    with clock.travel(3 * H - S):  # just before the maximum
        worker.run_once()
        assert active_hold(message) is not None
        assert fresh(message).state == State.RECEIVED
    with clock.travel(3 * H + S):  # just after
        assert worker.run_once().expired == 1
    assert active_hold(message) is None
    assert Hold.objects.get(pk=hold.pk).release_reason == "expired at its maximum"
    assert fresh(message).state == State.DELIVERED
    assert kinds(message)[-2:] == ["hold.released", "message.delivered"]
    assert Event.objects.filter(subject_id=message.pk, kind="message.delivered").get().actor is None


def test_4b_confirming_a_lapsed_hold_is_refused(
    short_holds: Any, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="legal", reason="Check")
    with clock.travel(H + S):  # lapsed, and the worker has not run yet
        with pytest.raises(Conflict) as err:
            services.confirm_hold(hold, by=people["officer2"])
        assert "expired" in err.value.message
        worker.run_once()
    assert fresh(message).state == State.DELIVERED


def test_4b_renewal_needs_two_different_officers(
    short_holds: Any, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="security", reason="X")
    with pytest.raises(Conflict):  # an unconfirmed hold cannot be renewed
        services.renew_hold(hold, by=people["officer2"])
    services.confirm_hold(hold, by=people["officer2"])

    with clock.travel(2 * H):
        hold = services.renew_hold(hold, by=people["officer"])
        assert hold.renewal_requested_by == people["officer"]
        assert hold.expires_at == hold.placed_at + 3 * H  # asking alone changes nothing
        with pytest.raises(Forbidden) as err:  # one officer twice
            services.renew_hold(hold, by=people["officer"])
        assert "second officer" in err.value.message
        assert Hold.objects.get(pk=hold.pk).renewals == 0

        hold = services.renew_hold(hold, by=people["protocol"])
        renewed_at = clock.now()
    assert hold.renewals == 1 and hold.renewal_requested_by is None
    assert hold.expires_at is not None and abs(hold.expires_at - (renewed_at + 3 * H)) < S
    event = Event.objects.filter(subject_id=message.pk, kind="hold.renewed").get()
    assert event.actor == people["protocol"] and event.data["first_officer"] == "officer.one"

    with clock.travel(3 * H + S):  # past the original maximum: the renewal keeps it
        worker.run_once()
        assert active_hold(message) is not None
    with clock.travel(5 * H - S):  # just before the renewed expiry (2 h + 3 h)
        worker.run_once()
        assert active_hold(message) is not None
    with clock.travel(5 * H + S):
        worker.run_once()
    assert active_hold(message) is None and fresh(message).state == State.DELIVERED


def test_4b_a_lapsed_hold_cannot_be_kept_alive_by_placing_it_again(
    short_holds: Any, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    first = services.place_hold(message, by=people["officer"], category="security", reason="A")
    with clock.travel(H - S):
        services.release_hold(first, by=people["officer"], reason="Done, for now")
        with pytest.raises(Forbidden) as err:
            services.place_hold(message, by=people["officer"], category="security", reason="A")
        assert "Another officer" in err.value.message
        # a second officer may decide to hold it: that is two people again
        services.place_hold(message, by=people["officer2"], category="security", reason="B")


def test_4b_releasing_an_expired_hold_still_delivers(
    short_holds: Any, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="security", reason="A")
    with clock.travel(H + S):
        services.release_hold(hold, by=people["officer"], reason="Cleared")
    assert fresh(message).state == State.DELIVERED


def test_4b_the_default_lapse_is_24_hours_and_maximum_72(
    submit: Any, people: dict[str, Any]
) -> None:
    hold = services.place_hold(submit(), by=people["officer"], category="other", reason="R")
    assert hold.expires_at == hold.placed_at + 24 * H
    hold = services.confirm_hold(hold, by=people["officer2"])
    assert hold.expires_at == hold.placed_at + 72 * H


# --------------------------------------------------------------------------- 4c escalation


def test_4c_overdue_message_is_escalated_once(
    submit: Any, people: dict[str, Any], mailoutbox: list[Any]
) -> None:
    message = submit()
    assert message.due_at == message.received_at + 4 * H

    with clock.travel(4 * H - timedelta(minutes=1)):
        assert worker.run_once().escalated == 0
    assert fresh(message).escalated_at is None and not mailoutbox

    with clock.travel(4 * H + timedelta(minutes=1)):
        result = worker.run_once()
    assert result.escalated == 1 and result.mailed == 1
    message = fresh(message)
    assert message.escalated_at is not None
    escalation = Event.objects.get(subject_id=message.pk, kind="message.escalated")
    assert escalation.actor is None and escalation.data["overdue_seconds"] >= 60
    note = Notification.objects.get(message=message)
    assert note.kind == "escalation" and note.recipients == ["office@example.org"]
    assert note.sent_at is not None and note.error == ""
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["office@example.org"]
    assert message.tracking in mail.subject and message.tracking in mail.body
    assert "Prime Minister of Canada" in mail.body

    with clock.travel(6 * H):  # a later pass: not escalated twice
        assert worker.run_once().escalated == 0
    assert Event.objects.filter(kind="message.escalated").count() == 1
    assert Notification.objects.count() == 1 and len(mailoutbox) == 1


def test_4c_held_message_is_not_escalated_until_released(
    submit: Any, people: dict[str, Any], mailoutbox: list[Any]
) -> None:
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    services.confirm_hold(hold, by=people["officer2"])
    with clock.travel(5 * H):
        assert worker.run_once().escalated == 0
        assert fresh(message).escalated_at is None
        services.release_hold(hold, by=people["officer2"], reason="Clean")  # after the target
        assert worker.run_once().escalated == 1  # the next pass: still undelivered
    assert fresh(message).escalated_at is not None and len(mailoutbox) == 1


def test_4c_delivered_messages_are_not_escalated(
    submit: Any, people: dict[str, Any], mailoutbox: list[Any]
) -> None:
    message = submit()
    services.deliver(message, by=people["officer"])
    with clock.travel(5 * H):
        assert worker.run_once().escalated == 0
    assert not mailoutbox


def test_4c_failed_mail_is_recorded_and_retried(
    submit: Any, people: dict[str, Any], mailoutbox: list[Any], monkeypatch: Any
) -> None:
    submit()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services.escalation, "send_mail", refuse)
    with clock.travel(5 * H):
        assert worker.run_once().mailed == 0
    note = Notification.objects.get()
    assert note.sent_at is None and "mail server down" in note.error and note.attempts == 1

    monkeypatch.undo()
    with clock.travel(5 * H + timedelta(minutes=1)):  # too soon to retry
        assert services.send_pending_notifications() == 0
    with clock.travel(5 * H + timedelta(minutes=6)):
        assert services.send_pending_notifications() == 1
    note.refresh_from_db()
    assert note.sent_at is not None and note.error == "" and note.attempts == 2
    assert len(mailoutbox) == 1


def test_4c_mail_claimed_by_another_worker_is_not_sent_twice(
    submit: Any, mailoutbox: list[Any]
) -> None:
    submit()
    with clock.travel(5 * H):
        services.escalate_overdue()
        Notification.objects.update(claimed_at=clock.now())  # another worker is sending it
        assert services.send_pending_notifications() == 0
    assert not mailoutbox


def test_4c_without_an_office_email_the_staffers_are_mailed(
    submit: Any, people: dict[str, Any], world: dict[str, Any], mailoutbox: list[Any]
) -> None:
    Principal.objects.filter(pk=world["pe"].pk).update(office_email="")
    people["staffer"].email = "staffer@example.org"
    people["staffer"].save()
    submit()
    with clock.travel(5 * H):
        worker.run_once()
    assert [m.to for m in mailoutbox] == [["staffer@example.org"]]


# --------------------------------------------------------------------------- 4d the policy gate


def test_4d_gate_holds_visibly_and_counts(
    gated: Principal, submit: Any, people: dict[str, Any]
) -> None:
    messages = [submit(f"Message {i}") for i in range(3)]
    for message in messages:
        hold = active_hold(message)
        assert hold is not None and hold.is_policy and hold.category == "transition_policy"
        assert "Ascertained" in hold.reason and hold.expires_at is None
        assert kinds(message) == ["message.received", "hold.policy"]
        assert services.sender_status(message) == "received, delivery pending the transition"
    counts = services.principal_counts(gated)
    assert counts["held_by_policy"] == 3 and counts["total"] == 3 and counts["received"] == 3

    inbox = [message_dict(m, people["staffer"], via="api", full=False)
             for m in visible_messages(people["staffer"]).filter(principal=gated)]
    assert len(inbox) == 3
    for item in inbox:
        assert item["hold"]["is_policy"] is True
        assert item["hold"]["category"] == "transition_policy"
        assert item["sender_status"] == "received, delivery pending the transition"
        assert item["content_visible"] is False


def test_4d_officers_cannot_deliver_or_release_through_the_gate(
    gated: Principal, submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    with pytest.raises(Conflict) as err:
        services.deliver(message, by=people["officer"])
    assert "transition support policy" in err.value.message and "Ascertained" in err.value.message
    hold = active_hold(message)
    assert hold is not None
    with pytest.raises(Conflict):
        services.release_hold(hold, by=people["officer"], reason="Let it through")
    assert fresh(message).state == State.RECEIVED and active_hold(message) is not None


def test_4d_gated_messages_are_not_escalated(
    gated: Principal, submit: Any, mailoutbox: list[Any]
) -> None:
    message = submit()
    with clock.travel(10 * H):
        assert worker.run_once().escalated == 0
    assert fresh(message).escalated_at is None


@pytest.mark.parametrize("who", ["officer", "protocol", "staffer", "liaison_ca", "auditor"])
def test_4d_only_an_admin_records_the_status(
    gated: Principal, people: dict[str, Any], who: str
) -> None:
    with pytest.raises(Forbidden):
        services.set_principal_status(gated, by=people[who], status="ascertained")
    assert Principal.objects.get(pk=gated.pk).status == "projected"
    assert not StatusChange.objects.exists()


def test_4d_ascertainment_delivers_in_order_of_receipt(
    gated: Principal, submit: Any, people: dict[str, Any], world: dict[str, Any]
) -> None:
    first = submit("first")
    with clock.travel(H):
        second = submit("second", by=people["liaison_fr"], office=world["pres_fr"])
    with clock.travel(2 * H):
        third = submit("third")
        services.triage(third, by=people["officer"])  # work goes on behind the gate
    # received out of id order: an imported letter that arrived earlier than all of them
    early, _ = services.submit_message(
        services.Submission(
            principal=gated.slug, sender_office=world["pm_ca"].pk, body="earliest",
            channel="letter",
        ),
        by=people["officer"], received_at=first.received_at - H,
    )
    with clock.travel(3 * H):
        released = services.set_principal_status(
            gated, by=people["admin"], status="ascertained", note="GSA letter of ascertainment"
        )
    order = [early.pk, first.pk, second.pk, third.pk]
    assert [m.pk for m in released] == order
    delivered = Event.objects.filter(kind="message.delivered").order_by("id")
    assert list(delivered.values_list("subject_id", flat=True)) == order
    assert all(e.actor is None for e in delivered)
    for message in (early, first, second, third):
        message = fresh(message)
        assert message.state == State.DELIVERED
        assert services.sender_status(message) == "delivered"
        assert kinds(message)[-2:] == ["hold.released", "message.delivered"]
        assert active_hold(message) is None
    change = StatusChange.objects.get()
    assert change.by == people["admin"] and change.status == "ascertained"
    assert Event.objects.filter(kind="principal.status", subject_id=gated.pk).count() == 1
    assert services.principal_counts(gated)["held_by_policy"] == 0

    # after the gate: new messages are not held
    later = submit("after")
    assert active_hold(later) is None and services.sender_status(later) == "received"


def test_4d_repeating_a_status_is_a_conflict(gated: Principal, people: dict[str, Any]) -> None:
    with pytest.raises(Conflict):
        services.set_principal_status(gated, by=people["admin"], status="projected")
    with pytest.raises(InvalidInput):
        services.set_principal_status(gated, by=people["admin"], status="crowned")


def test_4d_worker_repairs_a_gate_that_opened_behind_a_submission(
    gated: Principal, submit: Any
) -> None:
    message = submit()  # it read the gate as closed...
    # ...as it opened: the status change committed (row, history, event) while the gate's
    # listener, which ran before the submission's hold was visible, released nothing.
    with transaction.atomic():
        Principal.objects.filter(pk=gated.pk).update(status="ascertained")
        StatusChange.objects.create(principal=gated, status="ascertained", at=clock.now())
        record_event(
            "principal", gated.pk, "principal.status",
            data={"principal": gated.slug, "status": "ascertained", "gate_open": True, "note": ""},
        )
    assert worker.run_once().gated == 1
    assert fresh(message).state == State.DELIVERED and active_hold(message) is None


def test_4d_worker_holds_when_a_policy_is_set_in_the_admin(
    world: dict[str, Any], submit: Any
) -> None:
    message = submit()
    set_policy(world["pe"], "ascertained")
    assert worker.run_once().gated == 1
    hold = active_hold(message)
    assert hold is not None and hold.is_policy
    assert services.sender_status(fresh(message)) == "received, delivery pending the transition"


def test_4d_an_officer_hold_that_expires_behind_the_gate_stays_held_by_the_policy(
    short_holds: Any, world: dict[str, Any], submit: Any, people: dict[str, Any]
) -> None:
    message = submit()
    services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    set_policy(world["pe"], "ascertained")
    with clock.travel(H + S):
        worker.run_once()
    hold = active_hold(message)
    assert hold is not None and hold.is_policy
    assert fresh(message).state == State.RECEIVED
    assert kinds(message)[-2:] == ["hold.released", "hold.policy"]


def test_4d_closing_the_gate_holds_open_messages(
    world: dict[str, Any], submit: Any, people: dict[str, Any]
) -> None:
    pe = world["pe"]
    services.set_principal_status(pe, by=people["admin"], status="ascertained")
    set_policy(Principal.objects.get(pk=pe.pk), "inaugurated")
    message = submit()  # gate active again: held on intake
    assert active_hold(message) is not None and active_hold(message).is_policy  # type: ignore[union-attr]


# --------------------------------------------------------------------------- 4e the sender


def test_4e_liaison_follows_its_message(submit: Any, people: dict[str, Any]) -> None:
    liaison = people["liaison_ca"]
    message = submit()
    assert services.sender_status(message) == "received"
    hold = services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    assert services.sender_status(fresh(message)) == "in review"
    services.release_hold(hold, by=people["officer"], reason="Clean")
    services.triage(fresh(message), by=people["officer"])
    assert services.sender_status(fresh(message)) == "in review"
    services.deliver(fresh(message), by=people["officer"])
    assert services.sender_status(fresh(message)) == "delivered"
    services.acknowledge(fresh(message), by=people["staffer"])
    out = message_dict(access_message(liaison, message.tracking), liaison, via="api")
    assert out["sender_status"] == "acknowledged"
    assert out["body"] == message.body  # its own message
    assert [e["kind"] for e in out["events"]][0] == "message.received"


def test_4e_liaison_sees_the_rejection_and_its_reason(
    submit: Any, people: dict[str, Any]
) -> None:
    liaison = people["liaison_ca"]
    message = submit()
    services.reject(message, by=people["officer"], reason="Duplicate of CH-2020-000001")
    out = message_dict(access_message(liaison, message.tracking), liaison, via="api")
    assert out["sender_status"] == "rejected"
    assert out["rejection_reason"] == "Duplicate of CH-2020-000001"


def test_4e_receipt_commitment_is_recomputable(submit: Any, people: dict[str, Any]) -> None:
    body = "Mes félicitations les plus chaleureuses. 🇨🇦\r\n"
    message = submit(body)
    receipt = services.receipt(access_message(people["liaison_ca"], message.tracking))
    assert receipt["tracking"] == message.tracking
    salt = bytes.fromhex(receipt["commitment"]["salt"])
    assert len(salt) == 16
    expected = hashlib.sha256(salt + body.encode("utf-8")).hexdigest()
    assert receipt["commitment"]["value"] == expected
    assert receipt["content_sha256"] == hashlib.sha256(body.encode("utf-8")).hexdigest()
    # the public event carries the commitment, never the text
    received = Event.objects.get(subject_id=message.pk, kind="message.received")
    assert received.data["commitment"] == expected
    assert body.strip().encode() not in bytes(received.leaf)


def test_an_officer_can_screen_a_policy_held_message_and_the_gate_does_not_bypass_it(
    gated: Principal, people: dict[str, Any], submit: Any
) -> None:
    """Opening the gate must not deliver past an officer's hold placed under the gate."""
    screened, plain = submit("Letter with an attachment to screen"), submit("Plain letter")
    hold = services.place_hold(
        screened, by=people["officer"], category="security", reason="Attachment screening"
    )
    services.confirm_hold(hold, by=people["officer2"])
    assert services.sender_status(screened) == services.POLICY_PENDING
    released = services.set_principal_status(gated, by=people["admin"], status="ascertained")
    assert [m.pk for m in released] == [plain.pk]
    screened.refresh_from_db()
    assert screened.state != State.DELIVERED
    assert list(screened.holds.filter(released_at__isnull=True)) == [hold]
    assert services.sender_status(screened) == "in review"
    # The officer's hold still runs out on time and then delivers the message.
    with clock.travel(timedelta(hours=73)):
        worker.run_once()
    screened.refresh_from_db()
    assert screened.state == State.DELIVERED
