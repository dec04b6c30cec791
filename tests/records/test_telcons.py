"""Telcons: the workflow with the personas (draft, reviewers, review, approval, distribution),
every refusal, the portion-marking rules, versions, who reads (and that reads are recorded), and
``chancery verify`` against rows changed behind the application's back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from chancery import clock, worker
from chancery.calls.models import CallRequest
from chancery.errors import Conflict, Forbidden, InvalidInput, NotFound
from chancery.ledger import integrity, sequencer
from chancery.ledger.models import ChangedRow, Event
from chancery.ledger.reads import Read
from chancery.ledger.services import history
from chancery.ledger.verify import verify_log
from chancery.records import access_telcons as access
from chancery.records import markings
from chancery.records.models import Telcon, TelconRecipient, TelconReview, TelconVersion
from chancery.records.services import telcons as svc
from tests.calls.placed import place

BODY = (
    "(U) The President-elect thanked President Macron for his congratulations.\n\n"
    "(C) President Macron raised the Paris Agreement and the coming summit."
)


def content(**over: Any) -> dict[str, Any]:
    base = {
        "regime": "presidential", "location": "Telephone (Wilmington, Delaware)",
        "participants": ["The President-elect", "Emmanuel Macron, President of France"],
        "note_takers": ["Anna Note", "Ben Taker"], "classification": "C",
        "classified_by": "Jane Doe, Executive Secretary", "reasons": ["b", "d"],
        "declassify_on": clock.now().date() + dt.timedelta(days=3650), "body": BODY,
    }
    return {**base, **over}


@pytest.fixture
def telcon(completed_call: CallRequest, people: dict[str, User]) -> Telcon:
    return svc.draft_telcon(completed_call, by=people["officer"], **content())


def _problems() -> list[str]:
    """verify's findings about telcons (the test calls are placed without call.requested)."""
    sequencer.integrate_all()
    return [p for p in verify_log().problems if "telcon" in p]


def _kinds(t: Telcon) -> list[str]:
    return list(history("telcon", t.pk).values_list("kind", flat=True))


def _through_approval(t: Telcon, people: dict[str, User]) -> Telcon:
    svc.name_reviewers(t, [people["officer2"], people["protocol"]], by=people["officer"])
    svc.review_telcon(t, by=people["officer2"], version=1)
    svc.review_telcon(t, by=people["protocol"], version=1, note="Fine.")
    return svc.approve_telcon(t, by=people["records"], version=1)


# --------------------------------------------------------------------------- markings


def test_portion_markings() -> None:
    assert markings.check_portions(BODY, "C") == []
    assert markings.portions(BODY)[1][0] == "C"
    assert markings.banner("TS") == "TOP SECRET"
    assert "no portion marking" in markings.check_portions("(U) One.\n\nTwo.", "U")[0]
    assert "above the overall level" in markings.check_portions(BODY, "U")[0]
    assert "must be the highest portion" in markings.check_portions(BODY, "S")[0]
    assert "empty" in markings.check_portions("  \n\n ", "U")[0]
    assert markings.check_portions("(U)Glued.", "U")  # the marking needs a space after it


# --------------------------------------------------------------------------- the workflow


def test_the_whole_workflow_with_its_events(
    telcon: Telcon, completed_call: CallRequest, people: dict[str, User]
) -> None:
    t = telcon
    assert t.tracking.startswith(f"TELCON-{t.created_at.year}-")
    v1 = t.versions.get()
    assert v1.start == completed_call.connected_at and v1.end == completed_call.completed_at
    assert v1.time_zone == completed_call.principal.time_zone
    assert t.state == Telcon.State.DRAFT
    _through_approval(t, people)
    t.refresh_from_db()
    assert t.state == Telcon.State.APPROVED and t.approved_by == people["records"]
    svc.distribute_telcon(t, [people["staffer"], people["translator"]], by=people["records"])
    t.refresh_from_db()
    assert t.state == Telcon.State.DISTRIBUTED and t.distributed_at is not None
    svc.set_distribution(t, [people["staffer"]], by=people["records"])
    assert list(TelconRecipient.objects.filter(telcon=t).values_list("user_id", flat=True)) == [
        people["staffer"].pk
    ]
    assert _kinds(t) == [
        "telcon.drafted", "telcon.reviewers", "telcon.reviewed", "telcon.reviewed",
        "telcon.approved", "telcon.distributed", "telcon.distribution",
    ]
    drafted = Event.objects.get(subject_type="telcon", subject_id=t.pk, kind="telcon.drafted")
    assert drafted.data["content"] == svc.version_content(v1)
    assert drafted.data["call"] == completed_call.tracking
    assert drafted.data["classification"] == "C" and drafted.data["reasons"] == ["b", "d"]
    assert _problems() == []


