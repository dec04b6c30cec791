"""Overdue action: work the worker should have done and has not (issue 9, part 2).

Each scenario is the real situation, made through the services (or the admin page) with the
worker not running its pass; the clock is moved with ``chancery.clock.travel``. The dashboard,
the principal's inbox and the public transparency page must say so, with how long; one real
worker pass (``worker.run_once``) must clear it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils.html import escape

from chancery import clock, worker
from chancery.correspondence import services
from chancery.correspondence.models import Message, Notification, State
from chancery.directory.models import Principal
from chancery.ledger.models import Heartbeat
from chancery.testing import body_of, client_for, fresh
from tests.live import database_url

pytestmark = pytest.mark.django_db

INBOX = "/principals/president-elect/inbox/"


def _counts() -> dict[str, int]:
    every = services.count_messages(Message.objects.all())
    return {k: v for k, v in every.items() if k == "overdue_action" or k.startswith("action_")}


def _text(html: str) -> str:
    """The page's text, tags removed and spaces collapsed (what a reader sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pages(people: dict[str, User]) -> dict[str, str]:
    """The dashboard (an officer), the inbox (the principal's office) and the public page."""
    return {
        "dashboard": body_of(client_for(people["officer"]).get("/")),
        "inbox": body_of(client_for(people["staffer"]).get(INBOX)),
        "public": body_of(client_for(None).get("/transparency/")),
    }


def _assert_shown(
    people: dict[str, User], kind: str, line: str, message: Message, *, total: int = 1,
    row_age: str = "",
) -> None:
    """Every page flags the overdue action of ``kind``, with ``line`` (count, what, how long)
    in the breakdown, and ``message``'s row in the inbox with its own age (``row_age``: the
    line's, by default); the public page names no message."""
    pages = _pages(people)
    dashboard, inbox, public = pages["dashboard"], pages["inbox"], pages["public"]
    oldest = re.split(r", (?:for|oldest) ", line)[1]
    headline = f"Overdue action: {total} message{'s' if total > 1 else ''} waiting"
    assert 'id="overdue-action"' in dashboard
    assert headline in _text(dashboard) and f"late by {oldest}." in _text(dashboard)
    assert line in _text(dashboard)
    assert f'data-kind="{kind}"' in dashboard
    assert "?show=overdue_action" in dashboard  # the breakdown links to the filtered list
    stat = dashboard.split('id="stat-overdue-action"')[1].split("</div>")[0]
    assert f'<span class="n">{total}</span>' in stat

    # The principal's office: the banner, in words that need no knowledge of the machinery, and
    # the row's flag with how long.
    assert 'id="overdue-action"' in inbox and line in _text(inbox) and headline in _text(inbox)
    assert "Please tell the operations center" in _text(inbox)
    assert "worker" not in _text(inbox.split('id="overdue-action"')[1].split("</div>")[0])
    row = inbox.split(f'data-tracking="{message.tracking}"')[1].split("</tr>")[0]
    assert f'class="badge escalated overdue-action" data-kind="{kind}"' in row
    assert f"Overdue action · {row_age or oldest}" in _text(row)
    # The inbox's tab lists it.
    filtered = body_of(client_for(people["staffer"]).get(INBOX + "?show=overdue_action"))
    assert message.tracking in filtered
    listed = body_of(client_for(people["officer"]).get("/messages/?show=overdue_action"))
    assert message.tracking in listed

    # The public page: the count per principal with how long, and nothing of the message.
    section = public.split('id="counts-president-elect"')[1].split("</section>")[0]
    assert 'id="overdue-action-president-elect"' in section and line in _text(section)
    assert f"{total} waiting for overdue action" in _text(section)
    assert message.tracking not in public and escape(message.body) not in public


def _assert_cleared(people: dict[str, User], message: Message) -> None:
    assert _counts() == dict.fromkeys(_counts(), 0)
    for name, html in _pages(people).items():
        assert "overdue-action\"" not in html.replace('id="stat-overdue-action"', ""), name
    row = _pages(people)["inbox"].split(f'data-tracking="{message.tracking}"')[1]
    assert "Overdue action" not in row.split("</tr>")[0]


# --------------------------------------------------------------------------- the three kinds


