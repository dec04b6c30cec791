"""Overdue action of calls (calls.services.overdue): work the worker does by itself for calls —
releasing requests a support policy no longer holds, running queued solves, sending
invitations — not done past the grace is shown on the dashboard and fails `chancery status`;
the worker's next pass clears it. The worker is not running here: the clock is moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from click.testing import CliRunner
from django.contrib.auth.models import User

from chancery import clock, worker
from chancery.calls.models import Invitation, ScheduleRun
from chancery.calls.services import requests, scheduling
from chancery.calls.services.overdue import overdue_call_action
from chancery.cli import main
from chancery.directory.models import Principal
from chancery.testing import client_for, fresh, set_policy


def _kinds() -> dict[str, int]:
    return {k.kind: k.count for k in overdue_call_action()}


def _submit(people: dict[str, User], world: dict[str, Any]) -> Any:
    today = scheduling.today_for(world["pe"])
    call, _ = requests.submit_call(
        requests.CallSubmission(
            principal="president-elect", office=world["pm_ca"].pk, purpose="Congratulations",
            language="en", earliest=today + dt.timedelta(days=1),
            latest=today + dt.timedelta(days=4),
        ),
        by=people["liaison_ca"],
    )
    return call


def _status() -> Any:
    return CliRunner().invoke(main, ["status"], catch_exceptions=False)


def test_each_kind_of_call_work_left_undone_is_shown_and_cleared_by_the_worker(
    world: dict[str, Any], people: dict[str, User], gated: Principal
) -> None:
    with clock.travel(-dt.timedelta(hours=1)):
        call = _submit(people, world)
    assert fresh(call).waits_for == "ascertained" and _kinds() == {}
    # The administrator drops the support policy; releasing the request is the worker's sweep,
    # and the worker is not running.
    set_policy(gated, "")
    with clock.travel(dt.timedelta(seconds=30)):  # within the grace
        assert _kinds() == {}
    with clock.travel(dt.timedelta(minutes=40)):
        assert _kinds() == {"call_gate": 1}
        html = client_for(people["officer"]).get("/").content.decode()
        assert 'id="overdue-calls"' in html
        assert "1 call request still waiting for a support policy that no longer holds it" in html
        result = _status()
        assert result.exit_code == 1
        assert "FAILED: Overdue action: 1 call request still waiting" in result.output
        assert worker.run_once().calls_gated == 1
        assert fresh(call).waits_for == "" and _kinds() == {}

        requests.triage_call(call, by=people["protocol"])
        requests.approve_call(call, by=people["officer"])
        scheduling.request_solve(world["pe"], by=people["officer"], days=5, time_limit=2)
    with clock.travel(dt.timedelta(minutes=45)):
        assert _kinds() == {"call_solve": 1}
        assert scheduling.run_pending() == 1
        assert ScheduleRun.objects.get().state == "done"
        assert Invitation.objects.filter(sent_at__isnull=True).count() == 1
        assert _kinds() == {}  # the invitation was queued just now
    with clock.travel(dt.timedelta(minutes=50)):
        assert _kinds() == {"call_invitation": 1}
        assert "1 calendar invitation not sent" in _status().output
        assert worker.run_once().invited == 1
        assert _kinds() == {}
