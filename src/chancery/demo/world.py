"""The November 2020 demo world, as plain Python data (no Django imports).

A loader turns these lists into database rows; this module only states the facts.

Facts taken from ``/work/shared/data/nov2020.md``: the two principals, their time zone and
transition status (projected winner on 2020-11-07, GSA ascertainment on 2020-11-23); which
leaders and institutions sent congratulations and on which date (US Eastern), in which official
language(s) and IANA time zone, and which of them came as telegrams or letters; the list of
leaders who "also sent messages in the first days"; and the 24 calls the President-elect held,
in order, with their notes (durations, local times).

Added from general public knowledge: offices, titles, forms of address and the dates the
leaders took office; native-script names; the names of heads of mission in Washington where
well established (left empty otherwise, never guessed).

Everything else is illustrative and must never be read as a real quotation:

* every message ``body`` is a plausible text written for this demo in the sender's official
  language and script, and ends with a marker line in that language saying so
  (:data:`ILLUSTRATIVE_NOTE`); ``english`` is a faithful English rendering of it;
* times of day of receipt are plausible, the dates are those of nov2020.md. For the leaders
  who only "also sent messages in the first days", the dates (7 to 9 November) are approximate;
* translators, staff and liaison officers are fictional people.

Modelling notes: in presidential systems (Kenya, Mexico, Brazil, ...) the president is both
head of state and of government and is given one ``head_of_state`` office. Crown princes get
the office kind ``other``. The NATO and UN offices in :data:`MISSIONS` are not diplomatic
missions accredited in Washington (``accredited`` is False); precedence code should rank them
after every accredited mission.
"""

from __future__ import annotations

from typing import Literal, TypedDict

# --------------------------------------------------------------------------- vocabularies

OfficeKind = Literal[
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "head_of_organisation",
    "other",
    "ministry",  # institutional senders only (INSTITUTIONS)
]
Channel = Literal["diplomatic_note", "letter", "telegram", "portal", "api"]
StaffRole = Literal[
    "watch_officer", "protocol_officer", "principal_office", "auditor", "records_officer", "admin"
]

OFFICE_KINDS: tuple[str, ...] = (
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "head_of_organisation",
    "other",
)
INSTITUTION_KINDS: tuple[str, ...] = ("ministry",)
CHANNELS: tuple[str, ...] = ("diplomatic_note", "letter", "telegram", "portal", "api")
STAFF_ROLES: tuple[str, ...] = (
    "watch_officer",
    "protocol_officer",
    "principal_office",
    "auditor",
    "records_officer",
    "admin",
)
PRINCIPAL_STATUSES: tuple[str, ...] = ("candidate", "projected", "ascertained", "inaugurated")


class PrincipalData(TypedDict):
    slug: str
    name: str
    title: str
    time_zone: str
    office_email: str
    status: str
    delivery_requires: str
    status_history: list[tuple[str, str]]  # (status, ISO datetime), oldest first


class OrganisationData(TypedDict):
    slug: str
    name: str


class OfficeData(TypedDict):
    kind: OfficeKind
    country: str | None  # ISO 3166-1 alpha-2, or None when organisation is set
    organisation: str | None  # ORGANISATIONS slug, or None when country is set
    title: str
    form_of_address: str
    took_office: str  # ISO date
    monarch: bool  # a hereditary head of state (precedence: the monarch-first option)


class LeaderData(TypedDict):
    key: str
    name: str
    native_name: str  # in the leader's own script/language; "" when the same as name
    languages: list[str]  # ISO 639-1, official first
    time_zone: str
    offices: list[OfficeData]


class InstitutionData(TypedDict):
    key: str
    kind: OfficeKind
    country: str | None
    organisation: str | None
    title: str
    native_title: str
    languages: list[str]
    time_zone: str


class MissionData(TypedDict):
    key: str
    country: str | None
    organisation: str | None
    name: str
    head_class: int  # 1 ambassador/nuncio, 2 envoy, 3 chargé d'affaires (VCDR art. 14)
    head_name: str  # "" when not known with confidence
    functions_since: str | None  # ISO datetime, only where known
    accredited: bool  # False for offices of organisations that have no mission in Washington


class MessageData(TypedDict):
    key: str
    sender: str  # LEADERS key or INSTITUTIONS key
    sender_office_kind: OfficeKind
    principal: str  # PRINCIPALS slug
    channel: Channel
    received_at: str  # ISO datetime with offset, US Eastern
    language: str  # ISO 639-1 of subject and body
    subject: str
    body: str
    subject_english: str
    english: str  # faithful English translation of body


class CallData(TypedDict):
    order: int
    date: str  # ISO date, US Eastern
    leader: str
    part_of_day: str  # "evening" where nov2020.md says so, else ""
    duration_minutes: int | None  # best figure from the notes (a lower bound for "over")
    notes: str  # as in nov2020.md
    local_time: str | None  # ISO datetime in the counterpart's zone, where reported
    local_time_note: str


class TranslatorData(TypedDict):
    username: str
    display_name: str
    languages: list[str]  # source languages; all translate into English


class StaffData(TypedDict):
    username: str
    display_name: str
    role: StaffRole
    principal: str | None


class LiaisonData(TypedDict):
    username: str
    display_name: str
    mission: str


class AscertainmentData(TypedDict):
    at: str
    note: str


class CallRequestData(TypedDict):
    key: str  # idempotency key suffix: one request per leader
    leader: str  # LEADERS key (a leader of CALLS)
    principal: str  # PRINCIPALS slug
    channel: Literal["portal", "api", "staff"]  # portal/api: the mission's liaison
    submitted_at: str  # ISO datetime with offset, US Eastern
    purpose: str
    language: str  # ISO 639-1: the language the leader speaks on the call
    brings_interpreter: bool
    duration: int  # speaking time, minutes
    time_zone: str  # the leader's
    local_start: str  # "HH:MM", the leader's acceptable hours (local)
    local_end: str
    earliest: str  # ISO date
    latest: str


class InterpreterData(TypedDict):
    username: str
    name: str
    languages: list[str]  # ISO 639-1, into English
    time_zone: str
    day_start: str  # "HH:MM" in their zone
    day_end: str
    daily_cap: int


class CallSettingsData(TypedDict):
    principal: str
    day_start: str
    day_end: str
    daily_cap: int
    buffer_minutes: int
    note_takers: int
    dial_in: str
    saved_at: str


class BlockedData(TypedDict):
    principal: str  # PRINCIPALS slug
    start: str  # ISO datetime with offset, in the principal's zone
    end: str
    label: str


# --------------------------------------------------------------------------- the clock

#: The demo clock starts the morning of 23 November 2020, before ascertainment.
DEMO_NOW = "2020-11-23T10:00:00-05:00"

ASCERTAINMENT: AscertainmentData = {
    "at": "2020-11-23T18:00:00-05:00",
    "note": (
        "Letter of GSA Administrator Emily Murphy to President-elect Biden ascertaining the "
        "apparent successful candidates and making post-election transition services and "
        "resources available under the Presidential Transition Act. Until then the State "
        "Department withheld congratulatory messages and did not facilitate calls."
    ),
}

# --------------------------------------------------------------------------- principals

PROJECTED_AT = "2020-11-07T11:25:00-05:00"

PRINCIPALS: list[PrincipalData] = [
    {
        "slug": "president-elect",
        "name": "Joseph R. Biden Jr.",
        "title": "President-elect of the United States",
        "time_zone": "America/New_York",
        "office_email": "transition-office@chancery.invalid",
        "status": "projected",
        "delivery_requires": "ascertained",
        "status_history": [
            # Formal nomination at the Democratic National Convention (time of day approximate).
            ("candidate", "2020-08-18T22:00:00-04:00"),
            ("projected", PROJECTED_AT),
        ],
    },
    {
        "slug": "vice-president-elect",
        "name": "Kamala D. Harris",
        "title": "Vice President-elect of the United States",
        "time_zone": "America/New_York",
        "office_email": "vp-transition-office@chancery.invalid",
        "status": "projected",
        "delivery_requires": "ascertained",
        "status_history": [
            ("candidate", "2020-08-19T22:00:00-04:00"),
            ("projected", PROJECTED_AT),
        ],
    },
]

# --------------------------------------------------------------------------- organisations

ORGANISATIONS: list[OrganisationData] = [
    {"slug": "nato", "name": "North Atlantic Treaty Organization"},
    {"slug": "united-nations", "name": "United Nations"},
    # The European Commission and the European Council are offices of the European Union.
    {"slug": "european-union", "name": "European Union"},
]

# --------------------------------------------------------------------------- leaders


def _office(
    kind: OfficeKind,
    title: str,
    form_of_address: str,
    took_office: str,
    *,
    country: str | None = None,
    organisation: str | None = None,
    monarch: bool = False,
) -> OfficeData:
    return {
        "kind": kind,
        "country": country,
        "organisation": organisation,
        "title": title,
        "form_of_address": form_of_address,
        "took_office": took_office,
        "monarch": monarch,
    }


HOS: OfficeKind = "head_of_state"
HOG: OfficeKind = "head_of_government"
HOO: OfficeKind = "head_of_organisation"

