"""Load the November 2020 world (``demo/world.py``) through the same services users call.

Messages are submitted at their historical times (the clock is moved for each), so their
tracking numbers, receipts, policy holds and events are exactly what the live system would have
made. Messages dated after the demo's "now" (23 November 2020, 10:00 ET) are not loaded: they
had not arrived yet.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import secrets
from collections.abc import Iterator, Sequence
from typing import Any

import pycountry
from django.contrib.auth.models import Group, User
from django.db import transaction

from chancery import clock
from chancery.accounts.models import Profile, Role
from chancery.correspondence import services
from chancery.demo import calls as demo_calls
from chancery.demo import world
from chancery.directory.models import (
    Country,
    Leader,
    Mission,
    Office,
    Organisation,
    Principal,
)
from chancery.directory.services import (
    record_office_holder,
    record_principal_created,
    set_principal_status,
)

HOME = {
    Role.WATCH_OFFICER: "/",
    Role.PROTOCOL_OFFICER: "/",
    Role.TRANSLATOR: "/translations/",
    Role.PRINCIPAL_OFFICE: "/principals/president-elect/inbox/",
    Role.LIAISON: "/portal/",
    Role.INTERPRETER: "/calls/my-assignments/",
    Role.AUDITOR: "/audit/",
    Role.RECORDS_OFFICER: "/records/",
    Role.ADMIN: "/admin-tools/principals/",
}


def _at(value: str | None) -> dt.datetime:
    assert value is not None
    return dt.datetime.fromisoformat(value)


def _country(code: str) -> Country:
    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        raise ValueError(f"demo world: unknown country code {code!r}")
    name = getattr(found, "common_name", None) or found.name
    return Country.objects.get_or_create(code=code, defaults={"name": name})[0]


def _polity(entry: Any) -> dict[str, Any]:
    if entry.get("country"):
        return {"country": _country(entry["country"]), "organisation": None}
    return {"country": None, "organisation": Organisation.objects.get(slug=entry["organisation"])}


def _user(username: str, role: str, password: str, **profile: Any) -> User:
    user = User.objects.create_user(username=username)
    user.password = password  # already hashed, see _hash_all
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
        user.save()
    Profile.objects.create(user=user, **profile)
    return user


def _hash_all(passwords: dict[str, str]) -> dict[str, str]:
    """Hash the demo passwords with the production hasher, on every core (PBKDF2 releases the
    GIL; one hash takes ~0.3 s, and the demo has ~50 people)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.hashers import make_password

    names = list(passwords)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(names, pool.map(lambda n: make_password(passwords[n]), names), strict=True))


def _at_time(moment: dt.datetime) -> Any:
    return clock.travel(moment - clock.now())


@transaction.atomic
def load_world() -> dict[str, Any]:
    """Create everything, all or nothing; returns the logins (username, role, home page)."""
    logins: list[dict[str, str]] = []

    def add_login(user: User, role: str, home: str | None = None) -> None:
        logins.append(
            {
                "role": Role(role).label,
                "username": user.username,
                "password": passwords[user.username],
                "home": home or HOME[Role(role)],
            }
        )

    usernames = [s["username"] for s in world.STAFF] + [t["username"] for t in world.TRANSLATORS]
    usernames += [li["username"] for li in world.LIAISONS]
    usernames += demo_calls.usernames()
    passwords = {name: secrets.token_urlsafe(9) for name in usernames}

    hashed = _hash_all(passwords)

    def pw(username: str) -> str:
        return hashed[username]

    with transaction.atomic():
        for role in Role:
            Group.objects.get_or_create(name=role.value)
        principals: dict[str, Principal] = {}
        history: list[tuple[dt.datetime, Principal, str]] = []
        for p in world.PRINCIPALS:
            # Created with its first status; each later one is recorded by the service.
            steps = p.get("status_history", [])
            principal = Principal.objects.create(
                slug=p["slug"],
                name=p["name"],
                title=p["title"],
                time_zone=p["time_zone"],
                status=steps[0][0] if steps else p["status"],
                delivery_requires=p["delivery_requires"],
                office_email=p.get("office_email", ""),
            )
            principals[p["slug"]] = principal
            for status, at in steps[1:]:
                if at:
                    history.append((_at(at), principal, status))
        for org in world.ORGANISATIONS:
            Organisation.objects.create(slug=org["slug"], name=org["name"])
        offices: dict[tuple[str, str], Office] = {}
        for entry in world.LEADERS:
            leader = Leader.objects.create(
                name=entry["name"],
                native_name=entry.get("native_name", ""),
                languages=entry["languages"],
                time_zone=entry["time_zone"],
            )
            for o in entry["offices"]:
                office = Office.objects.create(
                    leader=leader,
                    kind=o["kind"],
                    title=o["title"],
                    form_of_address=o.get("form_of_address", ""),
                    took_office=dt.date.fromisoformat(o["took_office"])
                    if o.get("took_office")
                    else None,
                    monarch=o.get("monarch", False),
                    **_polity(o),
                )
                offices.setdefault((entry["key"], o["kind"]), office)
                offices.setdefault((entry["key"], ""), office)
        for inst in world.INSTITUTIONS:
            office = Office.objects.create(
                kind=inst.get("kind", "ministry"), title=inst["title"], **_polity(inst)
            )
            offices[(inst["key"], "")] = office
            offices[(inst["key"], office.kind)] = office
        # Every principal's first status and policy (principal.created) and every office's
        # holder (office.holder) on record, dated before anything else the demo logs (the
        # log's times never run backwards).
        first_moment = min(
            [h[0] for h in history] + [_at(m["received_at"]) for m in world.MESSAGES]
        )
        with _at_time(first_moment):
            for principal in principals.values():
                record_principal_created(principal, by=None)
            for office in Office.objects.order_by("id"):
                record_office_holder(office, by=None)
        missions: dict[str, Mission] = {}
        for m in world.MISSIONS:
            mission = Mission.objects.create(
                name=m["name"],
                head_name=m.get("head_name", ""),
                head_class=m.get("head_class", 1),
                functions_since=_at(m["functions_since"]) if m.get("functions_since") else None,
                **_polity(m),
            )
            missions[m["key"]] = mission

        first: dict[str, User] = {}
        for s in world.STAFF:
            extra: dict[str, Any] = {"display_name": s["display_name"]}
            if s.get("principal"):
                extra["principal"] = principals[str(s["principal"])]
            user = _user(s["username"], s["role"], pw(s["username"]), **extra)
            first.setdefault(s["role"], user)
            home = f"/principals/{s['principal']}/inbox/" if s.get("principal") else None
            add_login(user, s["role"], home)
        for t in world.TRANSLATORS:
            user = _user(
                t["username"],
                Role.TRANSLATOR,
                pw(t["username"]),
                display_name=t["display_name"],
                languages=t["languages"],
            )
            first.setdefault(Role.TRANSLATOR, user)
            add_login(user, Role.TRANSLATOR)
        liaison_for: dict[tuple[str | None, str | None], User] = {}
        for liaison in world.LIAISONS:
            mission = missions[liaison["mission"]]
            user = _user(
                liaison["username"],
                Role.LIAISON,
                pw(liaison["username"]),
                display_name=liaison["display_name"],
                mission=mission,
            )
            key = (
                mission.country.code if mission.country else None,
                mission.organisation.slug if mission.organisation else None,
            )
            liaison_for.setdefault(key, user)
            add_login(user, Role.LIAISON)

        # In order of time across principals (the log's times never run backwards), through
        # the service an admin uses, at the time it happened.
        for when, principal, status in sorted(history, key=lambda h: (h[0], h[1].pk)):
            with _at_time(when):
                set_principal_status(
                    principal, by=first[Role.ADMIN], status=status, note="demo history"
                )
    # The calls (settings, roster, requests) in the same order of time as the messages.
    calls = demo_calls.call_steps(
        principals=principals, offices=offices, liaison_for=liaison_for, hashed=hashed
    )
    _load_messages(principals, offices, liaison_for, first, more=calls)
    logins.extend(demo_calls.logins(passwords))
    return {"logins": logins}


