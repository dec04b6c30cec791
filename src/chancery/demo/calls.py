"""The calls part of the demo: the President-elect's call settings, the interpreters, and the
call requests of the 24 leaders of November 2020 (``demo/world.py``: ``CALL_SETTINGS``,
``INTERPRETERS``, ``BLOCKED``: Thanksgiving, ``CALL_REQUESTS``), made through the services users
call, at their historical times (the loader takes every step of messages and calls in one order
of time, so the log's times never run backwards).

The President-elect's support policy gates calls until ascertainment (23 November 2020, 18:00
ET; the demo's clock starts that morning): at load the requests are recorded, counted and
visible to the principal's office, and wait. Recording ascertainment (an admin, on the
principals page) releases them into the queue (``calls.services.gate``). Then
:func:`schedule_released`, which ``chancery demo`` runs every few seconds beside the server and
the worker, does what the operations center did next: the protocol officer triages and
approves the released requests in precedence order and queues a solve; the worker runs it and
the calendar shows the schedule.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager

from django.contrib.auth.models import User

from chancery import clock
from chancery.accounts.models import Role
from chancery.calls.demo_tiers import DEMO_POLICY
from chancery.calls.models import CallRequest, CallState, ScheduleRun
from chancery.calls.services import blocked, interpreters, ranking, requests, scheduling
from chancery.demo import world
from chancery.directory.models import Office, Principal
from chancery.errors import ChanceryError

log = logging.getLogger(__name__)

OFFICER = "protocol.dubois"
"""Who enters the settings and the roster, and triages and approves after ascertainment."""

KEY_PREFIX = "demo:"
"""The idempotency keys of the demo's requests (``demo:call-<leader>``)."""

INTERPRETER_HOME = "/calls/my-assignments/"


def _at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _travel(moment: dt.datetime) -> AbstractContextManager[None]:
    return clock.travel(moment - clock.now())


def call_steps(
    *,
    principals: dict[str, Principal],
    offices: dict[tuple[str, str], Office],
    liaison_for: dict[tuple[str | None, str | None], User],
    hashed: dict[str, str],
) -> list[Iterator[dt.datetime]]:
    """The steps of the calls part, each a generator as the loader's message steps are: it
    yields the moment of its next step and takes it when resumed."""
    officer = User.objects.get(username=OFFICER)
    steps = [_setup_steps(principals[world.CALL_SETTINGS["principal"]], officer, hashed)]
    steps += [
        _request_steps(r, offices, liaison_for, officer) for r in world.CALL_REQUESTS
    ]
    return steps


def _setup_steps(
    principal: Principal, officer: User, hashed: dict[str, str]
) -> Iterator[dt.datetime]:
    """The call settings, then the roster (one interpreter a minute), then the blocked time
    (Thanksgiving)."""
    s = world.CALL_SETTINGS
    at = _at(s["saved_at"])
    yield at
    with _travel(at):
        scheduling.save_settings(
            principal, by=officer, policy=DEMO_POLICY, day_start=_time(s["day_start"]),
            day_end=_time(s["day_end"]), daily_cap=s["daily_cap"],
            buffer_minutes=s["buffer_minutes"], note_takers=s["note_takers"],
            dial_in=s["dial_in"],
        )
    for n, i in enumerate(world.INTERPRETERS, start=1):
        moment = at + dt.timedelta(minutes=n)
        yield moment
        with _travel(moment):
            interp = interpreters.enroll_interpreter(
                by=officer, username=i["username"], name=i["name"], languages=i["languages"],
                time_zone=i["time_zone"], day_start=_time(i["day_start"]),
                day_end=_time(i["day_end"]), daily_cap=i["daily_cap"],
            )
        # The demo's passwords are hashed together, on every core (loader._hash_all); the
        # service leaves a new login without a usable password.
        interp.user.password = hashed[i["username"]]
        interp.user.save(update_fields=["password"])
    for n, b in enumerate(world.BLOCKED, start=len(world.INTERPRETERS) + 1):
        moment = at + dt.timedelta(minutes=n)
        yield moment
        with _travel(moment):
            blocked.block_time(
                Principal.objects.get(slug=b["principal"]), by=officer,
                start=_at(b["start"]), end=_at(b["end"]), label=b["label"],
            )