LEADERS: list[LeaderData] = [
    {
        "key": "trudeau",
        "name": "Justin Trudeau",
        "native_name": "",
        "languages": ["en", "fr"],
        "time_zone": "America/Toronto",
        "offices": [
            _office(
                HOG, "Prime Minister of Canada", "The Right Honourable", "2015-11-04", country="CA"
            ),
        ],
    },
    {
        "key": "johnson",
        "name": "Boris Johnson",
        "native_name": "",
        "languages": ["en"],
        "time_zone": "Europe/London",
        "offices": [
            _office(
                HOG,
                "Prime Minister of the United Kingdom",
                "The Right Honourable",
                "2019-07-24",
                country="GB",
            ),
        ],
    },
    {
        "key": "macron",
        "name": "Emmanuel Macron",
        "native_name": "",
        "languages": ["fr"],
        "time_zone": "Europe/Paris",
        "offices": [
            _office(
                HOS,
                "President of the French Republic",
                "His Excellency",
                "2017-05-14",
                country="FR",
            ),
        ],
    },
    {
        "key": "merkel",
        "name": "Angela Merkel",
        "native_name": "",
        "languages": ["de"],
        "time_zone": "Europe/Berlin",
        "offices": [
            _office(
                HOG, "Federal Chancellor of Germany", "Her Excellency", "2005-11-22", country="DE"
            ),
        ],
    },
    {
        "key": "modi",
        "name": "Narendra Modi",
        "native_name": "नरेन्द्र मोदी",
        "languages": ["hi", "en"],
        "time_zone": "Asia/Kolkata",
        "offices": [
            _office(HOG, "Prime Minister of India", "His Excellency", "2014-05-26", country="IN"),
        ],
    },
    {
        "key": "stoltenberg",
        "name": "Jens Stoltenberg",
        "native_name": "",
        "languages": ["en", "fr"],
        "time_zone": "Europe/Brussels",
        "offices": [
            _office(
                HOO,
                "Secretary General of the North Atlantic Treaty Organization",
                "His Excellency",
                "2014-10-01",
                organisation="nato",
            ),
        ],
    },
    {
        "key": "zelensky",
        "name": "Volodymyr Zelensky",
        "native_name": "Володимир Зеленський",
        "languages": ["uk"],
        "time_zone": "Europe/Kyiv",
        "offices": [
            _office(HOS, "President of Ukraine", "His Excellency", "2019-05-20", country="UA"),
        ],
    },
    {
        "key": "mohammed-bin-zayed",
        "name": "Mohammed bin Zayed Al Nahyan",
        "native_name": "محمد بن زايد آل نهيان",
        "languages": ["ar"],
        "time_zone": "Asia/Dubai",
        "offices": [
            # Crown Prince since November 2004, after the death of Sheikh Zayed (day as
            # commonly given; not checked against a primary source).
            _office(
                "other",
                "Crown Prince of Abu Dhabi and Deputy Supreme Commander of the UAE Armed Forces",
                "His Highness",
                "2004-11-03",
                country="AE",
            ),
        ],
    },
    {
        "key": "sisi",
        "name": "Abdel Fattah el-Sisi",
        "native_name": "عبد الفتاح السيسي",
        "languages": ["ar"],
        "time_zone": "Africa/Cairo",
        "offices": [
            _office(
                HOS,
                "President of the Arab Republic of Egypt",
                "His Excellency",
                "2014-06-08",
                country="EG",
            ),
        ],
    },
    {
        "key": "abdullah-ii",
        "name": "Abdullah II",
        "native_name": "عبد الله الثاني بن الحسين",
        "languages": ["ar"],
        "time_zone": "Asia/Amman",
        "offices": [
            _office(
                HOS,
                "King of the Hashemite Kingdom of Jordan",
                "His Majesty",
                "1999-02-07",
                country="JO",
                monarch=True,
            ),
        ],
    },
    {
        "key": "higgins",
        "name": "Michael D. Higgins",
        "native_name": "Micheál D. Ó hUigínn",
        "languages": ["ga", "en"],
        "time_zone": "Europe/Dublin",
        "offices": [
            _office(HOS, "President of Ireland", "His Excellency", "2011-11-11", country="IE"),
        ],
    },
    {
        "key": "martin",
        "name": "Micheál Martin",
        "native_name": "Micheál Ó Máirtín",
        "languages": ["ga", "en"],
        "time_zone": "Europe/Dublin",
        "offices": [
            _office(HOG, "Taoiseach", "His Excellency", "2020-06-27", country="IE"),
        ],
    },
    {
        "key": "conte",
        "name": "Giuseppe Conte",
        "native_name": "",
        "languages": ["it"],
        "time_zone": "Europe/Rome",
        "offices": [
            _office(
                HOG,
                "President of the Council of Ministers of Italy",
                "His Excellency",
                "2018-06-01",
                country="IT",
            ),
        ],
    },
    {
        "key": "netanyahu",
        "name": "Benjamin Netanyahu",
        "native_name": "בנימין נתניהו",
        "languages": ["he"],
        "time_zone": "Asia/Jerusalem",
        "offices": [
            # Current continuous term (he was also Prime Minister 1996-1999).
            _office(HOG, "Prime Minister of Israel", "His Excellency", "2009-03-31", country="IL"),
        ],
    },
    {
        "key": "rivlin",
        "name": "Reuven Rivlin",
        "native_name": "ראובן ריבלין",
        "languages": ["he"],
        "time_zone": "Asia/Jerusalem",
        "offices": [
            _office(
                HOS,
                "President of the State of Israel",
                "His Excellency",
                "2014-07-24",
                country="IL",
            ),
        ],
    },
    {
        "key": "salman",
        "name": "Salman bin Abdulaziz Al Saud",
        "native_name": "سلمان بن عبد العزيز آل سعود",
        "languages": ["ar"],
        "time_zone": "Asia/Riyadh",
        "offices": [
            # The King was also Prime Minister in 2020; modelled with his head-of-state office.
            _office(
                HOS,
                "Custodian of the Two Holy Mosques, King of Saudi Arabia",
                "His Majesty",
                "2015-01-23",
                country="SA",
                monarch=True,
            ),
        ],
    },
    {
        "key": "mohammed-bin-salman",
        "name": "Mohammed bin Salman Al Saud",
        "native_name": "محمد بن سلمان آل سعود",
        "languages": ["ar"],
        "time_zone": "Asia/Riyadh",
        "offices": [
            _office(
                "other",
                "Crown Prince, Deputy Prime Minister and Minister of Defence of Saudi Arabia",
                "His Royal Highness",
                "2017-06-21",
                country="SA",
            ),
        ],
    },
    {
        "key": "kenyatta",
        "name": "Uhuru Kenyatta",
        "native_name": "",
        "languages": ["sw", "en"],
        "time_zone": "Africa/Nairobi",
        "offices": [
            _office(
                HOS,
                "President of the Republic of Kenya",
                "His Excellency",
                "2013-04-09",
                country="KE",
            ),
        ],
    },
    {
        "key": "suga",
        "name": "Yoshihide Suga",
        "native_name": "菅義偉",
        "languages": ["ja"],
        "time_zone": "Asia/Tokyo",
        "offices": [
            _office(HOG, "Prime Minister of Japan", "His Excellency", "2020-09-16", country="JP"),
        ],
    },
    {
        "key": "erdogan",
        "name": "Recep Tayyip Erdoğan",
        "native_name": "",
        "languages": ["tr"],
        "time_zone": "Europe/Istanbul",
        "offices": [
            _office(
                HOS,
                "President of the Republic of Turkey",
                "His Excellency",
                "2014-08-28",
                country="TR",
            ),
        ],
    },
    {
        "key": "xi",
        "name": "Xi Jinping",
        "native_name": "习近平",
        "languages": ["zh"],
        "time_zone": "Asia/Shanghai",
        "offices": [
            _office(
                HOS,
                "President of the People's Republic of China",
                "His Excellency",
                "2013-03-14",
                country="CN",
            ),
        ],
    },
    {
        "key": "putin",
        "name": "Vladimir Putin",
        "native_name": "Владимир Путин",
        "languages": ["ru"],
        "time_zone": "Europe/Moscow",
        "offices": [
            # Current continuous term (he was also President 2000-2008).
            _office(
                HOS,
                "President of the Russian Federation",
                "His Excellency",
                "2012-05-07",
                country="RU",
            ),
        ],
    },
    {
        "key": "lopez-obrador",
        "name": "Andrés Manuel López Obrador",
        "native_name": "",
        "languages": ["es"],
        "time_zone": "America/Mexico_City",
        "offices": [
            _office(
                HOS,
                "President of the United Mexican States",
                "His Excellency",
                "2018-12-01",
                country="MX",
            ),
        ],
    },
    {
        "key": "bolsonaro",
        "name": "Jair Bolsonaro",
        "native_name": "",
        "languages": ["pt"],
        "time_zone": "America/Sao_Paulo",
        "offices": [
            _office(
                HOS,
                "President of the Federative Republic of Brazil",
                "His Excellency",
                "2019-01-01",
                country="BR",
            ),
        ],
    },
    {
        "key": "morrison",
        "name": "Scott Morrison",
        "native_name": "",
        "languages": ["en"],
        "time_zone": "Australia/Sydney",
        "offices": [
            _office(
                HOG, "Prime Minister of Australia", "The Honourable", "2018-08-24", country="AU"
            ),
        ],
    },
    {
        "key": "moon",
        "name": "Moon Jae-in",
        "native_name": "문재인",  # Hangul; in Hanja 文在寅
        "languages": ["ko"],
        "time_zone": "Asia/Seoul",
        "offices": [
            _office(
                HOS,
                "President of the Republic of Korea",
                "His Excellency",
                "2017-05-10",
                country="KR",
            ),
        ],
    },
    {
        "key": "pope-francis",
        "name": "Pope Francis",
        "native_name": "Franciscus",
        "languages": ["it", "la"],
        "time_zone": "Europe/Vatican",
        "offices": [
            _office(
                HOS,
                "Supreme Pontiff, Sovereign of the Vatican City State",
                "His Holiness",
                "2013-03-13",
                country="VA",
            ),
        ],
    },
    {
        "key": "pinera",
        "name": "Sebastián Piñera",
        "native_name": "",
        "languages": ["es"],
        "time_zone": "America/Santiago",
        "offices": [
            # Second term (first term 2010-2014).
            _office(
                HOS,
                "President of the Republic of Chile",
                "His Excellency",
                "2018-03-11",
                country="CL",
            ),
        ],
    },
    {
        "key": "ramaphosa",
        "name": "Cyril Ramaphosa",
        "native_name": "",
        # English first (the language of government business), then the other official
        # languages that have an ISO 639-1 code (Sepedi has none).
        "languages": ["en", "af", "nr", "ss", "st", "tn", "ts", "ve", "xh", "zu"],
        "time_zone": "Africa/Johannesburg",
        "offices": [
            _office(
                HOS,
                "President of the Republic of South Africa",
                "His Excellency",
                "2018-02-15",
                country="ZA",
            ),
        ],
    },
    {
        "key": "ardern",
        "name": "Jacinda Ardern",
        "native_name": "",
        "languages": ["en", "mi"],
        "time_zone": "Pacific/Auckland",
        "offices": [
            _office(
                HOG,
                "Prime Minister of New Zealand",
                "The Right Honourable",
                "2017-10-26",
                country="NZ",
            ),
        ],
    },
    {
        "key": "von-der-leyen",
        "name": "Ursula von der Leyen",
        "native_name": "",
        "languages": ["en", "fr", "de"],
        "time_zone": "Europe/Brussels",
        "offices": [
            _office(
                HOO,
                "President of the European Commission",
                "Her Excellency",
                "2019-12-01",
                organisation="european-union",
            ),
        ],
    },
    {
        "key": "michel",
        "name": "Charles Michel",
        "native_name": "",
        "languages": ["en", "fr", "de"],
        "time_zone": "Europe/Brussels",
        "offices": [
            _office(
                HOO,
                "President of the European Council",
                "His Excellency",
                "2019-12-01",
                organisation="european-union",
            ),
        ],
    },
    {
        "key": "fernandez",
        "name": "Alberto Fernández",
        "native_name": "",
        "languages": ["es"],
        "time_zone": "America/Argentina/Buenos_Aires",
        "offices": [
            _office(
                HOS,
                "President of the Argentine Nation",
                "His Excellency",
                "2019-12-10",
                country="AR",
            ),
        ],
    },
    {
        "key": "alvarado",
        "name": "Carlos Alvarado Quesada",
        "native_name": "",
        "languages": ["es"],
        "time_zone": "America/Costa_Rica",
        "offices": [
            _office(
                HOS,
                "President of the Republic of Costa Rica",
                "His Excellency",
                "2018-05-08",
                country="CR",
            ),
        ],
    },
    {
        "key": "guterres",
        "name": "António Guterres",
        "native_name": "",
        "languages": ["en", "fr"],
        "time_zone": "America/New_York",
        "offices": [
            _office(
                HOO,
                "Secretary-General of the United Nations",
                "His Excellency",
                "2017-01-01",
                organisation="united-nations",
            ),
        ],
    },
]