def _load_messages(
    principals: dict[str, Principal],
    offices: dict[tuple[str, str], Office],
    liaison_for: dict[tuple[str | None, str | None], User],
    first: dict[str, User],
    more: Sequence[Iterator[dt.datetime]] = (),
) -> None:
    """Every message's steps, all messages' steps taken in order of time (a message's triage
    may come after the next message arrived): the log's times never run backwards. ``more``:
    other steps (the calls') taken in the same order."""
    demo_now = _at(world.DEMO_NOW)
    officer = first[Role.WATCH_OFFICER]
    translators = list(User.objects.filter(groups__name=Role.TRANSLATOR).select_related("profile"))
    queue: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
    for n, m in enumerate(sorted(world.MESSAGES, key=lambda m: _at(m["received_at"]))):
        steps = _message_steps(m, demo_now, offices, liaison_for, officer, translators)
        if (moment := next(steps, None)) is not None:
            heapq.heappush(queue, (moment, n, steps))
    for n, steps in enumerate(more, start=len(world.MESSAGES)):
        if (moment := next(steps, None)) is not None:
            heapq.heappush(queue, (moment, n, steps))
    while queue:
        _, n, steps = heapq.heappop(queue)
        if (moment := next(steps, None)) is not None:  # takes the step, says when the next is
            heapq.heappush(queue, (moment, n, steps))


def _message_steps(
    m: Any,
    demo_now: dt.datetime,
    offices: dict[tuple[str, str], Office],
    liaison_for: dict[tuple[str | None, str | None], User],
    officer: User,
    translators: list[User],
) -> Iterator[dt.datetime]:
    """One message's steps: yields the moment of the next step, takes it when resumed."""
    received = _at(m["received_at"])
    if received > demo_now:
        return
    office = (
        offices.get((m["sender"], m.get("sender_office_kind", "")))
        or offices[(m["sender"], "")]
    )
    key = (
        office.country.code if office.country else None,
        office.organisation.slug if office.organisation else None,
    )
    liaison = liaison_for.get(key)
    by = (
        liaison
        if liaison is not None and m["channel"] in services.LIAISON_CHANNELS
        else officer
    )
    yield received
    with _at_time(received):
        message, _ = services.submit_message(
            services.Submission(
                principal=m["principal"],
                sender_office=office.pk,
                body=m["body"],
                channel=m["channel"],
                subject=m.get("subject", ""),
                language=m.get("language", ""),
            ),
            by=by,
            idempotency_key=f"demo:{m['key']}",
        )
    # The operations center kept working under the gate: triage and translation go on,
    # only delivery waits (visibly) for ascertainment.
    language = m.get("language", "")
    yield received + dt.timedelta(minutes=40)
    with _at_time(received + dt.timedelta(minutes=40)):
        services.triage(message, by=officer, note="Congratulatory message")
    if language and language != "en" and m.get("english"):
        translator = next(
            (t for t in translators if language in (t.profile.languages or [])), None
        )
        if translator is None:
            return
        yield received + dt.timedelta(hours=1)
        with _at_time(received + dt.timedelta(hours=1)):
            translation = services.request_translation(
                message, by=officer, source_language=language
            )
        if received < demo_now - dt.timedelta(hours=12):
            yield received + dt.timedelta(hours=3)
            with _at_time(received + dt.timedelta(hours=3)):
                services.sign_off_translation(translation, by=translator, text=m["english"])
