"""The November 2020 demo world data (chancery.demo.world): pure Python, no database."""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from datetime import date, datetime

import pycountry
import pytest

from chancery.demo import world

LEADER_KEYS = {leader["key"] for leader in world.LEADERS}
INSTITUTION_KEYS = {institution["key"] for institution in world.INSTITUTIONS}
ORGANISATION_SLUGS = {organisation["slug"] for organisation in world.ORGANISATIONS}
PRINCIPAL_SLUGS = {principal["slug"] for principal in world.PRINCIPALS}
MISSION_KEYS = {mission["key"] for mission in world.MISSIONS}
LEADERS = {leader["key"]: leader for leader in world.LEADERS}
INSTITUTIONS = {institution["key"]: institution for institution in world.INSTITUTIONS}

# Characters a text in each non-Latin-script language must contain at least one of.
SCRIPTS: dict[str, str] = {
    "ar": r"[\u0600-\u06FF]",
    "he": r"[\u0590-\u05FF]",
    "zh": r"[\u4E00-\u9FFF]",
    "ja": r"[\u3040-\u30FF\u4E00-\u9FFF]",
    "ko": r"[\uAC00-\uD7AF]",
    "hi": r"[\u0900-\u097F]",
    "ru": r"[\u0400-\u04FF]",
    "uk": r"[\u0400-\u04FF]",
}

# Every leader named in nov2020.md: the message table, the "others" list and the calls table.
EXPECTED_LEADERS = {
    "trudeau", "johnson", "macron", "merkel", "modi", "stoltenberg", "zelensky",
    "mohammed-bin-zayed", "sisi", "abdullah-ii", "higgins", "martin", "conte", "netanyahu",
    "rivlin", "salman", "mohammed-bin-salman", "kenyatta", "suga", "erdogan", "xi", "putin",
    "lopez-obrador", "bolsonaro", "morrison", "moon", "pope-francis", "pinera", "ramaphosa",
    "ardern", "von-der-leyen", "michel", "fernandez", "alvarado", "guterres",
}  # fmt: skip

# The congratulatory-message table of nov2020.md: (date, sender, channel if stated).
MESSAGE_TABLE = [
    ("2020-11-07", "trudeau", None),
    ("2020-11-07", "johnson", None),
    ("2020-11-07", "macron", None),
    ("2020-11-07", "merkel", None),
    ("2020-11-07", "modi", None),
    ("2020-11-07", "stoltenberg", None),
    ("2020-11-07", "zelensky", None),
    ("2020-11-07", "mohammed-bin-zayed", None),
    ("2020-11-07", "sisi", None),
    ("2020-11-07", "abdullah-ii", None),
    ("2020-11-07", "higgins", None),
    ("2020-11-07", "conte", None),
    ("2020-11-08", "netanyahu", None),
    ("2020-11-08", "salman", "telegram"),
    ("2020-11-08", "mohammed-bin-salman", "telegram"),
    ("2020-11-08", "kenyatta", None),
    ("2020-11-08", "suga", None),
    ("2020-11-10", "erdogan", None),
    ("2020-11-13", "cn-mfa", None),
    ("2020-11-25", "xi", "telegram"),
    ("2020-12-15", "putin", "telegram"),
    ("2020-12-15", "lopez-obrador", "letter"),
    ("2020-12-15", "bolsonaro", None),
]
OTHER_SENDERS = {
    "morrison", "moon", "pope-francis", "pinera", "ramaphosa", "ardern", "von-der-leyen",
    "michel", "fernandez", "alvarado", "guterres",
}  # fmt: skip

# The calls table of nov2020.md, in order.
EXPECTED_CALLS = [
    ("2020-11-09", "trudeau"),
    ("2020-11-10", "johnson"),
    ("2020-11-10", "macron"),
    ("2020-11-10", "merkel"),
    ("2020-11-10", "martin"),
    ("2020-11-11", "morrison"),
    ("2020-11-11", "suga"),
    ("2020-11-11", "moon"),
    ("2020-11-12", "pope-francis"),
    ("2020-11-13", "conte"),
    ("2020-11-17", "netanyahu"),
    ("2020-11-17", "rivlin"),
    ("2020-11-17", "modi"),
    ("2020-11-17", "pinera"),
    ("2020-11-17", "ramaphosa"),
    ("2020-11-22", "ardern"),
    ("2020-11-23", "von-der-leyen"),
    ("2020-11-23", "michel"),
    ("2020-11-23", "abdullah-ii"),
    ("2020-11-23", "stoltenberg"),
    ("2020-11-30", "fernandez"),
    ("2020-11-30", "alvarado"),
    ("2020-11-30", "kenyatta"),
    ("2020-11-30", "guterres"),
]


