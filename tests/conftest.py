"""Shared pytest set-up: the database used by tests, and a real browser for e2e tests.

Model fixtures and personas live in ``tests/fixtures.py`` (loaded below once it exists).
Browser tests are marked ``@pytest.mark.e2e`` and use the ``page`` fixture; they drive Debian's
Chromium (/usr/bin/chromium), which ``./run test`` installs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API drives the browser from an asyncio event loop running in this thread, so
# Django's async-safety check sees "a running event loop" and raises SynchronousOnlyOperation on
# any ORM call made by a test (or fixture) that uses the browser. Our tests are plain synchronous
# code, so the check is a false alarm here; this only relaxes it inside the test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Personas and model fixtures (another module). Loaded only once the file exists, so this
# conftest stays importable while tests/fixtures.py is being written.
pytest_plugins = ["tests.fixtures"] if (Path(__file__).parent / "fixtures.py").exists() else []

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these, Chromium tries to reach Google's services, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# --------------------------------------------------------------------------- database


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Run the SQLite half of the suite on a database file, as production does.

    Django's default test database for SQLite is in memory, where ``journal_mode=WAL`` (set by
    ``chancery.env.database_from_url``) cannot apply and locking behaves differently. A file
    next to the configured database (in ``CHANCERY_DATA_DIR``) keeps the test run faithful to
    what ``chancery demo`` runs on. PostgreSQL is left to Django's default ``test_<name>``.
    """
    from django.conf import settings

    for alias, db in settings.DATABASES.items():
        if not str(db.get("ENGINE", "")).endswith("sqlite3"):
            continue
        test = db.setdefault("TEST", {})
        if test.get("NAME") not in (None, "", ":memory:"):
            continue
        name = Path(str(db["NAME"]))
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        suffix = f"_{worker}" if worker else ""
        test["NAME"] = str(name.with_name(f"test_{alias}{suffix}_{name.stem}.sqlite3"))


@pytest.fixture(scope="session", autouse=True)
def _log_keys(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The log's and the witness's signing keys in a temporary folder for the whole run."""
    from django.conf import settings

    folder = tmp_path_factory.mktemp("keys")
    settings.CHANCERY_LOG_KEY_FILE = folder / "log-signing.key"
    settings.CHANCERY_WITNESS_KEY_FILE = folder / "witness-signing.key"


@pytest.fixture(autouse=True)
def _fresh_tile_cache() -> None:
    """Each test's database starts empty, so tiles cached by an earlier test's proofs (a
    process-wide cache, valid for ever against one database) must not leak into the next."""
    from chancery.ledger.sequencer import TILE_CACHE

    TILE_CACHE.clear()


# --------------------------------------------------------------------------- failure reports

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell if the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _test_failed(item: pytest.Item) -> bool:
    reports = item.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


def _screenshot_path(item: pytest.Item) -> Path:
    name = f"{item.path.stem}.{item.name}"
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:200]
    return item.config.rootpath / "test-results" / f"{safe}.png"


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, driven by Playwright (one per test session)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium package. "
            "Run ./run test (as root it installs chromium and the fonts), "
            "or: apt-get install chromium fonts-noto-core fonts-noto-cjk",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context and page; on failure a screenshot goes to test-results/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        if _test_failed(request.node):
            target = _screenshot_path(request.node)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                new_page.screenshot(path=str(target), full_page=True)
                print(f"\nscreenshot of the failed test: {target}")
            except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the failure
                print(f"\ncould not save a screenshot to {target}: {exc}")
        context.close()


# --------------------------------------------------------------------------- password hashing


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Personas get passwords; PBKDF2 at Django's production cost takes ~0.3 s each on this
    machine, which would dominate the suite. Tests of login still run the real auth path with
    a cheap hasher (the documented Django testing practice)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts() -> None:
    """Each test starts with no API requests counted (the counters are per process; ids are
    reused between tests). The login limit counts in the database, rolled back per test."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["throttle"], LocMemCache):  # not the database (no access here)
        caches["throttle"].clear()