def test_a_hold_past_its_expiry_still_in_force(
    submit: Any, people: dict[str, User], settings: Any
) -> None:
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    with clock.travel(-dt.timedelta(minutes=10)):
        first = submit()
        services.place_hold(first, by=people["officer"], category="security", reason="Scan")
    message = submit()
    services.place_hold(message, by=people["officer"], category="legal", reason="Check")
    # The holds lapse after an hour; nobody ran the worker for the next two hours and more.
    with clock.travel(dt.timedelta(hours=3, minutes=10)):
        assert _counts() == {
            "overdue_action": 2, "action_hold": 2, "action_escalation": 0, "action_gate": 0,
            "action_mail": 0,
        }
        _assert_shown(
            people, "action_hold", "2 holds past their expiry still in force, oldest 2 h 20 min",
            message, total=2, row_age="2 h 10 min",
        )
        result = worker.run_once()
        assert result.expired == 2
        assert fresh(first).state == fresh(message).state == State.DELIVERED
        _assert_cleared(people, message)


def test_a_message_past_its_target_never_escalated(
    submit: Any, people: dict[str, User], mailoutbox: list[Any]
) -> None:
    message = submit()
    # The delivery target is four hours; nobody ran the worker for 25 minutes past it.
    with clock.travel(dt.timedelta(hours=4, minutes=25)):
        assert _counts()["action_escalation"] == _counts()["overdue_action"] == 1
        _assert_shown(
            people, "action_escalation",
            "1 message past its delivery target, not held and never escalated, for 25 min",
            message,
        )
        result = worker.run_once()
        assert result.escalated == 1 and result.mailed == 1 and len(mailoutbox) == 1
        assert fresh(message).escalated_at is not None
        _assert_cleared(people, message)


def test_a_message_held_by_a_policy_that_no_longer_applies(
    submit: Any, people: dict[str, User], gated: Principal
) -> None:
    with clock.travel(-dt.timedelta(hours=1)):  # received an hour ago
        message = submit()  # held by the policy: delivery waits for ascertainment
    assert services.count_messages(Message.objects.all())["held_policy"] == 1
    assert _counts()["overdue_action"] == 0
    # The administrator drops the support policy in the admin; the worker's sweep is what
    # releases the messages it held, and the worker is not running. It is late from the
    # moment of that edit, not from when the message was held.
    _admin_change_principal(people["admin"], gated, delivery_requires="")
    assert not fresh(gated).gate_active
    with clock.travel(dt.timedelta(seconds=30)):  # within the grace: not yet a sign of anything
        assert _counts()["overdue_action"] == 0
    with clock.travel(dt.timedelta(minutes=40)):
        assert _counts()["action_gate"] == _counts()["overdue_action"] == 1
        _assert_shown(
            people, "action_gate",
            "1 message still held by a support policy that no longer applies, for 40 min",
            message,
        )
        assert worker.run_once().gated == 1
        assert fresh(message).state == State.DELIVERED
        _assert_cleared(people, message)


def test_an_escalation_mail_not_sent(submit: Any, people: dict[str, User]) -> None:
    """A pass that escalated and stopped before mailing: the mail is overdue action too."""
    message = submit()
    with clock.travel(dt.timedelta(hours=4, minutes=1)):
        assert [m.pk for m in services.escalate_overdue()] == [message.pk]
    with clock.travel(dt.timedelta(hours=4, minutes=8)):
        assert _counts()["action_mail"] == _counts()["overdue_action"] == 1
        _assert_shown(
            people, "action_mail", "1 message whose notification mail was not sent, for 7 min",
            message,
        )
        assert worker.run_once().mailed == 1
        assert Notification.objects.get().sent_at is not None
        _assert_cleared(people, message)


# --------------------------------------------------------------------------- the grace


def test_the_grace_edge(submit: Any, people: dict[str, User], settings: Any) -> None:
    """Work just inside the grace is not overdue action; one second past it, it is. (The clock
    keeps running while a page renders, so "inside" is 3 s inside.)"""
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    settings.CHANCERY_OVERDUE_ACTION_GRACE = 60
    message = submit()
    hold = services.place_hold(message, by=people["officer"], category="legal", reason="Check")
    assert hold.expires_at is not None
    expiry = hold.expires_at

    def at(seconds_after_expiry: int) -> Any:
        return clock.travel(expiry + dt.timedelta(seconds=seconds_after_expiry) - clock.now())

    with at(57):
        assert _counts()["overdue_action"] == 0
        assert services.overdue_action(Message.objects.all()).total.count == 0
    with at(57):
        assert 'id="overdue-action"' not in body_of(client_for(people["staffer"]).get(INBOX))
    with at(61):
        assert _counts()["action_hold"] == 1
        stuck = services.overdue_action(Message.objects.all())
        assert stuck.total.count == 1 and stuck.total.since == expiry
        assert 'id="overdue-action"' in body_of(client_for(people["staffer"]).get(INBOX))
        assert "in force, for 1 min" in _text(_pages(people)["dashboard"])
    settings.CHANCERY_OVERDUE_ACTION_GRACE = 300  # a longer grace moves the edge with it
    with at(61):
        assert _counts()["overdue_action"] == 0


