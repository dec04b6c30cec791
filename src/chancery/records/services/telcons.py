"""Telcons and memcons: the government record of a call (issue 11, part 1).

One telcon per call, drafted once the call is connected or completed by a watch or protocol
officer or a records officer. Its content (header, classification block, body) lives in
versions that are never edited; a revision is a new version and puts the telcon back to draft
(reviews of older versions no longer count). The workflow:

    draft -> reviewed (every named reviewer reviewed the current version)
          -> approved (a records officer who did not write the current version)
          -> distributed (a records officer sends it to its distribution list)

Each action has two checks, as for calls (``calls/services/actions.py``): ``who`` (403) and
``now`` (the state, 409, checked again under the row lock). ``allowed_actions`` is what the
pages' panel reads, so a button is offered exactly when the service would accept it.

Every change is recorded with its event in one transaction (``records/events.py``); the
``content`` of ``telcon.drafted`` / ``telcon.revised`` is ``version_content(version)``, the
dict ``chancery verify`` compares each version row with (``records/checks_telcons.py``).

A distributed telcon is final: it is not revised (the record as distributed stays what its
recipients read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import INTERNAL_ROLES, OFFICER_ROLES, has_role, role_refusal
from chancery.calls.models import CallRequest, CallState
from chancery.correspondence.services.actions import Allowed
from chancery.errors import ChanceryError, Conflict, Forbidden, InvalidInput
from chancery.inputs import clean_text
from chancery.ledger.services import record_event
from chancery.records import markings
from chancery.records.models import (
    Level,
    Reason,
    Regime,
    Telcon,
    TelconRecipient,
    TelconReview,
    TelconVersion,
)
from chancery.records.services.common import telcon_event

__all__ = [
    "ACTIONS", "CAUTION", "CONTENT_FIELDS", "allowed_actions", "approve_telcon", "caution",
    "distribute_telcon", "draft_telcon", "may", "may_draft", "name_reviewers", "review_telcon",
    "revise_telcon", "set_distribution", "version_content",
]

DRAFTERS = (*OFFICER_ROLES, Role.RECORDS_OFFICER)
"""Who drafts telcons: watch and protocol officers, records officers."""

CAUTION = (
    "CAUTION: A memorandum of a telephone conversation (TELCON) is not a verbatim transcript "
    "of the discussion. The text in this document records the best recollection of the "
    "notetakers and the officers listed as participants; it may be incomplete or inexact where "
    "the connection was poor, the words were interpreted, or the speakers were not heard "
    "clearly. It is not a word-for-word record of what was said."
)
MEMCON_CAUTION = (
    "CAUTION: A memorandum of conversation (MEMCON) is not a verbatim transcript of the "
    "discussion. The text in this document records the best recollection of the notetakers and "
    "the officers listed as participants; it may be incomplete or inexact where the words were "
    "interpreted or the speakers were not heard clearly. It is not a word-for-word record of "
    "what was said."
)

ACTIONS = ("revise", "name_reviewers", "review", "approve", "distribute", "set_distribution")
"""Every action on a telcon, in the order the panel lists them."""

CONTENT_FIELDS = (
    "location", "participants", "interpreter", "note_takers", "classification",
    "classified_by", "reasons", "declassify_on", "body", "time_zone",
)
"""What a revision may change (the header's times come from the call)."""

MAX_NAME = 200
MAX_LOCATION = 300
MAX_NAMES = 40
MAX_BODY = 100_000
MAX_NOTE = 2000
MAX_DECLASSIFY_YEARS = 25
"""E.O. 13526 §1.5(b): at most 25 years from the date of the original decision."""


def caution(kind: str) -> str:
    """The caution notice shown and printed with every version (fixed text, not stored)."""
    return MEMCON_CAUTION if kind == Telcon.Kind.MEMCON else CAUTION


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def version_content(v: Any) -> dict[str, Any]:
    """The canonical content of a version (a row, or a dict of its columns): what its event's
    ``content`` is."""
    get: Callable[[str], Any] = (
        v.__getitem__ if isinstance(v, dict) else lambda name: getattr(v, name)
    )
    declassify = get("declassify_on")
    return {
        "header": {
            "start": _iso(get("start")),
            "end": _iso(get("end")),
            "time_zone": get("time_zone"),
            "location": get("location"),
            "participants": list(get("participants") or []),
            "interpreter": get("interpreter"),
            "note_takers": list(get("note_takers") or []),
        },
        "classification": {
            "level": get("classification"),
            "classified_by": get("classified_by"),
            "reasons": list(get("reasons") or []),
            "declassify_on": declassify.isoformat() if declassify else None,
        },
        "body": get("body"),
    }


# --------------------------------------------------------------------------- input


def _names(value: Any, *, field: str, label: str) -> list[str]:
    """A list of names (a list, or text with one per line), cleaned, empty lines dropped."""
    if value is None:
        value = []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{label} must be a list of names (one per line).", field=field)
    if len(value) > MAX_NAMES:
        raise InvalidInput(f"{label}: {len(value)} entries; the limit is {MAX_NAMES}.",
                           field=field)
    out = []
    for item in value:
        text = " ".join(clean_text(item, field=field, max_len=MAX_NAME, required=False).split())
        if text:
            out.append(text)
    return out


def _zone(name: Any) -> str:
    try:
        if not isinstance(name, str) or not name or name != name.strip():
            raise ValueError
        return ZoneInfo(name).key
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidInput(
            f"time_zone {name!r} is not a known IANA time zone; use a name such as "
            "'America/New_York' (or leave it out for the principal's zone).",
            field="time_zone",
        ) from None


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise InvalidInput("declassify_on must be a date (YYYY-MM-DD).", field="declassify_on")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(
            f"declassify_on {value!r} is not a date; write it as YYYY-MM-DD.",
            field="declassify_on",
        ) from None


def _reasons(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple):
        raise InvalidInput("reasons must be a list of E.O. 13526 §1.4 letters (a to h).",
                           field="reasons")
    out = set()
    for item in value:
        letter = str(item).strip().lower()
        for prefix in ("1.4(", "§1.4("):
            if letter.startswith(prefix) and letter.endswith(")"):
                letter = letter[len(prefix):-1]
        if letter not in Reason.values:
            raise InvalidInput(
                f"reason {item!r} is not an E.O. 13526 §1.4 category; use the letters "
                f"{', '.join(Reason.values)} (e.g. 'b' foreign government information, 'd' "
                "foreign relations).",
                field="reasons",
            )
        out.add(letter)
    return sorted(out)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _classification(
    level: Any, classified_by: Any, reasons: Any, declassify_on: Any, body: str
) -> dict[str, Any]:
    if level not in Level.values:
        raise InvalidInput(
            f"classification {level!r} is not a level; use one of {', '.join(Level.values)} "
            "(unclassified, confidential, secret, top secret).",
            field="classification",
        )
    by = " ".join(
        clean_text(classified_by, field="classified_by", max_len=MAX_NAME, required=False).split()
    )
    letters = _reasons(reasons)
    day = _date(declassify_on)
    if level == Level.UNCLASSIFIED:
        for name, given in (("classified_by", by), ("reasons", letters),
                            ("declassify_on", day)):
            if given:
                raise InvalidInput(
                    f"An unclassified record has no {name}; leave it empty (or choose the "
                    "level C, S or TS).",
                    field=name,
                )
    else:
        if not by:
            raise InvalidInput(
                f"A {Level(level).label.lower()} record names who classified it (classified_by: "
                "name and title of the original classification authority).",
                field="classified_by",
            )
        if not letters:
            raise InvalidInput(
                "A classified record cites at least one E.O. 13526 §1.4 reason (letters a to h; "
                "'b' foreign government information, 'd' foreign relations).",
                field="reasons",
            )
        today = clock.now().date()
        if day is None:
            raise InvalidInput(
                "A classified record has a declassify_on date (YYYY-MM-DD), in the future and at "
                f"most {MAX_DECLASSIFY_YEARS} years ahead.",
                field="declassify_on",
            )
        if day <= today:
            raise InvalidInput(
                f"declassify_on {day} is not in the future (today is {today}); choose a later "
                "date.",
                field="declassify_on",
            )
        limit = _add_years(today, MAX_DECLASSIFY_YEARS)
        if day > limit:
            raise InvalidInput(
                f"declassify_on {day} is more than {MAX_DECLASSIFY_YEARS} years ahead "
                f"(E.O. 13526 §1.5); choose {limit} or earlier.",
                field="declassify_on",
            )
    problems = markings.check_portions(body, level)
    if problems:
        raise InvalidInput(" ".join(problems), field="body")
    return {"classification": level, "classified_by": by, "reasons": letters,
            "declassify_on": day}


def _header_times(call: CallRequest) -> tuple[dt.datetime, dt.datetime]:
    start = call.connected_at or call.start
    end = call.completed_at or call.end
    if start is None:
        start = end or clock.now()
    if end is None or end < start:
        end = start + dt.timedelta(minutes=call.duration)
    return start, end


def _content(values: dict[str, Any]) -> dict[str, Any]:
    """Check every field of a version's content (``values``: the fields by name, with the
    header's ``start`` and ``end``); the cleaned fields, or an InvalidInput naming the first
    field that is wrong. Nothing is written before this passes."""
    location = " ".join(
        clean_text(values.get("location"), field="location", max_len=MAX_LOCATION,
                   required=True).split()
    )
    participants = _names(values.get("participants"), field="participants", label="participants")
    if not participants:
        raise InvalidInput(
            "participants is empty; name at least one participant (name and title, one per "
            "line).",
            field="participants",
        )
    interpreter = " ".join(
        clean_text(values.get("interpreter"), field="interpreter", max_len=MAX_NAME,
                   required=False).split()
    )
    takers = _names(values.get("note_takers"), field="note_takers", label="note_takers")
    if len({t.casefold() for t in takers}) < 2:
        raise InvalidInput(
            "A telcon names at least two distinct note-takers (note_takers, one per line); "
            f"{len(takers)} given.",
            field="note_takers",
        )
    body = clean_text(values.get("body"), field="body", max_len=MAX_BODY, required=True)
    body = "\n\n".join(markings.paragraphs(body))
    block = _classification(
        values.get("classification"), values.get("classified_by"), values.get("reasons"),
        values.get("declassify_on"), body,
    )
    return {
        "start": values["start"], "end": values["end"], "time_zone": _zone(values["time_zone"]),
        "location": location, "participants": participants, "interpreter": interpreter,
        "note_takers": takers, "body": body, **block,
    }


# --------------------------------------------------------------------------- who and when


def _state(telcon: Telcon) -> str:
    return str(Telcon.State(telcon.state).label).lower()


def _current(telcon: Telcon) -> TelconVersion:
    return telcon.versions.get(number=telcon.version)


def _authors(telcon: Telcon) -> set[int]:
    return {telcon.created_by_id, *telcon.versions.values_list("created_by_id", flat=True)}


def _who(action: str, user: Any, telcon: Telcon) -> ChanceryError | None:
    tracking = telcon.tracking
    if action == "revise":
        refusal = role_refusal(user, *DRAFTERS, action="revise telcons")
        if refusal is None and not has_role(user, Role.RECORDS_OFFICER) and (
            user.pk not in _authors(telcon)
        ):
            refusal = Forbidden(f"Only {tracking}'s drafters and the records officers revise it.")
        return refusal
    if action == "name_reviewers":
        if has_role(user, Role.RECORDS_OFFICER) or user.pk == telcon.created_by_id:
            return None
        return Forbidden(f"Only {tracking}'s drafter or a records officer names its reviewers.")
    if action == "review":
        if user.pk in (telcon.reviewers or []):
            return None
        return Forbidden(f"Only {tracking}'s named reviewers review it; you are not one of them.")
    what = {"approve": "approve telcons", "distribute": "distribute telcons",
            "set_distribution": "change a telcon's distribution list"}[action]
    return role_refusal(user, Role.RECORDS_OFFICER, action=what)


def _in(telcon: Telcon, states: tuple[str, ...], what: str) -> Conflict | None:
    if telcon.state not in states:
        return Conflict(f"{telcon.tracking} is {_state(telcon)}; {what}.")
    return None


_OPEN = (Telcon.State.DRAFT, Telcon.State.REVIEWED)


def _now(action: str, user: Any, telcon: Telcon) -> ChanceryError | None:
    if action == "revise":
        return _in(telcon, (*_OPEN, Telcon.State.APPROVED),
                   "a distributed telcon is final and is not revised")
    if action == "name_reviewers":
        return _in(telcon, _OPEN, "reviewers are named before approval")
    if action == "review":
        refusal = _in(telcon, _OPEN, "only a telcon in draft or reviewed is reviewed")
        if refusal is not None:
            return refusal
        if _current(telcon).created_by_id == user.pk:
            return Forbidden(f"You wrote version {telcon.version} of {telcon.tracking}; another "
                             "reviewer reviews it (the drafter or a records officer can name "
                             "one).")
        if TelconReview.objects.filter(
            telcon=telcon, version=telcon.version, reviewer=user
        ).exists():
            return Conflict(f"You reviewed version {telcon.version} of {telcon.tracking} already.")
        return None
    if action == "approve":
        refusal = _in(telcon, (Telcon.State.REVIEWED,),
                      "only a telcon every named reviewer reviewed is approved")
        if refusal is not None:
            return refusal
        if _current(telcon).created_by_id == user.pk:
            return Forbidden(f"You wrote version {telcon.version} of {telcon.tracking}; another "
                             "records officer approves it.")
        return None
    if action == "distribute":
        return _in(telcon, (Telcon.State.APPROVED,), "only an approved telcon is distributed")
    return _in(telcon, (Telcon.State.APPROVED, Telcon.State.DISTRIBUTED),
               "the distribution list is set once the telcon is approved")


def may(telcon: Telcon, user: Any, action: str) -> Allowed:
    """One action's verdict: exactly what the service accepts (``bool(...)``; ``.reason``)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown telcon action {action!r}; one of {', '.join(ACTIONS)}")
    refusal = _who(action, user, telcon)
    if refusal is not None:
        return Allowed(action, refusal, "who")
    refusal = _now(action, user, telcon)
    return Allowed(action, refusal, "now" if refusal is not None else "")


def allowed_actions(telcon: Telcon, user: Any) -> list[Allowed]:
    """Every action on ``telcon`` and whether ``user`` may take it now (with the reason)."""
    return [may(telcon, user, action) for action in ACTIONS]


def may_draft(call: CallRequest, user: Any) -> Allowed:
    """May ``user`` draft the telcon of ``call`` now."""
    refusal: ChanceryError | None = role_refusal(user, *DRAFTERS, action="draft telcons")
    if refusal is not None:
        return Allowed("draft", refusal, "who")
    existing = Telcon.objects.filter(call=call).first()
    if existing is not None:
        refusal = Conflict(f"{existing.tracking} already records {call.tracking}; revise it "
                           "instead of drafting another.")
    elif call.state not in (CallState.CONNECTED, CallState.COMPLETED):
        refusal = Conflict(
            f"{call.tracking} is {CallState(call.state).label.lower()}; a telcon is drafted for "
            "a connected or completed call."
        )
    return Allowed("draft", refusal, "now" if refusal is not None else "")


def _require_may(telcon: Telcon, user: Any, action: str) -> None:
    """The first guard (403), on the telcon as the database has it now (the caller's instance
    is refreshed: another request may have named reviewers or revised it meanwhile)."""
    telcon.refresh_from_db()
    refusal = _who(action, user, telcon)
    if refusal is not None:
        raise refusal


def _lock(telcon: Telcon, user: Any, action: str) -> Telcon:
    """Re-read the telcon under a row lock and check the state allows ``action`` (409)."""
    locked = (
        Telcon.objects.select_for_update(of=("self",))
        .select_related("call__principal").get(pk=telcon.pk)
    )
    refusal = _who(action, user, locked) or _now(action, user, locked)
    if refusal is not None:
        raise refusal
    return locked


_STATE_FIELDS = ("state", "version", "reviewers", "approved_by_id", "approved_at",
                 "distributed_at")


def _copy_back(target: Telcon, source: Telcon) -> Telcon:
    """The caller's instance takes the locked row's new state (it may ask ``may`` next)."""
    if target is not source:
        for name in _STATE_FIELDS:
            setattr(target, name, getattr(source, name))
        target._state.fields_cache.pop("approved_by", None)
    return source


def _version_number(version: Any) -> int:
    if isinstance(version, bool):
        raise InvalidInput("version must be a version number.", field="version")
    try:
        return int(version)
    except (TypeError, ValueError):
        raise InvalidInput(f"version {version!r} is not a version number.",
                           field="version") from None


def _stale(telcon: Telcon, version: int, what: str) -> None:
    if version != telcon.version:
        raise Conflict(
            f"You {what} version {version} of {telcon.tracking}, but its current version is "
            f"{telcon.version}; read version {telcon.version} and {what} that.",
            field="version",
        )


def _users(users: Iterable[Any], *, field: str) -> list[Any]:
    """Users (objects or ids) with an internal role, deduplicated, in id order."""
    user_model = get_user_model()
    ids = set()
    for u in users or []:
        pk = getattr(u, "pk", u)
        if isinstance(pk, bool):
            raise InvalidInput(f"{field}: {u!r} is not a user.", field=field)
        try:
            ids.add(int(pk))
        except (TypeError, ValueError):
            raise InvalidInput(f"{field}: {u!r} is not a user id.", field=field) from None
    found = {u.pk: u for u in user_model.objects.filter(pk__in=ids, is_active=True)}
    for pk in sorted(ids):
        user = found.get(pk)
        if user is None:
            raise InvalidInput(f"{field}: no active user #{pk}.", field=field)
        if not has_role(user, *INTERNAL_ROLES):
            raise InvalidInput(
                f"{field}: {user.get_username()} has no internal role (a telcon goes only to "
                "the operations center and the principals' offices).",
                field=field,
            )
    return [found[pk] for pk in sorted(ids)]


# --------------------------------------------------------------------------- the services


def draft_telcon(  # noqa: PLR0913 - the record's fields, by name
    call: CallRequest,
    *,
    by: Any,
    kind: str = Telcon.Kind.TELCON,
    regime: str,
    location: str,
    participants: Any,
    interpreter: str | None = None,
    note_takers: Any,
    classification: str,
    classified_by: str = "",
    reasons: Any = (),
    declassify_on: Any = None,
    body: str,
    time_zone: str | None = None,
) -> Telcon:
    """Draft the telcon (or memcon) of a connected or completed call: version 1, in draft."""
    allowed = may_draft(call, by)
    if allowed.stage == "who" and allowed.refusal is not None:
        raise allowed.refusal
    if kind not in Telcon.Kind.values:
        raise InvalidInput(f"kind {kind!r} is unknown; use telcon or memcon.", field="kind")
    if regime not in Regime.values:
        raise InvalidInput(
            f"regime {regime!r} is unknown; use federal (Federal Records Act) or presidential "
            "(Presidential Records Act).",
            field="regime",
        )
    start, end = _header_times(call)
    if interpreter is None:
        interpreter = call.interpreter.name if call.interpreter_id and call.interpreter else ""
    values = _content({
        "start": start, "end": end, "time_zone": time_zone or call.principal.time_zone,
        "location": location, "participants": participants, "interpreter": interpreter,
        "note_takers": note_takers, "classification": classification,
        "classified_by": classified_by, "reasons": reasons, "declassify_on": declassify_on,
        "body": body,
    })
    try:
        with transaction.atomic():
            locked = CallRequest.objects.select_for_update(of=("self",)).get(pk=call.pk)
            allowed = may_draft(locked, by)
            if allowed.refusal is not None:
                raise allowed.refusal
            now = clock.now()
            telcon = Telcon.objects.create(
                call=locked, kind=kind, regime=regime, created_by=by, created_at=now,
            )
            version = TelconVersion.objects.create(
                telcon=telcon, number=1, created_by=by, created_at=now, **values
            )
            # Not through ``telcon_event``: its second parameter is named ``kind`` too.
            record_event(
                "telcon", telcon.pk, "telcon.drafted", actor=by, data={
                    "call": locked.tracking, "principal": locked.principal.slug, "version": 1,
                    "kind": kind, "regime": regime, "classification": version.classification,
                    "declassify_on": values["declassify_on"].isoformat()
                    if values["declassify_on"] else None,
                    "reasons": version.reasons, "content": version_content(version),
                },
            )
    except IntegrityError:
        existing = Telcon.objects.filter(call=call).first()
        if existing is None:
            raise
        raise Conflict(f"{existing.tracking} already records {call.tracking}; revise it "
                       "instead of drafting another.") from None
    return telcon


def revise_telcon(telcon: Telcon, *, by: Any, note: str, **content: Any) -> TelconVersion:
    """A new version with ``content`` changed (the fields of ``CONTENT_FIELDS``; the others as
    in the current version). The telcon goes back to draft; approval and reviews of older
    versions no longer count."""
    _require_may(telcon, by, "revise")
    unknown = sorted(set(content) - set(CONTENT_FIELDS))
    if unknown:
        raise InvalidInput(
            f"{', '.join(unknown)} cannot be revised; a revision changes "
            f"{', '.join(CONTENT_FIELDS)}.",
            field=unknown[0],
        )
    if content.get("time_zone") is None:
        content.pop("time_zone", None)  # left out: the current version's zone
    note = clean_text(note, field="note", max_len=MAX_NOTE, required=True).strip()
    current = _current(telcon)
    base = {name: getattr(current, name) for name in (*CONTENT_FIELDS, "start", "end")}
    values = _content({**base, **content})
    if all(values[name] == base[name] for name in values):
        raise InvalidInput(
            f"This is the same as version {current.number}; change the content (or leave "
            "it as it is).",
            field="body",
        )
    original = telcon
    with transaction.atomic():
        telcon = _lock(telcon, by, "revise")
        if telcon.version != current.number:
            raise Conflict(f"{telcon.tracking} was revised meanwhile (version {telcon.version}); "
                           "read it again and revise that.")
        now = clock.now()
        number = telcon.version + 1
        version = TelconVersion.objects.create(
            telcon=telcon, number=number, created_by=by, created_at=now, change_note=note,
            **values,
        )
        telcon.version = number
        telcon.state = Telcon.State.DRAFT
        telcon.approved_by, telcon.approved_at = None, None
        telcon.save(update_fields=["version", "state", "approved_by", "approved_at"])
        telcon_event(
            telcon, "telcon.revised", by, version=number,
            classification=version.classification,
            declassify_on=values["declassify_on"].isoformat() if values["declassify_on"] else None,
            reasons=version.reasons, content=version_content(version), note=note,
        )
    _copy_back(original, telcon)
    return version


def _reviewed_state(telcon: Telcon) -> str:
    if not telcon.reviewers:
        return Telcon.State.DRAFT
    done = set(TelconReview.objects.filter(telcon=telcon, version=telcon.version)
               .values_list("reviewer_id", flat=True))
    return Telcon.State.REVIEWED if set(telcon.reviewers) <= done else Telcon.State.DRAFT


def name_reviewers(telcon: Telcon, users: Iterable[Any], *, by: Any) -> Telcon:
    """Name the reviewers every version needs (the list as a whole; people with an internal
    role, not the author of the current version)."""
    _require_may(telcon, by, "name_reviewers")
    people = _users(users, field="reviewers")
    if not people:
        raise InvalidInput("Name at least one reviewer.", field="reviewers")
    author = _current(telcon).created_by_id
    for user in people:
        if user.pk == author:
            raise InvalidInput(
                f"{user.get_username()} wrote version {telcon.version}; a reviewer is someone "
                "else.",
                field="reviewers",
            )
    ids = [u.pk for u in people]
    original = telcon
    with transaction.atomic():
        telcon = _lock(telcon, by, "name_reviewers")
        if ids == list(telcon.reviewers or []):
            return telcon
        telcon.reviewers = ids
        telcon.state = _reviewed_state(telcon)
        telcon.save(update_fields=["reviewers", "state"])
        telcon_event(telcon, "telcon.reviewers", by, count=len(ids), reviewers=ids)
    return _copy_back(original, telcon)


def review_telcon(telcon: Telcon, *, by: Any, version: Any, note: str = "") -> TelconReview:
    """A named reviewer reviewed the current version ``version`` (a stale number is a 409)."""
    _require_may(telcon, by, "review")
    number = _version_number(version)
    note = clean_text(note, field="note", max_len=MAX_NOTE, required=False).strip()
    original = telcon
    with transaction.atomic():
        telcon = _lock(telcon, by, "review")
        _stale(telcon, number, "reviewed")
        review = TelconReview.objects.create(
            telcon=telcon, version=number, reviewer=by, at=clock.now(), note=note
        )
        telcon.state = _reviewed_state(telcon)
        telcon.save(update_fields=["state"])
        telcon_event(telcon, "telcon.reviewed", by, version=number, note=note)
    _copy_back(original, telcon)
    return review


def approve_telcon(telcon: Telcon, *, by: Any, version: Any) -> Telcon:
    """A records officer (not the current version's author) approves the reviewed version."""
    _require_may(telcon, by, "approve")
    number = _version_number(version)
    original = telcon
    with transaction.atomic():
        telcon = _lock(telcon, by, "approve")
        _stale(telcon, number, "approved")
        telcon.state = Telcon.State.APPROVED
        telcon.approved_by, telcon.approved_at = by, clock.now()
        telcon.save(update_fields=["state", "approved_by", "approved_at"])
        telcon_event(telcon, "telcon.approved", by, version=number)
    return _copy_back(original, telcon)


def _set_recipients(telcon: Telcon, people: list[Any], by: Any) -> list[int]:
    ids = [u.pk for u in people]
    TelconRecipient.objects.filter(telcon=telcon).exclude(user_id__in=ids).delete()
    have = set(TelconRecipient.objects.filter(telcon=telcon).values_list("user_id", flat=True))
    now = clock.now()
    TelconRecipient.objects.bulk_create([
        TelconRecipient(telcon=telcon, user=u, added_by=by, added_at=now)
        for u in people if u.pk not in have
    ])
    return ids


def distribute_telcon(telcon: Telcon, users: Iterable[Any], *, by: Any) -> Telcon:
    """A records officer distributes the approved telcon to ``users`` (its distribution list)."""
    _require_may(telcon, by, "distribute")
    people = _users(users, field="recipients")
    if not people:
        raise InvalidInput("Name at least one recipient.", field="recipients")
    original = telcon
    with transaction.atomic():
        telcon = _lock(telcon, by, "distribute")
        ids = _set_recipients(telcon, people, by)
        telcon.state = Telcon.State.DISTRIBUTED
        telcon.distributed_at = clock.now()
        telcon.save(update_fields=["state", "distributed_at"])
        telcon_event(telcon, "telcon.distributed", by, version=telcon.version, count=len(ids),
                     recipients=ids)
    return _copy_back(original, telcon)


def set_distribution(telcon: Telcon, users: Iterable[Any], *, by: Any) -> Telcon:
    """A records officer sets the distribution list as a whole (after approval)."""
    _require_may(telcon, by, "set_distribution")
    people = _users(users, field="recipients")
    original = telcon
    with transaction.atomic():
        telcon = _lock(telcon, by, "set_distribution")
        before = sorted(TelconRecipient.objects.filter(telcon=telcon)
                        .values_list("user_id", flat=True))
        ids = [u.pk for u in people]
        if before == ids:
            return telcon
        _set_recipients(telcon, people, by)
        telcon_event(telcon, "telcon.distribution", by, count=len(ids), recipients=ids)
    return _copy_back(original, telcon)
