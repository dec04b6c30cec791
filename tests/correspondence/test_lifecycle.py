"""Issue section 3: the lifecycle of a message, its events, and the original text kept exactly.

received -> triaged -> translation requested -> translated -> delivered -> acknowledged, or
rejected with a reason; every state change is one event written in the same transaction, and a
failure half-way leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import DatabaseError, connection

from chancery.correspondence import services
from chancery.correspondence.access import access_message
from chancery.correspondence.models import (
    Attachment,
    Blob,
    Hold,
    Message,
    State,
    Translation,
)
from chancery.correspondence.present import message_dict
from chancery.directory.models import Principal, StatusChange
from chancery.errors import Conflict, InvalidInput, TooLarge
from chancery.ledger.models import Event
from chancery.testing import PDF, fresh


def kinds(message: Message) -> list[str]:
    return list(
        Event.objects.filter(subject_type="message", subject_id=message.pk)
        .order_by("id")
        .values_list("kind", flat=True)
    )


def footprint() -> tuple[int, ...]:
    return (
        Message.objects.count(), Blob.objects.count(), Attachment.objects.count(),
        Hold.objects.count(), Translation.objects.count(), Event.objects.count(),
        StatusChange.objects.count(),
    )


# --------------------------------------------------------------------------- the happy path


def test_full_lifecycle_one_event_per_step(submit: Any, people: dict[str, Any]) -> None:
    original = "Monsieur le Président élu,\r\nFélicitations.  \r\n"
    message = submit(original, language="fr")
    assert message.state == State.RECEIVED
    assert kinds(message) == ["message.received"]

    steps: list[tuple[Callable[[], Any], str, str]] = [
        (lambda: services.triage(fresh(message), by=people["officer"], note="Routine"),
         State.TRIAGED, "message.triaged"),
        (lambda: services.request_translation(fresh(message), by=people["officer"]),
         State.TRANSLATION_REQUESTED, "translation.requested"),
        (lambda: services.sign_off_translation(
            Translation.objects.get(message=message), by=people["translator"],
            text="Mr President-elect,\r\nCongratulations.\r\n"),
         State.TRANSLATED, "translation.signed_off"),
        (lambda: services.deliver(fresh(message), by=people["officer"]),
         State.DELIVERED, "message.delivered"),
        (lambda: services.acknowledge(fresh(message), by=people["staffer"]),
         State.ACKNOWLEDGED, "message.acknowledged"),
    ]
    for act, state, kind in steps:
        before = Event.objects.count()
        act()
        assert fresh(message).state == state
        assert Event.objects.count() == before + 1, kind
        assert kinds(message)[-1] == kind

    done = fresh(message)
    assert done.body == original  # the original is never touched
    assert done.body_sha256 == hashlib.sha256(original.encode()).hexdigest()
    assert done.triage_note == "Routine"
    assert done.delivered_at is not None and done.acknowledged_at is not None
    translation = Translation.objects.get(message=message)
    assert translation.text == "Mr President-elect,\r\nCongratulations.\r\n"
    assert translation.translator == people["translator"] and translation.source_language == "fr"
    signed = Event.objects.get(subject_id=message.pk, kind="translation.signed_off")
    assert signed.actor == people["translator"]
    assert "Congratulations" not in bytes(signed.leaf).decode()  # a commitment, not the text

    # the original beside the translation, for the office that received it
    out = message_dict(fresh(message), people["staffer"], via="web")
    assert out["body"] == original
    assert out["translations"][0]["text"] == translation.text


def test_an_english_message_may_go_straight_to_delivery(
    submit: Any, people: dict[str, Any]
) -> None:
    message = submit("Congratulations.", language="en")
    services.deliver(message, by=people["officer"])
    assert kinds(message) == ["message.received", "message.delivered"]


def test_a_delivered_message_may_still_be_translated(submit: Any, people: dict[str, Any]) -> None:
    message = submit("Félicitations", language="fr")
    services.deliver(message, by=people["officer"])
    translation = services.request_translation(fresh(message), by=people["officer"])
    assert fresh(message).state == State.DELIVERED  # a translation does not undo delivery
    services.sign_off_translation(translation, by=people["translator"], text="Congratulations")
    assert fresh(message).state == State.DELIVERED


# --------------------------------------------------------------------------- illegal transitions


def _received(submit: Any, people: dict[str, Any]) -> Message:
    return submit(language="fr")


def _triaged(submit: Any, people: dict[str, Any]) -> Message:
    return services.triage(submit(language="fr"), by=people["officer"])


def _in_translation(submit: Any, people: dict[str, Any]) -> Message:
    message = submit(language="fr")
    services.request_translation(message, by=people["officer"])
    return fresh(message)


def _translated(submit: Any, people: dict[str, Any]) -> Message:
    message = submit(language="fr")
    t = services.request_translation(message, by=people["officer"])
    services.sign_off_translation(t, by=people["translator"], text="Hello")
    return fresh(message)


def _delivered(submit: Any, people: dict[str, Any]) -> Message:
    return services.deliver(submit(language="fr"), by=people["officer"])


def _acknowledged(submit: Any, people: dict[str, Any]) -> Message:
    return services.acknowledge(_delivered(submit, people), by=people["staffer"])


def _rejected(submit: Any, people: dict[str, Any]) -> Message:
    return services.reject(submit(language="fr"), by=people["officer"], reason="Forgery")


STATES = {
    "received": _received, "triaged": _triaged, "translation_requested": _in_translation,
    "translated": _translated, "delivered": _delivered, "acknowledged": _acknowledged,
    "rejected": _rejected,
}

ACTIONS: dict[str, Callable[[Message, dict[str, Any]], Any]] = {
    "triage": lambda m, p: services.triage(m, by=p["officer"]),
    "request_translation": lambda m, p: services.request_translation(m, by=p["officer"]),
    "deliver": lambda m, p: services.deliver(m, by=p["officer"]),
    "acknowledge": lambda m, p: services.acknowledge(m, by=p["staffer"]),
    "reject": lambda m, p: services.reject(m, by=p["officer"], reason="No"),
    "hold": lambda m, p: services.place_hold(m, by=p["officer"], category="legal", reason="R"),
}

ILLEGAL = [
    ("received", "acknowledge"),
    ("triaged", "triage"), ("triaged", "acknowledge"),
    ("translation_requested", "triage"), ("translation_requested", "deliver"),
    ("translation_requested", "request_translation"), ("translation_requested", "acknowledge"),
    ("translated", "triage"), ("translated", "request_translation"),
    ("translated", "acknowledge"),
    ("delivered", "triage"), ("delivered", "deliver"), ("delivered", "reject"),
    ("delivered", "hold"),
    ("acknowledged", "triage"), ("acknowledged", "deliver"), ("acknowledged", "acknowledge"),
    ("acknowledged", "reject"), ("acknowledged", "hold"),
    *[("rejected", action) for action in ACTIONS],
]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transitions_are_conflicts(
    submit: Any, people: dict[str, Any], state: str, action: str
) -> None:
    message = STATES[state](submit, people)
    assert message.state == state
    before = footprint()
    with pytest.raises(Conflict) as err:
        ACTIONS[action](fresh(message), people)
    assert message.tracking in err.value.message or "translation" in err.value.message
    assert fresh(message).state == state
    assert footprint() == before


def test_signing_off_twice_is_a_conflict(submit: Any, people: dict[str, Any]) -> None:
    message = submit(language="fr")
    t = services.request_translation(message, by=people["officer"])
    services.sign_off_translation(t, by=people["translator"], text="First")
    with pytest.raises(Conflict):
        services.sign_off_translation(t, by=people["translator"], text="Second")
    assert Translation.objects.get(pk=t.pk).text == "First"


def test_translation_needs_a_known_source_language(submit: Any, people: dict[str, Any]) -> None:
    message = submit()  # no declared language, not yet detected
    with pytest.raises(InvalidInput) as err:
        services.request_translation(message, by=people["officer"])
    assert err.value.field == "source_language"
    with pytest.raises(InvalidInput):
        services.request_translation(message, by=people["officer"], source_language="xx")
    with pytest.raises(InvalidInput):
        services.request_translation(
            message, by=people["officer"], source_language="en", target_language="EN"
        )
    t = services.request_translation(
        message, by=people["officer"], source_language=" FR ", target_language="EN"
    )
    assert (t.source_language, t.target_language) == ("fr", "en")


# --------------------------------------------------------------------------- rejection


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_rejection_needs_a_reason(submit: Any, people: dict[str, Any], reason: Any) -> None:
    message = submit()
    with pytest.raises(InvalidInput) as err:
        services.reject(message, by=people["officer"], reason=reason)
    assert err.value.field == "reason"
    assert fresh(message).state == State.RECEIVED and kinds(message) == ["message.received"]


def test_rejection_ends_holds_and_cancels_translations(
    submit: Any, people: dict[str, Any]
) -> None:
    message = submit(language="fr")
    t = services.request_translation(message, by=people["officer"])
    services.place_hold(fresh(message), by=people["officer"], category="security", reason="Scan")
    services.reject(fresh(message), by=people["officer2"], reason="Not authentic")
    message = fresh(message)
    assert message.state == State.REJECTED and message.rejection_reason == "Not authentic"
    assert not Hold.objects.filter(message=message, released_at__isnull=True).exists()
    assert kinds(message)[-2:] == ["hold.released", "message.rejected"]
    assert Translation.objects.get(pk=t.pk).status == "cancelled"
    with pytest.raises(Conflict) as err:
        services.sign_off_translation(t, by=people["translator"], text="Too late")
    assert "cancelled" in err.value.message
    assert message.body  # nothing is deleted


# --------------------------------------------------------------------------- atomicity


@contextmanager
def failing_event(kind: str, *, after: int = 0) -> Iterator[None]:
    """A database trigger that refuses the (after+1)-th event of ``kind``: the failure happens
    half-way through a service, after its state change was written."""
    assert re.fullmatch(r"[a-z_.]+", kind)  # a constant of the test, spliced into SQL
    if connection.vendor == "sqlite":
        create = [
            f"""CREATE TRIGGER test_fail BEFORE INSERT ON ledger_event
            WHEN NEW.kind = '{kind}'
             AND (SELECT count(*) FROM ledger_event WHERE kind = '{kind}') >= {after}
            BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"""  # noqa: S608
        ]
        drop = ["DROP TRIGGER test_fail"]
    elif connection.vendor == "postgresql":
        create = [
            f"""CREATE FUNCTION test_fail() RETURNS trigger AS $$
            BEGIN
              IF NEW.kind = '{kind}' AND
                 (SELECT count(*) FROM ledger_event WHERE kind = '{kind}') >= {after} THEN
                RAISE EXCEPTION 'refused by the test trigger' USING ERRCODE = '23514';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql""",  # noqa: S608
            "CREATE TRIGGER test_fail BEFORE INSERT ON ledger_event "
            "FOR EACH ROW EXECUTE FUNCTION test_fail()",
        ]
        drop = ["DROP TRIGGER test_fail ON ledger_event", "DROP FUNCTION test_fail()"]
    else:  # pragma: no cover
        pytest.skip(f"no test trigger for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in drop:
                cursor.execute(sql)


def test_a_failed_event_rolls_back_the_delivery(submit: Any, people: dict[str, Any]) -> None:
    message = services.triage(submit(), by=people["officer"])
    before = footprint()
    with failing_event("message.delivered"), pytest.raises(DatabaseError):
        services.deliver(fresh(message), by=people["officer"])
    message = fresh(message)
    assert message.state == State.TRIAGED and message.delivered_at is None
    assert footprint() == before


def test_a_failed_event_rolls_back_the_whole_submission(
    people: dict[str, Any], world: dict[str, Any]
) -> None:
    before = footprint()
    with failing_event("message.received"), pytest.raises(DatabaseError):
        services.submit_message(
            services.Submission(
                principal="president-elect", sender_office=world["pm_ca"].pk, body="Hello",
                attachments=[("letter.pdf", PDF)],
            ),
            by=people["liaison_ca"], idempotency_key="retry-me",
        )
    assert footprint() == before  # no message, no blob, no attachment, no event
    # and the retry with the same key then succeeds, once
    message, created = services.submit_message(
        services.Submission(
            principal="president-elect", sender_office=world["pm_ca"].pk, body="Hello",
            attachments=[("letter.pdf", PDF)],
        ),
        by=people["liaison_ca"], idempotency_key="retry-me",
    )
    assert created and Message.objects.count() == 1


def test_a_failure_half_way_through_the_gate_releases_nothing(
    gated: Principal, submit: Any, people: dict[str, Any]
) -> None:
    messages = [submit(f"Message {i}") for i in range(3)]
    before = footprint()
    # the second delivery fails: the first must not stay delivered either
    with failing_event("message.delivered", after=1), pytest.raises(DatabaseError):
        services.set_principal_status(gated, by=people["admin"], status="ascertained")
    assert footprint() == before
    assert Principal.objects.get(pk=gated.pk).status == "projected"
    for message in messages:
        assert fresh(message).state == State.RECEIVED
        assert Hold.objects.filter(message=message, released_at__isnull=True, is_policy=True)


def test_a_failed_hold_event_leaves_no_hold(submit: Any, people: dict[str, Any]) -> None:
    message = submit()
    before = footprint()
    with failing_event("hold.placed"), pytest.raises(DatabaseError):
        services.place_hold(message, by=people["officer"], category="legal", reason="R")
    assert footprint() == before


# --------------------------------------------------------------------------- the original text

TEXTS = {
    "arabic": "فخامة الرئيس المنتخب،\nأتقدم إليكم بأحر التهاني بمناسبة فوزكم.",
    "hebrew_rtl_marks": "\u200fכבוד הנשיא הנבחר,\u200e 2020 \u200fברכות חמות.\u202b!\u202c",
    "cjk": (
        "尊敬的当选总统先生：谨致热烈祝贺。"
        "大統領選挙でのご勝利をお祝い申し上げます。대통령 당선을 축하드립니다."
    ),
    "emoji": "Congratulations 🎉🇺🇸👩🏽‍💼 👨‍👩‍👧‍👦 ❤️",
    "combining_nfd": (
        unicodedata.normalize("NFD", "Félicitations, Ελλάδα, Việt Nam") + "a\u0301\u0323"
    ),
    "crlf_and_trailing_spaces": "Line one  \r\nLine two\t\r\n\r\n   indented\r\n  ",
    "mixed_line_endings": "a\rb\nc\r\nd\u2028e\u2029f",
    "bom_and_zero_width": "\ufeffStart\u200bzero\u200dwidth\u00a0nbsp",
    "html_and_script": "<script>alert('x')</script> & <b>bold</b> &amp;",
    "supplementary_planes": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱 𓀀",
}


@pytest.mark.parametrize("name", list(TEXTS))
def test_original_text_is_kept_exactly(
    submit: Any, people: dict[str, Any], name: str
) -> None:
    text = TEXTS[name]
    subject = text[:50]
    message = submit(text, subject=subject)
    stored = fresh(message)
    assert stored.body == text and stored.body.encode("utf-8") == text.encode("utf-8")
    assert stored.subject == subject
    assert stored.body_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    liaison = people["liaison_ca"]
    out = message_dict(access_message(liaison, message.tracking), liaison, via="api")
    assert out["body"] == text and out["subject"] == subject
    # translation and delivery never rewrite it
    t = services.request_translation(fresh(message), by=people["officer"], source_language="fr")
    services.sign_off_translation(t, by=people["translator"], text="A translation")
    services.deliver(fresh(message), by=people["officer"])
    assert fresh(message).body.encode("utf-8") == text.encode("utf-8")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", InvalidInput), ("   \r\n\t ", InvalidInput), ("with a NUL \x00 inside", InvalidInput),
        ("broken surrogate \ud800 here", InvalidInput), (12, InvalidInput),
    ],
)
def test_unusable_bodies_are_refused(
    submit: Any, people: dict[str, Any], body: Any, error: type[Exception]
) -> None:
    before = footprint()
    with pytest.raises(error) as err:
        submit(body)
    assert err.value.field == "body"  # type: ignore[attr-defined]
    assert footprint() == before


def test_oversized_body_is_refused_at_the_limit(
    submit: Any, people: dict[str, Any], settings: Any
) -> None:
    settings.CHANCERY_MAX_BODY_CHARS = 100
    assert submit("é" * 100).body == "é" * 100  # the limit counts characters, not bytes
    with pytest.raises(TooLarge) as err:
        submit("x" * 101)
    assert "101" in err.value.message and "100" in err.value.message


def test_unknown_principal_office_and_language_are_named(
    submit: Any, people: dict[str, Any], world: dict[str, Any]
) -> None:
    from chancery.errors import NotFound

    with pytest.raises(NotFound) as err:
        submit(principal="king")
    assert "president-elect" in err.value.message  # lists the known ones
    with pytest.raises(NotFound):
        services.submit_message(
            services.Submission(principal="president-elect", sender_office=999999, body="x"),
            by=people["liaison_ca"],
        )
    with pytest.raises(InvalidInput) as bad:
        services.submit_message(
            services.Submission(principal="president-elect", sender_office="ten",  # type: ignore[arg-type]
                                body="x"),
            by=people["liaison_ca"],
        )
    assert bad.value.field == "sender_office"
    with pytest.raises(InvalidInput) as lang:
        submit(language="klingon")
    assert lang.value.field == "language"
    assert submit(language=" FR ").declared_language == "fr"
    assert not Message.objects.exclude(declared_language="fr").exists()


# --------------------------------------------------------------------------- tracking and retries


def test_tracking_numbers_are_human_readable(submit: Any, people: dict[str, Any]) -> None:
    message = submit()
    year = message.received_at.year
    assert message.tracking == f"CH-{year}-{message.pk:06d}"
    assert access_message(people["officer"], f"  ch-{year}-{message.pk:06d} ").pk == message.pk


def test_a_retried_submission_makes_one_message(
    people: dict[str, Any], world: dict[str, Any]
) -> None:
    sub = services.Submission(
        principal="president-elect", sender_office=world["pm_ca"].pk, body="Once",
        attachments=[("letter.pdf", PDF)],
    )
    first, created = services.submit_message(sub, by=people["liaison_ca"], idempotency_key="k")
    again, created_again = services.submit_message(
        sub, by=people["liaison_ca"], idempotency_key="k"
    )
    assert created and not created_again and again.pk == first.pk
    assert Message.objects.count() == 1 and Attachment.objects.count() == 1
    assert Event.objects.filter(kind="message.received").count() == 1

    changed = services.Submission(
        principal="president-elect", sender_office=world["pm_ca"].pk, body="Twice"
    )
    with pytest.raises(Conflict) as err:
        services.submit_message(changed, by=people["liaison_ca"], idempotency_key="k")
    assert first.tracking in err.value.message
    assert Message.objects.count() == 1
    # keys are per submitter: another liaison's "k" is its own
    other, created_other = services.submit_message(
        services.Submission(principal="president-elect", sender_office=world["pres_fr"].pk,
                            body="Once"),
        by=people["liaison_fr"], idempotency_key="k",
    )
    assert created_other and other.pk != first.pk
