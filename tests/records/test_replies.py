"""Replies to messages (records/services/replies.py, access_replies.py, checks_replies.py): the
principal's office drafts a reply to a delivered message, another person of the office clears it,
it is sent; the sender's liaison reads it with a receipt whose commitment recomputes and whose
proof checks once the log integrates it; every refusal; verify finds a sent body edited behind
the application."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction

from chancery import clock, worker
from chancery.accounts.models import Role
from chancery.correspondence import services as messages
from chancery.correspondence.models import Message
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound
from chancery.ledger import integrity, note, offline, proof, sequencer
from chancery.ledger.models import ChangedRow, Event, Read
from chancery.ledger.services import history, text_commitment
from chancery.ledger.verify import verify_log
from chancery.records.access_replies import (
    access_liaison_reply,
    access_reply,
    liaison_replies,
    readable_replies,
    reply_labels,
    visible_replies,
)
from chancery.records.models import Reply
from chancery.records.services.common import reply_event
from chancery.records.services.replies import (
    allowed_actions,
    clear_reply,
    draft_reply,
    may_draft,
    redraft_reply,
    reply_receipt,
    send_reply,
)
from chancery.testing import make_user

TEXT = "The President-elect thanks the Prime Minister for his warm message."


def _fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def kinds(reply: Reply) -> list[str]:
    return list(history("reply", reply.pk).values_list("kind", flat=True))


@pytest.fixture
def staffer2(world: dict[str, Any]) -> User:
    """A second person of the President-elect's office (clears what the first drafts)."""
    return make_user("staffer2.pe", Role.PRINCIPAL_OFFICE, principal=world["pe"])


@pytest.fixture
def delivered(submit: Any, people: dict[str, User]) -> Message:
    """Canada's message to the President-elect, delivered to the office."""
    return messages.deliver(submit("Congratulations.", language="en"), by=people["officer"])


def _sent(delivered: Message, people: dict[str, User], staffer2: User) -> Reply:
    reply = draft_reply(delivered, by=people["staffer"], body=TEXT)
    reply = clear_reply(reply, by=staffer2, version=1)
    return send_reply(reply, by=people["staffer"])