def test_a_revision_goes_back_to_draft_and_older_reviews_stop_counting(
    telcon: Telcon, people: dict[str, User]
) -> None:
    t = _through_approval(telcon, people)
    v2 = svc.revise_telcon(t, by=people["records"], note="Second paragraph clarified.",
                           body=BODY + " They agreed to speak again.")
    t.refresh_from_db()
    assert (v2.number, t.version, t.state) == (2, 2, Telcon.State.DRAFT)
    assert t.approved_by is None
    # The old version's number is stale now.
    with pytest.raises(Conflict, match="current version is 2"):
        svc.review_telcon(t, by=people["officer2"], version=1)
    svc.review_telcon(t, by=people["officer2"], version=2)
    t.refresh_from_db()
    assert t.state == Telcon.State.DRAFT  # protocol has not reviewed version 2
    svc.review_telcon(t, by=people["protocol"], version=2)
    t.refresh_from_db()
    assert t.state == Telcon.State.REVIEWED
    # The records officer wrote version 2: another approves it.
    refusal = svc.may(t, people["records"], "approve")
    assert not refusal and refusal.personal
    with pytest.raises(Forbidden, match="another records officer"):
        svc.approve_telcon(t, by=people["records"], version=2)
    assert _problems() == []


def test_every_refusal(
    telcon: Telcon, completed_call: CallRequest, world: dict[str, Any], people: dict[str, User],
) -> None:
    t = telcon
    with pytest.raises(Conflict, match="already records"):
        svc.draft_telcon(completed_call, by=people["records"], **content())
    with pytest.raises(Forbidden, match="draft telcons"):
        svc.draft_telcon(completed_call, by=people["staffer"], **content())
    with pytest.raises(Forbidden, match="revise"):
        svc.revise_telcon(t, by=people["officer2"], note="x", body=BODY)
    with pytest.raises(Forbidden, match="names its reviewers"):
        svc.name_reviewers(t, [people["officer2"]], by=people["officer2"])
    with pytest.raises(InvalidInput, match="wrote version 1") as exc:
        svc.name_reviewers(t, [people["officer"]], by=people["records"])
    assert exc.value.field == "reviewers"
    with pytest.raises(InvalidInput, match="no internal role"):
        svc.name_reviewers(t, [people["liaison_fr"]], by=people["officer"])
    with pytest.raises(Forbidden, match="named reviewers"):
        svc.review_telcon(t, by=people["officer2"], version=1)
    with pytest.raises(Forbidden, match="records officer"):
        svc.approve_telcon(t, by=people["officer"], version=1)
    with pytest.raises(Conflict, match="every named reviewer"):
        svc.approve_telcon(t, by=people["records"], version=1)
    with pytest.raises(Conflict, match="only an approved"):
        svc.distribute_telcon(t, [people["staffer"]], by=people["records"])
    with pytest.raises(Conflict, match="once the telcon is approved"):
        svc.set_distribution(t, [people["staffer"]], by=people["records"])
    svc.name_reviewers(t, [people["officer2"]], by=people["officer"])
    svc.review_telcon(t, by=people["officer2"], version=1)
    with pytest.raises(Conflict, match="already"):
        svc.review_telcon(t, by=people["officer2"], version=1)
    svc.approve_telcon(t, by=people["records"], version=1)
    with pytest.raises(InvalidInput, match="at least one recipient"):
        svc.distribute_telcon(t, [], by=people["records"])
    svc.distribute_telcon(t, [people["staffer"]], by=people["records"])
    with pytest.raises(Conflict, match="final"):
        svc.revise_telcon(t, by=people["records"], note="x", body=BODY + " More.")
    # A call not yet connected has no telcon.
    with pytest.raises(Conflict, match="connected or completed"):
        svc.draft_telcon(
            place(world, people, at=clock.now() + dt.timedelta(days=1), office="pm_ca",
                  language="en"),
            by=people["officer"], **content(),
        )
    assert Telcon.objects.count() == 1