# --------------------------------------------------------------------------- institutions

INSTITUTIONS: list[InstitutionData] = [
    {
        "key": "cn-mfa",
        "kind": "ministry",
        "country": "CN",
        "organisation": None,
        "title": "Ministry of Foreign Affairs of the People's Republic of China",
        "native_title": "中华人民共和国外交部",
        "languages": ["zh"],
        "time_zone": "Asia/Shanghai",
    },
]

# --------------------------------------------------------------------------- missions


def _mission(
    key: str,
    name: str,
    head_name: str = "",
    *,
    country: str | None = None,
    organisation: str | None = None,
    head_class: int = 1,
    functions_since: str | None = None,
    accredited: bool = True,
) -> MissionData:
    return {
        "key": key,
        "country": country,
        "organisation": organisation,
        "name": name,
        "head_class": head_class,
        "head_name": head_name,
        "functions_since": functions_since,
        "accredited": accredited,
    }


# Heads of mission are named only where the 2020 incumbent is well established; the exact
# date and time each took up functions (VCDR art. 13) is not recorded here (None).
MISSIONS: list[MissionData] = [
    _mission("ca", "Embassy of Canada, Washington", "Kirsten Hillman", country="CA"),
    _mission("gb", "British Embassy, Washington", "Dame Karen Pierce", country="GB"),
    _mission("fr", "Embassy of France, Washington", "Philippe Étienne", country="FR"),
    _mission(
        "de", "Embassy of the Federal Republic of Germany, Washington", "Emily Haber", country="DE"
    ),
    _mission("in", "Embassy of India, Washington", "Taranjit Singh Sandhu", country="IN"),
    _mission(
        "nato",
        "Private Office of the NATO Secretary General, Brussels",
        organisation="nato",
        accredited=False,
    ),
    _mission("ua", "Embassy of Ukraine, Washington", country="UA"),
    _mission(
        "ae", "Embassy of the United Arab Emirates, Washington", "Yousef Al Otaiba", country="AE"
    ),
    _mission(
        "eg", "Embassy of the Arab Republic of Egypt, Washington", "Motaz Zahran", country="EG"
    ),
    _mission(
        "jo", "Embassy of the Hashemite Kingdom of Jordan, Washington", "Dina Kawar", country="JO"
    ),
    _mission("ie", "Embassy of Ireland, Washington", "Daniel Mulhall", country="IE"),
    _mission("it", "Embassy of Italy, Washington", "Armando Varricchio", country="IT"),
    _mission("il", "Embassy of Israel, Washington", "Ron Dermer", country="IL"),
    _mission(
        "sa",
        "Royal Embassy of Saudi Arabia, Washington",
        "Princess Reema bint Bandar Al Saud",
        country="SA",
    ),
    _mission("ke", "Embassy of the Republic of Kenya, Washington", country="KE"),
    _mission("jp", "Embassy of Japan, Washington", "Shinsuke J. Sugiyama", country="JP"),
    _mission("tr", "Embassy of the Republic of Turkey, Washington", "Serdar Kılıç", country="TR"),
    _mission(
        "cn", "Embassy of the People's Republic of China, Washington", "Cui Tiankai", country="CN"
    ),
    _mission(
        "ru", "Embassy of the Russian Federation, Washington", "Anatoly Antonov", country="RU"
    ),
    _mission("mx", "Embassy of Mexico, Washington", "Martha Bárcena Coqui", country="MX"),
    _mission("br", "Embassy of Brazil, Washington", "Nestor Forster", country="BR"),
    _mission("au", "Embassy of Australia, Washington", "Arthur Sinodinos", country="AU"),
    _mission("kr", "Embassy of the Republic of Korea, Washington", "Lee Soo-hyuck", country="KR"),
    _mission(
        "va",
        "Apostolic Nunciature in the United States",
        "Archbishop Christophe Pierre",
        country="VA",
    ),
    _mission("cl", "Embassy of Chile, Washington", country="CL"),
    _mission("za", "Embassy of the Republic of South Africa, Washington", country="ZA"),
    _mission("nz", "Embassy of New Zealand, Washington", "Rosemary Banks", country="NZ"),
    _mission(
        "eu",
        "Delegation of the European Union to the United States",
        "Stavros Lambrinidis",
        organisation="european-union",
    ),
    _mission("ar", "Embassy of the Argentine Republic, Washington", "Jorge Argüello", country="AR"),
    _mission("cr", "Embassy of Costa Rica, Washington", country="CR"),
    _mission(
        "un",
        "Executive Office of the Secretary-General, New York",
        organisation="united-nations",
        accredited=False,
    ),
]

# --------------------------------------------------------------------------- messages

#: The marker line that ends every illustrative text, in the language of the text.
ILLUSTRATIVE_NOTE: dict[str, str] = {
    "en": "(Illustrative text for the Chancery demonstration; not the original message.)",
    "fr": (
        "(Texte d'illustration pour la démonstration de Chancery ; il ne s'agit pas du "
        "message original.)"
    ),
    "de": "(Beispieltext für die Chancery-Demonstration; nicht die Originalbotschaft.)",
    "hi": "(Chancery प्रदर्शन के लिए तैयार किया गया उदाहरणात्मक पाठ; यह मूल संदेश नहीं है।)",
    "uk": "(Ілюстративний текст для демонстрації системи Chancery; це не оригінальне послання.)",
    "ru": "(Иллюстративный текст для демонстрации системы Chancery; это не оригинальное послание.)",
    "ar": "(نص توضيحي لأغراض العرض التجريبي لنظام Chancery، وليس نص الرسالة الأصلية.)",
    "ga": "(Téacs léiritheach do thaispeántas Chancery; ní hé seo an teachtaireacht bhunaidh.)",
    "it": (
        "(Testo illustrativo per la dimostrazione di Chancery; non si tratta del "
        "messaggio originale.)"
    ),
    "he": "(טקסט להמחשה בלבד, שנכתב לצורך ההדגמה של Chancery; אין זה המסר המקורי.)",
    "sw": "(Maandishi ya mfano kwa ajili ya maonyesho ya Chancery; huu si ujumbe halisi.)",
    "ja": (
        "（Chanceryのデモンストレーション用に作成した例示文であり、"
        "実際のメッセージではありません。）"
    ),
    "tr": "(Chancery tanıtımı için hazırlanmış örnek metindir; asıl mesaj değildir.)",
    "zh": "（本文为Chancery演示用示例文本，并非原文。）",
    "es": "(Texto ilustrativo para la demostración de Chancery; no es el mensaje original.)",
    "pt": (
        "(Texto ilustrativo para a demonstração do Chancery; não se trata da mensagem original.)"
    ),
    "ko": "(Chancery 시연을 위해 작성한 예시 문안이며, 실제 메시지가 아닙니다.)",
}

PE = "president-elect"
VPE = "vice-president-elect"


def _message(
    *,
    key: str,
    sender: str,
    office: OfficeKind,
    principal: str,
    channel: Channel,
    received_at: str,
    language: str,
    subject: str,
    body: list[str],
    subject_english: str | None = None,
    english: list[str] | None = None,
) -> MessageData:
    """A message; the paragraphs are joined and the illustrative marker is appended."""
    text = "\n\n".join([*body, ILLUSTRATIVE_NOTE[language]])
    if english is None:
        if language != "en":
            raise ValueError(f"{key}: a message in {language!r} needs an English translation")
        english_text = text
    else:
        english_text = "\n\n".join([*english, ILLUSTRATIVE_NOTE["en"]])
    return {
        "key": key,
        "sender": sender,
        "sender_office_kind": office,
        "principal": principal,
        "channel": channel,
        "received_at": received_at,
        "language": language,
        "subject": subject,
        "body": text,
        "subject_english": subject_english if subject_english is not None else subject,
        "english": english_text,
    }


