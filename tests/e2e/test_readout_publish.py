"""Browser test in the system Chromium: the principal's office clears a drafted read-out of a
completed call on its panel and publishes it; the read-out is then in the public Atom feed and
on /readouts/, with no login."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from chancery import clock
from chancery.calls.services.requests import complete_call, record_attempt
from chancery.records.models import Readout
from chancery.records.services import readouts as services
from tests.calls.placed import place
from tests.live import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ATOM = "{http://www.w3.org/2005/Atom}"
BODY = "The President-elect spoke today with President Emmanuel Macron of France."


def test_the_office_clears_and_publishes_a_readout_in_the_browser(
    live_server: Any, transactional_db: None, page: Page, world: dict[str, Any],
    people: dict[str, User],
) -> None:
    start = (clock.now() - dt.timedelta(minutes=40)).replace(second=0, microsecond=0)
    call = place(world, people, at=start, minutes=15)
    record_attempt(call, by=people["officer"], outcome="connected")
    complete_call(call, by=people["officer"], minutes=15)
    v = services.draft_readout(call, by=people["officer"],
                               title="Read-out of the President-elect's call with France",
                               body=BODY)
    readout = v.readout
    base = live_server.url

    login(page, base, "staffer.pe")
    page.goto(f"{base}/records/readouts/{readout.tracking}/")
    expect(page.locator("#publication-rule")).to_contain_text("is not cleared")
    expect(page.locator("#version-1")).to_contain_text(BODY)
    page.get_by_role("button", name="Clear version 1 for publication").click()
    expect(page.locator("#readout-state")).to_have_text("Cleared")
    expect(page.locator("#publication-rule")).to_contain_text("Publishable now")
    page.get_by_role("button", name="Publish version 1 now").click()
    expect(page.locator("#readout-state")).to_have_text("Published")
    expect(page.locator("#readout-events")).to_contain_text("readout.published")
    readout.refresh_from_db()
    assert readout.state == Readout.State.PUBLISHED

    # The public: no login (a fresh context has no session).
    public = page.context.browser.new_page() if page.context.browser else page
    feed = public.request.get(f"{base}/readouts/feed.atom")
    assert feed.ok
    root = ET.fromstring(feed.body())  # noqa: S314 - our own feed
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["Read-out of the President-elect's call with France"]
    public.goto(f"{base}/readouts/")
    public.locator(f'li[data-slug="{readout.slug}"] a').click()
    expect(public).to_have_url(re.compile(rf"/readouts/{readout.slug}/$"))
    expect(public.locator("#readout-body")).to_contain_text(BODY)
    expect(public.locator("#log-entry")).to_contain_text("readout.published")
    expect(public.locator("body")).not_to_contain_text("staffer.pe")  # nobody signed in
    if public is not page:
        public.close()
