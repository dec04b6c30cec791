"""Search in the system Chromium: the principal's office searches in Chinese, htmx swaps the
results in place with the two-character word marked in the original text, the address is
bookmarkable, and the snippet of an Arabic message runs right to left."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from chancery.correspondence import services as messages
from chancery.demo.world import MESSAGES
from tests.live import login
from tests.records.conftest import index_now

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_in_chinese_and_arabic(
    live_server: Any, transactional_db: None, page: Page, people: dict[str, User], submit: Any,
) -> None:
    for lang in ("zh", "ar"):
        m = next(m for m in MESSAGES if m["language"] == lang)
        messages.deliver(submit(body=m["body"], subject=m["subject"], language=lang),
                         by=people["officer"])
    index_now()
    base = live_server.url
    login(page, base, "staffer.pe")
    page.goto(f"{base}/records/search/")
    page.fill("#s-q", "祝贺")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results")
    expect(results).to_contain_text("1 result for")
    expect(results.locator("mark").first).to_have_text("祝贺")
    expect(page).to_have_url(re.compile(r"/records/search/\?q=%E7%A5%9D%E8%B4%BA"))
    page.fill("#s-q", "التهنئة")
    page.get_by_role("button", name="Search").click()
    snippet = results.locator(".snippet")
    expect(snippet.locator("mark").first).to_have_text("التهنئة")
    assert snippet.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.locator(".result-title a").click()
    expect(page).to_have_url(re.compile(r"/messages/CH-\d{4}-\d{6}/$"))