def _request_steps(
    r: world.CallRequestData,
    offices: dict[tuple[str, str], Office],
    liaison_for: dict[tuple[str | None, str | None], User],
    officer: User,
) -> Iterator[dt.datetime]:
    """A leader's request, by the liaison of its mission (by staff where there is none)."""
    at = _at(r["submitted_at"])
    if at > _at(world.DEMO_NOW):
        return
    office = offices[(r["leader"], "")]
    key = (
        office.country.code if office.country else None,
        office.organisation.slug if office.organisation else None,
    )
    liaison = liaison_for.get(key)
    by, channel = (liaison, r["channel"]) if liaison is not None else (officer, "staff")
    yield at
    with _travel(at):
        requests.submit_call(
            requests.CallSubmission(
                principal=r["principal"],
                office=office.pk,
                purpose=r["purpose"],
                language=r["language"],
                earliest=dt.date.fromisoformat(r["earliest"]),
                latest=dt.date.fromisoformat(r["latest"]),
                local_start=_time(r["local_start"]),
                local_end=_time(r["local_end"]),
                time_zone=r["time_zone"],
                duration=r["duration"],
                brings_interpreter=r["brings_interpreter"],
            ),
            by=by,
            channel=channel,
            idempotency_key=f"{KEY_PREFIX}{r['key']}",
        )


def logins(passwords: dict[str, str]) -> list[dict[str, str]]:
    """The interpreters' entries for ``demo-logins.json``."""
    return [
        {
            "role": Role.INTERPRETER.label,
            "username": i["username"],
            "password": passwords[i["username"]],
            "home": INTERPRETER_HOME,
        }
        for i in world.INTERPRETERS
    ]


def usernames() -> list[str]:
    return [i["username"] for i in world.INTERPRETERS]


# --------------------------------------------------------------------------- after the gate


def schedule_released(*, time_limit: float = 10.0) -> int:
    """After ascertainment: the protocol officer triages and approves, in precedence order, the
    demo's requests the gate has released and nobody has triaged yet, and queues a solve for
    the principal (the worker runs it). Also queues a solve when an officer approved a request
    that no solve has considered yet (no time, no reason it could not be placed), so what gets
    approved in the demo gets scheduled (not after a failed solve: an officer re-solves from the
    calendar once the cause is put right). Returns how many requests it moved on; 0 (and nothing
    written) while the gate holds them.

    Requests a person entered (not the demo's) are left for a person to triage."""
    officer = User.objects.filter(username=OFFICER).first()
    if officer is None:
        return 0
    moved = 0
    for principal in Principal.objects.filter(call_requests__isnull=False).distinct():
        released = {
            c.pk for c in CallRequest.objects.filter(
                principal=principal, state=CallState.REQUESTED, waits_for="",
                idempotency_key__startswith=KEY_PREFIX,
            )
        }
        approved = 0
        for call, _ in ranking.ranked(principal) if released else []:
            if call.pk not in released:
                continue
            try:
                call = requests.triage_call(
                    call, by=officer, note="Ranked by the demo tiers (the 2020 order)."
                )
                requests.approve_call(call, by=officer)
            except ChanceryError as exc:  # someone acted on it meanwhile: theirs stands
                log.info("demo: left %s as it is: %s", call.tracking, exc)
                continue
            approved += 1
        moved += approved
        unsolved = CallRequest.objects.filter(
            principal=principal, state=CallState.APPROVED, waits_for="", start__isnull=True,
            unplaced_reason="",
        ).exists()
        if unsolved and not approved:
            # After a failed solve, wait for a person (the calendar's Re-solve): no retry loop.
            latest = scheduling.current_run(principal)
            unsolved = latest is None or latest.state != ScheduleRun.State.FAILED
        if approved or unsolved:
            # Returns the queued or running solve when there is one (no second); a solve that
            # was running before these approvals leaves them unsolved: the next look queues one.
            scheduling.request_solve(principal, by=officer, time_limit=time_limit)
    return moved



OPERATOR = "watch.okafor"
"""The watch officer who places the demo's calls when their time comes and ends them."""


def operate_due() -> int:
    """The watch officer's part as the demo clock passes the calls' times: a demo call whose
    start has passed is connected (a contact attempt that connects), one whose planned end has
    passed is completed with its planned length. Then the call is owed its telcon and read-out
    (``/records/``). Calls a person entered, or moved on by hand (failed, connected by a
    person), are left to people. Returns how many calls it moved."""
    officer = User.objects.filter(username=OPERATOR).first()
    if officer is None:
        return 0
    now = clock.now()
    moved = 0
    demo = CallRequest.objects.filter(idempotency_key__startswith=KEY_PREFIX)
    for call in demo.filter(state__in=(CallState.SCHEDULED, CallState.CLEARED), start__lte=now):
        try:
            requests.record_attempt(call, by=officer, outcome="connected")
        except ChanceryError as exc:
            log.info("demo: left %s as it is: %s", call.tracking, exc)
            continue
        moved += 1
    for call in demo.filter(state=CallState.CONNECTED, end__lte=now):
        try:
            requests.complete_call(call, by=officer, minutes=call.duration)
        except ChanceryError as exc:
            log.info("demo: left %s as it is: %s", call.tracking, exc)
            continue
        moved += 1
    return moved
