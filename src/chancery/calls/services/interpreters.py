"""The interpreter roster: enrolment and changes (each an ``interpreter.enrolled`` event), an
interpreter's own login, and the reassignment of a scheduled call's interpreter.

Rules: languages are ISO 639-1 codes other than English (the principal's side speaks English;
an interpreter works from those languages into English), hours are local to the interpreter's
own IANA zone and do not cross midnight, and the daily cap counts calls per principal's day,
as the scheduler counts them (``calls.scheduler.Interpreter.daily_cap``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from chancery.accounts.models import Profile, Role
from chancery.accounts.roles import require_role
from chancery.calls.models import ON_CALENDAR, CallRequest, Interpreter
from chancery.calls.services.common import OFFICERS, _call_event, lock_call
from chancery.errors import Conflict, Forbidden, InvalidInput
from chancery.ledger.services import record_event

MAX_DAILY_CAP = 12
ROSTER_ROLES = (*OFFICERS, Role.ADMIN)
"""Who keeps the roster."""

FIELDS = ("name", "languages", "time_zone", "day_start", "day_end", "daily_cap", "active",
          "email")
"""What ``update_interpreter`` may change."""


def language_label(code: str) -> str:
    from chancery.calls.scheduler import language_name

    return str(language_name(code))


# --- validation ---------------------------------------------------------------------------------


def _clean_languages(value: Any) -> list[str]:
    import pycountry

    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split()]
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput(
            "An interpreter needs at least one language: give ISO 639-1 codes such as 'fr' "
            "or 'es' (the languages they interpret into English).",
            field="languages",
        )
    out: list[str] = []
    for code in value:
        if not isinstance(code, str) or not code.strip():
            raise InvalidInput(f"{code!r} is not a language code: use ISO 639-1, e.g. 'fr'.",
                               field="languages")
        code = code.strip().lower()
        if pycountry.languages.get(alpha_2=code) is None:
            raise InvalidInput(
                f"{code!r} is not an ISO 639-1 language code: use two letters, e.g. 'fr'.",
                field="languages",
            )
        if code == "en":
            raise InvalidInput(
                "English is the principal's side of every call: list the languages the "
                "interpreter interprets into English, not 'en'.",
                field="languages",
            )
        if code not in out:
            out.append(code)
    return out


def _clean_zone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Give the interpreter's time zone, e.g. 'Europe/Paris'.",
                           field="time_zone")
    value = value.strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{value!r} is not an IANA time zone: use a name such as 'Europe/Paris' or "
            "'America/New_York'.",
            field="time_zone",
        ) from None
    return value


def _clean_time(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip()).replace(second=0, microsecond=0)
        except ValueError:
            pass
    raise InvalidInput(f"{value!r} is not a time of day: write it as HH:MM, e.g. 09:00.",
                       field=field)


def _clean_cap(value: Any) -> int:
    try:
        cap = int(value)
    except (TypeError, ValueError):
        cap = 0
    if isinstance(value, bool) or not 1 <= cap <= MAX_DAILY_CAP or str(cap) != str(value).strip():
        raise InvalidInput(
            f"The daily cap is a whole number of calls from 1 to {MAX_DAILY_CAP}; "
            f"{value!r} is not.",
            field="daily_cap",
        )
    return cap


def _clean_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Give the interpreter's name.", field="name")
    if len(value.strip()) > 200:
        raise InvalidInput("The name is at most 200 characters.", field="name")
    return value.strip()


def _clean_email(value: Any) -> str:
    value = (value or "").strip() if isinstance(value, str | None) else value
    if not isinstance(value, str):
        raise InvalidInput("The email address must be text.", field="email")
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput(f"{value!r} is not an email address.", field="email") from None
    return value


def _check_hours(start: dt.time, end: dt.time) -> None:
    if start >= end:
        raise InvalidInput(
            f"The working hours must start before they end ({start:%H:%M} is not before "
            f"{end:%H:%M}); hours do not cross midnight.",
            field="day_end",
        )


def _record_enrolled(interp: Interpreter, by: Any) -> None:
    """The roster row's whole state as its ``interpreter.enrolled`` event (the name private)."""
    record_event("interpreter", interp.pk, "interpreter.enrolled", actor=by, data={
        "interpreter": interp.pk,
        "languages": list(interp.languages),
        "time_zone": interp.time_zone,
        "day_start": interp.day_start.strftime("%H:%M"),
        "day_end": interp.day_end.strftime("%H:%M"),
        "daily_cap": interp.daily_cap,
        "active": interp.active,
        "name": interp.name,
    })