MESSAGES: list[MessageData] = [
    # ----------------------------------------------------------------- 7 November 2020
    _message(
        key="trudeau-to-pe",
        sender="trudeau",
        office=HOG,
        principal=PE,
        channel="api",
        received_at="2020-11-07T12:02:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect Biden,",
            "On behalf of the Government of Canada, I warmly congratulate you on your election "
            "as the next President of the United States. Canada and the United States share a "
            "deep friendship and the world's longest undefended border. I look forward to "
            "working with you and your administration on the challenges before us, from the "
            "pandemic and the economic recovery to climate change. Please accept the "
            "assurances of my highest consideration.",
        ],
    ),
    _message(
        key="trudeau-to-vpe",
        sender="trudeau",
        office=HOG,
        principal=VPE,
        channel="api",
        received_at="2020-11-07T12:04:00-05:00",
        language="fr",
        subject="Félicitations pour votre élection",
        body=[
            "Madame la Vice-Présidente élue,",
            "Au nom du gouvernement du Canada, je vous adresse mes plus sincères félicitations "
            "pour votre élection à la vice-présidence des États-Unis. Votre élection, en tant "
            "que première femme à exercer cette fonction, marque un moment historique pour "
            "votre pays et constitue une source d'inspiration bien au-delà de ses frontières. "
            "Je me réjouis de travailler avec vous pour approfondir l'amitié et le partenariat "
            "entre nos deux pays. Je vous prie d'agréer, Madame la Vice-Présidente élue, "
            "l'assurance de ma très haute considération.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Madam Vice President-elect,",
            "On behalf of the Government of Canada, I extend to you my most sincere "
            "congratulations on your election to the Vice Presidency of the United States. "
            "Your election, as the first woman to hold this office, marks a historic moment "
            "for your country and is a source of inspiration far beyond its borders. I look "
            "forward to working with you to deepen the friendship and partnership between our "
            "two countries. Please accept, Madam Vice President-elect, the assurance of my "
            "highest consideration.",
        ],
    ),
    _message(
        key="fernandez-to-pe",
        sender="fernandez",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T12:15:00-05:00",
        language="es",
        subject="Felicitaciones por su elección",
        body=[
            "Estimado señor presidente electo:",
            "Quiero expresarle mis felicitaciones por su elección como presidente de los "
            "Estados Unidos de América. Su triunfo abre una nueva etapa en la relación entre "
            "nuestros países, que deseamos basada en el diálogo y el respeto mutuo. La "
            "Argentina está dispuesta a trabajar junto a su gobierno para enfrentar la "
            "pandemia, impulsar la recuperación económica y fortalecer la democracia en "
            "nuestra región. Reciba un afectuoso saludo.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Dear Mr President-elect,",
            "I wish to express my congratulations on your election as President of the United "
            "States of America. Your victory opens a new chapter in the relationship between "
            "our countries, which we hope will be founded on dialogue and mutual respect. "
            "Argentina is ready to work together with your government to confront the "
            "pandemic, drive the economic recovery and strengthen democracy in our region. "
            "With warm regards.",
        ],
    ),
    _message(
        key="johnson-to-pe",
        sender="johnson",
        office=HOG,
        principal=PE,
        channel="api",
        received_at="2020-11-07T12:25:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect,",
            "I send you my warmest congratulations on your election as President of the "
            "United States. The United States is our most important ally, and I look forward "
            "to working closely with you on our shared priorities, from climate change to "
            "trade and security. The United Kingdom will host the G7 and the COP26 climate "
            "conference next year, and I hope that together we can make both a success. "
            "With every good wish for the work ahead.",
        ],
    ),
    _message(
        key="macron-to-pe",
        sender="macron",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T12:40:00-05:00",
        language="fr",
        subject="Félicitations pour votre élection",
        body=[
            "Monsieur le Président élu,",
            "Je vous adresse, au nom du peuple français et en mon nom personnel, mes plus "
            "chaleureuses félicitations pour votre élection à la présidence des États-Unis "
            "d'Amérique. La France et les États-Unis sont liés par une amitié qui remonte aux "
            "origines mêmes de votre République. Nous avons beaucoup à faire ensemble pour "
            "relever les défis d'aujourd'hui, qu'il s'agisse du climat, de la santé mondiale "
            "ou de la sécurité internationale. Je vous prie d'agréer, Monsieur le Président "
            "élu, l'assurance de ma très haute considération.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Mr President-elect,",
            "On behalf of the French people and on my own behalf, I send you my warmest "
            "congratulations on your election to the Presidency of the United States of "
            "America. France and the United States are bound by a friendship that goes back "
            "to the very beginnings of your Republic. We have much to do together to meet "
            "today's challenges, whether climate, global health or international security. "
            "Please accept, Mr President-elect, the assurance of my highest consideration.",
        ],
    ),
    _message(
        key="von-der-leyen-to-pe",
        sender="von-der-leyen",
        office=HOO,
        principal=PE,
        channel="api",
        received_at="2020-11-07T12:45:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect,",
            "On behalf of the European Commission, I warmly congratulate you on your election "
            "as President of the United States. The European Union and the United States are "
            "friends and allies, and our citizens share the deepest of ties. I look forward "
            "to working with you to renew our partnership, from fighting the pandemic and "
            "tackling climate change to strengthening trade and multilateral cooperation.",
        ],
    ),
    _message(
        key="michel-to-pe",
        sender="michel",
        office=HOO,
        principal=PE,
        channel="api",
        received_at="2020-11-07T12:55:00-05:00",
        language="fr",
        subject="Félicitations pour votre élection",
        body=[
            "Monsieur le Président élu,",
            "Au nom du Conseil européen, je vous adresse mes sincères félicitations pour votre "
            "élection à la présidence des États-Unis. L'Union européenne et les États-Unis "
            "partagent une histoire, des valeurs et des intérêts communs. Je me réjouis de "
            "travailler avec vous pour reconstruire un partenariat transatlantique fort, au "
            "service de nos citoyens et d'un monde plus sûr et plus juste. Je vous prie "
            "d'agréer, Monsieur le Président élu, l'expression de ma très haute considération.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Mr President-elect,",
            "On behalf of the European Council, I extend to you my sincere congratulations on "
            "your election to the Presidency of the United States. The European Union and the "
            "United States share a common history, common values and common interests. I look "
            "forward to working with you to rebuild a strong transatlantic partnership, in "
            "the service of our citizens and of a safer and fairer world. Please accept, "
            "Mr President-elect, the expression of my highest consideration.",
        ],
    ),
    _message(
        key="stoltenberg-to-pe",
        sender="stoltenberg",
        office=HOO,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T13:00:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect,",
            "I congratulate you on your election as President of the United States. You have "
            "long been a strong supporter of NATO and of the bond between Europe and North "
            "America. A strong NATO is good for North America and good for Europe. I look "
            "forward to working with you to keep our Alliance strong and our nations safe.",
        ],
    ),
    _message(
        key="alvarado-to-pe",
        sender="alvarado",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T13:05:00-05:00",
        language="es",
        subject="Felicitaciones por su elección",
        body=[
            "Estimado señor presidente electo:",
            "En nombre del pueblo y del Gobierno de Costa Rica, lo felicito cordialmente por "
            "su elección como presidente de los Estados Unidos de América. Costa Rica, una de "
            "las democracias más antiguas de América Latina, celebra la fortaleza de las "
            "instituciones democráticas de su país. Esperamos trabajar con su administración "
            "en la lucha contra el cambio climático, la defensa de los derechos humanos y la "
            "recuperación económica tras la pandemia. Reciba las muestras de mi más alta "
            "consideración.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Dear Mr President-elect,",
            "On behalf of the people and the Government of Costa Rica, I cordially "
            "congratulate you on your election as President of the United States of America. "
            "Costa Rica, one of the oldest democracies in Latin America, celebrates the "
            "strength of your country's democratic institutions. We hope to work with your "
            "administration on the fight against climate change, the defence of human rights "
            "and the economic recovery after the pandemic. Please accept the assurances of my "
            "highest consideration.",
        ],
    ),
    _message(
        key="merkel-to-pe",
        sender="merkel",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T13:15:00-05:00",
        language="de",
        subject="Glückwünsche zu Ihrer Wahl",
        body=[
            "Sehr geehrter Herr gewählter Präsident,",
            "zu Ihrer Wahl zum 46. Präsidenten der Vereinigten Staaten von Amerika gratuliere "
            "ich Ihnen von Herzen. Ebenso gratuliere ich Kamala Harris zu ihrer Wahl zur ersten "
            "Vizepräsidentin Ihres Landes. Die transatlantische Freundschaft ist unersetzlich, "
            "wenn wir die großen Herausforderungen unserer Zeit bewältigen wollen. Ich freue "
            "mich auf die Zusammenarbeit mit Ihnen, insbesondere beim Klimaschutz, bei der "
            "Bekämpfung der Pandemie und bei der Stärkung des freien Handels.",
            "Mit freundlichen Grüßen",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Dear President-elect,",
            "I congratulate you wholeheartedly on your election as the 46th President of the "
            "United States of America. I likewise congratulate Kamala Harris on her election "
            "as your country's first woman Vice President. Transatlantic friendship is "
            "indispensable if we are to master the great challenges of our time. I look "
            "forward to working with you, particularly on climate protection, on fighting the "
            "pandemic and on strengthening free trade.",
            "Yours sincerely",
        ],
    ),
    _message(
        key="pinera-to-pe",
        sender="pinera",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T13:20:00-05:00",
        language="es",
        subject="Felicitaciones por su elección",
        body=[
            "Estimado señor presidente electo:",
            "En nombre del pueblo y del Gobierno de Chile, le hago llegar mis más sinceras "
            "felicitaciones por su elección como presidente de los Estados Unidos de América. "
            "Chile y Estados Unidos comparten valores fundamentales, como la democracia, la "
            "libertad y el respeto a los derechos humanos. Confío en que podremos trabajar "
            "juntos para fortalecer nuestra relación bilateral y enfrentar desafíos comunes, "
            "como la pandemia y el cambio climático. Reciba un cordial saludo.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Dear Mr President-elect,",
            "On behalf of the people and the Government of Chile, I convey to you my most "
            "sincere congratulations on your election as President of the United States of "
            "America. Chile and the United States share fundamental values, such as democracy, "
            "freedom and respect for human rights. I am confident that we will be able to work "
            "together to strengthen our bilateral relationship and to face common challenges, "
            "such as the pandemic and climate change. With cordial regards.",
        ],
    ),
    _message(
        key="higgins-to-pe",
        sender="higgins",
        office=HOS,
        principal=PE,
        channel="diplomatic_note",
        received_at="2020-11-07T13:30:00-05:00",
        language="ga",
        subject="Comhghairdeas ar do thoghadh",
        body=[
            "A Uachtaráin thofa,",
            "Thar ceann mhuintir na hÉireann, déanaim comhghairdeas ó chroí leat ar do "
            "thoghadh mar Uachtarán ar Stáit Aontaithe Mheiriceá. Tá dlúthcheangal idir "
            "muintir na hÉireann agus muintir Mheiriceá le fada an lá, agus is cúis mhórtais "
            "dúinn na fréamhacha atá agat i gContae Mhaigh Eo agus i gContae Lú. Táim ag súil "
            "le bheith ag obair i gcomhar leat chun an caidreamh sin a neartú agus chun an "
            "tsíocháin agus an ceartas a chur chun cinn ar fud an domhain. Guím gach rath ort "
            "i do chuid oibre.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Mr President-elect,",
            "On behalf of the people of Ireland, I congratulate you from the heart on your "
            "election as President of the United States of America. There has long been a "
            "close bond between the people of Ireland and the people of America, and the roots "
            "you have in County Mayo and County Louth are a source of pride for us. I look "
            "forward to working together with you to strengthen that relationship and to "
            "promote peace and justice throughout the world. I wish you every success in your "
            "work.",
        ],
    ),
    _message(
        key="higgins-to-vpe",
        sender="higgins",
        office=HOS,
        principal=VPE,
        channel="diplomatic_note",
        received_at="2020-11-07T13:32:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear Vice President-elect Harris,",
            "I extend to you my warmest congratulations on your election as Vice President of "
            "the United States. Your election as the first woman to hold this office is a "
            "moment of great significance, not only for the United States but for all who "
            "believe in equality and inclusion. I wish you every success in the work ahead, "
            "and I look forward to the continued friendship between our peoples.",
        ],
    ),
    _message(
        key="conte-to-pe",
        sender="conte",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T13:45:00-05:00",
        language="it",
        subject="Congratulazioni per la Sua elezione",
        body=[
            "Signor Presidente eletto,",
            "desidero esprimerLe le mie più vive congratulazioni per la Sua elezione a "
            "Presidente degli Stati Uniti d'America. L'Italia e gli Stati Uniti sono uniti da "
            "una solida alleanza e da profondi legami di amicizia tra i nostri popoli. "
            "Lavoreremo insieme, anche nel quadro della Presidenza italiana del G20 del "
            "prossimo anno, per affrontare le grandi sfide globali. Voglia gradire, Signor "
            "Presidente eletto, i sensi della mia più alta considerazione.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Mr President-elect,",
            "I wish to express my warmest congratulations on your election as President of the "
            "United States of America. Italy and the United States are united by a solid "
            "alliance and by deep ties of friendship between our peoples. We will work "
            "together, including within the framework of the Italian Presidency of the G20 "
            "next year, to meet the great global challenges. Please accept, Mr "
            "President-elect, the assurances of my highest consideration.",
        ],
    ),
    _message(
        key="sisi-to-pe",
        sender="sisi",
        office=HOS,
        principal=PE,
        channel="diplomatic_note",
        received_at="2020-11-07T13:50:00-05:00",
        language="ar",
        subject="تهنئة بالفوز في الانتخابات الرئاسية",
        body=[
            "فخامة الرئيس المنتخب جوزيف بايدن،",
            "أتقدم إليكم بخالص التهنئة بمناسبة فوزكم في الانتخابات الرئاسية الأمريكية، "
            "متمنياً لكم كل التوفيق والنجاح في قيادة الشعب الأمريكي الصديق. وإنني أتطلع إلى "
            "التعاون والعمل المشترك معكم من أجل تعزيز العلاقات الاستراتيجية بين مصر "
            "والولايات المتحدة، بما يحقق مصالح البلدين والشعبين الصديقين. وتفضلوا بقبول "
            "فائق الاحترام والتقدير.",
        ],
        subject_english="Congratulations on winning the presidential election",
        english=[
            "His Excellency President-elect Joseph Biden,",
            "I extend to you my sincere congratulations on your victory in the American "
            "presidential election, and wish you every success in leading the friendly "
            "American people. I look forward to cooperating and working together with you to "
            "strengthen the strategic relations between Egypt and the United States, in the "
            "interests of our two friendly countries and peoples. Please accept the assurances "
            "of my highest respect and esteem.",
        ],
    ),
    _message(
        key="mohammed-bin-zayed-to-pe",
        sender="mohammed-bin-zayed",
        office="other",
        principal=PE,
        channel="portal",
        received_at="2020-11-07T14:10:00-05:00",
        language="ar",
        subject="تهنئة بمناسبة الانتخاب",
        body=[
            "فخامة الرئيس المنتخب جوزيف بايدن،",
            "يسرّني أن أتقدم إليكم بأحرّ التهاني بمناسبة انتخابكم رئيساً للولايات المتحدة "
            "الأمريكية. كما أهنئ السيدة كامالا هاريس بمناسبة انتخابها نائبةً للرئيس. إن "
            "العلاقات بين دولة الإمارات العربية المتحدة والولايات المتحدة الأمريكية علاقات "
            "تاريخية واستراتيجية راسخة. ونتطلع إلى العمل معكم لتعزيز هذه الشراكة بما يخدم "
            "مصالح بلدينا ويدعم السلام والاستقرار في المنطقة والعالم. مع خالص تمنياتي لكم "
            "بالتوفيق والنجاح.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "His Excellency President-elect Joseph Biden,",
            "I am pleased to extend to you my warmest congratulations on your election as "
            "President of the United States of America. I also congratulate Ms Kamala Harris "
            "on her election as Vice President. The relations between the United Arab "
            "Emirates and the United States of America are long-standing, historic and "
            "strategic. We look forward to working with you to strengthen this partnership in "
            "the interests of our two countries and in support of peace and stability in the "
            "region and the world. With my sincere wishes for your success.",
        ],
    ),
    _message(
        key="abdullah-ii-to-pe",
        sender="abdullah-ii",
        office=HOS,
        principal=PE,
        channel="diplomatic_note",
        received_at="2020-11-07T14:30:00-05:00",
        language="ar",
        subject="رسالة تهنئة",
        body=[
            "فخامة الرئيس المنتخب جوزيف بايدن،",
            "أهنئكم بانتخابكم رئيساً للولايات المتحدة الأمريكية، وأتمنى لكم كل التوفيق في "
            "مهامكم. إن الأردن والولايات المتحدة تجمعهما شراكة تاريخية وصداقة متينة. وإنني "
            "أتطلع إلى العمل معكم لتعزيز هذه العلاقات وللمضي قدماً في تحقيق السلام "
            "والاستقرار في المنطقة. وتفضلوا بقبول فائق الاحترام.",
        ],
        subject_english="Message of congratulations",
        english=[
            "His Excellency President-elect Joseph Biden,",
            "I congratulate you on your election as President of the United States of America "
            "and wish you every success in your duties. Jordan and the United States are "
            "joined by a historic partnership and a firm friendship. I look forward to working "
            "with you to strengthen these relations and to move forward in achieving peace and "
            "stability in the region. Please accept the assurances of my highest respect.",
        ],
    ),
    _message(
        key="zelensky-to-pe",
        sender="zelensky",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T14:45:00-05:00",
        language="uk",
        subject="Вітання з обранням",
        body=[
            "Вельмишановний пане новообраний Президенте!",
            "Щиро вітаю Вас з обранням на посаду Президента Сполучених Штатів Америки. "
            "Україна високо цінує послідовну підтримку Сполученими Штатами нашого суверенітету "
            "й територіальної цілісності. Ми розраховуємо на подальше зміцнення "
            "стратегічного партнерства між нашими державами. Бажаю Вам успіхів у Вашій "
            "відповідальній діяльності на благо американського народу.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Most esteemed Mr President-elect,",
            "I sincerely congratulate you on your election as President of the United States "
            "of America. Ukraine highly values the consistent support of the United States for "
            "our sovereignty and territorial integrity. We count on the further strengthening "
            "of the strategic partnership between our states. I wish you success in your "
            "responsible work for the good of the American people.",
        ],
    ),
    _message(
        key="ramaphosa-to-pe",
        sender="ramaphosa",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T15:40:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect Biden,",
            "On behalf of the Government and the people of South Africa, I congratulate you "
            "and Vice President-elect Kamala Harris on your election. South Africa values its "
            "long-standing relationship with the United States, built on trade, investment and "
            "ties between our peoples. We look forward to working with your administration to "
            "strengthen this partnership and to advance multilateral cooperation, including in "
            "our response to the pandemic. Please accept the assurances of my highest "
            "consideration.",
        ],
    ),
    _message(
        key="guterres-to-pe",
        sender="guterres",
        office=HOO,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T16:30:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect,",
            "I congratulate you on your election as President of the United States. The "
            "partnership between the United States and the United Nations is essential to "
            "advancing peace, sustainable development and human rights. I look forward to "
            "working with you and your administration on the defining challenges of our time, "
            "from the COVID-19 pandemic to the climate crisis. Please accept the assurances of "
            "my highest consideration.",
        ],
    ),
    _message(
        key="ardern-to-pe",
        sender="ardern",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T17:00:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Tēnā koe, President-elect Biden,",
            "On behalf of the people of New Zealand, I congratulate you on your election as "
            "President of the United States. New Zealand and the United States share a "
            "long-standing friendship founded on common values. I look forward to working "
            "with you on the challenges before us all, including COVID-19, climate change and "
            "the economic recovery of our region.",
            "Ngā mihi nui",
        ],
    ),
    _message(
        key="ardern-to-vpe",
        sender="ardern",
        office=HOG,
        principal=VPE,
        channel="portal",
        received_at="2020-11-07T17:05:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear Vice President-elect Harris,",
            "Congratulations on your historic election as Vice President of the United States. "
            "As the first woman to hold this office, you will inspire many women and girls "
            "around the world, including in New Zealand. I look forward to working with you "
            "and wish you every success in the years ahead.",
            "Ngā mihi nui",
        ],
    ),
    _message(
        key="morrison-to-pe",
        sender="morrison",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T18:30:00-05:00",
        language="en",
        subject="Congratulations on your election",
        body=[
            "Dear President-elect Biden,",
            "I warmly congratulate you on your election as the 46th President of the United "
            "States. Australia and the United States share an alliance forged over more than a "
            "century of standing side by side. I look forward to working with you to advance "
            "our shared interests in a secure, prosperous and open Indo-Pacific.",
            "With my best wishes",
        ],
    ),
    _message(
        key="moon-to-pe",
        sender="moon",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T19:10:00-05:00",
        language="ko",
        subject="대통령 당선 축하 서한",
        body=[
            "존경하는 바이든 대통령 당선인님,",
            "미합중국 제46대 대통령 당선을 진심으로 축하드립니다. 한미동맹은 지난 70년 가까이 "
            "한반도와 동북아시아의 평화와 번영을 위한 핵심축이 되어 왔습니다. 당선인님과 함께 "
            "한미동맹을 더욱 굳건히 하고, 한반도 평화 프로세스를 진전시키기 위해 긴밀히 협력해 "
            "나가기를 기대합니다. 당선인님의 건승과 미국 국민의 번영을 기원합니다.",
        ],
        subject_english="Letter of congratulations on your election",
        english=[
            "Dear President-elect Biden,",
            "I sincerely congratulate you on your election as the 46th President of the United "
            "States of America. For nearly seventy years, the alliance between the Republic of "
            "Korea and the United States has been a linchpin of peace and prosperity on the "
            "Korean Peninsula and in Northeast Asia. I look forward to working closely with "
            "you to make our alliance even stronger and to advance the peace process on the "
            "Korean Peninsula. I wish you every success, and the American people continued "
            "prosperity.",
        ],
    ),
    _message(
        key="modi-to-pe",
        sender="modi",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-07T21:40:00-05:00",
        language="hi",
        subject="निर्वाचन पर हार्दिक बधाई",
        body=[
            "माननीय निर्वाचित राष्ट्रपति महोदय,",
            "संयुक्त राज्य अमेरिका के राष्ट्रपति के रूप में आपके निर्वाचन पर मैं भारत सरकार और "
            "भारत के लोगों की ओर से आपको हार्दिक बधाई देता हूँ। उपराष्ट्रपति के रूप में "
            "भारत-अमेरिका संबंधों को सुदृढ़ बनाने में आपका योगदान अत्यंत महत्वपूर्ण रहा है। "
            "मुझे विश्वास है कि हम मिलकर भारत-अमेरिका रणनीतिक साझेदारी को और ऊँचाइयों तक ले "
            "जाएँगे। मैं आपके साथ घनिष्ठ सहयोग की आशा करता हूँ।",
        ],
        subject_english="Heartfelt congratulations on your election",
        english=[
            "Honourable President-elect,",
            "On behalf of the Government of India and the people of India, I offer you my "
            "heartfelt congratulations on your election as President of the United States of "
            "America. As Vice President, your contribution to strengthening India–US relations "
            "was of the greatest importance. I am confident that together we will take the "
            "India–US strategic partnership to even greater heights. I look forward to close "
            "cooperation with you.",
        ],
    ),
    _message(
        key="modi-to-vpe",
        sender="modi",
        office=HOG,
        principal=VPE,
        channel="portal",
        received_at="2020-11-07T21:45:00-05:00",
        language="hi",
        subject="ऐतिहासिक निर्वाचन पर हार्दिक बधाई",
        body=[
            "माननीय निर्वाचित उपराष्ट्रपति महोदया,",
            "संयुक्त राज्य अमेरिका की उपराष्ट्रपति के रूप में आपके ऐतिहासिक निर्वाचन पर मैं "
            "आपको हार्दिक बधाई देता हूँ। आपकी यह सफलता न केवल आपके परिवार के लिए, बल्कि सभी "
            "भारतीय-अमेरिकियों के लिए भी अत्यंत गर्व का विषय है। मुझे विश्वास है कि आपके "
            "सहयोग और नेतृत्व से भारत-अमेरिका संबंध और अधिक मज़बूत होंगे।",
        ],
        subject_english="Heartfelt congratulations on your historic election",
        english=[
            "Honourable Vice President-elect,",
            "I offer you my heartfelt congratulations on your historic election as Vice "
            "President of the United States of America. Your success is a matter of immense "
            "pride not only for your family but also for all Indian-Americans. I am confident "
            "that with your support and leadership, India–US relations will grow even "
            "stronger.",
        ],
    ),
    # ----------------------------------------------------------------- 8 November 2020
    _message(
        key="netanyahu-to-pe",
        sender="netanyahu",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-08T04:15:00-05:00",
        language="he",
        subject="ברכות על בחירתך",
        body=[
            "כבוד הנשיא הנבחר,",
            "בשם ממשלת ישראל ובשמי, הריני לברכך בחום על בחירתך לנשיא ארצות הברית. הקשר בין "
            "ישראל לארצות הברית נשען על ערכים משותפים ועל ידידות עמוקה בין שני העמים. אני "
            "מצפה לעבוד עמך ועם סגנית הנשיא הנבחרת קמלה האריס כדי לחזק עוד יותר את הברית "
            "המיוחדת בין שתי מדינותינו.",
            "בברכה ובהוקרה",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Honourable President-elect,",
            "On behalf of the Government of Israel and on my own behalf, I warmly congratulate "
            "you on your election as President of the United States. The bond between Israel "
            "and the United States rests on shared values and on a deep friendship between our "
            "two peoples. I look forward to working with you and with Vice President-elect "
            "Kamala Harris to further strengthen the special alliance between our two "
            "countries.",
            "With blessings and esteem",
        ],
    ),
    # nov2020.md: "King Salman and Crown Prince Mohammed bin Salman (telegram)"; each sent a
    # cable of his own, so the row gives two messages.
    _message(
        key="salman-to-pe",
        sender="salman",
        office=HOS,
        principal=PE,
        channel="telegram",
        received_at="2020-11-08T06:10:00-05:00",
        language="ar",
        subject="برقية تهنئة",
        body=[
            "فخامة الرئيس جوزيف بايدن\nالرئيس المنتخب للولايات المتحدة الأمريكية الصديقة",
            "يسرنا بمناسبة فوز فخامتكم في الانتخابات الرئاسية أن نبعث لفخامتكم، باسمنا وباسم "
            "شعب المملكة العربية السعودية وحكومتها، أحر التهاني وأطيب التمنيات. ونشيد "
            "بالعلاقات التاريخية المتميزة والوثيقة بين البلدين والشعبين الصديقين، التي نحرص "
            "جميعاً على تعزيزها وتنميتها في شتى المجالات. ونتمنى لفخامتكم التوفيق، ولشعب "
            "الولايات المتحدة الأمريكية الصديق اطراد التقدم والازدهار.",
        ],
        subject_english="Telegram of congratulations",
        english=[
            "His Excellency Joseph Biden\nPresident-elect of the friendly United States of America",
            "On the occasion of Your Excellency's victory in the presidential election, we are "
            "pleased to send Your Excellency, in our name and in the name of the people and "
            "the Government of the Kingdom of Saudi Arabia, our warmest congratulations and "
            "best wishes. We commend the distinguished, close and historic relations between "
            "our two friendly countries and peoples, which we are all keen to strengthen and "
            "develop in every field. We wish Your Excellency success, and the friendly people "
            "of the United States of America continued progress and prosperity.",
        ],
    ),
    _message(
        key="mohammed-bin-salman-to-pe",
        sender="mohammed-bin-salman",
        office="other",
        principal=PE,
        channel="telegram",
        received_at="2020-11-08T06:15:00-05:00",
        language="ar",
        subject="برقية تهنئة",
        body=[
            "فخامة الرئيس المنتخب جوزيف بايدن،",
            "يسرني بمناسبة فوز فخامتكم في الانتخابات الرئاسية أن أبعث لفخامتكم أحر التهاني "
            "وأطيب التمنيات. وأؤكد حرص المملكة العربية السعودية على مواصلة تعزيز الشراكة "
            "الاستراتيجية بين بلدينا الصديقين. وأتمنى لفخامتكم دوام الصحة والسعادة، ولشعب "
            "الولايات المتحدة الأمريكية الصديق المزيد من التقدم والازدهار.",
        ],
        subject_english="Telegram of congratulations",
        english=[
            "His Excellency President-elect Joseph Biden,",
            "On the occasion of Your Excellency's victory in the presidential election, I am "
            "pleased to send Your Excellency my warmest congratulations and best wishes. I "
            "affirm the commitment of the Kingdom of Saudi Arabia to continue strengthening "
            "the strategic partnership between our two friendly countries. I wish Your "
            "Excellency lasting health and happiness, and the friendly people of the United "
            "States of America further progress and prosperity.",
        ],
    ),
    _message(
        key="kenyatta-to-pe",
        sender="kenyatta",
        office=HOS,
        principal=PE,
        channel="letter",
        received_at="2020-11-08T08:30:00-05:00",
        language="sw",
        subject="Pongezi kwa kuchaguliwa kwako",
        body=[
            "Mheshimiwa Rais Mteule,",
            "Kwa niaba ya Serikali na wananchi wa Jamhuri ya Kenya, nakupongeza kwa dhati kwa "
            "kuchaguliwa kwako kuwa Rais wa Marekani. Ushindi wako ni ushahidi wa imani ambayo "
            "wananchi wa Marekani wameiweka katika uongozi wako. Kenya na Marekani zina "
            "historia ndefu ya urafiki na ushirikiano, na tunatazamia kuuimarisha ushirikiano "
            "huo chini ya uongozi wako. Nakutakia kila la heri katika majukumu yako mapya.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Your Excellency President-elect,",
            "On behalf of the Government and the people of the Republic of Kenya, I sincerely "
            "congratulate you on your election as President of the United States. Your victory "
            "is testimony to the trust that the people of the United States have placed in "
            "your leadership. Kenya and the United States share a long history of friendship "
            "and cooperation, and we look forward to strengthening that cooperation under your "
            "leadership. I wish you every success in your new responsibilities.",
        ],
    ),
    _message(
        key="suga-to-pe",
        sender="suga",
        office=HOG,
        principal=PE,
        channel="portal",
        received_at="2020-11-08T09:05:00-05:00",
        language="ja",
        subject="ご当選へのお祝い",
        body=[
            "ジョセフ・R・バイデン次期大統領閣下",
            "このたびのアメリカ合衆国大統領選挙におけるご当選に対し、日本国政府を代表して心から"
            "お祝い申し上げます。日米同盟は、インド太平洋地域の平和と繁栄の礎であります。"
            "日米同盟をさらに強固なものとし、自由で開かれたインド太平洋の実現に向けて、閣下と"
            "緊密に連携していくことを楽しみにしております。閣下のますますのご活躍とご健勝を心より"
            "お祈り申し上げます。",
        ],
        subject_english="Congratulations on your election",
        english=[
            "His Excellency Joseph R. Biden, President-elect",
            "On behalf of the Government of Japan, I offer you my heartfelt congratulations on "
            "your election in the recent presidential election of the United States of America. "
            "The Japan–US Alliance is the cornerstone of peace and prosperity in the "
            "Indo-Pacific region. I look forward to working closely with Your Excellency to "
            "further strengthen the Alliance and to realise a free and open Indo-Pacific. I "
            "sincerely wish Your Excellency good health and ever greater success.",
        ],
    ),
    # ----------------------------------------------------------------- 9 November 2020
    _message(
        key="pope-francis-to-pe",
        sender="pope-francis",
        office=HOS,
        principal=PE,
        channel="letter",
        received_at="2020-11-09T10:30:00-05:00",
        language="it",
        subject="Auguri per la Sua elezione",
        body=[
            "A Sua Eccellenza il Signor Joseph R. Biden\nPresidente eletto degli Stati Uniti "
            "d'America",
            "In occasione della Sua elezione alla Presidenza degli Stati Uniti d'America, Le "
            "porgo i miei cordiali auguri. Assicuro la mia preghiera perché Dio Le conceda "
            "saggezza e forza nel servizio al Suo Paese e a tutta la famiglia umana. In un "
            "tempo segnato dalla pandemia, auspico che il Suo impegno possa favorire la "
            "riconciliazione, la pace e la cura dei più poveri e vulnerabili. Su di Lei e "
            "sull'amato popolo americano invoco di cuore la benedizione del Signore.",
        ],
        subject_english="Good wishes on your election",
        english=[
            "To His Excellency Mr Joseph R. Biden\nPresident-elect of the United States of America",
            "On the occasion of your election to the Presidency of the United States of "
            "America, I offer you my cordial good wishes. I assure you of my prayers that God "
            "may grant you wisdom and strength in the service of your country and of the whole "
            "human family. At a time marked by the pandemic, I hope that your work may foster "
            "reconciliation, peace and care for the poorest and most vulnerable. Upon you and "
            "upon the beloved American people I heartily invoke the blessing of the Lord.",
        ],
    ),
    # ----------------------------------------------------------------- 10 November 2020
    _message(
        key="erdogan-to-pe",
        sender="erdogan",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-11-10T09:40:00-05:00",
        language="tr",
        subject="Tebrik mesajı",
        body=[
            "Amerika Birleşik Devletleri Seçilmiş Başkanı Sayın Joseph R. Biden,",
            "Amerika Birleşik Devletleri Başkanlığına seçilmeniz dolayısıyla sizi içtenlikle "
            "tebrik ediyorum. Türkiye ile Amerika Birleşik Devletleri arasındaki güçlü iş "
            "birliğinin ve müttefiklik ilişkilerinin önümüzdeki dönemde de gelişerek "
            "süreceğine inanıyorum. Bölgesel ve küresel meselelerde sizinle birlikte çalışmayı "
            "bekliyorum. Dost ve müttefik Amerikan halkına esenlik ve refah diliyorum.",
        ],
        subject_english="Message of congratulations",
        english=[
            "His Excellency Joseph R. Biden, President-elect of the United States of America,",
            "I sincerely congratulate you on your election to the Presidency of the United "
            "States of America. I believe that the strong cooperation and the relations of "
            "alliance between Turkey and the United States will continue to grow in the "
            "coming period. I look forward to working together with you on regional and "
            "global issues. I wish the friendly and allied American people peace and "
            "prosperity.",
        ],
    ),
    # ----------------------------------------------------------------- 13 November 2020
    _message(
        key="cn-mfa-to-pe",
        sender="cn-mfa",
        office="ministry",
        principal=PE,
        channel="diplomatic_note",
        received_at="2020-11-13T03:10:00-05:00",
        language="zh",
        subject="外交部发言人就美国大选结果表示祝贺",
        body=[
            "我们尊重美国人民的选择，向拜登先生和哈里斯女士表示祝贺。我们理解，美国大选结果将"
            "按照美国的法律和程序确定。中方始终认为，中美双方应当加强沟通与对话，在相互尊重的"
            "基础上管控分歧、拓展合作，推动中美关系健康稳定发展，这符合两国人民的共同利益。",
        ],
        subject_english="Foreign Ministry spokesperson's congratulations on the US election result",
        english=[
            "We respect the choice of the American people and extend our congratulations to "
            "Mr Biden and Ms Harris. We understand that the result of the US election will be "
            "determined in accordance with US laws and procedures. China has always held that "
            "China and the United States should strengthen communication and dialogue, manage "
            "their differences and expand cooperation on the basis of mutual respect, and "
            "promote the sound and steady development of China–US relations, which serves the "
            "common interests of the peoples of both countries.",
        ],
    ),
    # ----------------------------------------------------------------- 25 November 2020
    _message(
        key="xi-to-pe",
        sender="xi",
        office=HOS,
        principal=PE,
        channel="telegram",
        received_at="2020-11-25T07:30:00-05:00",
        language="zh",
        subject="致约瑟夫·拜登先生的贺电",
        body=[
            "尊敬的约瑟夫·拜登先生：",
            "值此阁下当选美利坚合众国总统之际，我谨代表中国政府和中国人民，并以我个人的名义，"
            "向阁下致以诚挚的祝贺。推动中美关系健康稳定发展，不仅符合两国人民根本利益，也是"
            "国际社会的共同期待。希望双方秉持不冲突不对抗、相互尊重、合作共赢的精神，聚焦合作，"
            "管控分歧，同各国和国际社会携手推进世界和平与发展的崇高事业。",
        ],
        subject_english="Telegram of congratulations to Mr Joseph Biden",
        english=[
            "Dear Mr Joseph Biden,",
            "On the occasion of Your Excellency's election as President of the United States "
            "of America, I extend to Your Excellency, on behalf of the Chinese Government and "
            "the Chinese people and in my own name, sincere congratulations. Promoting the "
            "sound and steady development of China–US relations not only serves the "
            "fundamental interests of the peoples of both countries but is also the common "
            "expectation of the international community. I hope that the two sides will "
            "uphold the spirit of no conflict, no confrontation, mutual respect and win-win "
            "cooperation, focus on cooperation, manage differences, and work with other "
            "countries and the international community to advance the noble cause of world "
            "peace and development.",
        ],
    ),
    # ----------------------------------------------------------------- 15 December 2020
    # (after the Electoral College vote of 14 December)
    _message(
        key="putin-to-pe",
        sender="putin",
        office=HOS,
        principal=PE,
        channel="telegram",
        received_at="2020-12-15T05:30:00-05:00",
        language="ru",
        subject="Поздравление с избранием",
        body=[
            "Уважаемый господин Байден!",
            "Примите мои поздравления с избранием на пост Президента Соединённых Штатов "
            "Америки. Россия и Соединённые Штаты, несущие особую ответственность за "
            "глобальную безопасность и стабильность, способны, несмотря на существующие "
            "разногласия, вместе содействовать решению многих проблем, стоящих перед миром. "
            "Со своей стороны готов к взаимодействию и контактам с Вами. Желаю Вам успехов.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Dear Mr Biden,",
            "Please accept my congratulations on your election as President of the United "
            "States of America. Russia and the United States, which bear a special "
            "responsibility for global security and stability, are able, despite existing "
            "differences, to contribute together to resolving many of the problems facing the "
            "world. For my part, I am ready for interaction and contacts with you. I wish you "
            "success.",
        ],
    ),
    _message(
        key="lopez-obrador-to-pe",
        sender="lopez-obrador",
        office=HOS,
        principal=PE,
        channel="letter",
        received_at="2020-12-15T10:20:00-05:00",
        language="es",
        subject="Felicitaciones por su triunfo",
        body=[
            "Estimado presidente electo Joseph R. Biden:",
            "Le envío un cordial saludo y mis felicitaciones por su triunfo, ahora confirmado "
            "por el Colegio Electoral. Le reitero mi deseo de que las relaciones entre nuestros "
            "gobiernos sigan basándose en el respeto mutuo, la cooperación y la buena "
            "vecindad. México y Estados Unidos comparten una frontera, una historia y millones "
            "de familias, y estoy seguro de que podremos seguir trabajando juntos en beneficio "
            "de nuestros pueblos. Reciba un abrazo fraterno.",
        ],
        subject_english="Congratulations on your victory",
        english=[
            "Dear President-elect Joseph R. Biden,",
            "I send you cordial greetings and my congratulations on your victory, now "
            "confirmed by the Electoral College. I reiterate my wish that relations between "
            "our governments continue to be founded on mutual respect, cooperation and good "
            "neighbourliness. Mexico and the United States share a border, a history and "
            "millions of families, and I am sure that we will be able to keep working together "
            "for the benefit of our peoples. Please receive a fraternal embrace.",
        ],
    ),
    _message(
        key="bolsonaro-to-pe",
        sender="bolsonaro",
        office=HOS,
        principal=PE,
        channel="portal",
        received_at="2020-12-15T14:00:00-05:00",
        language="pt",
        subject="Cumprimentos pela eleição",
        body=[
            "Senhor Presidente eleito,",
            "Cumprimento Vossa Excelência pela eleição para a Presidência dos Estados Unidos "
            "da América. O Brasil e os Estados Unidos mantêm laços históricos de amizade e de "
            "cooperação, fundados em valores compartilhados. Estarei pronto a trabalhar com o "
            "novo governo para dar continuidade à construção de uma aliança entre o Brasil e "
            "os Estados Unidos, em defesa da soberania, da democracia e da liberdade. Aceite, "
            "Senhor Presidente eleito, os protestos da minha mais alta consideração.",
        ],
        subject_english="Congratulations on your election",
        english=[
            "Mr President-elect,",
            "I congratulate Your Excellency on your election to the Presidency of the United "
            "States of America. Brazil and the United States maintain historic ties of "
            "friendship and cooperation, founded on shared values. I shall be ready to work "
            "with the new administration to continue building an alliance between Brazil and "
            "the United States, in defence of sovereignty, democracy and freedom. Please "
            "accept, Mr President-elect, the assurances of my highest consideration.",
        ],
    ),
]

