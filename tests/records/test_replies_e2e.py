"""A reply in the system Chromium: the principal's office drafts it from the message's page, a
colleague clears it and sends it, and the sender's liaison reads it on its portal message page
and downloads the receipt."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from chancery.accounts.models import Role
from chancery.correspondence import services as messages
from chancery.records.models import Reply
from chancery.testing import make_user
from tests.live import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = "The President-elect thanks the Prime Minister warmly."


def logout(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_a_reply_from_draft_to_the_liaisons_portal(
    live_server: Any, transactional_db: None, page: Page, world: dict[str, Any],
    people: dict[str, User], submit: Any,
) -> None:
    make_user("staffer2.pe", Role.PRINCIPAL_OFFICE, principal=world["pe"])
    message = messages.deliver(submit("Congratulations.", language="en"), by=people["officer"])
    base = live_server.url

    login(page, base, "staffer.pe")
    page.goto(f"{base}/messages/{message.tracking}/")
    expect(page.locator("#replies-panel")).to_contain_text("No reply yet.")
    page.locator("#draft-reply").click()
    page.fill("#reply-body", TEXT)
    page.get_by_role("button", name="Save the draft").click()
    reply = Reply.objects.get()
    expect(page.locator("h1 .tracking")).to_have_text(reply.tracking)
    expect(page.locator("#reply-text")).to_have_text(TEXT)
    expect(page.locator("#actions")).to_contain_text("another person of the principal's office")
    expect(page.locator("#act-clear")).to_have_count(0)
    logout(page)

    login(page, base, "staffer2.pe")
    page.goto(f"{base}/records/replies/{reply.tracking}/")
    page.get_by_role("button", name="Clear version 1").click()
    expect(page.locator("#reply-state")).to_have_text("Cleared")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#reply-state")).to_have_text("Sent")
    expect(page.locator("#history")).to_contain_text("Sent")
    logout(page)

    login(page, base, "liaison.ca")
    page.goto(f"{base}/portal/{message.tracking}/")
    expect(page.locator(f"#reply-{reply.tracking} .reply-text")).to_have_text(TEXT)
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download receipt-{reply.tracking}.json").click()
    receipt = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert receipt["tracking"] == reply.tracking and receipt["text"] == TEXT
