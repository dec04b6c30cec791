"""Precedence: composable, configurable orderings of callers, each ranking saying why.

Pure module (no Django, no database): a :class:`Caller` is a plain dataclass that a call request
model converts itself to; a :class:`Policy` is a sequence of keys, applied lexicographically;
:meth:`Policy.rank` returns every caller with its rank and the reason, in words an officer
understands, why it stands where it does against its neighbour.

Keys (each can be used alone or combined; the first that differs decides):

``tiers``
    The principal's priority tiers: named, ordered groups of countries and organisations. A
    caller in no tier comes after every tier. This is a *political* ordering and is kept apart
    from ceremonial rank (nov2020.md: "alliances never change ceremonial rank").
``congratulated``
    "First congratulated, first called": earlier ``congratulated_at`` first; a caller who has not
    congratulated (``None``) after those who have. Put after ``tiers`` it orders within a tier.
``vienna``
    Vienna Convention on Diplomatic Relations, arts. 13, 14 and 16, for heads of mission: class
    (ambassador or nuncio, then envoy or minister), then date and time of taking up functions;
    chargés d'affaires after all heads of mission (art. 14(1)(c) makes them the third class);
    callers who are not heads of mission after all of them.
``holy_see_first`` / ``monarch_first``
    Host options of ceremonial practice: the Holy See (country ``VA``, or ``is_holy_see``) first;
    reigning monarchs first.
``state_before_government``
    Heads of state before heads of government before other offices.
``took_office``
    Earlier date of taking office first (the usual ceremonial tie-break among heads of state, as
    among heads of mission by their date of taking up functions); unknown last.
``alphabetical``
    The UN General Assembly rule: countries in alphabetical order of their names in a chosen
    language, the list starting at a country drawn by lot and wrapping round. Names come from
    Babel's CLDR territory names (``babel.Locale(language).territories``), organisations by their
    own name. The comparison key is :func:`collation_key`, a locale-independent approximation of
    the Unicode Collation Algorithm's levels (no PyICU on the machine): letters compared without
    accents and case first, then with accents, then exactly. It does not apply language
    tailorings (Swedish å after z, Spanish ch in the old rules); for the Latin-script names CLDR
    gives in the languages the demo uses, it agrees with ICU's root collation.

Callers equal on every key share a rank (1, 2, 2, 4) and keep their input order; the reason says
they are tied, rather than hiding an arbitrary tie-break.

A policy is built from a plain dict (:meth:`Policy.from_dict`, stored as JSON by a model) and
written back with :meth:`Policy.to_dict`; a bad configuration raises :class:`PolicyError` naming
the field and how to fix it.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from babel import Locale, UnknownLocaleError

from chancery.errors import InvalidInput


class PolicyError(InvalidInput, ValueError):
    """A bad policy configuration or caller: ``field`` names the offending item."""


# --------------------------------------------------------------------------- callers


class Role(enum.StrEnum):
    HEAD_OF_STATE = "head_of_state"
    HEAD_OF_GOVERNMENT = "head_of_government"
    OTHER = "other"


class MissionClass(enum.IntEnum):
    """VCDR art. 14: the classes of heads of mission, in order."""

    AMBASSADOR = 1  # ambassadors or nuncios accredited to heads of state
    ENVOY = 2  # envoys, ministers and internuncios accredited to heads of state
    CHARGE = 3  # chargés d'affaires accredited to ministers for foreign affairs


_ROLE_WORDS = {
    Role.HEAD_OF_STATE: "head of state",
    Role.HEAD_OF_GOVERNMENT: "head of government",
    Role.OTHER: "other office",
}
_CLASS_WORDS = {
    MissionClass.AMBASSADOR: "ambassador or nuncio",
    MissionClass.ENVOY: "envoy or minister",
    MissionClass.CHARGE: "chargé d'affaires",
}


COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)
"""ISO 3166-1 alpha-2 codes (pycountry, as ``directory`` validates them); Babel names all of
them. CLDR's other regions ("EU", "UN", "ZZ") are not countries: organisations go by slug."""


