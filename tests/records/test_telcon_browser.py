"""A telcon through the pages in the system Chromium: the officer drafts it from the call's form,
names a reviewer; the reviewer reviews; the records officer approves and distributes; the
principal's office reads it with its banners and caution notice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from chancery.calls.models import CallRequest
from chancery.records.models import Telcon
from tests.live import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def logout(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_a_telcon_from_draft_to_distribution(
    live_server: Any, page: Page, completed_call: CallRequest, people: dict[str, User]
) -> None:
    base = live_server.url
    login(page, base, "officer.one")
    page.goto(f"{base}/records/telcons/new/{completed_call.tracking}/")
    form = page.locator("#telcon-form")
    takers = form.locator("input[name=note_takers]")
    takers.nth(0).fill("Anna Note")
    takers.nth(1).fill("Ben Taker")
    form.locator("textarea[name=body]").fill("(U) The President-elect thanked the President.")
    form.get_by_role("button", name="Draft the telcon").click()
    expect(page.locator("#telcon-state")).to_have_text("Draft")
    expect(page.locator("#banner-top")).to_have_text("UNCLASSIFIED")
    expect(page.locator("#telcon-caution")).to_contain_text("not a verbatim transcript")
    page.select_option("#act-reviewers select", value=str(people["officer2"].pk))
    page.get_by_role("button", name="Name the reviewers").click()
    expect(page.locator("#telcon-reviewers")).to_have_text("officer.two")
    tracking = Telcon.objects.get().tracking
    logout(page)

    login(page, base, "officer.two")
    page.goto(f"{base}/records/telcons/{tracking}/")
    page.get_by_role("button", name="Reviewed version 1").click()
    expect(page.locator("#telcon-state")).to_have_text("Reviewed")
    logout(page)

    login(page, base, "records.officer")
    page.goto(f"{base}/records/telcons/{tracking}/")
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.locator("#telcon-state")).to_have_text("Approved")
    page.select_option("#act-distribute select", value=str(people["staffer"].pk))
    page.get_by_role("button", name="Distribute").click()
    expect(page.locator("#telcon-state")).to_have_text("Distributed")
    logout(page)

    login(page, base, "staffer.pe")
    page.goto(f"{base}/records/telcons/")
    page.get_by_role("link", name=tracking).click()
    expect(page.locator("#banner-bottom")).to_have_text("UNCLASSIFIED")
    expect(page.locator("#telcon-body")).to_contain_text("thanked the President")
