"""Who sees which call request: per persona, with 404 for what one may not know exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chancery import clock
from chancery.calls.access import (
    SUBJECT,
    access_call,
    access_liaison_call,
    call_labels,
    liaison_calls,
    parse_tracking,
    principal_calls,
    visible_calls,
)
from chancery.calls.models import CallRequest
from chancery.calls.services import requests as svc
from chancery.errors import Forbidden, NotFound
from chancery.ledger.reads import subject_labels


def _request(world: dict[str, Any], by: Any, office: str, principal: str) -> CallRequest:
    today = clock.now().date()
    call, _ = svc.submit_call(
        svc.CallSubmission(principal=principal, office=world[office].pk, purpose="Talk.",
                           language="fr", earliest=today, latest=today + dt.timedelta(days=7)),
        by=by,
    )
    return call


@pytest.fixture
def calls(world: dict[str, Any], people: dict[str, Any]) -> dict[str, CallRequest]:
    return {
        "ca_pe": _request(world, people["liaison_ca"], "pm_ca", "president-elect"),
        "fr_pe": _request(world, people["liaison_fr"], "pres_fr", "president-elect"),
        "fr_vpe": _request(world, people["liaison_fr"], "pres_fr", "vice-president-elect"),
    }


def test_each_persona_sees_its_own(people, calls, interpreter) -> None:
    def seen(persona: str) -> set[str]:
        return {k for k, c in calls.items() if c in visible_calls(people[persona])}

    assert seen("officer") == seen("protocol") == seen("auditor") == seen("admin") == set(calls)
    assert seen("liaison_ca") == {"ca_pe"}
    assert seen("liaison_fr") == {"fr_pe", "fr_vpe"}
    assert seen("staffer") == {"ca_pe", "fr_pe"}
    assert seen("staffer_vp") == {"fr_vpe"}
    assert seen("translator") == set()
    assert not visible_calls(interpreter.user).exists()
    CallRequest.objects.filter(pk=calls["fr_vpe"].pk).update(interpreter=interpreter)
    assert list(visible_calls(interpreter.user)) == [calls["fr_vpe"]]


def test_a_call_one_may_not_see_is_404_like_one_that_does_not_exist(people, calls) -> None:
    ca = calls["ca_pe"]
    assert access_call(people["liaison_ca"], ca.tracking) == ca
    assert access_call(people["auditor"], ca.tracking.lower()) == ca
    for persona in ("liaison_fr", "staffer_vp", "translator"):
        with pytest.raises(NotFound) as exc:
            access_call(people[persona], ca.tracking)
        assert exc.value.message == f"No call request {ca.tracking} that you can see."
    with pytest.raises(NotFound):
        access_call(people["officer"], "CALL-2020-999999")
    wrong_year = f"CALL-{ca.received_at.year - 1}-{ca.pk:06d}"
    with pytest.raises(NotFound):
        access_call(people["officer"], wrong_year)
    with pytest.raises(NotFound, match="look like CALL-2020-000123"):
        parse_tracking("CH-2020-000001")
    assert access_liaison_call(people["liaison_ca"], ca.tracking) == ca
    with pytest.raises(NotFound):
        access_liaison_call(people["liaison_ca"], calls["fr_pe"].tracking)
    with pytest.raises(Forbidden):
        liaison_calls(people["officer"])


def test_a_principals_calls_for_its_office_and_the_center_only(people, calls) -> None:
    assert set(principal_calls(people["staffer"], "president-elect")) == {
        calls["ca_pe"], calls["fr_pe"],
    }
    assert principal_calls(people["auditor"], "vice-president-elect").count() == 1
    with pytest.raises(Forbidden):
        principal_calls(people["staffer_vp"], "president-elect")
    with pytest.raises(Forbidden):
        principal_calls(people["liaison_ca"], "president-elect")
    with pytest.raises(NotFound):
        principal_calls(people["officer"], "nobody")


def test_the_access_audit_names_calls(calls) -> None:
    ca = calls["ca_pe"]
    labels = call_labels([ca.pk])
    assert labels[ca.pk].text == ca.tracking
    assert labels[ca.pk].detail == "Canada → President-elect"
    assert subject_labels([(SUBJECT, ca.pk)])[(SUBJECT, ca.pk)].text == ca.tracking