@pytest.mark.parametrize(
    "over, field, words",
    [
        ({"note_takers": ["Anna Note"]}, "note_takers", "two distinct"),
        ({"note_takers": ["Anna Note", "anna note"]}, "note_takers", "two distinct"),
        ({"participants": []}, "participants", "at least one"),
        ({"location": " "}, "location", "empty"),
        ({"classification": "X"}, "classification", "not a level"),
        ({"classified_by": ""}, "classified_by", "who classified"),
        ({"reasons": []}, "reasons", "at least one"),
        ({"reasons": ["z"]}, "reasons", "not an E.O. 13526"),
        ({"declassify_on": None}, "declassify_on", "declassify_on date"),
        ({"declassify_on": "2001-01-01"}, "declassify_on", "not in the future"),
        ({"declassify_on": "2090-01-01"}, "declassify_on", "25 years"),
        ({"declassify_on": "soon"}, "declassify_on", "YYYY-MM-DD"),
        ({"classification": "U"}, "classified_by", "unclassified record has no"),
        ({"classification": "S"}, "body", "highest portion"),
        ({"body": "(C) One.\n\nNo marking."}, "body", "no portion marking"),
        ({"regime": "private"}, "regime", "federal"),
        ({"kind": "fax"}, "kind", "memcon"),
        ({"time_zone": "Mars/Base"}, "time_zone", "IANA"),
        ({"body": "\x00"}, "body", "NUL"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    completed_call: CallRequest, people: dict[str, User], over: dict[str, Any], field: str,
    words: str,
) -> None:
    with pytest.raises(InvalidInput, match=words) as exc:
        svc.draft_telcon(completed_call, by=people["officer"], **content(**over))
    assert exc.value.field == field
    assert not Telcon.objects.exists() and not Event.objects.filter(subject_type="telcon").exists()


def test_an_unclassified_memcon_needs_no_classification_block(
    completed_call: CallRequest, people: dict[str, User]
) -> None:
    t = svc.draft_telcon(
        completed_call, by=people["protocol"], kind="memcon", regime="federal",
        location="Oval Office", participants="The President-elect\n\nThe Ambassador",
        note_takers="A. One\nB. Two", classification="U", body="(U) Courtesy call.",
    )
    v = t.versions.get()
    assert v.participants == ["The President-elect", "The Ambassador"]
    assert (v.classified_by, v.reasons, v.declassify_on) == ("", [], None)
    assert svc.caution("memcon").startswith("CAUTION: A memorandum of conversation (MEMCON)")
    assert "not a verbatim transcript" in svc.caution("telcon")


def test_a_revision_must_change_something_and_may_not_change_the_times(
    telcon: Telcon, people: dict[str, User]
) -> None:
    with pytest.raises(InvalidInput, match="same as version 1"):
        svc.revise_telcon(telcon, by=people["officer"], note="Nothing.", body=BODY)
    with pytest.raises(InvalidInput, match="cannot be revised"):
        svc.revise_telcon(telcon, by=people["officer"], note="x", start=clock.now())
    with pytest.raises(InvalidInput, match="empty"):
        svc.revise_telcon(telcon, by=people["officer"], note=" ", body=BODY + " More.")
    assert TelconVersion.objects.count() == 1


# --------------------------------------------------------------------------- access


def test_who_sees_and_who_reads(telcon: Telcon, people: dict[str, User]) -> None:
    t = telcon
    for name in ("officer", "records", "admin", "auditor", "staffer"):
        assert access.access_telcon(people[name], t.tracking) == t
    for name in ("staffer_vp", "liaison_fr", "translator"):
        with pytest.raises(NotFound):
            access.access_telcon(people[name], t.tracking)
    with pytest.raises(NotFound, match="TELCON-2020-000123"):
        access.access_telcon(people["officer"], "CALL-2020-000001")
    readers = {u for u in people.values() if access.may_read(u, t)}
    assert readers == {people["officer"], people["records"], people["admin"]}
    with pytest.raises(Forbidden, match="distribution list"):
        access.access_telcon_content(people["staffer"], t.tracking)
    _through_approval(t, people)
    assert access.may_read(people["officer2"], t)  # a named reviewer
    svc.set_distribution(t, [people["staffer"]], by=people["records"])
    assert not access.may_read(people["staffer"], t)  # not distributed yet
    svc.distribute_telcon(t, [people["staffer"], people["translator"]], by=people["records"])
    assert access.access_telcon_content(people["staffer"], t.tracking) == t
    assert access.access_telcon(people["translator"], t.tracking) == t  # a reader sees it
    with pytest.raises(NotFound):
        access.access_telcon(people["staffer_vp"], t.tracking)
    before = Read.objects.count()
    access.read_version(people["staffer"], t, via="api")
    read = Read.objects.latest("id")
    assert Read.objects.count() == before + 1
    assert (read.subject_type, read.subject_id, read.via, read.part) == (
        "telcon", t.pk, "api", "version 1"
    )
    assert access.telcon_labels([t.pk])[t.pk].text == t.tracking


# --------------------------------------------------------------------------- verify


@pytest.fixture
def recorded(telcon: Telcon, people: dict[str, User]) -> dict[str, Any]:
    t = _through_approval(telcon, people)
    svc.distribute_telcon(t, [people["staffer"]], by=people["records"])
    assert _problems() == []
    return {
        "telcon": t.pk, "version": TelconVersion.objects.get(telcon=t).pk,
        "review": TelconReview.objects.filter(telcon=t).first().pk,  # type: ignore[union-attr]
        "recipient": TelconRecipient.objects.get(telcon=t).pk,
        "auditor": people["auditor"].pk,
    }


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("UPDATE records_telconversion SET body = '(C) Forged.' WHERE id = {version}", "body"),
        ("UPDATE records_telconversion SET classification = 'U' WHERE id = {version}",
         "classification block"),
        ("UPDATE records_telconversion SET location = 'Elsewhere' WHERE id = {version}",
         "header"),
        ("DELETE FROM records_telconreview WHERE id = {review}", "has no row (deleted)"),
        ("UPDATE records_telconrecipient SET user_id = {auditor} WHERE id = {recipient}",
         "distribution list"),
        ("DELETE FROM records_telconrecipient WHERE id = {recipient}", "distribution list"),
        ("UPDATE records_telcon SET state = 'draft' WHERE id = {telcon}",
         "the row's state is draft"),
        ("UPDATE records_telcon SET regime = 'federal' WHERE id = {telcon}", "regime"),
    ],
)
def test_verify_finds_rows_changed_behind_the_application(
    recorded: dict[str, Any], sql: str, expected: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**recorded))
    problems = _problems()
    assert any(expected in p for p in problems), problems