# --------------------------------------------------------------------------- calls


def _call(
    order: int,
    date: str,
    leader: str,
    notes: str = "",
    *,
    part_of_day: str = "",
    duration_minutes: int | None = None,
    local_time: str | None = None,
    local_time_note: str = "",
) -> CallData:
    return {
        "order": order,
        "date": date,
        "leader": leader,
        "part_of_day": part_of_day,
        "duration_minutes": duration_minutes,
        "notes": notes,
        "local_time": local_time,
        "local_time_note": local_time_note,
    }


#: The calls the President-elect held, in the order of nov2020.md (dates US Eastern).
CALLS: list[CallData] = [
    _call(1, "2020-11-09", "trudeau", "first call", part_of_day="evening"),
    _call(2, "2020-11-10", "johnson", "about 20–25 min", duration_minutes=25),
    _call(
        3,
        "2020-11-10",
        "macron",
        "about 10 min, about 16:30 GMT",
        duration_minutes=10,
        local_time="2020-11-10T16:30:00+00:00",
        local_time_note="about 16:30 GMT",
    ),
    _call(4, "2020-11-10", "merkel"),
    _call(5, "2020-11-10", "martin"),
    _call(
        6,
        "2020-11-11",
        "morrison",
        "Nov 12 local time",
        part_of_day="evening",
        local_time_note="12 November, Australian Eastern Daylight Time",
    ),
    _call(
        7,
        "2020-11-11",
        "suga",
        "about 10 min; Nov 12 JST",
        part_of_day="evening",
        duration_minutes=10,
        local_time_note="12 November, JST",
    ),
    _call(
        8,
        "2020-11-11",
        "moon",
        "14 min; Nov 12, 09:00 KST",
        part_of_day="evening",
        duration_minutes=14,
        local_time="2020-11-12T09:00:00+09:00",
        local_time_note="12 November, 09:00 KST",
    ),
    _call(9, "2020-11-12", "pope-francis"),
    _call(10, "2020-11-13", "conte", "evening Rome time", local_time_note="evening, Rome time"),
    _call(11, "2020-11-17", "netanyahu", "over 20 min", duration_minutes=20),
    _call(12, "2020-11-17", "rivlin"),
    _call(13, "2020-11-17", "modi"),
    _call(14, "2020-11-17", "pinera", "about 15 min", duration_minutes=15),
    _call(15, "2020-11-17", "ramaphosa"),
    _call(
        16,
        "2020-11-22",
        "ardern",
        "20 min; Nov 23 NZT",
        duration_minutes=20,
        local_time_note="23 November, NZDT",
    ),
    _call(17, "2020-11-23", "von-der-leyen"),
    _call(18, "2020-11-23", "michel", "about 20 min", duration_minutes=20),
    _call(19, "2020-11-23", "abdullah-ii"),
    _call(20, "2020-11-23", "stoltenberg"),
    _call(21, "2020-11-30", "fernandez", "35 min", duration_minutes=35),
    _call(22, "2020-11-30", "alvarado"),
    _call(23, "2020-11-30", "kenyatta"),
    _call(24, "2020-11-30", "guterres"),
]