def _check_country(code: Any, where: str) -> str:
    if not isinstance(code, str) or code.upper() not in COUNTRIES:
        raise PolicyError(
            f"{code!r} is not a known country code; use an ISO 3166-1 alpha-2 code such as "
            "'CA' or 'VA' (the Holy See).",
            field=where,
        )
    return code.upper()


def _check_aware(value: Any, where: str) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise PolicyError(
                f"{where} is a naive datetime ({value.isoformat()}); give it a time zone "
                "(e.g. datetime(..., tzinfo=ZoneInfo('America/New_York'))).",
                field=where,
            )
    elif not isinstance(value, date):
        raise PolicyError(f"{where} must be a datetime or None, not {value!r}.", field=where)


@dataclass(frozen=True)
class Caller:
    """Who asks for a call, with what the policies need.

    ``key`` identifies the caller in a ranking (a request id, a leader's slug). ``country`` is an
    ISO 3166-1 alpha-2 code, ``organisation`` a slug (``nato``) with ``organisation_name`` for
    the alphabetical key; at least one of them is set. ``took_office`` may be a date (taken as
    midnight UTC). ``mission_class`` and ``functions_since`` are set when the caller is a head
    of mission (VCDR art. 13: the date and time of taking up functions).
    """

    key: str
    name: str
    country: str | None = None
    organisation: str | None = None
    organisation_name: str = ""
    role: Role = Role.OTHER
    is_monarch: bool = False
    is_holy_see: bool = False
    took_office: datetime | date | None = None
    mission_class: MissionClass | None = None
    functions_since: datetime | None = None
    congratulated_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.key:
            raise PolicyError("a caller needs a non-empty key.", field="key")
        if self.country is None and not self.organisation:
            raise PolicyError(
                f"caller {self.key!r} has neither a country nor an organisation; set one.",
                field="country",
            )
        if self.country is not None:
            object.__setattr__(self, "country", _check_country(self.country, "country"))
        object.__setattr__(self, "role", Role(self.role))
        if self.mission_class is not None:
            try:
                object.__setattr__(self, "mission_class", MissionClass(self.mission_class))
            except ValueError:
                raise PolicyError(
                    f"caller {self.key!r}: mission class {self.mission_class!r} is not 1 "
                    "(ambassador/nuncio), 2 (envoy/minister) or 3 (chargé d'affaires).",
                    field="mission_class",
                ) from None
        for name in ("took_office", "functions_since", "congratulated_at"):
            _check_aware(getattr(self, name), name)
        for name in ("functions_since", "congratulated_at"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, datetime):
                raise PolicyError(f"{name} must be a datetime with a time zone.", field=name)

    @property
    def holy_see(self) -> bool:
        return self.is_holy_see or self.country == "VA"


# --------------------------------------------------------------------------- collation


def collation_key(text: str) -> tuple[str, str, str]:
    """A Unicode-aware, locale-independent sort key (an approximation of UCA levels 1-3).

    Level 1: NFKD-decomposed, combining marks removed, case-folded ("État" ~ "etat"); level 2:
    accents kept, case folded; level 3: the text itself. Typographic apostrophes and dashes are
    unified first so "Côte d’Ivoire" and "Côte d'Ivoire" sort together.
    """
    text = text.replace("\u2019", "'").replace("\u2010", "-").replace("\u2011", "-")
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return (base, unicodedata.normalize("NFC", text).casefold(), text)


# --------------------------------------------------------------------------- keys


def _when(value: datetime | date, zone: tzinfo, *, with_time: bool = True) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        text = f"{local.day} {local:%b %Y}"
        return f"{text} {local:%H:%M}" if with_time else text
    return f"{value.day} {value:%b %Y}"