def test_verify_finds_a_telcon_written_without_its_event(
    recorded: dict[str, Any], world: dict[str, Any], people: dict[str, User]
) -> None:
    other = place(world, people, at=clock.now() + dt.timedelta(days=1), office="pm_ca",
                  language="en")
    Telcon.objects.create(call=other, regime="federal", created_by=people["officer"],
                          created_at=clock.now())
    problems = _problems()
    assert any("no telcon.drafted event: written behind the application" in p
               for p in problems), problems


def test_verify_finds_a_version_written_without_its_event(
    recorded: dict[str, Any], people: dict[str, User]
) -> None:
    v = TelconVersion.objects.get(pk=recorded["version"])
    v.pk, v.number, v.body = None, 2, "(C) Inserted behind the application."
    v.save()
    problems = _problems()
    assert any("version 2 has no telcon.drafted/revised event" in p for p in problems), problems


def _settle() -> int:
    raised = 0
    for _ in range(3):
        raised += worker.run_once().integrity
        if not ChangedRow.objects.exists():
            return raised
    raise AssertionError(f"{ChangedRow.objects.count()} changed rows still queued")


def test_the_worker_alerts_on_telcon_rows_changed_with_sql(recorded: dict[str, Any]) -> None:
    _settle()
    telcon_alerts = Event.objects.filter(kind=integrity.ALERT, data__subject="telcon")
    assert not telcon_alerts.exists(), "the application's own changes raised an alert"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_telconversion SET body = '(C) Forged.' WHERE id = %s",
                       [recorded["version"]])
        cursor.execute("DELETE FROM records_telconreview WHERE id = %s", [recorded["review"]])
    _settle()
    alert = telcon_alerts.get()
    assert alert.data["id"] == recorded["telcon"]
    findings = alert.data["findings"]
    assert any("body" in f for f in findings) and any("deleted" in f for f in findings), findings


def test_the_author_of_the_current_version_does_not_review_it_and_stale_approvals_fail(
    telcon: Telcon, people: dict[str, User]
) -> None:
    t = telcon
    svc.name_reviewers(t, [people["records"], people["officer2"]], by=people["officer"])
    svc.revise_telcon(t, by=people["records"], note="Tightened.", body=BODY + " Briefly.")
    refusal = svc.may(t, people["records"], "review")
    assert not refusal and refusal.personal and "You wrote version 2" in refusal.reason
    with pytest.raises(Forbidden, match="You wrote version 2"):
        svc.review_telcon(t, by=people["records"], version=2)
    svc.name_reviewers(t, [people["officer2"]], by=people["records"])
    svc.review_telcon(t, by=people["officer2"], version=2)
    with pytest.raises(Forbidden, match="records officer"):
        svc.set_distribution(t, [people["staffer"]], by=people["officer"])
    with pytest.raises(InvalidInput, match="version"):
        svc.approve_telcon(t, by=people["records"], version="x")
    assert [a.action for a in svc.allowed_actions(t, people["officer"]) if a] == [
        "revise", "name_reviewers"
    ]
    assert _problems() == []
