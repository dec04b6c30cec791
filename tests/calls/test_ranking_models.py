"""A call request as precedence sees it (``ranking.caller_for``), the principal's policy, the
ranked queue (one query for the congratulations whatever its length), and the tier and rank
triage stores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chancery import clock
from chancery.calls import precedence
from chancery.calls.models import CallRequest, CallSettings
from chancery.calls.services import ranking
from chancery.calls.services import requests as svc
from chancery.directory.models import Country, Leader, Mission, Office, Organisation


def _request(world: dict[str, Any], by: Any, office: Office) -> CallRequest:
    today = clock.now().date()
    call, _ = svc.submit_call(
        svc.CallSubmission(principal="president-elect", office=office.pk, purpose="Talk.",
                           language="en", earliest=today, latest=today + dt.timedelta(days=7)),
        by=by,
    )
    return call


@pytest.fixture
def more(world: dict[str, Any]) -> dict[str, Office]:
    va = Country.objects.create(code="VA", name="Holy See")
    nato = Organisation.objects.create(slug="nato", name="NATO")
    gb = Country.objects.create(code="GB", name="United Kingdom")
    Mission.objects.create(country=gb, name="British Embassy", head_name="Karen Pierce",
                           head_class=Mission.HeadClass.AMBASSADOR,
                           functions_since=dt.datetime(2020, 3, 1, 10, tzinfo=dt.UTC))
    return {
        "pope": Office.objects.create(
            leader=Leader.objects.create(name="Pope Francis", languages=["it"],
                                         time_zone="Europe/Rome"),
            country=va, kind=Office.Kind.HEAD_OF_STATE, title="Pope", monarch=True,
            took_office=dt.date(2013, 3, 13)),
        "nato": Office.objects.create(
            leader=Leader.objects.create(name="Jens Stoltenberg", languages=["en"],
                                         time_zone="Europe/Brussels"),
            organisation=nato, kind=Office.Kind.HEAD_OF_ORGANISATION,
            title="Secretary General of NATO"),
        "envoy": Office.objects.create(
            leader=Leader.objects.create(name="Karen Pierce", languages=["en"],
                                         time_zone="America/New_York"),
            country=gb, kind=Office.Kind.OTHER, title="Ambassador of the United Kingdom"),
    }


def test_caller_for_reads_the_office_the_mission_and_the_first_congratulation(
    world, people, more, submit
) -> None:
    officer = people["officer"]
    pope = ranking.caller_for(_request(world, officer, more["pope"]))
    assert pope.role == precedence.Role.HEAD_OF_STATE and pope.is_monarch and pope.holy_see
    assert pope.country == "VA" and pope.took_office == dt.date(2013, 3, 13)
    assert pope.congratulated_at is None and pope.name == "Pope Francis (Holy See)"
    nato = ranking.caller_for(_request(world, officer, more["nato"]))
    assert nato.country is None and nato.organisation == "nato"
    assert nato.organisation_name == "NATO" and nato.role == precedence.Role.OTHER
    envoy = ranking.caller_for(_request(world, officer, more["envoy"]))
    assert envoy.mission_class == precedence.MissionClass.AMBASSADOR
    assert envoy.functions_since == dt.datetime(2020, 3, 1, 10, tzinfo=dt.UTC)
    # Congratulated: the earliest message from any office of that leader to that principal.
    first = submit("Congratulations.")
    submit("Again.")
    submit("To the VP.", principal="vice-president-elect")
    trudeau = ranking.caller_for(_request(world, people["liaison_ca"], world["pm_ca"]))
    assert trudeau.role == precedence.Role.HEAD_OF_GOVERNMENT
    assert trudeau.congratulated_at == first.received_at


def test_the_default_policy_and_a_saved_one(world) -> None:
    policy = ranking.policy_for(world["pe"])
    assert [k.name for k in policy.keys] == [
        "state_before_government", "took_office", "alphabetical",
    ]
    assert policy.time_zone == "America/New_York"
    CallSettings.objects.create(
        principal=world["pe"], updated_at=clock.now(),
        policy={"time_zone": "America/New_York", "keys": [
            {"key": "tiers", "tiers": [{"name": "Neighbours", "countries": ["CA"],
                                        "organisations": []}]},
            {"key": "congratulated"}, "ceremonial"]},
    )
    assert [k.name for k in ranking.policy_for(world["pe"]).keys][:2] == [
        "tiers", "congratulated",
    ]


def test_ranked_queue_in_a_fixed_number_of_queries_and_triage_stores_tier_and_rank(
    world, people, more, submit
) -> None:
    CallSettings.objects.create(
        principal=world["pe"], updated_at=clock.now(),
        policy={"time_zone": "America/New_York", "keys": [
            {"key": "tiers", "tiers": [
                {"name": "Neighbours", "countries": ["CA"], "organisations": []},
                {"name": "Allies", "countries": ["FR", "GB"], "organisations": ["nato"]}]},
            {"key": "congratulated"}, "ceremonial",
            {"key": "alphabetical", "language": "en"}]},
    )
    officer = people["officer"]
    calls = {name: _request(world, officer, office) for name, office in [
        ("nato", more["nato"]), ("pope", more["pope"]), ("fr", world["pres_fr"]),
        ("ca", world["pm_ca"]), ("envoy", more["envoy"]),
    ]}
    submit("Félicitations.", office=world["pres_fr"], by=people["liaison_fr"])
    with CaptureQueriesContext(connection) as few:
        order = ranking.ranked(world["pe"])
    for office in (more["envoy"], more["nato"], world["pres_fr"]):
        _request(world, officer, office)
    with CaptureQueriesContext(connection) as more_calls:
        assert len(ranking.ranked(world["pe"])) == 8
    assert len(more_calls.captured_queries) == len(few.captured_queries)
    names = [c.pk for c, _ in order]
    assert names == [calls[n].pk for n in ("ca", "fr", "nato", "envoy", "pope")]
    reasons = [r.reason for _, r in order]
    assert "tier 'Neighbours' before tier 'Allies'" in reasons[0]
    assert "congratulated" in reasons[2]  # France congratulated, NATO not yet
    assert "alphabetical in English: 'NATO' before 'United Kingdom'" in reasons[3]
    assert "before callers in no tier" in reasons[4]
    pope = svc.triage_call(calls["pope"], by=officer)
    assert pope.tier == "" and pope.rank is not None and pope.rank_reason
    ca = svc.triage_call(calls["ca"], by=officer)
    assert ca.tier == "Neighbours" and ca.rank == 1
    assert "first, ahead of" in ca.rank_reason
    fr = svc.triage_call(calls["fr"], by=officer)
    assert fr.tier == "Allies" and fr.rank == 2
