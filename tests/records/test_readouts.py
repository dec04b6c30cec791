"""Read-outs through their services: drafted by staff, cleared by the principal's office of the
call's principal (not the drafter), published by the one rule (call completed, version cleared,
embargo passed) whether by a person or by the worker, exactly once; corrections are new versions
with their note; every change is its event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery import clock
from chancery.accounts.models import Role
from chancery.calls.models import CallRequest
from chancery.calls.services.requests import complete_call, record_attempt
from chancery.errors import Conflict, Forbidden, InvalidInput
from chancery.ledger.models import Read
from chancery.ledger.services import history
from chancery.records import access_readouts as access
from chancery.records.models import Readout, ReadoutVersion
from chancery.records.services import readouts as services
from chancery.testing import make_user

BODY = "The President-elect spoke with President Macron of France.\n\nThey discussed climate."


def kinds(readout: Readout) -> list[str]:
    return [e.kind for e in history("readout", readout.pk)]


def _draft(call: CallRequest, by: User, **kw: Any) -> ReadoutVersion:
    return services.draft_readout(call, by=by, title=kw.pop("title", "Read-out"),
                                  body=kw.pop("body", BODY), **kw)


@pytest.fixture
def cleared(completed_call: CallRequest, people: dict[str, User]) -> Readout:
    """A read-out of the completed call drafted by the officer, cleared by the staffer."""
    v = _draft(completed_call, people["officer"])
    services.clear_readout(v.readout, by=people["staffer"], version=1)
    return Readout.objects.get(pk=v.readout_id)


def test_first_draft_makes_the_readout_with_its_slug(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    v = _draft(completed_call, people["officer"])
    readout = v.readout
    date = services.call_date(completed_call).isoformat()
    assert readout.slug == f"{date}-france"
    assert (readout.state, readout.version, v.number) == ("draft", 1, 1)
    assert kinds(readout) == ["readout.drafted"]
    event = history("readout", readout.pk).get()
    assert event.data["slug"] == readout.slug and event.data["correction"] is False
    assert event.data["content"] == {"title": "Read-out", "body": BODY, "correction_note": ""}
    assert event.actor == people["officer"]
    # a second draft is version 2 of the same read-out
    v2 = _draft(completed_call, people["staffer"], body="Second text.")
    assert (v2.readout_id, v2.number) == (readout.pk, 2)
    assert Readout.objects.get(pk=readout.pk).version == 2


def test_who_may_draft_and_bad_input_writes_nothing(
    scheduled_call: CallRequest, people: dict[str, User]
) -> None:
    for who in ("liaison_fr", "translator", "staffer_vp", "auditor"):
        with pytest.raises(Forbidden):
            _draft(scheduled_call, people[who])
    with pytest.raises(InvalidInput) as err:
        _draft(scheduled_call, people["officer"], body="   ")
    assert err.value.field == "body"
    with pytest.raises(InvalidInput):
        _draft(scheduled_call, people["officer"], correction_note="Not a correction.")
    assert not Readout.objects.exists() and not ReadoutVersion.objects.exists()
    # drafting before the call ends is allowed (staff prepare read-outs)
    assert _draft(scheduled_call, people["records"]).number == 1


def test_clearance_is_the_principals_office_not_the_drafter(
    completed_call: CallRequest, people: dict[str, User], world: dict[str, Any]
) -> None:
    v = _draft(completed_call, people["staffer"])
    readout = v.readout
    for who in ("officer", "records", "staffer_vp", "admin"):
        with pytest.raises(Forbidden):
            services.clear_readout(readout, by=people[who], version=1)
    with pytest.raises(Forbidden, match="another person"):
        services.clear_readout(readout, by=people["staffer"], version=1)
    other = make_user("staffer2.pe", Role.PRINCIPAL_OFFICE, principal=world["pe"])
    _draft(completed_call, people["officer"], title="Better title")
    with pytest.raises(Conflict, match="not the latest"):
        services.clear_readout(readout, by=other, version=1)
    services.clear_readout(readout, by=other, version=2)
    with pytest.raises(Conflict, match="cleared already"):
        services.clear_readout(readout, by=people["staffer"], version=2)
    readout.refresh_from_db()
    assert readout.state == "cleared"
    assert kinds(readout) == ["readout.drafted", "readout.drafted", "readout.cleared"]
    assert ReadoutVersion.objects.get(readout=readout, number=2).cleared_by == other


def test_never_published_before_the_call_ended(
    scheduled_call: CallRequest, people: dict[str, User]
) -> None:
    v = _draft(scheduled_call, people["officer"])
    readout = v.readout
    services.clear_readout(readout, by=people["staffer"], version=1)
    readout.refresh_from_db()
    refusal = services.publication_refusal(readout, clock.now())
    assert refusal is not None and "has not ended" in refusal
    with pytest.raises(Conflict, match="has not ended"):
        services.publish_readout(readout, by=people["staffer"])
    assert services.publish_due() == 0
    record_attempt(scheduled_call, by=people["officer"], outcome="connected")
    with clock.travel(dt.timedelta(hours=1)):
        assert services.publish_due() == 0  # connected, not completed
        complete_call(scheduled_call, by=people["officer"], minutes=15)
        assert services.publish_due() == 1
        assert services.publish_due() == 0
    readout.refresh_from_db()
    assert readout.state == "published" and readout.published_version == 1
    event = history("readout", readout.pk).filter(kind="readout.published").get()
    assert event.actor is None and event.data["version"] == 1


def test_never_published_before_clearance(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    readout = _draft(completed_call, people["officer"]).readout
    with pytest.raises(Conflict, match="not cleared"):
        services.publish_readout(readout, by=people["officer"])
    assert services.publish_due() == 0
    assert "readout.published" not in kinds(readout)


def test_never_published_inside_the_embargo(cleared: Readout, people: dict[str, User]) -> None:
    until = clock.now() + dt.timedelta(hours=6)
    services.set_embargo(cleared, by=people["officer"], until=until, note="Ottawa publishes first")
    cleared.refresh_from_db()
    refusal = services.publication_refusal(cleared, clock.now())
    assert refusal is not None and refusal.startswith("Embargoed until")
    assert "Ottawa publishes first" in refusal
    with pytest.raises(Conflict, match="Embargoed"):
        services.publish_readout(cleared, by=people["staffer"])
    with clock.travel(dt.timedelta(hours=5, minutes=59)):
        assert services.publish_due() == 0
    with clock.travel(dt.timedelta(hours=6, seconds=1)):
        assert services.publication_refusal(cleared, clock.now()) is None
        assert services.publish_due() == 1
    v = ReadoutVersion.objects.get(readout=cleared, number=1)
    assert v.published_at is not None and v.published_at >= until
    embargo = history("readout", cleared.pk).filter(kind="readout.embargo").get()
    assert embargo.data["until"] == services.iso(until)


def test_published_exactly_once(cleared: Readout, people: dict[str, User]) -> None:
    v = services.publish_readout(cleared, by=people["staffer"])
    assert v.published_at is not None and len(v.digest) == 64
    with pytest.raises(Conflict, match="published already"):
        services.publish_readout(cleared, by=people["officer"])
    assert services.publish_due() == 0
    assert kinds(cleared).count("readout.published") == 1
    cleared.refresh_from_db()
    assert cleared.first_published_at == v.published_at
    assert access.public_readout(cleared.slug).pk == cleared.pk


def test_a_correction_is_a_new_version_with_its_note(
    cleared: Readout, people: dict[str, User], world: dict[str, Any]
) -> None:
    first = services.publish_readout(cleared, by=people["staffer"])
    with pytest.raises(InvalidInput, match="correction") as err:
        _draft(cleared.call, people["officer"], body="Corrected text.")
    assert err.value.field == "correction_note"
    v2 = _draft(cleared.call, people["officer"], body="Corrected text.",
                correction_note="The call lasted 15 minutes, not 30.")
    cleared.refresh_from_db()
    # the public page still shows version 1 until the correction is cleared and published
    assert cleared.published_version == 1 and cleared.state == "draft"
    assert access.public_readout(cleared.slug).pk == cleared.pk
    drafted = history("readout", cleared.pk).filter(kind="readout.drafted").last()
    assert drafted is not None and drafted.data["correction"] is True
    services.clear_readout(cleared, by=people["staffer"], version=2)
    services.publish_readout(cleared, by=people["staffer"])
    cleared.refresh_from_db()
    v2.refresh_from_db()
    assert cleared.published_version == 2 and cleared.first_published_at == first.published_at
    assert v2.digest != first.digest
    published = history("readout", cleared.pk).filter(kind="readout.published")
    assert [e.data["correction"] for e in published] == [False, True]
    versions = access.readable_readout_versions(None).filter(readout=cleared)
    assert [v.number for v in versions] == [1, 2]  # the old text is still listed


def test_embargo_and_link_inputs(cleared: Readout, people: dict[str, User]) -> None:
    with pytest.raises(InvalidInput, match="https"):
        services.link_counterpart(cleared, by=people["officer"], url="http://elysee.fr/x")
    with pytest.raises(InvalidInput):
        services.link_counterpart(cleared, by=people["officer"], url="https://")
    with pytest.raises(Forbidden):
        services.link_counterpart(cleared, by=people["liaison_fr"], url="https://elysee.fr/")
    with pytest.raises(InvalidInput, match="time zone"):
        services.set_embargo(cleared, by=people["officer"], until=dt.datetime(2020, 11, 10))
    assert kinds(cleared) == ["readout.drafted", "readout.cleared"]
    services.link_counterpart(cleared, by=people["officer"], url="https://www.elysee.fr/r/1")
    cleared.refresh_from_db()
    assert cleared.counterpart_url == "https://www.elysee.fr/r/1"
    linked = history("readout", cleared.pk).filter(kind="readout.linked").get()
    assert linked.data["url"] == cleared.counterpart_url


def test_who_sees_drafts_and_reading_one_is_recorded(
    cleared: Readout, people: dict[str, User]
) -> None:
    for who in ("officer", "records", "auditor", "staffer", "admin"):
        assert access.visible_readouts(people[who]).filter(pk=cleared.pk).exists(), who
        assert access.readable_readout_versions(people[who]).filter(readout=cleared).exists()
    for who in ("staffer_vp", "liaison_fr", "translator"):
        assert not access.visible_readouts(people[who]).exists(), who
        assert not access.readable_readout_versions(people[who]).exists(), who
    assert not access.published_readouts().exists()
    versions = list(access.readable_readout_versions(people["staffer"]).filter(readout=cleared))
    access.record_draft_read(people["staffer"], cleared, versions, via="web")
    read = Read.objects.get(subject_type="readout", subject_id=cleared.pk)
    assert (read.user, read.part) == (people["staffer"], "draft v1")