# --------------------------------------------------------------------------- people (fictional)

#: Staff translators (fictional). ``languages`` are the source languages; all work into English.
TRANSLATORS: list[TranslatorData] = [
    {
        "username": "translator.fr",
        "display_name": "Hélène Marchetti",
        "languages": ["fr", "it", "es", "pt"],
    },
    {
        "username": "translator.es",
        "display_name": "Lucía Ferreira Ortega",
        "languages": ["es", "pt"],
    },
    {"username": "translator.de", "display_name": "Tobias Brandt", "languages": ["de"]},
    {"username": "translator.ar", "display_name": "Nadia Haddad", "languages": ["ar"]},
    {"username": "translator.he", "display_name": "Daniel Adler", "languages": ["he"]},
    {"username": "translator.ru", "display_name": "Irina Kovalenko", "languages": ["ru", "uk"]},
    {"username": "translator.zh", "display_name": "Lin Wei", "languages": ["zh", "ja"]},
    {"username": "translator.ko", "display_name": "Park Min-ji", "languages": ["ko"]},
    {"username": "translator.hi", "display_name": "Priya Raman", "languages": ["hi"]},
    {"username": "translator.tr", "display_name": "Elif Aydın", "languages": ["tr"]},
    {"username": "translator.sw", "display_name": "Amani Mwangi", "languages": ["sw"]},
    {"username": "translator.ga", "display_name": "Siobhán Ní Bhriain", "languages": ["ga"]},
]