def test_the_workflow_draft_redraft_clear_send(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    reply = draft_reply(delivered, by=people["officer"], body="  A first draft.  ")
    assert (reply.state, reply.version, reply.body) == ("draft", 1, "A first draft.")
    assert reply.tracking == f"REPLY-{reply.created_at.year}-{reply.pk:06d}"
    reply = redraft_reply(reply, by=people["staffer"], body=TEXT)
    assert (reply.state, reply.version) == ("draft", 2)
    # the officer drafted v1, the staffer v2: the second person of the office clears v2
    reply = clear_reply(reply, by=staffer2, version=2)
    assert reply.state == "cleared" and reply.cleared_by == staffer2
    # a redraft after clearance puts it back to draft, the clearance gone
    reply = redraft_reply(reply, by=staffer2, body=TEXT + " Again.")
    assert (reply.state, reply.version, reply.cleared_by) == ("draft", 3, None)
    reply = clear_reply(reply, by=people["staffer"], version=3)
    reply = send_reply(reply, by=people["officer"])
    row = _fresh(reply)
    assert (row.state, row.version, row.sent_by, row.body) == (
        "sent", 3, people["officer"], TEXT + " Again.")
    assert kinds(reply) == [
        "reply.drafted", "reply.drafted", "reply.cleared", "reply.drafted", "reply.cleared",
        "reply.sent",
    ]
    sent = Event.objects.get(subject_type="reply", subject_id=reply.pk, kind="reply.sent")
    assert sent.data["text"] == row.body and sent.data["version"] == 3
    assert sent.data["message"] == delivered.tracking
    assert sent.data["principal"] == "president-elect"
    leaf = json.loads(bytes(sent.leaf))
    assert leaf["data"]["text"] == text_commitment(sent.salt, row.body)  # private in the log
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems


def test_an_acknowledgement_to_an_acknowledged_message(
    delivered: Message, people: dict[str, User]
) -> None:
    message = messages.acknowledge(delivered, by=people["staffer"])
    reply = draft_reply(message, by=people["staffer"], body="Received with thanks.",
                        kind="acknowledgement", language="FR")
    assert (reply.kind, reply.language) == ("acknowledgement", "fr")
    assert history("reply", reply.pk).get().data["kind"] == "acknowledgement"


def test_refusals(
    submit: Any, delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    before = Reply.objects.count(), Event.objects.filter(subject_type="reply").count()
    with pytest.raises(Conflict, match="delivered or acknowledged"):
        draft_reply(submit("Not yet delivered."), by=people["staffer"], body=TEXT)
    with pytest.raises(Forbidden, match="only its office"):
        draft_reply(delivered, by=people["staffer_vp"], body=TEXT)
    for who in ("liaison_ca", "translator", "auditor", "records"):
        with pytest.raises(Forbidden):
            draft_reply(delivered, by=people[who], body=TEXT)
    with pytest.raises(InvalidInput, match="empty"):
        draft_reply(delivered, by=people["staffer"], body="   ")
    with pytest.raises(InvalidInput) as bad_kind:
        draft_reply(delivered, by=people["staffer"], body=TEXT, kind="letter")
    assert bad_kind.value.field == "kind"
    with pytest.raises(InvalidInput):
        draft_reply(delivered, by=people["staffer"], body=TEXT, language="klingon")
    assert (Reply.objects.count(), Event.objects.filter(subject_type="reply").count()) == before

    reply = draft_reply(delivered, by=people["staffer"], body=TEXT)
    with pytest.raises(Forbidden, match="another person of the principal's office"):
        clear_reply(reply, by=people["staffer"], version=1)  # the drafter clears its own
    with pytest.raises(Forbidden):
        clear_reply(reply, by=people["officer"], version=1)  # officers do not clear
    with pytest.raises(Forbidden):
        clear_reply(reply, by=people["staffer_vp"], version=1)  # another principal's office
    with pytest.raises(Conflict, match="not cleared"):
        send_reply(reply, by=people["staffer"])
    reply = redraft_reply(reply, by=people["officer"], body=TEXT + " v2")
    with pytest.raises(Conflict, match="at version 2, not 1"):
        clear_reply(reply, by=staffer2, version=1)  # stale: read v1, v2 is current
    with pytest.raises(InvalidInput):
        clear_reply(reply, by=staffer2, version="2")  # type: ignore[arg-type]
    reply = clear_reply(reply, by=staffer2, version=2)
    with pytest.raises(Conflict, match="cleared already"):
        clear_reply(reply, by=people["staffer"], version=2)
    with pytest.raises(Forbidden):
        send_reply(reply, by=people["liaison_ca"])
    reply = send_reply(reply, by=people["staffer"])
    events = Event.objects.filter(subject_type="reply").count()
    with pytest.raises(Conflict, match="never changed"):
        redraft_reply(reply, by=people["staffer"], body="Changed.")
    with pytest.raises(Conflict, match="never changed"):
        clear_reply(reply, by=staffer2, version=2)
    with pytest.raises(Conflict, match="sent already"):
        send_reply(reply, by=people["staffer"])
    row = _fresh(reply)
    assert (row.body, row.version, row.state) == (TEXT + " v2", 2, "sent")
    assert Event.objects.filter(subject_type="reply").count() == events


def test_allowed_actions_match_the_services(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    reply = draft_reply(delivered, by=people["staffer"], body=TEXT)

    def ok(user: User) -> set[str]:
        return {a.action for a in allowed_actions(_fresh(reply), user) if a}

    assert ok(people["staffer"]) == {"redraft"}  # not its own clearance
    assert ok(staffer2) == {"redraft", "clear"}
    assert ok(people["officer"]) == {"redraft"}
    assert ok(people["staffer_vp"]) == ok(people["auditor"]) == set()
    clear_reply(reply, by=staffer2, version=1)
    assert ok(people["officer"]) == {"redraft", "send"}
    assert bool(may_draft(delivered, people["staffer"]))
    assert not may_draft(delivered, people["staffer_vp"])


def test_who_sees_what(
    delivered: Message, people: dict[str, User], staffer2: User, submit: Any
) -> None:
    draft = draft_reply(delivered, by=people["staffer"], body="A draft.")
    sent = _sent(delivered, people, staffer2)
    both = {draft.pk, sent.pk}
    for who in ("officer", "protocol", "records", "auditor", "admin", "staffer"):
        assert set(visible_replies(people[who]).values_list("pk", flat=True)) == both, who
        assert access_reply(people[who], draft.tracking) == draft
    assert set(readable_replies(staffer2).values_list("pk", flat=True)) == both
    assert not visible_replies(people["staffer_vp"]).exists()
    assert not visible_replies(people["translator"]).exists()
    # the sender's liaison: the sent reply only; another country's liaison: nothing (404)
    liaison = people["liaison_ca"]
    assert list(visible_replies(liaison)) == [sent]
    assert list(liaison_replies(liaison)) == [sent]
    assert access_liaison_reply(liaison, sent.tracking) == sent
    with pytest.raises(NotFound):
        access_reply(liaison, draft.tracking)
    with pytest.raises(NotFound):
        access_liaison_reply(liaison, draft.tracking)
    for tracking in (sent.tracking, draft.tracking):
        with pytest.raises(NotFound):
            access_reply(people["liaison_fr"], tracking)
        with pytest.raises(NotFound):
            access_liaison_reply(people["liaison_fr"], tracking)
        with pytest.raises(NotFound):
            access_reply(people["staffer_vp"], tracking)
    assert not liaison_replies(people["liaison_fr"]).exists()
    with pytest.raises(Forbidden):
        liaison_replies(people["staffer"])
    with pytest.raises(NotFound, match="REPLY-2020-000123"):
        access_reply(people["officer"], "CH-2020-000001")
    wrong_year = f"REPLY-{sent.created_at.year - 1}-{sent.pk:06d}"
    with pytest.raises(NotFound):
        access_reply(people["officer"], wrong_year)
    label = reply_labels([sent.pk])[sent.pk]
    assert label.text == sent.tracking and delivered.tracking in label.detail
    assert Read.objects.filter(subject_type="reply").count() == 0  # nothing read yet


def test_the_receipt_verifies(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    draft = draft_reply(delivered, by=people["staffer"], body="Not sent.")
    with pytest.raises(Conflict, match="not sent"):
        reply_receipt(draft)
    reply = _sent(delivered, people, staffer2)
    pending = reply_receipt(reply)
    assert pending["log"]["entries"][0]["index"] is None  # not integrated yet
    sequencer.integrate_all()
    receipt = reply_receipt(_fresh(reply))
    assert receipt["tracking"] == reply.tracking and receipt["message"] == delivered.tracking
    assert receipt["text"] == TEXT
    # the text's commitment recomputes from the text and the salt, and is the leaf's
    salt = receipt["text_commitment"]["salt"]
    leaf = json.loads(receipt["event"]["leaf"])
    assert leaf["kind"] == "reply.sent" and leaf["subject"] == f"reply:{reply.pk}"
    assert text_commitment(salt, receipt["text"]) == leaf["data"]["text"]
    assert receipt["text_commitment"]["value"] == leaf["data"]["text"]
    # the inclusion proof checks against the log's key, its extra the leaf
    [entry] = receipt["log"]["entries"]
    assert entry["kind"] == "reply.sent" and entry["index"] is not None
    verified = proof.verify_proof(
        entry["tlog_proof"], note.Verifier.from_text(receipt["log"]["vkey"]),
        require_witnesses=False,
    )
    assert verified.leaf == receipt["event"]["leaf"].encode()
    assert verified.index == entry["index"]
    # offline, as `chancery receipt verify FILE --key VKEY` does with the proof saved as a file
    lines = offline.verify_receipt(entry["tlog_proof"], [receipt["log"]["vkey"]], [])
    assert lines[0].startswith(f"OK: entry {entry['index']} is in")


def test_verify_finds_an_edited_sent_body(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    reply = _sent(delivered, people, staffer2)
    other = draft_reply(delivered, by=people["officer"], body="Another.")
    sequencer.integrate_all()
    report = verify_log()
    assert report.ok, report.problems
    Reply.objects.filter(pk=reply.pk).update(body=TEXT + " (edited)")
    Reply.objects.filter(pk=other.pk).update(state="sent")
    report = verify_log()
    problems = " | ".join(str(p) for p in report.problems)
    assert f"reply #{reply.pk}: the row's body differ" in problems
    assert f"reply #{other.pk}: the row's state" in problems


def test_the_worker_alerts_on_a_reply_changed_behind_the_application(
    delivered: Message, people: dict[str, User], staffer2: User
) -> None:
    reply = _sent(delivered, people, staffer2)

    def settle() -> int:
        raised = 0
        for _ in range(3):
            raised += worker.run_once().integrity
            if not ChangedRow.objects.exists():
                return raised
        raise AssertionError("changed rows still queued")

    assert settle() == 0
    Reply.objects.filter(pk=reply.pk).update(body="Another text.")
    assert settle() == 1
    alert = Event.objects.get(kind=integrity.ALERT)
    assert (alert.data["subject"], alert.data["id"]) == ("reply", reply.pk)
    assert any("body" in f for f in alert.data["findings"])


def test_verify_reports_a_clearance_by_the_drafter_though_logged(
    delivered: Message, people: dict[str, User]
) -> None:
    """A clearance the rules do not allow, written with its event behind the services' back."""
    reply = draft_reply(delivered, by=people["staffer"], body=TEXT)
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).update(
            state="cleared", cleared_by=people["staffer"], cleared_at=clock.now())
        reply_event(reply, "reply.cleared", people["staffer"], version=1)
    sequencer.integrate_all()
    problems = " | ".join(verify_log().problems)
    assert "cleared by the drafter of that version" in problems
