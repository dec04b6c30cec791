"""The liaison portal's call request in the system Chromium: from the portal page to the form,
a window in the past answered on the form, a good request to its page with the policy's wait
explained, then released by ascertainment."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from chancery import clock
from chancery.calls.models import CallRequest
from chancery.directory.models import Principal
from chancery.directory.services import set_principal_status
from tests.live import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_liaison_requests_a_call_in_the_browser(
    live_server: Any, transactional_db: None, page: Page, people: dict[str, User],
    gated: Principal,
) -> None:
    base = live_server.url
    login(page, base, "liaison.ca")
    page.goto(f"{base}/portal/")
    page.locator("#portal-calls-link").click()
    expect(page).to_have_url(re.compile(r"/portal-calls/$"))
    page.get_by_role("link", name="Request a call").first.click()
    expect(page.get_by_role("heading", name="Request a call")).to_be_visible()

    page.select_option("#id_office", label="Prime Minister of Canada, Justin Trudeau")
    page.fill("#id_purpose", "Congratulations; climate and the border.")
    page.fill("#id_language", "en")
    page.fill("#id_earliest", "2020-01-01")
    page.fill("#id_latest", "2020-01-03")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#request-errors")).to_contain_text("already past")
    assert not CallRequest.objects.exists()

    today = clock.now().date()
    page.fill("#id_earliest", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_latest", (today + dt.timedelta(days=8)).isoformat())
    page.get_by_role("button", name="Send the request").click()
    call = CallRequest.objects.get()
    expect(page.locator("h1")).to_have_text(call.tracking)
    expect(page.locator("#policy-wait")).to_contain_text("Calls wait for 'Ascertained'")
    expect(page.locator("#call-events tr[data-kind='call.requested']")).to_have_count(1)

    set_principal_status(gated, by=people["admin"], status="ascertained")
    page.reload()
    expect(page.locator("#policy-wait")).to_have_count(0)
    expect(page.locator("#status-text")).to_contain_text("waiting to be triaged")
    expect(page.locator("#call-events tr[data-kind='call.gate_released']")).to_have_count(1)