#: Operations staff (fictional).
STAFF: list[StaffData] = [
    {
        "username": "watch.okafor",
        "display_name": "Grace Okafor",
        "role": "watch_officer",
        "principal": None,
    },
    {
        "username": "watch.lindqvist",
        "display_name": "Erik Lindqvist",
        "role": "watch_officer",
        "principal": None,
    },
    {
        "username": "protocol.dubois",
        "display_name": "Marianne Dubois",
        "role": "protocol_officer",
        "principal": None,
    },
    {
        "username": "office.whitaker",
        "display_name": "Samuel Whitaker",
        "role": "principal_office",
        "principal": "president-elect",
    },
    {
        "username": "office.reyes",
        "display_name": "Ana Reyes",
        "role": "principal_office",
        "principal": "vice-president-elect",
    },
    {
        "username": "auditor.chen",
        "display_name": "Margaret Chen",
        "role": "auditor",
        "principal": None,
    },
    {
        "username": "records.park",
        "display_name": "Hannah Park",
        "role": "records_officer",
        "principal": None,
    },
    {
        "username": "admin",
        "display_name": "Chancery Administrator",
        "role": "admin",
        "principal": None,
    },
]

_LIAISON_NAMES: dict[str, str] = {
    "ca": "Émilie Tremblay",
    "gb": "Oliver Pembridge",
    "fr": "Julien Marchand",
    "de": "Katrin Vogel",
    "in": "Ananya Iyer",
    "nato": "Henrik Dahl",
    "ua": "Oksana Hrytsenko",
    "ae": "Mariam Al Suwaidi",
    "eg": "Karim Mansour",
    "jo": "Rania Haddadin",
    "ie": "Ciarán Ó Dálaigh",
    "it": "Francesca Moretti",
    "il": "Noa Ben-David",
    "sa": "Faisal Al Harbi",
    "ke": "Wanjiru Kamau",
    "jp": "Haruto Nakamura",
    "tr": "Zeynep Aksoy",
    "cn": "Zhou Minghui",
    "ru": "Yekaterina Belova",
    "mx": "Diego Hernández Ruiz",
    "br": "Camila Albuquerque",
    "au": "Chloe Whitfield",
    "kr": "Kim Seo-yeon",
    "va": "Msgr. Paolo Ricci",
    "cl": "Valentina Rojas",
    "za": "Thandiwe Nkosi",
    "nz": "Aroha Walker",
    "eu": "Pieter Janssens",
    "ar": "Martín Gallardo",
    "cr": "Sofía Jiménez Mora",
    "un": "Amina Diallo",
}