# --- roster -----------------------------------------------------------------------------------


def enroll_interpreter(
    *,
    by: Any,
    username: str,
    name: str,
    languages: Any,
    time_zone: str,
    day_start: Any = dt.time(7, 0),
    day_end: Any = dt.time(22, 0),
    daily_cap: Any = 4,
    password: str | None = None,
    email: str = "",
) -> Interpreter:
    """Put an interpreter on the roster: a user in group ``interpreter`` with a profile, and the
    ``Interpreter`` row, with its ``interpreter.enrolled`` event. ``password`` None leaves the
    login without a usable password (an admin sets one). Officers and admin."""
    require_role(by, *ROSTER_ROLES, action="enrol interpreters")
    username = (username or "").strip() if isinstance(username, str) else ""
    if not username:
        raise InvalidInput("Give a username for the interpreter's login.", field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise InvalidInput(
            f"{username!r} is not a valid username: letters, digits and @ . + - _ only.",
            field="username",
        ) from None
    if len(username) > 150:
        raise InvalidInput("A username is at most 150 characters.", field="username")
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise InvalidInput(f"The username {username!r} is taken: choose another.",
                           field="username")
    clean_name = _clean_name(name)
    langs = _clean_languages(languages)
    zone = _clean_zone(time_zone)
    start = _clean_time(day_start, "day_start")
    end = _clean_time(day_end, "day_end")
    _check_hours(start, end)
    cap = _clean_cap(daily_cap)
    mail = _clean_email(email)
    if password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from None

    with transaction.atomic():
        user = user_model.objects.create_user(username=username, email=mail)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        group, _ = Group.objects.get_or_create(name=Role.INTERPRETER)
        user.groups.add(group)
        Profile.objects.create(user=user, display_name=clean_name, languages=langs)
        interp = Interpreter.objects.create(
            user=user, name=clean_name, languages=langs, time_zone=zone, day_start=start,
            day_end=end, daily_cap=cap,
        )
        _record_enrolled(interp, by)
    return interp


def update_interpreter(interp: Interpreter, *, by: Any, **fields: Any) -> Interpreter:
    """Change an interpreter's name, languages, zone, hours, cap, ``active`` or ``email``
    (validated together before anything is written), with an ``interpreter.enrolled`` event
    carrying the new state. Officers and admin. Calls already scheduled keep their interpreter:
    reassign them if the change makes the interpreter unfit."""
    require_role(by, *ROSTER_ROLES, action="change the interpreter roster")
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            f"Cannot change {', '.join(unknown)}: the fields are {', '.join(FIELDS)}.",
            field=unknown[0],
        )
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = _clean_name(fields["name"])
    if "languages" in fields:
        changes["languages"] = _clean_languages(fields["languages"])
    if "time_zone" in fields:
        changes["time_zone"] = _clean_zone(fields["time_zone"])
    if "day_start" in fields:
        changes["day_start"] = _clean_time(fields["day_start"], "day_start")
    if "day_end" in fields:
        changes["day_end"] = _clean_time(fields["day_end"], "day_end")
    _check_hours(changes.get("day_start", interp.day_start), changes.get("day_end", interp.day_end))
    if "daily_cap" in fields:
        changes["daily_cap"] = _clean_cap(fields["daily_cap"])
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            raise InvalidInput("'active' is true or false.", field="active")
        changes["active"] = fields["active"]
    email = _clean_email(fields["email"]) if "email" in fields else None

    with transaction.atomic():
        interp = (
            Interpreter.objects.select_for_update(of=("self",)).select_related("user")
            .get(pk=interp.pk)
        )
        for key, value in changes.items():
            setattr(interp, key, value)
        interp.save()
        user = interp.user
        user_fields = []
        if email is not None and user.email != email:
            user.email = email
            user_fields.append("email")
        if user_fields:
            user.save(update_fields=user_fields)
        Profile.objects.update_or_create(
            user=user, defaults={"display_name": interp.name, "languages": interp.languages}
        )
        _record_enrolled(interp, by)
    return interp


