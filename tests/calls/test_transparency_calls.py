"""The public page's call counts (``calls.transparency.call_counts``): per principal and day of
receipt in the principal's zone, where each request stands now; the columns partition the day's
requests; no names, countries or purposes on the public page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chancery import clock
from chancery.calls.models import CallRequest
from chancery.calls.services import requests
from chancery.calls.services.requests import CallSubmission, submit_call
from chancery.calls.transparency import COLUMNS, call_counts
from chancery.directory.models import Principal
from chancery.testing import body_of, client_for, set_policy

NY = ZoneInfo("America/New_York")


def _submit(world: dict[str, Any], by: User, office: str = "pm_ca",
            principal: str = "president-elect", purpose: str = "A private purpose") -> CallRequest:
    today = clock.now().astimezone(NY).date()
    call, _ = submit_call(
        CallSubmission(principal=principal, office=world[office].pk, purpose=purpose,
                       language="en", earliest=today + dt.timedelta(days=1),
                       latest=today + dt.timedelta(days=5)),
        by=by,
    )
    return call


def _at_ny(hour: int) -> dt.timedelta:
    """How far to move the clock to reach ``hour`` o'clock New York time, later today or
    tomorrow."""
    now = clock.now().astimezone(NY)
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += dt.timedelta(days=1)
    return target - now


def test_counts_per_principal_and_day_by_where_each_request_stands(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    officer, ca, fr = people["officer"], people["liaison_ca"], people["liaison_fr"]
    with clock.travel(_at_ny(22)):
        # 22:00 in New York is 03:00 UTC the next day: it counts on the New York day.
        day = clock.now().astimezone(NY).date()
        assert clock.now().astimezone(dt.UTC).date() != day
        declined = _submit(world, ca)
        requests.decline_call(declined, by=officer, reason="Not this month")
        queued = _submit(world, fr, office="pres_fr")
        requests.triage_call(queued, by=officer)
        _submit(world, ca, principal="vice-president-elect")
        set_policy(world["pe"], Principal.Status.ASCERTAINED)
        _submit(world, ca)  # waits for the policy
        stats = {s.principal.slug: s for s in call_counts()}
    pe = stats["president-elect"]
    assert pe.zone == "America/New_York"
    assert [d.day for d in pe.days] == [day]
    d = pe.days[0]
    assert (d.received, d.waiting, d.queued, d.declined, d.scheduled) == (3, 1, 1, 1, 0)
    # Each request is in exactly one column: the columns add up to what was received.
    assert sum(n for _, n in d.columns()) == d.received
    assert [k for k, _ in d.columns()] == list(COLUMNS)
    assert pe.totals.received == 3
    vpe = stats["vice-president-elect"]
    assert (vpe.totals.received, vpe.totals.queued) == (1, 1)


def test_counting_takes_a_query_per_time_zone(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    for _ in range(5):
        _submit(world, people["liaison_ca"])
    with CaptureQueriesContext(connection) as queries:
        call_counts()
    assert len(queries) <= 3  # the principals, then one per zone (both are in New York's)


def test_the_public_page_shows_the_call_counts_and_nothing_else(
    world: dict[str, Any], people: dict[str, User]
) -> None:
    call = _submit(world, people["liaison_ca"], purpose="Secret agenda about the summit")
    response = client_for(None).get("/transparency/")
    assert response.status_code == 200
    html = body_of(response)
    section = re.search(r'<section id="calls".*?</section>', html, re.S)
    assert section is not None
    table = re.search(r'<table[^>]*data-principal="president-elect".*?</table>',
                      section.group(0), re.S)
    assert table is not None
    assert re.search(r'data-col="received">1<', table.group(0))
    assert re.search(r'data-col="queued">1<', table.group(0))
    for secret in ("Secret agenda", "Trudeau", "Canada", call.tracking):
        assert secret not in section.group(0)
    assert "No call requests received yet." in section.group(0)  # (the vice-president-elect)
