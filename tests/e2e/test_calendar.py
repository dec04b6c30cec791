"""The calendar in Chromium: an officer moves a call to a new time, sees it there, and the
re-solve's progress followed (htmx polling) to the re-solved calendar. Screenshots of the queue
and the calendar (docs/screenshots/calls-*.png when CHANCERY_SCREENSHOTS=1)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from chancery import clock
from chancery.calls.models import BlockedTime, CallRequest, Interpreter, ScheduleRun
from chancery.calls.services import requests, scheduling
from chancery.calls.services.requests import CallSubmission, submit_call
from chancery.directory.models import Country, Leader, Office
from chancery.testing import fresh, make_user
from tests.live import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NY = ZoneInfo("America/New_York")
DAY = dt.date(2020, 11, 25)
"""The Wednesday of the demo's week (the clock reads Monday 23 November 2020)."""


def _office(code: str, country: str, name: str, lang: str, tz: str, title: str,
            kind: str) -> Office:
    c = Country.objects.create(code=code, name=country)
    leader = Leader.objects.create(name=name, languages=[lang], time_zone=tz)
    return Office.objects.create(leader=leader, country=c, kind=kind, title=title)


def _approved(office: Office, language: str, by: User, purpose: str,
              *, approve: bool = True) -> CallRequest:
    call, _ = submit_call(
        CallSubmission(principal="president-elect", office=office.pk, purpose=purpose,
                       language=language, earliest=DAY, latest=DAY + dt.timedelta(days=2)),
        by=by, channel="staff",
    )
    requests.triage_call(call, by=by)
    if approve:
        requests.approve_call(call, by=by)
    return fresh(call)


def test_an_officer_moves_a_call_on_the_calendar_and_sees_the_re_solve(
    live_server: Any, transactional_db: None, page: Page, people: dict[str, User],
    world: dict[str, Any], settings: Any, tmp_path: Path,
) -> None:
    settings.CHANCERY_CLOCK_OFFSET = clock.offset_to(
        dt.datetime(2020, 11, 23, 15, 4, tzinfo=dt.UTC)
    )
    out = SCREENSHOTS if os.environ.get("CHANCERY_SCREENSHOTS") == "1" else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    officer = people["officer"]
    for username, name, langs in (("interpreter.fr", "Claire Fontaine", ["fr"]),
                                  ("interpreter.de", "Jonas Weber", ["de"]),
                                  ("interpreter.ja", "Aiko Tanaka", ["ja"])):
        Interpreter.objects.create(
            user=make_user(username, "interpreter"), name=name, languages=langs,
            time_zone="America/New_York", day_start=dt.time(6), day_end=dt.time(22),
        )
    de = _office("DE", "Germany", "Angela Merkel", "de", "Europe/Berlin",
                 "Chancellor of Germany", Office.Kind.HEAD_OF_GOVERNMENT)
    jp = _office("JP", "Japan", "Yoshihide Suga", "ja", "Asia/Tokyo",
                 "Prime Minister of Japan", Office.Kind.HEAD_OF_GOVERNMENT)
    gb = _office("GB", "United Kingdom", "Boris Johnson", "en", "Europe/London",
                 "Prime Minister of the United Kingdom", Office.Kind.HEAD_OF_GOVERNMENT)
    macron = _approved(world["pres_fr"], "fr", officer, "Alliance and climate")
    _approved(world["pm_ca"], "en", officer, "Neighbours")
    _approved(de, "de", officer, "Transatlantic relations")
    _approved(gb, "en", officer, "Trade")
    _approved(jp, "ja", officer, "Indo-Pacific", approve=False)
    BlockedTime.objects.create(
        principal=world["pe"], label="Transition briefing",
        start=dt.datetime.combine(DAY, dt.time(13), tzinfo=NY),
        end=dt.datetime.combine(DAY, dt.time(14, 30), tzinfo=NY),
    )
    # An officer places Macron at 09:00 on Wednesday; the re-solve places the others.
    scheduling.move_call(macron, dt.datetime.combine(DAY, dt.time(9), tzinfo=NY), by=officer)
    assert scheduling.run_pending() == 1
    base = live_server.url

    login(page, base, "officer.one")
    page.goto(f"{base}/calls/?principal=president-elect")
    expect(page.locator("#queue tbody tr")).to_have_count(5)
    expect(page.locator("#queue tbody tr").first).to_contain_text("Emmanuel Macron")
    page.screenshot(path=str(out / "calls-queue.png"), full_page=True)

    page.get_by_role("link", name="Calendar", exact=True).first.click()
    page.goto(f"{base}/calls/calendar/?principal=president-elect&start=2020-11-24&days=3")
    block = page.locator(f'.cal-call[data-tracking="{macron.tracking}"]')
    expect(block).to_contain_text("09:00–09:30")
    expect(block).to_contain_text("15:00 CET")  # the leader's local time beside it
    expect(block).to_contain_text("Claire Fontaine")
    page.screenshot(path=str(out / "calls-calendar.png"), full_page=True)

    # Move it to 11:30 (17:30 in Paris).
    block.locator("summary", has_text="Move").click()
    block.locator('input[type="datetime-local"]').fill(f"{DAY}T11:30")
    block.get_by_role("button", name="Move here").click()
    expect(page.locator("#solve-progress")).to_contain_text("Re-solving")
    block = page.locator(f'.cal-call[data-tracking="{macron.tracking}"]')
    expect(block).to_contain_text("11:30–12:00")
    expect(block).to_contain_text("17:30 CET")
    expect(block).to_have_class(re.compile(r"\bis-moved\b"))
    run = ScheduleRun.objects.get(state=ScheduleRun.State.QUEUED)
    assert f"run={run.pk}" in page.url

    # The worker runs the solve; the page, polling, shows it finished and the re-solved calendar.
    assert scheduling.run_pending() == 1
    expect(page.locator("#solve-progress")).to_contain_text("Re-solve finished", timeout=10_000)
    expect(page.locator("#solve-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    block = page.locator(f'.cal-call[data-tracking="{macron.tracking}"]')
    expect(block).to_contain_text("11:30–12:00")
    assert fresh(macron).start == dt.datetime.combine(DAY, dt.time(11, 30), tzinfo=NY)
    page.screenshot(path=str(out / "calls-calendar-moved.png"), full_page=True)

    # A refused move says why, in words, and moves nothing.
    block.locator("summary", has_text="Move").click()
    block.locator('input[type="datetime-local"]').fill(f"{DAY}T13:30")
    block.get_by_role("button", name="Move here").click()
    expect(page.locator("#calendar-error")).to_contain_text("blocked")
    expect(page.locator("#calendar-error")).to_contain_text("Nothing was moved")
    assert fresh(macron).start == dt.datetime.combine(DAY, dt.time(11, 30), tzinfo=NY)

    # The call's page: both zones, the action panel, the history.
    page.goto(f"{base}/calls/{macron.tracking}/")
    expect(page.locator("#call-time")).to_contain_text("17:30 CET")
    expect(page.locator("#history")).to_contain_text("rescheduled", ignore_case=True)
    page.screenshot(path=str(out / "calls-call.png"), full_page=True)
