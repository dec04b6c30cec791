"""calls.precedence against hand-worked orderings (pure: no database).

Every expected order below was worked out by hand from the rule it tests, never taken from the
code's output; the 2020 order is the documented order of nov2020.md (via chancery.demo.world).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chancery.calls.demo_tiers import DEMO_POLICY, DEMO_TIERS
from chancery.calls.precedence import (
    COUNTRIES,
    Caller,
    MissionClass,
    Policy,
    PolicyError,
    Role,
    collation_key,
)
from chancery.demo import world

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def at(text: str, zone: ZoneInfo = NY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def policy(*keys: Any, time_zone: str = "America/New_York") -> Policy:
    return Policy.from_dict({"time_zone": time_zone, "keys": list(keys)})


def order(p: Policy, callers: list[Caller]) -> list[str]:
    return [r.caller.key for r in p.rank(callers)]


def country(code: str, **kw: Any) -> Caller:
    return Caller(key=kw.pop("key", code), name=kw.pop("name", code), country=code, **kw)


# --------------------------------------------------------------------------- Vienna


def test_vienna_class_then_functions_date_then_charges_then_others() -> None:
    amb = MissionClass.AMBASSADOR
    callers = [
        country("CR", mission_class=MissionClass.CHARGE, functions_since=at("2015-01-01T09:00")),
        country("AR", mission_class=amb, functions_since=at("2019-03-04T10:00")),
        country("BR", mission_class=MissionClass.ENVOY, functions_since=at("2010-01-01T09:00")),
        country("CL", mission_class=amb, functions_since=at("2019-03-04T09:30")),  # same day,
        country("DE"),  # not a head of mission
        country("FR", mission_class=amb, functions_since=at("2021-06-01T11:00")),
        country("KE", mission_class=MissionClass.CHARGE, functions_since=at("2012-05-05T09:00")),
    ]
    # Ambassadors by date and time (CL 09:30 before AR 10:00 on the same day, then FR), the
    # envoy, then chargés (KE 2012 before CR 2015, although both served longer than anyone),
    # then the caller who is no head of mission.
    assert order(policy("vienna"), callers) == ["CL", "AR", "FR", "BR", "KE", "CR", "DE"]
    ranked = policy("vienna").rank(callers)
    reasons = {r.caller.key: r.reason for r in ranked}
    assert reasons["AR"] == (
        "after CL: same class (ambassador or nuncio); took up functions 4 Mar 2019 09:30 before "
        "4 Mar 2019 10:00 (Vienna art. 16)"
    )
    assert reasons["BR"] == (
        "after FR: class 'ambassador or nuncio' before class 'envoy or minister' (Vienna art. 14)"
    )
    assert reasons["KE"] == (
        "after BR: envoy or minister before chargé d'affaires (chargés after all heads of "
        "mission, Vienna Convention art. 14)"
    )
    assert reasons["DE"] == (
        "after CR: a head of mission (chargé d'affaires) before DE, who is not one"
    )
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6, 7]


# --------------------------------------------------------------------------- ceremonial


def leaders() -> list[Caller]:
    return [
        country("GB", name="PM UK", role=Role.HEAD_OF_GOVERNMENT, took_office=date(2019, 7, 24)),
        country("FR", name="President FR", role=Role.HEAD_OF_STATE, took_office=date(2017, 5, 14)),
        country("JO", name="King JO", role=Role.HEAD_OF_STATE, is_monarch=True,
                took_office=date(1999, 2, 7)),
        country("ES", name="King ES", role=Role.HEAD_OF_STATE, is_monarch=True,
                took_office=date(2014, 6, 19)),
        country("VA", name="Pope", role=Role.HEAD_OF_STATE, took_office=date(2013, 3, 13)),
        country("DE", name="Chancellor DE", role=Role.HEAD_OF_GOVERNMENT,
                took_office=date(2005, 11, 22)),
        country("CL", name="President CL", role=Role.HEAD_OF_STATE,
                took_office=date(2018, 3, 11)),
        Caller(key="nato", name="SG NATO", organisation="nato", organisation_name="NATO",
               took_office=date(2014, 10, 1)),
    ]


def test_heads_of_state_before_government_then_date_of_taking_office() -> None:
    # Heads of state by date: JO 1999, VA 2013, ES 2014, FR 2017, CL 2018; heads of
    # government: DE 2005, GB 2019; then the other office.
    assert order(policy("ceremonial"), leaders()) == [
        "JO", "VA", "ES", "FR", "CL", "DE", "GB", "nato"
    ]


def test_monarch_first_and_holy_see_first_options() -> None:
    # Monarchs first (JO 1999, ES 2014), then the rest as before.
    assert order(policy("monarch_first", "ceremonial"), leaders()) == [
        "JO", "ES", "VA", "FR", "CL", "DE", "GB", "nato"
    ]
    # The Holy See first, then monarchs, then the rest.
    assert order(policy("holy_see_first", "monarch_first", "ceremonial"), leaders()) == [
        "VA", "JO", "ES", "FR", "CL", "DE", "GB", "nato"
    ]
    ranked = policy("holy_see_first", "monarch_first", "ceremonial").rank(leaders())
    assert ranked[0].reason == "first, ahead of King JO: the Holy See first (host option)"
    assert ranked[1].reason == "after Pope: the Holy See first (host option)"
    assert ranked[2].reason == (
        "after King JO: both reigning monarchs; both heads of state; took office 7 Feb 1999 "
        "before 19 Jun 2014"
    )
    assert ranked[5].reason == "after President CL: head of state before head of government"


def test_is_holy_see_flag_without_country_code() -> None:
    see = Caller(key="see", name="Holy See", organisation="holy-see", is_holy_see=True)
    assert order(policy("holy_see_first"), [country("AR"), see]) == ["see", "AR"]


# --------------------------------------------------------------------------- alphabetical


SIX = ["DE", "FR", "KE", "US", "CA", "JP"]


def test_alphabetical_from_country_drawn_by_lot_english_and_french() -> None:
    callers = [country(c) for c in SIX]
    # English: Canada, France, Germany, Japan, Kenya, United States; from Japan, wrapping.
    en = policy({"key": "alphabetical", "language": "en", "drawn": "JP"})
    assert order(en, callers) == ["JP", "KE", "US", "CA", "FR", "DE"]
    # French: Allemagne, Canada, États-Unis, France, Japon, Kenya (É sorts as E); from Japon.
    fr = policy({"key": "alphabetical", "language": "fr", "drawn": "JP"})
    assert order(fr, callers) == ["JP", "KE", "DE", "CA", "US", "FR"]
    reasons = [r.reason for r in fr.rank(callers)]
    assert reasons[2] == (
        "after KE: alphabetical in French from 'Japon' (drawn by lot): 'Kenya' before "
        "'Allemagne'; the list wraps round after Z"
    )
    assert reasons[4] == (
        "after CA: alphabetical in French from 'Japon' (drawn by lot): 'Canada' before "
        "'États-Unis'"
    )
    # Without a draw: plain alphabetical. In French Allemagne comes first, in English Canada.
    assert order(policy({"key": "alphabetical", "language": "fr"}), callers) == [
        "DE", "CA", "US", "FR", "JP", "KE"
    ]
    assert order(policy({"key": "alphabetical", "language": "en"}), callers)[0] == "CA"


def test_drawn_country_need_not_be_a_caller() -> None:
    # Italy drawn (English): the list starts at the first name after "Italy".
    en = policy({"key": "alphabetical", "language": "en", "drawn": "IT"})
    assert order(en, [country(c) for c in SIX]) == ["JP", "KE", "US", "CA", "FR", "DE"]
    # Germany drawn: Germany, Japan, Kenya, United States, Canada, France.
    en = policy({"key": "alphabetical", "language": "en", "drawn": "DE"})
    assert order(en, [country(c) for c in SIX]) == ["DE", "JP", "KE", "US", "CA", "FR"]


@settings(max_examples=60, deadline=None)
@given(
    codes=st.sets(st.sampled_from(sorted(COUNTRIES)), min_size=1, max_size=12),
    drawn=st.sampled_from(sorted(COUNTRIES)),
    language=st.sampled_from(["en", "fr", "de", "es"]),
)
def test_drawn_order_is_the_plain_order_rotated(codes: set[str], drawn: str, language: str) -> None:
    """The UN rule, by its definition: the plain alphabetical list, cut before the first name
    not before the drawn one, the tail moved in front."""
    callers = [country(c) for c in sorted(codes)]
    plain = Policy.from_dict({"keys": [{"key": "alphabetical", "language": language}]})
    drawn_p = Policy.from_dict(
        {"keys": [{"key": "alphabetical", "language": language, "drawn": drawn}]}
    )
    base = order(plain, callers)
    key = plain.keys[0].value
    start = key(country(drawn))
    cut = next((i for i, c in enumerate(base) if key(country(c)) >= start), len(base))
    assert order(drawn_p, callers) == base[cut:] + base[:cut]


def test_collation_key_is_unicode_aware() -> None:
    names = ["Espagne", "Égypte", "Danemark", "Zambie", "égalité", "Eire"]
    # A plain str sort puts the accented capital after Z; the key sorts by base letters.
    assert sorted(names)[-1] == "égalité"
    assert sorted(names, key=collation_key) == [
        "Danemark", "égalité", "Égypte", "Eire", "Espagne", "Zambie"
    ]
    assert collation_key("Côte d’Ivoire")[0] == collation_key("Cote d'Ivoire")[0]


# --------------------------------------------------------------------------- tiers


def tier_policy() -> Policy:
    return policy(
        {"key": "tiers", "tiers": [
            {"name": "G7 allies", "countries": ["GB", "FR", "JP"], "organisations": []},
            {"name": "Other", "countries": ["KE"], "organisations": ["nato"]},
        ]},
        "congratulated",
    )


def test_tiers_then_first_congratulated_first_called_and_explanations() -> None:
    callers = [
        country("KE", name="President Kenyatta", congratulated_at=at("2020-11-08T08:30")),
        country("JP", name="PM Suga", congratulated_at=at("2020-11-08T09:05")),
        country("AR", name="President Fernández", congratulated_at=at("2020-11-07T09:00")),
        country("GB", name="PM Johnson", congratulated_at=at("2020-11-07T12:02")),
        Caller(key="nato", name="SG Stoltenberg", organisation="nato",
               congratulated_at=at("2020-11-07T13:00")),
        country("FR", name="President Macron"),  # not yet congratulated
    ]
    ranked = tier_policy().rank(callers)
    # G7: GB (7 Nov) before JP (8 Nov), FR (none) last in the tier; Other: NATO 7 Nov before
    # KE 8 Nov; Argentina, in no tier, after every tier although it congratulated first.
    assert [r.caller.key for r in ranked] == ["GB", "JP", "FR", "nato", "KE", "AR"]
    reasons = [r.reason for r in ranked]
    assert reasons == [
        "first, ahead of PM Suga: same tier 'G7 allies'; congratulated 7 Nov 12:02 before "
        "8 Nov 09:05",
        "after PM Johnson: same tier 'G7 allies'; congratulated 7 Nov 12:02 before 8 Nov 09:05",
        "after PM Suga: same tier 'G7 allies'; congratulated 8 Nov 2020 09:05; no "
        "congratulation from President Macron yet",
        "after President Macron: tier 'G7 allies' before tier 'Other'",
        "after SG Stoltenberg: same tier 'Other'; congratulated 7 Nov 13:00 before 8 Nov 08:30",
        "after President Kenyatta: tier 'Other' before callers in no tier",
    ]
    assert [r.deciding_key for r in ranked] == [
        "congratulated", "congratulated", "congratulated", "tiers", "congratulated", "tiers"
    ]
    assert [r.compared_with for r in ranked] == ["JP", "GB", "JP", "FR", "nato", "KE"]


def test_times_shown_in_the_policy_time_zone() -> None:
    callers = [
        country("GB", name="A", congratulated_at=at("2020-11-07T17:02", UTC)),
        country("FR", name="B", congratulated_at=at("2020-11-08T14:05", UTC)),
    ]
    ranked = policy("congratulated", time_zone="Europe/Paris").rank(callers)
    assert ranked[1].reason == "after A: congratulated 7 Nov 18:02 before 8 Nov 15:05"


def test_ties_share_a_rank_and_say_so() -> None:
    same = at("2020-11-07T12:00")
    callers = [
        country("FR", name="B", congratulated_at=same),
        country("GB", name="A", congratulated_at=same),
        country("DE", name="C", congratulated_at=at("2020-11-07T11:00")),
        country("IT", name="D", congratulated_at=at("2020-11-07T13:00")),
    ]
    ranked = policy("congratulated").rank(callers)
    assert [(r.caller.key, r.position, r.rank, r.tied) for r in ranked] == [
        ("DE", 1, 1, False), ("FR", 2, 2, False), ("GB", 3, 2, True), ("IT", 4, 4, False)
    ]
    assert ranked[2].reason == "tied with B on every key of the policy"
    # A further key breaks the tie: in English "France" before "United Kingdom".
    p = policy("congratulated", {"key": "alphabetical", "language": "en"})
    ranked = p.rank(list(reversed(callers)))
    assert [r.caller.key for r in ranked] == ["DE", "FR", "GB", "IT"]
    assert ranked[2].reason == (
        "after B: congratulated at the same minute (7 Nov 2020 12:00); alphabetical in English: "
        "'France' before 'United Kingdom'"
    )


def test_empty_and_single() -> None:
    assert tier_policy().rank([]) == []
    (only,) = tier_policy().rank([country("CA")])
    assert (only.rank, only.reason, only.compared_with) == (1, "the only caller", None)


def test_policy_round_trips_through_plain_data() -> None:
    p = Policy.from_dict(DEMO_POLICY)
    data = p.to_dict()
    assert Policy.from_dict(data).to_dict() == data
    assert [k["key"] for k in data["keys"]] == [
        "tiers", "congratulated", "state_before_government", "took_office", "alphabetical"
    ]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"keys": ["seniority"]}, "keys[0].key", "unknown key 'seniority'"),
        ({"keys": []}, "keys", "non-empty list"),
        ({"keys": ["vienna"], "order": 1}, "order", "unknown policy field"),
        ({"keys": ["vienna"], "time_zone": "Mars/Olympus"}, "time_zone", "not a known time zone"),
        ({"keys": ["vienna", "vienna"]}, "keys", "appears twice"),
        ({"keys": [{"key": "vienna", "strict": True}]}, "keys[0].strict", "no option"),
        ({"keys": [{"key": "alphabetical", "language": "xx"}]}, "keys[0].language",
         "not a language"),
        ({"keys": [{"key": "alphabetical", "language": "en", "drawn": "QQ"}]}, "keys[0].drawn",
         "not a known country"),
        ({"keys": [{"key": "tiers", "tiers": [{"name": "A", "countries": ["CA", "XY"]}]}]},
         "keys[0].tiers[0].countries[1]", "'XY' is not a known country"),
        ({"keys": [{"key": "tiers", "tiers": [{"name": "A", "countries": ["CA", "ca"]}]}]},
         "keys[0].tiers[0].countries[1]", "listed twice in tier 'A'"),
        ({"keys": [{"key": "tiers", "tiers": [
            {"name": "A", "countries": ["CA"]}, {"name": "B", "countries": ["MX", "CA"]}]}]},
         "keys[0].tiers[1].countries[1]", "in tier 'A' and in tier 'B'"),
        ({"keys": [{"key": "tiers", "tiers": [
            {"name": "A", "countries": ["CA"]}, {"name": "A", "countries": ["MX"]}]}]},
         "keys[0].tiers[1].name", "used twice"),
        ({"keys": [{"key": "tiers", "tiers": [{"name": "A"}]}]},
         "keys[0].tiers[0].countries", "no country and no organisation"),
        ({"keys": [{"key": "tiers", "tiers": [{"name": "A", "members": ["CA"]}]}]},
         "keys[0].tiers[0].members", "unknown field"),
        ({"keys": [{"key": "tiers", "tiers": []}]}, "keys[0].tiers", "non-empty list"),
        ({"keys": [{"key": "ceremonial", "x": 1}]}, "keys[0]", "takes no options"),
    ],
)
def test_bad_configuration_names_the_field(data: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_dict(data)
    assert isinstance(info.value, ValueError)
    assert info.value.field == field
    assert words in info.value.message


def test_bad_callers() -> None:
    with pytest.raises(PolicyError, match="not a known country") as info:
        Caller(key="x", name="X", country="UK")  # the ISO code is GB
    assert info.value.field == "country"
    with pytest.raises(PolicyError, match="naive datetime") as info:
        Caller(key="x", name="X", country="GB", congratulated_at=datetime(2020, 11, 7, 12))
    assert info.value.field == "congratulated_at"
    with pytest.raises(PolicyError, match="not a known country"):
        Caller(key="x", name="X", country="EU")  # a CLDR region, not a country: use a slug
    with pytest.raises(PolicyError, match="neither a country nor an organisation"):
        Caller(key="x", name="X")
    with pytest.raises(PolicyError, match="mission class 4"):
        Caller(key="x", name="X", country="GB", mission_class=4)  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="appears twice") as info:
        tier_policy().rank([country("GB"), country("GB")])
    assert info.value.field == "callers[1].key"


# --------------------------------------------------------------------------- 2020


def callers_2020() -> list[Caller]:
    """The leaders who called in November 2020, as a call queue would hold them.

    Offices, dates of taking office and first congratulation (to the President-elect) come from
    chancery.demo.world, which states its sources (nov2020.md for dates, the rest public
    knowledge or marked plausible)."""
    first: dict[str, datetime] = {}
    for m in world.MESSAGES:
        if m["principal"] == world.PE:
            t = datetime.fromisoformat(m["received_at"])
            first[m["sender"]] = min(first.get(m["sender"], t), t)
    leaders = {leader["key"]: leader for leader in world.LEADERS}
    orgs = {o["slug"]: o["name"] for o in world.ORGANISATIONS}
    roles = {"head_of_state": Role.HEAD_OF_STATE, "head_of_government": Role.HEAD_OF_GOVERNMENT}
    out = []
    for call in world.CALLS:
        leader = leaders[call["leader"]]
        office = leader["offices"][0]
        out.append(Caller(
            key=leader["key"], name=leader["name"], country=office["country"],
            organisation=office["organisation"],
            organisation_name=orgs.get(office["organisation"] or "", ""),
            role=roles.get(office["kind"], Role.OTHER),
            took_office=date.fromisoformat(office["took_office"]),
            congratulated_at=first.get(leader["key"]),
        ))
    return out


# nov2020.md, "Calls the President-elect held (in this order)".
ORDER_2020 = [
    "Justin Trudeau", "Boris Johnson", "Emmanuel Macron", "Angela Merkel", "Micheál Martin",
    "Scott Morrison", "Yoshihide Suga", "Moon Jae-in", "Pope Francis", "Giuseppe Conte",
    "Benjamin Netanyahu", "Reuven Rivlin", "Narendra Modi", "Sebastián Piñera",
    "Cyril Ramaphosa", "Jacinda Ardern", "Ursula von der Leyen", "Charles Michel",
    "Abdullah II", "Jens Stoltenberg", "Alberto Fernández", "Carlos Alvarado Quesada",
    "Uhuru Kenyatta", "António Guterres",
]


def test_demo_tiers_reproduce_the_2020_order() -> None:
    callers = callers_2020()
    assert len(callers) == 24
    # Shuffle the input: the order must come from the policy, not from the list.
    shuffled = sorted(callers, key=lambda c: c.key)
    ranked = Policy.from_dict(DEMO_POLICY).rank(shuffled)
    assert [r.caller.name for r in ranked] == ORDER_2020
    assert [r.rank for r in ranked] == list(range(1, 25))
    by_key = {r.caller.key: r for r in ranked}
    assert by_key["martin"].reason == (
        "after Angela Merkel: same tier 'European allies'; congratulated 7 Nov 2020 13:15; no "
        "congratulation from Micheál Martin yet"
    )
    assert by_key["morrison"].reason == (
        "after Micheál Martin: tier 'European allies' before tier 'Indo-Pacific treaty allies'"
    )


def test_demo_tiers_are_ceremonially_different() -> None:
    # Alliances never change ceremonial rank: the same 24 by ceremony start with the longest-
    # serving head of state (King Abdullah II, 1999), not with Canada.
    ranked = policy("ceremonial").rank(callers_2020())
    assert ranked[0].caller.key == "abdullah-ii"
    assert {m for t in DEMO_TIERS for m in t["countries"]} >= {"CA", "VA", "JO", "KE"}
