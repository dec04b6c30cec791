"""Helpers for tests that run real ``chancery`` processes or a real browser against the test
database: the database's URL for a child process, and signing in through the login page."""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any

from django.db import connection


def database_url() -> str:
    """A DATABASE_URL for the database this test runs on (the test database), for a child
    process (`chancery worker`, `chancery status`, ...)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(str(db['NAME'])).resolve()}"
    base = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(base._replace(path=f"/{db['NAME']}"))


def login(page: Any, base: str, username: str) -> None:
    """Sign in through the login page as a persona of ``chancery.testing`` (password
    ``pw-<username>``) and wait until the header names the user."""
    from playwright.sync_api import expect

    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who")).to_contain_text(username)