def _when_pair(a: datetime, b: datetime, zone: tzinfo) -> tuple[str, str]:
    """'7 Nov 12:02' and '8 Nov 09:05', with the year only when the years differ."""
    la, lb = a.astimezone(zone), b.astimezone(zone)
    fmt = "%b %H:%M" if la.year == lb.year else "%b %Y %H:%M"
    return f"{la.day} {la:{fmt}}", f"{lb.day} {lb:{fmt}}"


def _instant(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


class Key(Protocol):
    name: ClassVar[str]

    def value(self, caller: Caller) -> Any:
        """A sortable value; smaller comes first."""

    def before(self, a: Caller, b: Caller) -> str:
        """Why ``a`` comes before ``b`` when this key decides."""

    def same(self, a: Caller, b: Caller) -> str | None:
        """What ``a`` and ``b`` share on this key (None when not worth saying)."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Tier:
    name: str
    countries: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()


@dataclass(frozen=True)
class TiersKey:
    tiers: tuple[Tier, ...]
    name: ClassVar[str] = "tiers"

    def _index(self, caller: Caller) -> int:
        for i, tier in enumerate(self.tiers):
            if caller.country in tier.countries or (
                caller.organisation is not None and caller.organisation in tier.organisations
            ):
                return i
        return len(self.tiers)

    def tier_of(self, caller: Caller) -> str | None:
        i = self._index(caller)
        return self.tiers[i].name if i < len(self.tiers) else None

    def value(self, caller: Caller) -> int:
        return self._index(caller)

    def before(self, a: Caller, b: Caller) -> str:
        ta, tb = self.tier_of(a), self.tier_of(b)
        if tb is None:
            return f"tier '{ta}' before callers in no tier"
        return f"tier '{ta}' before tier '{tb}'"

    def same(self, a: Caller, b: Caller) -> str:
        t = self.tier_of(a)
        return "both in no tier" if t is None else f"same tier '{t}'"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.name,
            "tiers": [
                {"name": t.name, "countries": list(t.countries),
                 "organisations": list(t.organisations)}
                for t in self.tiers
            ],
        }


@dataclass(frozen=True)
class CongratulatedKey:
    zone: tzinfo
    name: ClassVar[str] = "congratulated"

    def value(self, caller: Caller) -> tuple[int, datetime]:
        at = caller.congratulated_at
        return (1, datetime.min.replace(tzinfo=UTC)) if at is None else (0, _instant(at))

    def before(self, a: Caller, b: Caller) -> str:
        assert a.congratulated_at is not None
        if b.congratulated_at is None:
            when = _when(a.congratulated_at, self.zone)
            return f"congratulated {when}; no congratulation from {b.name} yet"
        wa, wb = _when_pair(a.congratulated_at, b.congratulated_at, self.zone)
        return f"congratulated {wa} before {wb}"

    def same(self, a: Caller, b: Caller) -> str:
        if a.congratulated_at is None:
            return "neither has congratulated yet"
        return f"congratulated at the same minute ({_when(a.congratulated_at, self.zone)})"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name}


@dataclass(frozen=True)
class ViennaKey:
    zone: tzinfo
    name: ClassVar[str] = "vienna"

    def value(self, caller: Caller) -> tuple[int, int, datetime]:
        cls = caller.mission_class
        if cls is None:
            return (1, 0, datetime.min.replace(tzinfo=UTC))
        since = caller.functions_since
        return (0, int(cls), datetime.max.replace(tzinfo=UTC) if since is None else _instant(since))

    def before(self, a: Caller, b: Caller) -> str:
        ca, cb = a.mission_class, b.mission_class
        assert ca is not None
        if cb is None:
            return f"a head of mission ({_CLASS_WORDS[ca]}) before {b.name}, who is not one"
        if ca != cb:
            if cb is MissionClass.CHARGE:
                return (
                    f"{_CLASS_WORDS[ca]} before chargé d'affaires "
                    "(chargés after all heads of mission, Vienna Convention art. 14)"
                )
            return f"class '{_CLASS_WORDS[ca]}' before class '{_CLASS_WORDS[cb]}' (Vienna art. 14)"
        fa, fb = a.functions_since, b.functions_since
        assert fa is not None
        if fb is None:
            return (
                f"same class ({_CLASS_WORDS[ca]}); took up functions {_when(fa, self.zone)}, "
                f"date unknown for {b.name}"
            )
        wa, wb = _when(fa, self.zone), _when(fb, self.zone)
        return (
            f"same class ({_CLASS_WORDS[ca]}); took up functions {wa} before {wb} "
            "(Vienna art. 16)"
        )

    def same(self, a: Caller, b: Caller) -> str:
        if a.mission_class is None:
            return "neither is a head of mission"
        return f"same class ({_CLASS_WORDS[a.mission_class]}), same date of taking up functions"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name}


@dataclass(frozen=True)
class HolySeeFirstKey:
    name: ClassVar[str] = "holy_see_first"

    def value(self, caller: Caller) -> int:
        return 0 if caller.holy_see else 1

    def before(self, a: Caller, b: Caller) -> str:
        return "the Holy See first (host option)"

    def same(self, a: Caller, b: Caller) -> None:
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name}


@dataclass(frozen=True)
class MonarchFirstKey:
    name: ClassVar[str] = "monarch_first"

    def value(self, caller: Caller) -> int:
        return 0 if caller.is_monarch else 1

    def before(self, a: Caller, b: Caller) -> str:
        return "a reigning monarch first (host option)"

    def same(self, a: Caller, b: Caller) -> str | None:
        return "both reigning monarchs" if a.is_monarch else None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name}


_ROLE_ORDER = {Role.HEAD_OF_STATE: 0, Role.HEAD_OF_GOVERNMENT: 1, Role.OTHER: 2}


@dataclass(frozen=True)
class StateBeforeGovernmentKey:
    name: ClassVar[str] = "state_before_government"

    def value(self, caller: Caller) -> int:
        return _ROLE_ORDER[caller.role]

    def before(self, a: Caller, b: Caller) -> str:
        return f"{_ROLE_WORDS[a.role]} before {_ROLE_WORDS[b.role]}"

    def same(self, a: Caller, b: Caller) -> str:
        return {
            Role.HEAD_OF_STATE: "both heads of state",
            Role.HEAD_OF_GOVERNMENT: "both heads of government",
            Role.OTHER: "both hold other offices",
        }[a.role]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name}


@dataclass(frozen=True)
class TookOfficeKey:
    zone: tzinfo
    name: ClassVar[str] = "took_office"

    def value(self, caller: Caller) -> tuple[int, datetime]:
        t = caller.took_office
        return (1, datetime.min.replace(tzinfo=UTC)) if t is None else (0, _instant(t))

    def before(self, a: Caller, b: Caller) -> str:
        assert a.took_office is not None
        wa = _when(a.took_office, self.zone, with_time=False)
        if b.took_office is None:
            return f"took office {wa}; date unknown for {b.name}"
        wb = _when(b.took_office, self.zone, with_time=False)
        if wa == wb:  # same day, different time
            wa = _when(a.took_office, self.zone)
            wb = _when(b.took_office, self.zone)
        return f"took office {wa} before {wb}"

    def same(self, a: Caller, b: Caller) -> str:
        if a.took_office is None:
            return "date of taking office unknown for both"
        return f"took office the same day ({_when(a.took_office, self.zone, with_time=False)})"

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.name}


@dataclass(frozen=True)
class AlphabeticalKey:
    """Alphabetical by name in ``language``, starting at the ``drawn`` country and wrapping."""

    language: str
    drawn: str | None = None
    name: ClassVar[str] = "alphabetical"
    _names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_names", Locale.parse(self.language).territories)

    def _language_name(self) -> str:
        return str(Locale.parse(self.language).get_display_name("en") or self.language)

    def label(self, caller: Caller) -> str:
        if caller.country is not None:
            return str(self._names.get(caller.country, caller.country))
        return caller.organisation_name or caller.organisation or caller.name

    def value(self, caller: Caller) -> tuple[int, tuple[str, str, str]]:
        k = collation_key(self.label(caller))
        if self.drawn is None:
            return (0, k)
        start = collation_key(str(self._names[self.drawn]))
        return (0 if k >= start else 1, k)

    def before(self, a: Caller, b: Caller) -> str:
        na, nb = self.label(a), self.label(b)
        text = f"alphabetical in {self._language_name()}"
        if self.drawn is not None:
            text += f" from '{self._names[self.drawn]}' (drawn by lot)"
        wrapped = self.drawn is not None and self.value(a)[0] != self.value(b)[0]
        suffix = "; the list wraps round after Z" if wrapped else ""
        return f"{text}: '{na}' before '{nb}'{suffix}"

    def same(self, a: Caller, b: Caller) -> str:
        return f"same name ('{self.label(a)}')"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"key": self.name, "language": self.language}
        if self.drawn is not None:
            d["drawn"] = self.drawn
        return d


# --------------------------------------------------------------------------- rankings


@dataclass(frozen=True)
class Ranked:
    """One caller's place: ``position`` (1-based, unique), ``rank`` (ties share it), the key
    that decided against ``compared_with`` (the caller before it, or for the first, after it),
    and ``reason``: the keys it shares with that neighbour, then the deciding one."""

    caller: Caller
    position: int
    rank: int
    reason: str
    deciding_key: str | None
    compared_with: str | None
    tied: bool = False


def _compare(keys: Sequence[Key], a: Caller, b: Caller) -> tuple[str | None, list[str]]:
    """The name of the first key on which ``a`` differs from ``b`` and what they share before it."""
    shared: list[str] = []
    for key in keys:
        if key.value(a) != key.value(b):
            return key.name, shared
        text = key.same(a, b)
        if text:
            shared.append(text)
    return None, shared


@dataclass(frozen=True)
class Policy:
    keys: tuple[Key, ...]
    time_zone: str = "UTC"

    KEY_NAMES: ClassVar[tuple[str, ...]] = (
        "tiers", "congratulated", "vienna", "holy_see_first", "monarch_first",
        "state_before_government", "took_office", "alphabetical",
    )
    PRESETS: ClassVar[dict[str, tuple[str, ...]]] = {
        # Shorthand for the ceremonial keys in their usual order (without the host options).
        "ceremonial": ("state_before_government", "took_office"),
    }

    def sort_key(self, caller: Caller) -> tuple[Any, ...]:
        return tuple(key.value(caller) for key in self.keys)

    def rank(self, callers: Iterable[Caller]) -> list[Ranked]:
        """Every caller, in order, with its rank and why. Input order breaks complete ties."""
        items = list(callers)
        seen: set[str] = set()
        for i, c in enumerate(items):
            if c.key in seen:
                raise PolicyError(
                    f"caller key {c.key!r} appears twice; each caller needs its own key.",
                    field=f"callers[{i}].key",
                )
            seen.add(c.key)
        ordered = sorted(items, key=self.sort_key)  # stable
        out: list[Ranked] = []
        rank = 0
        for i, c in enumerate(ordered):
            if i == 0:
                if len(ordered) == 1:
                    out.append(Ranked(c, 1, 1, "the only caller", None, None))
                    rank = 1
                    continue
                other = ordered[1]
                decided, shared = _compare(self.keys, c, other)
                rank = 1
                if decided is None:
                    reason = f"tied with {other.name} on every key of the policy"
                    out.append(Ranked(c, 1, 1, reason, None, other.key, tied=True))
                    continue
                key = self._key(decided)
                reason = "; ".join([*shared, key.before(c, other)])
                out.append(Ranked(c, 1, 1, f"first, ahead of {other.name}: {reason}",
                                  decided, other.key))
                continue
            prev = ordered[i - 1]
            decided, shared = _compare(self.keys, prev, c)
            if decided is None:
                reason = f"tied with {prev.name} on every key of the policy"
                out.append(Ranked(c, i + 1, rank, reason, None, prev.key, tied=True))
                continue
            rank = i + 1
            key = self._key(decided)
            reason = "; ".join([*shared, key.before(prev, c)])
            out.append(Ranked(c, i + 1, rank, f"after {prev.name}: {reason}", decided, prev.key))
        return out

    def _key(self, name: str) -> Key:
        return next(k for k in self.keys if k.name == name)

    # ----------------------------------------------------------------- configuration

    def to_dict(self) -> dict[str, Any]:
        return {"time_zone": self.time_zone, "keys": [k.to_dict() for k in self.keys]}

    @classmethod
    def from_dict(cls, data: Any) -> Policy:
        """Build a policy from plain data (JSON), checking every field.

        ``{"time_zone": "America/New_York", "keys": [{"key": "tiers", "tiers": [{"name":
        "Neighbours", "countries": ["CA", "MX"], "organisations": []}]}, {"key":
        "congratulated"}, "ceremonial", {"key": "alphabetical", "language": "fr", "drawn":
        "JP"}]}``: a key is a dict with ``key`` and its options, or just its name;
        ``"ceremonial"`` expands to state-before-government then date of taking office.
        """
        if not isinstance(data, Mapping):
            raise PolicyError("a policy must be an object with 'keys' (a list).", field="policy")
        unknown = set(data) - {"keys", "time_zone"}
        if unknown:
            raise PolicyError(
                f"unknown policy field(s) {sorted(unknown)}; a policy has 'keys' and "
                "optionally 'time_zone'.",
                field=sorted(unknown)[0],
            )
        tz_name = data.get("time_zone", "UTC")
        try:
            zone = ZoneInfo(tz_name) if isinstance(tz_name, str) and tz_name else None
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            raise PolicyError(
                f"{tz_name!r} is not a known time zone; use an IANA name such as "
                "'America/New_York'.",
                field="time_zone",
            )
        raw_keys = data.get("keys")
        if not isinstance(raw_keys, list) or not raw_keys:
            raise PolicyError(
                "'keys' must be a non-empty list, e.g. [{\"key\": \"tiers\", ...}, "
                "{\"key\": \"congratulated\"}].",
                field="keys",
            )
        keys: list[Key] = []
        for i, raw in enumerate(raw_keys):
            where = f"keys[{i}]"
            spec = {"key": raw} if isinstance(raw, str) else raw
            if not isinstance(spec, Mapping) or not isinstance(spec.get("key"), str):
                raise PolicyError(
                    f"{where} must be a key name or an object with 'key'.", field=where
                )
            name = spec["key"]
            if name in cls.PRESETS:
                if set(spec) != {"key"}:
                    raise PolicyError(f"{where}: '{name}' takes no options.", field=where)
                keys += [cls._build({"key": n}, f"{where}.{n}", zone) for n in cls.PRESETS[name]]
            else:
                keys.append(cls._build(spec, where, zone))
        names = [k.name for k in keys]
        for n in names:
            if names.count(n) > 1:
                raise PolicyError(
                    f"key '{n}' appears twice in the policy; the second could never decide.",
                    field="keys",
                )
        return cls(tuple(keys), time_zone=tz_name)

    @classmethod
    def _build(cls, spec: Mapping[str, Any], where: str, zone: tzinfo) -> Key:
        name = spec["key"]
        allowed = {
            "tiers": {"tiers"},
            "alphabetical": {"language", "drawn"},
        }
        if name not in cls.KEY_NAMES:
            choices = ", ".join([*cls.KEY_NAMES, *cls.PRESETS])
            raise PolicyError(f"{where}: unknown key {name!r}; choose from {choices}.",
                              field=f"{where}.key")
        extra = set(spec) - {"key"} - allowed.get(name, set())
        if extra:
            raise PolicyError(
                f"{where}: key '{name}' has no option(s) {sorted(extra)}.",
                field=f"{where}.{sorted(extra)[0]}",
            )
        if name == "tiers":
            return TiersKey(_parse_tiers(spec.get("tiers"), f"{where}.tiers"))
        if name == "alphabetical":
            language = spec.get("language")
            try:
                if not isinstance(language, str):
                    raise ValueError
                Locale.parse(language)
            except (UnknownLocaleError, ValueError, TypeError):
                raise PolicyError(
                    f"{where}: {language!r} is not a language Babel knows; use a code such as "
                    "'en' or 'fr'.",
                    field=f"{where}.language",
                ) from None
            drawn = spec.get("drawn")
            if drawn is not None:
                drawn = _check_country(drawn, f"{where}.drawn")
            return AlphabeticalKey(language, drawn)
        simple: dict[str, Key] = {
            "congratulated": CongratulatedKey(zone),
            "vienna": ViennaKey(zone),
            "holy_see_first": HolySeeFirstKey(),
            "monarch_first": MonarchFirstKey(),
            "state_before_government": StateBeforeGovernmentKey(),
            "took_office": TookOfficeKey(zone),
        }
        return simple[name]


def _parse_tiers(raw: Any, where: str) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise PolicyError(f"{where} must be a non-empty list of tiers.", field=where)
    tiers: list[Tier] = []
    placed: dict[str, str] = {}  # member -> tier name
    names: set[str] = set()
    for i, t in enumerate(raw):
        w = f"{where}[{i}]"
        if not isinstance(t, Mapping):
            raise PolicyError(f"{w} must be an object with 'name' and 'countries'.", field=w)
        extra = set(t) - {"name", "countries", "organisations"}
        if extra:
            raise PolicyError(
                f"{w}: unknown field(s) {sorted(extra)}; a tier has 'name', 'countries' and "
                "'organisations'.",
                field=f"{w}.{sorted(extra)[0]}",
            )
        name = t.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PolicyError(f"{w} needs a name.", field=f"{w}.name")
        if name in names:
            raise PolicyError(f"{w}: tier name {name!r} is used twice.", field=f"{w}.name")
        names.add(name)
        countries: list[str] = []
        for j, code in enumerate(_list(t.get("countries", []), f"{w}.countries")):
            countries.append(_check_country(code, f"{w}.countries[{j}]"))
        orgs: list[str] = []
        for j, slug in enumerate(_list(t.get("organisations", []), f"{w}.organisations")):
            if not isinstance(slug, str) or not slug or slug != slug.strip():
                raise PolicyError(
                    f"{w}.organisations[{j}]: {slug!r} is not an organisation slug.",
                    field=f"{w}.organisations[{j}]",
                )
            orgs.append(slug)
        if not countries and not orgs:
            raise PolicyError(f"tier {name!r} lists no country and no organisation.",
                              field=f"{w}.countries")
        members = [(f"country {c}", f"{w}.countries[{j}]") for j, c in enumerate(countries)]
        members += [(f"organisation {o}", f"{w}.organisations[{j}]") for j, o in enumerate(orgs)]
        for member, mw in members:
            if member in placed:
                same = placed[member] == name
                raise PolicyError(
                    f"{member} is listed twice in tier {name!r}; list it once."
                    if same
                    else f"{member} is in tier {placed[member]!r} and in tier {name!r}; a "
                    "caller belongs to one tier, remove it from one of them.",
                    field=mw,
                )
            placed[member] = name
        tiers.append(Tier(name, tuple(countries), tuple(orgs)))
    return tuple(tiers)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PolicyError(f"{where} must be a list.", field=where)
    return value