#: One liaison officer (fictional) per mission.
LIAISONS: list[LiaisonData] = [
    {
        "username": f"liaison.{mission['key']}",
        "display_name": _LIAISON_NAMES[mission["key"]],
        "mission": mission["key"],
    }
    for mission in MISSIONS
]

# --------------------------------------------------------------------------- call requests

#: When the call settings were saved and the interpreters enrolled: the morning the
#: President-elect was projected the winner, before the first congratulation arrived.
CALLS_SETUP_AT = "2020-11-07T11:40:00-05:00"

#: The President-elect's call settings (the precedence policy is
#: ``chancery.calls.demo_tiers.DEMO_POLICY``). Three note-takers: one call at a time.
CALL_SETTINGS: CallSettingsData = {
    "principal": PE,
    "day_start": "08:00",
    "day_end": "21:00",
    "daily_cap": 6,
    "buffer_minutes": 10,
    "note_takers": 3,
    "dial_in": (
        "The Operations Center places the call and connects the President-elect; the other "
        "side's switchboard is called at the start time. Conference bridge for note-takers: "
        "+1 202 555 0142, access code sent separately (illustrative)."
    ),
    "saved_at": CALLS_SETUP_AT,
}

#: Time the President-elect takes no calls, blocked by the protocol officer after the settings
#: (``demo/calls.py``), before any request: the scheduler places nothing in it.
BLOCKED: list[BlockedData] = [
    {"principal": PE, "start": "2020-11-26T00:00:00-05:00", "end": "2020-11-27T00:00:00-05:00",
     "label": "Thanksgiving Day"},
]

#: Interpreters on the roster (fictional people). Most work from Washington (US Eastern); the
#: German and the Italian interpreters from Europe, in their own zone.
INTERPRETERS: list[InterpreterData] = [
    {"username": "interpreter.fr", "name": "Claire Dufresne", "languages": ["fr"],
     "time_zone": "America/New_York", "day_start": "07:00", "day_end": "20:00", "daily_cap": 4},
    {"username": "interpreter.de", "name": "Matthias Keller", "languages": ["de"],
     "time_zone": "Europe/Berlin", "day_start": "08:00", "day_end": "21:00", "daily_cap": 4},
    {"username": "interpreter.es", "name": "Rosa Elena Castillo", "languages": ["es", "pt"],
     "time_zone": "America/New_York", "day_start": "08:00", "day_end": "20:00", "daily_cap": 5},
    {"username": "interpreter.ja", "name": "Kenji Watanabe", "languages": ["ja"],
     "time_zone": "America/New_York", "day_start": "12:00", "day_end": "23:00", "daily_cap": 3},
    {"username": "interpreter.ko", "name": "Lee Ji-won", "languages": ["ko"],
     "time_zone": "America/New_York", "day_start": "12:00", "day_end": "23:00", "daily_cap": 3},
    {"username": "interpreter.he", "name": "Yael Friedman", "languages": ["he"],
     "time_zone": "America/New_York", "day_start": "07:00", "day_end": "19:00", "daily_cap": 4},
    {"username": "interpreter.ar", "name": "Omar Khalil", "languages": ["ar"],
     "time_zone": "America/New_York", "day_start": "07:00", "day_end": "19:00", "daily_cap": 4},
    {"username": "interpreter.hi", "name": "Rohan Mehta", "languages": ["hi"],
     "time_zone": "America/New_York", "day_start": "07:00", "day_end": "19:00", "daily_cap": 4},
    {"username": "interpreter.it", "name": "Giulia Romano", "languages": ["it"],
     "time_zone": "Europe/Rome", "day_start": "08:00", "day_end": "21:00", "daily_cap": 4},
    {"username": "interpreter.sw", "name": "Baraka Otieno", "languages": ["sw"],
     "time_zone": "America/New_York", "day_start": "08:00", "day_end": "18:00", "daily_cap": 4},
]

#: The first day the demo's requests propose: the demo's "today" (nothing was scheduled before
#: ascertainment). Windows run 14 days from it.
CALL_WINDOW_FROM = "2020-11-23"
CALL_WINDOW_DAYS = 14

# Per leader of CALLS: (purpose, language on the call, brings its own interpreter, acceptable
# local hours). Purposes are plausible and illustrative; languages are the leader's (English
# where the leader speaks it officially and would hold the call in it).
_CALL_DETAILS: dict[str, tuple[str, str, bool, str, str]] = {
    "trudeau": ("Congratulations; Canada-US relationship, COVID-19 recovery, climate.",
                "en", False, "08:00", "21:00"),
    "johnson": ("Congratulations; transatlantic cooperation, COP26, trade.",
                "en", False, "08:00", "21:00"),
    "macron": ("Congratulations; climate, COVID-19, the Sahel and the transatlantic agenda.",
               "fr", False, "08:00", "21:00"),
    "merkel": ("Congratulations; transatlantic relations, pandemic response, climate.",
               "de", False, "08:00", "20:00"),
    "martin": ("Congratulations; Northern Ireland and the Good Friday Agreement, Brexit.",
               "en", False, "08:00", "21:00"),
    "morrison": ("Congratulations; the alliance, Indo-Pacific security, pandemic recovery.",
                 "en", False, "08:00", "21:00"),
    "suga": ("Congratulations; the US-Japan alliance, a free and open Indo-Pacific.",
             "ja", False, "08:00", "11:30"),
    "moon": ("Congratulations; the alliance and the Korean Peninsula.",
             "ko", True, "08:00", "12:00"),
    "pope-francis": ("Blessings and congratulations; the poor, migrants, climate, peace.",
                     "it", False, "15:00", "19:00"),
    "conte": ("Congratulations; G20 presidency in 2021, transatlantic cooperation.",
              "it", False, "10:00", "21:00"),
    "netanyahu": ("Congratulations; the US-Israel relationship and regional security.",
                  "he", False, "08:00", "21:00"),
    "rivlin": ("Congratulations on behalf of the State of Israel.",
               "he", True, "09:00", "20:00"),
    "modi": ("Congratulations; strategic partnership, COVID-19 vaccines, climate.",
             "hi", False, "08:00", "21:00"),
    "pinera": ("Congratulations; climate change, COP25 follow-up, regional cooperation.",
               "es", False, "08:00", "21:00"),
    "ramaphosa": ("Congratulations; African Union chairmanship, pandemic response in Africa.",
                  "en", False, "08:00", "21:00"),
    "ardern": ("Congratulations; pandemic response, climate, Pacific cooperation.",
               "en", False, "08:00", "21:00"),
    "von-der-leyen": ("Congratulations; a renewed EU-US agenda: pandemic, climate, trade.",
                      "en", False, "08:00", "21:00"),
    "michel": ("Congratulations; EU-US summit, multilateral cooperation.",
               "en", False, "08:00", "21:00"),
    "abdullah-ii": ("Congratulations; regional stability, the peace process, refugees.",
                    "ar", False, "10:00", "20:00"),
    "stoltenberg": ("Congratulations; the Alliance, burden sharing, the 2021 summit.",
                    "en", False, "08:00", "21:00"),
    "fernandez": ("Congratulations; debt negotiations, regional cooperation, climate.",
                  "es", False, "08:00", "21:00"),
    "alvarado": ("Congratulations; climate, migration, Central America.",
                 "es", False, "08:00", "21:00"),
    "kenyatta": ("Congratulations; trade, regional security, pandemic recovery.",
                 "en", False, "08:00", "18:00"),
    "guterres": ("Congratulations; multilateralism, climate, the pandemic response.",
                 "en", False, "08:00", "21:00"),
}

#: Leaders who sent no message in the demo: a plausible day and time for their request.
_REQUESTED_WITHOUT_MESSAGE: dict[str, str] = {
    "martin": "2020-11-08T10:30:00-05:00",
    "rivlin": "2020-11-08T12:10:00-05:00",
}


def _call_requests() -> list[CallRequestData]:
    """A request per leader of CALLS, submitted an hour after the leader's first congratulation
    to the President-elect (the same day), by the mission's liaison: through the API where the
    mission sent its messages through the API, else the portal."""
    import datetime as dt

    first: dict[str, MessageData] = {}
    for m in sorted(MESSAGES, key=lambda m: m["received_at"]):
        if m["principal"] == PE:
            first.setdefault(m["sender"], m)
    leaders = {leader["key"]: leader for leader in LEADERS}
    window_from = dt.date.fromisoformat(CALL_WINDOW_FROM)
    out: list[CallRequestData] = []
    for call in CALLS:
        key = call["leader"]
        leader = leaders[key]
        purpose, language, brings, start, end = _CALL_DETAILS[key]
        message = first.get(key)
        if message is not None:
            at = dt.datetime.fromisoformat(message["received_at"]) + dt.timedelta(hours=1)
            channel: Literal["portal", "api", "staff"] = (
                "api" if message["channel"] == "api" else "portal"
            )
        else:
            at = dt.datetime.fromisoformat(_REQUESTED_WITHOUT_MESSAGE[key])
            channel = "portal"
        earliest = max(at.date(), window_from)
        out.append({
            "key": f"call-{key}",
            "leader": key,
            "principal": PE,
            "channel": channel,
            "submitted_at": at.isoformat(),
            "purpose": purpose,
            "language": language,
            "brings_interpreter": brings,
            # Speaking time as a request states it: on the schedule's 5-minute grid (Moon's
            # 14 minutes were asked for as 15).
            "duration": -(-(call["duration_minutes"] or 15) // 5) * 5,
            "time_zone": leader["time_zone"],
            "local_start": start,
            "local_end": end,
            "earliest": earliest.isoformat(),
            "latest": (earliest + dt.timedelta(days=CALL_WINDOW_DAYS)).isoformat(),
        })
    return out


#: The call requests of the 24 leaders the President-elect called in November 2020, as their
#: liaisons submitted them (windows from the demo's today: nothing was scheduled before
#: ascertainment). In CALLS' order.
CALL_REQUESTS: list[CallRequestData] = _call_requests()

# --------------------------------------------------------------------------- helpers


def all_languages() -> set[str]:
    """Every ISO 639-1 code used by leaders, institutions and messages."""
    codes: set[str] = set()
    for leader in LEADERS:
        codes.update(leader["languages"])
    for institution in INSTITUTIONS:
        codes.update(institution["languages"])
    codes.update(message["language"] for message in MESSAGES)
    return codes
