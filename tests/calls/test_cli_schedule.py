"""``chancery calls schedule``: solves in the CLI process with its progress, prints the table."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from django.contrib.auth.models import User

from chancery.calls.models import CallState, Interpreter, ScheduleRun
from chancery.cli import main
from chancery.ledger.models import Event
from tests.calls.test_scheduling import approve


def test_schedule_prints_placed_and_unplaced(
    world: dict[str, Any], people: dict[str, User], interpreter: Interpreter,
) -> None:
    ca = approve(people, world["pm_ca"])
    fr = approve(people, world["pres_fr"], language="fr", by="liaison_fr")
    de = approve(people, world["pres_fr"], language="de", by="liaison_fr")  # no German
    r = CliRunner().invoke(main, ["calls", "schedule", "--principal", "president-elect",
                                  "--days", "4", "--time-limit", "1"])
    assert r.exit_code == 0, r.output
    for c in (ca, fr):
        c.refresh_from_db()
        assert c.state == CallState.SCHEDULED
        assert c.tracking in r.output
    assert "Claire Fontaine" in r.output and "Europe/Paris" in r.output
    assert f"Not placed {de.tracking}" in r.output and "German" in r.output
    run = ScheduleRun.objects.get()
    assert run.state == "done" and run.requested_by is None
    assert Event.objects.filter(kind="schedule.solved").count() == 1


def test_bad_input_exits_2(world: dict[str, Any]) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["calls", "schedule", "--principal", "nobody"])
    assert r.exit_code == 2 and "No principal 'nobody'" in r.output
    r = runner.invoke(main, ["calls", "schedule", "--days", "0"])
    assert r.exit_code == 2 and "days" in r.output
    r = runner.invoke(main, ["calls", "schedule", "--time-limit", "1000"])
    assert r.exit_code == 2 and "time_limit" in r.output
    assert not ScheduleRun.objects.exists()