def aware(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None and parsed.utcoffset() is not None, value
    return parsed


def assert_language(code: str) -> None:
    assert pycountry.languages.get(alpha_2=code) is not None, f"{code!r} is not ISO 639-1"


def assert_country(code: str) -> None:
    assert pycountry.countries.get(alpha_2=code) is not None, f"{code!r} is not ISO 3166-1"


def assert_time_zone(name: str) -> None:
    zoneinfo.ZoneInfo(name)


def assert_polity(item: dict[str, object] | object) -> None:
    assert isinstance(item, dict)
    country, organisation = item["country"], item["organisation"]
    assert (country is None) != (organisation is None), item
    if country is not None:
        assert isinstance(country, str)
        assert_country(country)
    else:
        assert organisation in ORGANISATION_SLUGS, item


def polity(item: dict[str, object] | object) -> str:
    assert isinstance(item, dict)
    return str(item["country"] or item["organisation"])


# --------------------------------------------------------------------------- principals


def test_principals() -> None:
    assert PRINCIPAL_SLUGS == {"president-elect", "vice-president-elect"}
    for principal in world.PRINCIPALS:
        assert_time_zone(principal["time_zone"])
        assert principal["status"] == "projected"
        assert principal["delivery_requires"] == "ascertained"
        assert principal["office_email"].endswith("@chancery.invalid")
        history = principal["status_history"]
        assert [status for status, _ in history] == ["candidate", "projected"]
        times = [aware(at) for _, at in history]
        assert times == sorted(times)
        assert history[-1] == ("projected", "2020-11-07T11:25:00-05:00")
        assert history[-1][0] == principal["status"]


def test_clock_and_ascertainment() -> None:
    now = aware(world.DEMO_NOW)
    ascertained = aware(world.ASCERTAINMENT["at"])
    assert now < ascertained
    assert ascertained.date() == date(2020, 11, 23)
    assert "Emily Murphy" in world.ASCERTAINMENT["note"]
    projected = max(aware(at) for p in world.PRINCIPALS for _, at in p["status_history"])
    assert projected < now


# --------------------------------------------------------------------------- directory


def test_organisations_and_countries() -> None:
    assert ORGANISATION_SLUGS == {"nato", "united-nations", "european-union"}
    countries = {office["country"] for leader in world.LEADERS for office in leader["offices"]}
    assert "VA" in countries  # the Holy See is a country, not an organisation
    for code in countries - {None}:
        assert isinstance(code, str)
        assert_country(code)


def test_every_leader_in_nov2020_is_present() -> None:
    assert len(world.LEADERS) == len(LEADER_KEYS), "leader keys must be unique"
    assert LEADER_KEYS == EXPECTED_LEADERS
    assert not LEADER_KEYS & INSTITUTION_KEYS


@pytest.mark.parametrize("leader", world.LEADERS, ids=lambda leader: leader["key"])
def test_leader(leader: world.LeaderData) -> None:
    assert leader["name"].strip() and leader["name"] != leader["native_name"]
    assert leader["languages"], "at least one language"
    assert len(set(leader["languages"])) == len(leader["languages"])
    for code in leader["languages"]:
        assert_language(code)
    assert_time_zone(leader["time_zone"])
    first = leader["languages"][0]
    if first in SCRIPTS:
        assert re.search(SCRIPTS[first], leader["native_name"]), "native name in own script"
    assert leader["offices"]
    for office in leader["offices"]:
        assert office["kind"] in world.OFFICE_KINDS
        assert_polity(office)
        assert office["title"] and office["form_of_address"]
        took_office = date.fromisoformat(office["took_office"])
        assert date(1990, 1, 1) < took_office < date(2020, 11, 7)
        if office["kind"] == "head_of_organisation":
            assert office["organisation"] is not None
        elif office["kind"] in ("head_of_state", "head_of_government", "other"):
            assert office["country"] is not None


def test_some_offices_and_names() -> None:
    def office(key: str) -> world.OfficeData:
        return LEADERS[key]["offices"][0]

    assert office("higgins")["kind"] == "head_of_state"
    assert office("martin")["kind"] == "head_of_government"
    assert office("martin")["title"] == "Taoiseach"
    assert office("merkel")["title"] == "Federal Chancellor of Germany"
    assert office("mohammed-bin-zayed")["kind"] == "other"
    assert office("mohammed-bin-salman")["kind"] == "other"
    assert office("pope-francis")["country"] == "VA"
    assert office("von-der-leyen")["organisation"] == "european-union"
    assert office("trudeau")["took_office"] == "2015-11-04"
    assert office("suga")["took_office"] == "2020-09-16"
    assert LEADERS["netanyahu"]["native_name"] == "בנימין נתניהו"
    assert LEADERS["putin"]["native_name"] == "Владимир Путин"
    assert LEADERS["xi"]["native_name"] == "习近平"


def test_institutions() -> None:
    for institution in world.INSTITUTIONS:
        assert institution["kind"] in world.INSTITUTION_KINDS
        assert_polity(institution)
        for code in institution["languages"]:
            assert_language(code)
        assert_time_zone(institution["time_zone"])
    assert INSTITUTIONS["cn-mfa"]["country"] == "CN"
    assert INSTITUTIONS["cn-mfa"]["languages"] == ["zh"]


def test_missions() -> None:
    assert len(world.MISSIONS) == len(MISSION_KEYS), "mission keys must be unique"
    for mission in world.MISSIONS:
        assert_polity(mission)
        assert mission["head_class"] in (1, 2, 3)
        assert mission["name"]
        if mission["functions_since"] is not None:
            aware(mission["functions_since"])
    # Every country or organisation that sends a message has a mission.
    senders = {m["sender"] for m in world.MESSAGES}
    polities = {polity(o) for key in senders & LEADER_KEYS for o in LEADERS[key]["offices"]}
    polities |= {polity(INSTITUTIONS[key]) for key in senders & INSTITUTION_KEYS}
    assert polities <= {polity(mission) for mission in world.MISSIONS}


# --------------------------------------------------------------------------- messages


def test_message_keys_unique_and_sorted() -> None:
    keys = [m["key"] for m in world.MESSAGES]
    assert len(keys) == len(set(keys))
    times = [aware(m["received_at"]) for m in world.MESSAGES]
    assert times == sorted(times)


@pytest.mark.parametrize("message", world.MESSAGES, ids=lambda message: message["key"])
def test_message(message: world.MessageData) -> None:
    sender = message["sender"]
    assert sender in LEADER_KEYS | INSTITUTION_KEYS
    if sender in LEADERS:
        kinds = {office["kind"] for office in LEADERS[sender]["offices"]}
        languages = LEADERS[sender]["languages"]
    else:
        kinds = {INSTITUTIONS[sender]["kind"]}
        languages = INSTITUTIONS[sender]["languages"]
    assert message["sender_office_kind"] in kinds
    assert message["principal"] in PRINCIPAL_SLUGS
    assert message["channel"] in world.CHANNELS
    received = aware(message["received_at"])
    assert received.utcoffset() == aware("2020-11-07T00:00:00-05:00").utcoffset()  # EST
    assert received >= aware("2020-11-07T11:25:00-05:00"), "after the projection"

    language = message["language"]
    assert_language(language)
    assert language in languages, "written in one of the sender's languages"
    assert message["subject"].strip() and message["subject_english"].strip()
    body, english = message["body"], message["english"]
    if language in SCRIPTS:
        assert re.search(SCRIPTS[language], body), f"{language} body not in its script"
        assert re.search(SCRIPTS[language], message["subject"])
    assert body.endswith(world.ILLUSTRATIVE_NOTE[language])
    assert english.endswith(world.ILLUSTRATIVE_NOTE["en"])
    if language == "en":
        assert english == body
    else:
        assert english != body
        assert world.ILLUSTRATIVE_NOTE["en"] not in body
    text = body.removesuffix(world.ILLUSTRATIVE_NOTE[language]).strip()
    assert 60 < len(text) < 1200  # a short text of a few sentences (CJK is compact)


def test_ukrainian_is_not_russian() -> None:
    for message in world.MESSAGES:
        if message["language"] == "uk":
            assert re.search("[іїєґ]", message["body"])
        if message["language"] == "ru":
            assert not re.search("[іїєґ]", message["body"])


def test_message_languages_detected() -> None:
    lingua = pytest.importorskip("lingua")
    codes = sorted({m["language"] for m in world.MESSAGES})
    detector = lingua.LanguageDetectorBuilder.from_iso_codes_639_1(
        *[getattr(lingua.IsoCode639_1, code.upper()) for code in codes]
    ).build()
    wrong = []
    for message in world.MESSAGES:
        text = message["body"].removesuffix(world.ILLUSTRATIVE_NOTE[message["language"]])
        detected = detector.detect_language_of(text)
        found = detected.iso_code_639_1.name.lower() if detected else None
        if found != message["language"]:
            wrong.append((message["key"], message["language"], found))
    assert not wrong


def test_message_table_of_nov2020_is_covered() -> None:
    by_sender: dict[str, list[world.MessageData]] = {}
    for message in world.MESSAGES:
        by_sender.setdefault(message["sender"], []).append(message)
    for day, sender, channel in MESSAGE_TABLE:
        to_pe = [m for m in by_sender.get(sender, []) if m["principal"] == "president-elect"]
        assert len(to_pe) == 1, sender
        assert aware(to_pe[0]["received_at"]).date().isoformat() == day, sender
        if channel:
            assert to_pe[0]["channel"] == channel, sender
    for sender in OTHER_SENDERS:
        to_pe = [m for m in by_sender.get(sender, []) if m["principal"] == "president-elect"]
        assert len(to_pe) == 1, sender
        assert aware(to_pe[0]["received_at"]) < aware("2020-11-10T00:00:00-05:00"), sender
    senders = {sender for _, sender, _ in MESSAGE_TABLE} | OTHER_SENDERS
    assert {m["sender"] for m in world.MESSAGES} == senders


def test_messages_to_both_principals() -> None:
    counts = Counter(m["principal"] for m in world.MESSAGES)
    assert counts["president-elect"] >= 30
    assert counts["vice-president-elect"] >= 3
    higgins = {m["language"] for m in world.MESSAGES if m["sender"] == "higgins"}
    assert higgins == {"ga", "en"}


def test_expected_languages_and_scripts() -> None:
    expected = {
        "macron": "fr", "merkel": "de", "zelensky": "uk", "mohammed-bin-zayed": "ar",
        "sisi": "ar", "abdullah-ii": "ar", "salman": "ar", "mohammed-bin-salman": "ar",
        "conte": "it", "netanyahu": "he", "suga": "ja", "erdogan": "tr", "cn-mfa": "zh",
        "xi": "zh", "putin": "ru", "lopez-obrador": "es", "bolsonaro": "pt", "moon": "ko",
    }  # fmt: skip
    for message in world.MESSAGES:
        if message["sender"] in expected:
            assert message["language"] == expected[message["sender"]], message["key"]
    modi_to_pe = next(m for m in world.MESSAGES if m["key"] == "modi-to-pe")
    assert modi_to_pe["language"] == "hi"


# --------------------------------------------------------------------------- calls


def test_calls_in_order() -> None:
    assert [(c["date"], c["leader"]) for c in world.CALLS] == EXPECTED_CALLS
    assert [c["order"] for c in world.CALLS] == list(range(1, 25))
    for call in world.CALLS:
        assert call["leader"] in LEADER_KEYS
        date.fromisoformat(call["date"])
        if call["local_time"] is not None:
            aware(call["local_time"])
        assert call["part_of_day"] in ("", "evening")
        if call["duration_minutes"] is not None:
            assert 5 <= call["duration_minutes"] <= 60
    moon = next(c for c in world.CALLS if c["leader"] == "moon")
    assert moon["local_time"] == "2020-11-12T09:00:00+09:00"
    assert moon["duration_minutes"] == 14


def test_every_leader_sends_or_calls() -> None:
    involved = {m["sender"] for m in world.MESSAGES} | {c["leader"] for c in world.CALLS}
    assert LEADER_KEYS <= involved


# --------------------------------------------------------------------------- people


def test_translators_cover_every_message_language() -> None:
    covered: set[str] = set()
    for translator in world.TRANSLATORS:
        assert translator["username"].startswith("translator.")
        assert translator["display_name"]
        for code in translator["languages"]:
            assert_language(code)
        covered.update(translator["languages"])
    needed = {m["language"] for m in world.MESSAGES} - {"en"}
    assert needed <= covered, needed - covered


def test_staff() -> None:
    roles = Counter(person["role"] for person in world.STAFF)
    assert roles == {
        "watch_officer": 2, "protocol_officer": 1, "principal_office": 2, "auditor": 1,
        "records_officer": 1, "admin": 1,
    }  # fmt: skip
    for person in world.STAFF:
        assert person["role"] in world.STAFF_ROLES
        if person["role"] == "principal_office":
            assert person["principal"] in PRINCIPAL_SLUGS
        else:
            assert person["principal"] is None
    offices = {p["principal"] for p in world.STAFF if p["role"] == "principal_office"}
    assert offices == PRINCIPAL_SLUGS


def test_liaisons() -> None:
    missions = [liaison["mission"] for liaison in world.LIAISONS]
    assert sorted(missions) == sorted(MISSION_KEYS), "one liaison per mission"
    for liaison in world.LIAISONS:
        assert liaison["username"] == f"liaison.{liaison['mission']}"
        assert liaison["display_name"]


def test_usernames_unique() -> None:
    usernames = [p["username"] for p in [*world.TRANSLATORS, *world.STAFF, *world.LIAISONS]]
    assert len(usernames) == len(set(usernames))


def test_all_languages() -> None:
    languages = world.all_languages()
    assert {m["language"] for m in world.MESSAGES} <= languages
    assert {"en", "fr", "ar", "zh", "ru", "ga", "sw", "la", "mi"} <= languages
    for code in languages:
        assert_language(code)
