"""Issue section 5, "people and permissions": what each role may and may not do.

Refusals are checked for what they leave behind as well as for the exception: a refused action
writes nothing (no message, no blob, no hold, no event).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from chancery.correspondence import services
from chancery.correspondence.access import (
    access_message,
    can_read_content,
    content_reads,
    message_reads,
    read_content,
    visible_messages,
)
from chancery.correspondence.models import (
    Attachment,
    Blob,
    Hold,
    Message,
    State,
    Translation,
)
from chancery.correspondence.present import message_dict
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound
from chancery.ledger.models import Event
from chancery.testing import PDF, fresh


def footprint() -> tuple[int, ...]:
    """Counts of everything a service could write."""
    return (
        Message.objects.count(), Blob.objects.count(), Attachment.objects.count(),
        Hold.objects.count(), Translation.objects.count(), Event.objects.count(),
    )


# --------------------------------------------------------------------------- liaisons


def test_liaison_sees_only_its_own_countrys_messages(
    submit: Any, people: dict[str, Any], world: dict[str, Any]
) -> None:
    canadian = submit("From Ottawa")
    french = submit("De Paris", by=people["liaison_fr"], office=world["pres_fr"])
    # an officer enters a French letter: still France's message, so the French liaison sees it
    letter, _ = services.submit_message(
        services.Submission(
            principal="president-elect", sender_office=world["pres_fr"].pk, body="Lettre",
            channel="letter",
        ),
        by=people["officer"],
    )
    liaison_ca, liaison_fr = people["liaison_ca"], people["liaison_fr"]
    assert set(visible_messages(liaison_ca).values_list("pk", flat=True)) == {canadian.pk}
    assert set(visible_messages(liaison_fr).values_list("pk", flat=True)) == {french.pk, letter.pk}

    with pytest.raises(NotFound) as other:
        access_message(liaison_fr, canadian.tracking)
    with pytest.raises(NotFound) as missing:
        access_message(liaison_fr, "CH-2020-999999")
    # the same answer for "not yours" and "does not exist": tracking numbers cannot be probed
    assert type(other.value) is type(missing.value)
    assert "that you can see" in other.value.message and "that you can see" in missing.value.message
    assert not can_read_content(liaison_fr, canadian)
    with pytest.raises(Forbidden):
        read_content(liaison_fr, canadian, via="api")
    assert access_message(liaison_ca, canadian.tracking.lower()).pk == canadian.pk


def test_liaison_cannot_submit_for_another_country(
    people: dict[str, Any], world: dict[str, Any]
) -> None:
    before = footprint()
    with pytest.raises(Forbidden) as err:
        services.submit_message(
            services.Submission(
                principal="president-elect", sender_office=world["pres_fr"].pk,
                body="Pretending to be France", attachments=[("note.pdf", PDF)],
            ),
            by=people["liaison_ca"], idempotency_key="k-1",
        )
    assert err.value.field == "sender_office"
    assert "France" in err.value.message and "Embassy of Canada" in err.value.message
    assert footprint() == before


def test_liaison_without_a_mission_cannot_submit(
    people: dict[str, Any], world: dict[str, Any]
) -> None:
    from chancery.testing import make_user

    stray = make_user("liaison.none", "liaison")
    with pytest.raises(Forbidden):
        services.submit_message(
            services.Submission(principal="president-elect", sender_office=world["pm_ca"].pk,
                                body="Hello"),
            by=stray,
        )
    assert not Message.objects.exists()


def test_liaison_submits_only_by_its_own_channels(
    people: dict[str, Any], world: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as err:
        services.submit_message(
            services.Submission(principal="president-elect", sender_office=world["pm_ca"].pk,
                                body="By telegram", channel="telegram"),
            by=people["liaison_ca"],
        )
    assert err.value.field == "channel"
    assert not Message.objects.exists()


@pytest.mark.parametrize("who", ["translator", "staffer", "auditor"])
def test_only_liaisons_officers_and_admins_submit(
    people: dict[str, Any], world: dict[str, Any], who: str
) -> None:
    with pytest.raises(Forbidden):
        services.submit_message(
            services.Submission(principal="president-elect", sender_office=world["pm_ca"].pk,
                                body="Hello"),
            by=people[who],
        )
    assert not Message.objects.exists()


def test_anonymous_sees_nothing_and_submits_nothing(
    submit: Any, world: dict[str, Any]
) -> None:
    message = submit()
    anonymous = AnonymousUser()
    assert not visible_messages(anonymous).exists()
    assert not can_read_content(anonymous, message)
    with pytest.raises(NotFound):
        access_message(anonymous, message.tracking)
    with pytest.raises(Forbidden):
        services.submit_message(
            services.Submission(principal="president-elect", sender_office=world["pm_ca"].pk,
                                body="Hello"),
            by=anonymous,
        )


# --------------------------------------------------------------------------- translators


def test_translator_signs_off_only_in_its_languages(submit: Any, people: dict[str, Any]) -> None:
    french = submit("Félicitations", language="fr")
    german = submit("Herzlichen Glückwunsch", language="de")
    t_fr = services.request_translation(french, by=people["officer"])
    t_de = services.request_translation(german, by=people["officer"])
    translator = people["translator"]

    assert set(visible_messages(translator).values_list("pk", flat=True)) == {french.pk}
    assert can_read_content(translator, fresh(french))
    assert not can_read_content(translator, fresh(german))
    with pytest.raises(NotFound):
        access_message(translator, german.tracking)

    before = footprint()
    with pytest.raises(Forbidden) as err:
        services.sign_off_translation(t_de, by=translator, text="Congratulations")
    assert "from fr" in err.value.message and "not from de" in err.value.message
    assert footprint() == before
    assert Translation.objects.get(pk=t_de.pk).status == "requested"

    done = services.sign_off_translation(t_fr, by=translator, text="Congratulations")
    assert done.translator == translator and done.status == "signed_off"


@pytest.mark.parametrize("who", ["officer", "staffer", "liaison_ca", "auditor", "admin"])
def test_only_translators_sign_off(submit: Any, people: dict[str, Any], who: str) -> None:
    translation = services.request_translation(
        submit("Bonjour", language="fr"), by=people["officer"]
    )
    with pytest.raises(Forbidden):
        services.sign_off_translation(translation, by=people[who], text="Hello")
    assert Translation.objects.get(pk=translation.pk).status == "requested"


# --------------------------------------------------------------------------- the principal's office


@pytest.mark.parametrize(
    "who", ["staffer_vp", "officer", "protocol", "admin", "liaison_ca", "auditor", "translator"]
)
def test_only_that_principals_office_acknowledges(
    submit: Any, people: dict[str, Any], who: str
) -> None:
    message = submit()
    services.deliver(message, by=people["officer"])
    before = footprint()
    with pytest.raises(Forbidden):
        services.acknowledge(fresh(message), by=people[who])
    assert fresh(message).state == State.DELIVERED and footprint() == before
    services.acknowledge(fresh(message), by=people["staffer"])
    assert fresh(message).state == State.ACKNOWLEDGED


# --------------------------------------------------------------------------- officers

NON_OFFICERS = ["liaison_ca", "translator", "staffer", "auditor", "admin"]
OFFICERS = ["officer", "protocol"]


def _hold(message: Message, by: Any) -> Any:
    return services.place_hold(message, by=by, category="security", reason="Screening")


OFFICER_ACTIONS: dict[str, Callable[[Message, Any], Any]] = {
    "triage": lambda m, by: services.triage(m, by=by),
    "deliver": lambda m, by: services.deliver(m, by=by),
    "reject": lambda m, by: services.reject(m, by=by, reason="Not addressed to us"),
    "hold": _hold,
    "request_translation": lambda m, by: services.request_translation(
        m, by=by, source_language="fr"
    ),
}


@pytest.mark.parametrize("action", list(OFFICER_ACTIONS))
@pytest.mark.parametrize("who", NON_OFFICERS)
def test_only_officers_triage_hold_deliver_reject_translate(
    submit: Any, people: dict[str, Any], action: str, who: str
) -> None:
    message = submit()
    before = footprint()
    with pytest.raises(Forbidden) as err:
        OFFICER_ACTIONS[action](message, people[who])
    assert "officer" in err.value.message
    assert footprint() == before and fresh(message).state == State.RECEIVED


@pytest.mark.parametrize("action", list(OFFICER_ACTIONS))
@pytest.mark.parametrize("who", OFFICERS)
def test_officers_may(submit: Any, people: dict[str, Any], action: str, who: str) -> None:
    message = submit()
    OFFICER_ACTIONS[action](message, people[who])
    assert Event.objects.filter(subject_id=message.pk).count() == 2  # received + the action


@pytest.mark.parametrize("step", ["confirm", "renew", "release"])
@pytest.mark.parametrize("who", NON_OFFICERS)
def test_only_officers_confirm_renew_release_holds(
    submit: Any, people: dict[str, Any], step: str, who: str
) -> None:
    hold = _hold(submit(), people["officer"])
    if step == "renew":
        services.confirm_hold(hold, by=people["officer2"])
    before = footprint()
    with pytest.raises(Forbidden):
        if step == "confirm":
            services.confirm_hold(hold, by=people[who])
        elif step == "renew":
            services.renew_hold(hold, by=people[who])
        else:
            services.release_hold(hold, by=people[who], reason="Let it go")
    assert footprint() == before
    assert Hold.objects.get(pk=hold.pk).released_at is None


def test_a_protocol_officer_is_a_second_officer(submit: Any, people: dict[str, Any]) -> None:
    hold = _hold(submit(), people["officer"])
    assert services.confirm_hold(hold, by=people["protocol"]).confirmed_by == people["protocol"]


def test_officers_enter_letters_from_any_country(
    people: dict[str, Any], world: dict[str, Any]
) -> None:
    for office in (world["pm_ca"], world["pres_fr"]):
        message, created = services.submit_message(
            services.Submission(principal="president-elect", sender_office=office.pk,
                                body="Scanned letter", channel="letter"),
            by=people["protocol"],
        )
        assert created and message.channel == "letter"


# ------------------------------------------------------------------- auditors and the read audit


def test_auditor_sees_everything_and_the_reads(
    submit: Any, people: dict[str, Any], world: dict[str, Any]
) -> None:
    a = submit("One")
    b = submit(
        "Two", by=people["liaison_fr"], office=world["pres_fr"],
        principal="vice-president-elect",
    )
    auditor = people["auditor"]
    assert set(visible_messages(auditor).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert can_read_content(auditor, a) and can_read_content(auditor, b)

    read_content(people["liaison_ca"], a, via="api")
    message_dict(a, people["officer"], via="web")
    read_content(auditor, b, via="export", part="attachments")

    audit = list(content_reads(auditor))
    assert {(r.user.get_username(), r.message_id, r.via, r.part) for r in audit} == {
        ("liaison.ca", a.pk, "api", "body"),
        ("officer.one", a.pk, "web", "body"),
        ("auditor", b.pk, "export", "attachments"),  # the auditor's own reads are audited too
    }
    assert content_reads(auditor, a).count() == 2
    assert content_reads(people["admin"]).count() == 3


@pytest.mark.parametrize("who", ["officer", "liaison_ca", "staffer", "translator"])
def test_only_auditors_and_admins_review_the_reads(people: dict[str, Any], who: str) -> None:
    with pytest.raises(Forbidden):
        content_reads(people[who])


def test_every_content_read_is_recorded(submit: Any, people: dict[str, Any]) -> None:
    message = submit()
    officer = people["officer"]
    for i in range(1, 4):
        read_content(officer, message, via="web")
        assert message_reads(message).filter(user=officer).count() == i
    message_dict(message, officer, via="api")  # the detail view reads the content
    assert message_reads(message).filter(user=officer, via="api").count() == 1
    message_dict(message, officer, via="api", full=False)  # a list row does not
    assert message_reads(message).filter(user=officer).count() == 4
    read = message_reads(message).first()
    assert read is not None and read.at is not None


def test_unreadable_content_is_not_recorded_as_read(submit: Any, people: dict[str, Any]) -> None:
    message = submit()
    out = message_dict(message, people["staffer"], via="web")  # not delivered yet
    assert out["content_visible"] is False and "body" not in out
    assert not message_reads().exists()


def test_status_changes_belong_to_admins(world: dict[str, Any], people: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        services.set_principal_status(world["pe"], by=people["officer"], status="ascertained")
    services.set_principal_status(world["pe"], by=people["admin"], status="ascertained")
    with pytest.raises(Conflict):
        services.set_principal_status(world["pe"], by=people["admin"], status="ascertained")