# --------------------------------------------------------------------------- a frozen worker




def _env(data: Path, ahead: dt.timedelta) -> dict[str, str]:
    """A ``chancery`` process's environment: the test database, its clock ``ahead``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANCERY_")}
    env.update(
        DATABASE_URL=database_url(), CHANCERY_DATA_DIR=str(data),
        CHANCERY_LOG_LEVEL="ERROR", CHANCERY_WORKER_INTERVAL="0.2", CHANCERY_LOG_INTERVAL="0.1",
        CHANCERY_CLOCK_OFFSET=str(ahead.total_seconds()),
    )
    return env


def _worker(data: Path, ahead: dt.timedelta) -> subprocess.Popen[bytes]:
    """A real ``chancery worker`` on the test database, its clock ``ahead`` of the real one."""
    return subprocess.Popen(
        [sys.executable, "-m", "chancery.cli", "worker"],
        env=_env(data, ahead), stdout=subprocess.DEVNULL,
        stderr=(data / "worker.err").open("ab"),
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=15)


def _wait(what: str, ready: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_frozen_worker_leaves_a_hold_in_force_and_the_pages_say_so(
    tmp_path: Path, submit: Any, people: dict[str, User], settings: Any
) -> None:
    """A real worker process, frozen with SIGSTOP: the hold it should lapse stays in force and
    the pages say so with how long; a worker started again lapses it and the flags go."""
    settings.CHANCERY_HOLD_LAPSE_HOURS = 1
    message = submit()
    services.place_hold(message, by=people["officer"], category="security", reason="Scan")
    clients = {  # signed in before the freeze: nothing is written while the worker is frozen
        "dashboard": client_for(people["officer"]), "inbox": client_for(people["staffer"]),
    }
    frozen = _worker(tmp_path, ahead=dt.timedelta(0))
    try:
        _wait("the worker's first pass", lambda: Heartbeat.objects.filter(name="worker").exists())
        frozen.send_signal(signal.SIGSTOP)
        with clock.travel(dt.timedelta(hours=1, minutes=20)):  # 20 minutes past its expiry
            dashboard = body_of(clients["dashboard"].get("/"))
            assert "1 hold past its expiry still in force, for 20 min" in _text(dashboard)
            inbox = body_of(clients["inbox"].get(INBOX))
            assert 'id="overdue-action"' in inbox and "Overdue action · 20 min" in _text(inbox)
            public = body_of(client_for(None).get("/transparency/"))
            assert "in force, for 20 min" in _text(public) and message.tracking not in public
        # An operator's `chancery status` (its clock where the pages' is) fails on it too.
        status = subprocess.run(
            [sys.executable, "-m", "chancery.cli", "status"],
            env=_env(tmp_path, dt.timedelta(hours=1, minutes=20)),
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert status.returncode == 1
        assert "overdue    LATE    1 message waiting" in status.stdout
        assert "FAILED: Overdue action: 1 hold past its expiry" in status.stderr
        assert fresh(message).state == State.RECEIVED
    finally:
        _stop(frozen)
    # The worker is started again (its clock where the pages' was): it lapses the hold.
    again = _worker(tmp_path, ahead=dt.timedelta(hours=1, minutes=20))
    try:
        _wait("the hold to lapse", lambda: fresh(message).state == State.DELIVERED)
    finally:
        _stop(again)
    with clock.travel(dt.timedelta(hours=1, minutes=20)):
        assert _counts()["overdue_action"] == 0
        assert 'id="overdue-action"' not in body_of(clients["inbox"].get(INBOX))
        assert "Overdue action ·" not in _text(body_of(clients["inbox"].get(INBOX)))


# --------------------------------------------------------------------------- helpers


class _Form(HTMLParser):
    """The values a browser would submit from the admin's change form (inputs and selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "checkbox"}:
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.data[name] = a.get("value") or "on"
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _admin_change_principal(admin: User, principal: Principal, **changes: str) -> None:
    """Change a principal through the admin's change page, as an administrator does."""
    url = f"/admin/directory/principal/{principal.pk}/change/"
    c = client_for(admin)
    form = _Form()
    form.feed(body_of(c.get(url)))
    data = {k: v for k, v in form.data.items() if k in form.data}
    data.update(changes)
    response = c.post(url, data)
    assert response.status_code == 302, body_of(response)[:3000]