def interpreter_for(user: Any) -> Interpreter | None:
    """The roster row of a signed-in interpreter; None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Interpreter.objects.filter(user=user).first()


# --- reassignment -------------------------------------------------------------------------------


def _principal_day(call: CallRequest, moment: dt.datetime) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(call.principal.time_zone)).date()


def unfit_reason(call: CallRequest, interp: Interpreter) -> str:
    """Why ``interp`` cannot take ``call`` (in words), or "" when it can: the language, the
    interpreter's hours in their own zone, another call at the same time, the daily cap."""
    if not interp.active:
        return f"{interp.name} is not active on the roster."
    if call.language not in interp.languages:
        spoken = ", ".join(language_label(c) for c in interp.languages) or "no language"
        return (
            f"{interp.name} does not interpret {language_label(call.language)} "
            f"(speaks {spoken})."
        )
    if call.start is None or call.end is None:
        return ""
    zone = zoneinfo.ZoneInfo(interp.time_zone)
    local_start = call.start.astimezone(zone)
    local_end = call.end.astimezone(zone)
    if (
        local_start.date() != local_end.date()
        or local_start.time() < interp.day_start
        or local_end.time() > interp.day_end
    ):
        return (
            f"The call is at {local_start:%H:%M}–{local_end:%H:%M} in {interp.name}'s zone "
            f"({interp.time_zone}), outside their hours {interp.day_start:%H:%M}–"
            f"{interp.day_end:%H:%M}."
        )
    others = (
        CallRequest.objects.filter(interpreter=interp, state__in=ON_CALENDAR,
                                   start__isnull=False)
        .exclude(pk=call.pk)
    )
    clash = others.filter(start__lt=call.end, end__gt=call.start).order_by("start").first()
    if clash is not None:
        assert clash.start is not None and clash.end is not None
        return (
            f"{interp.name} interprets {clash.tracking} at the same time "
            f"({clash.start.astimezone(zone):%H:%M}–{clash.end.astimezone(zone):%H:%M} "
            "their time)."
        )
    day = _principal_day(call, call.start)
    principal_zone = zoneinfo.ZoneInfo(call.principal.time_zone)
    day_start = dt.datetime.combine(day, dt.time(0, 0), principal_zone)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), principal_zone)
    same_day = others.filter(
        start__gte=day_start.astimezone(dt.UTC), start__lt=day_end.astimezone(dt.UTC)
    ).count()
    if same_day >= interp.daily_cap:
        return (
            f"{interp.name} already has {same_day} call{'s' if same_day != 1 else ''} on "
            f"{day:%A %d %B} (the daily cap is {interp.daily_cap})."
        )
    return ""


def reassign_interpreter(call: CallRequest, interpreter: Interpreter | None, *,
                         by: Any) -> CallRequest:
    """Give a call that has a time another interpreter (None: none). The interpreter must speak
    the call's language and be free (hours, no overlapping call, daily cap); the refusal says
    which fails.
    Records ``call.interpreter``, raises the call's sequence and queues the updated invitation
    (the attendee list changed)."""
    from chancery.calls.services import actions
    from chancery.calls.services.invitations import invite

    verdict = actions.may(call, by, "reassign")
    if not verdict.allowed:
        assert verdict.refusal is not None
        raise verdict.refusal
    with transaction.atomic():
        call = lock_call(call)
        verdict = actions.may(call, by, "reassign")
        if not verdict.allowed:
            assert verdict.refusal is not None
            raise verdict.refusal
        if call.start is None or call.end is None:
            raise Conflict(
                f"{call.tracking} has no time yet: the scheduler chooses its interpreter when "
                "it places the call (or move it to a time first)."
            )
        previous = call.interpreter
        if interpreter is not None:
            # Locked: two reassignments to the same interpreter at once cannot both pass the
            # overlap and daily-cap checks.
            interpreter = (
                Interpreter.objects.select_for_update(of=("self",)).select_related("user")
                .get(pk=interpreter.pk)
            )
            if previous is not None and previous.pk == interpreter.pk:
                raise InvalidInput(f"{interpreter.name} already interprets this call.",
                                   field="interpreter")
            reason = unfit_reason(call, interpreter)
            if reason:
                raise InvalidInput(reason, field="interpreter")
        elif previous is None:
            raise InvalidInput("The call has no interpreter to remove.", field="interpreter")
        # An officer's choice, like a move: the call is fixed, so the next re-solve keeps the
        # time and this interpreter rather than choosing again.
        call.interpreter = interpreter
        call.sequence += 1
        call.fixed = True
        call.save(update_fields=["interpreter", "sequence", "fixed"])
        _call_event(
            call, "call.interpreter", by,
            interpreter=interpreter.pk if interpreter is not None else None,
            previous=previous.pk if previous is not None else None,
            fixed=True,
        )
        invite(call)  # and a CANCEL to the previous interpreter, no longer an attendee
    return call


def require_interpreter(user: Any) -> Interpreter:
    """The signed-in interpreter's roster row, or 403."""
    interp = interpreter_for(user)
    if interp is None:
        raise Forbidden("Only an interpreter on the roster has assignments.")
    return interp
