"""The test infrastructure itself is real: the database is the one asked for, and a real browser
renders pages, right-to-left and non-Latin scripts included."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- database


@pytest.mark.django_db
def test_database_is_the_one_asked_for() -> None:
    from django.db import connection

    if os.environ.get("CHANCERY_REQUIRE_POSTGRES") == "1":
        # The PostgreSQL pass of ./run test: silently falling back to SQLite would hide bugs.
        assert connection.vendor == "postgresql", (
            f"CHANCERY_REQUIRE_POSTGRES=1 but the tests run on {connection.vendor}; "
            f"DATABASE_URL={os.environ.get('DATABASE_URL')!r}"
        )
    else:
        assert connection.vendor in {"sqlite", "postgresql"}

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            assert str(cursor.fetchone()[0]).lower() == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        else:
            cursor.execute("SHOW server_version_num")
            assert int(cursor.fetchone()[0]) >= 150000
            cursor.execute("SHOW server_encoding")
            assert cursor.fetchone()[0] == "UTF8"


def test_database_round_trips_non_latin_text(db: None) -> None:
    from django.contrib.contenttypes.models import ContentType

    text = "رسالة عاجلة — שלום — 紧急信件 — तत्काल — 긴급 서한"
    ContentType.objects.create(app_label="infra", model=text)
    assert ContentType.objects.get(app_label="infra").model == text


# --------------------------------------------------------------------------- browser

ARABIC_PAGE = """<!doctype html>
<html lang="ar" dir="rtl">
<head><meta charset="utf-8"><title>اختبار البنية — Chancery</title>
<style>body { font: 28px sans-serif; margin: 40px; }</style></head>
<body>
<h1 id="greeting">مرحبا بالعالم</h1>
<p lang="he" dir="rtl">שלום עולם</p>
<p lang="zh">你好，世界</p>
<p lang="ja">こんにちは世界</p>
<p lang="hi">नमस्ते दुनिया</p>
<p lang="ko">안녕하세요 세계</p>
<p lang="en" dir="ltr">Hello, world</p>
</body>
</html>
"""


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = ARABIC_PAGE.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def static_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.e2e
def test_browser_renders_arabic_page(page: Page, static_site: str, tmp_path: Path) -> None:
    page.goto(static_site)
    assert page.title() == "اختبار البنية — Chancery"
    assert page.locator("#greeting").inner_text() == "مرحبا بالعالم"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    shot = tmp_path / "arabic.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 1000


# Two different letters of each script: with no font for the script, both are drawn as the same
# "tofu" box, so identical pixels mean the fonts are missing.
SCRIPT_PAIRS = {
    "Arabic": ("ب", "ع"),
    "Hebrew": ("ש", "ל"),
    "Chinese": ("你", "好"),
    "Japanese kana": ("こ", "ん"),
    "Devanagari": ("न", "म"),
    "Hangul": ("안", "녕"),
}

_GLYPHS_DIFFER_JS = """([a, b]) => {
  const draw = (ch) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'white'; ctx.fillRect(0, 0, 64, 64);
    ctx.fillStyle = 'black'; ctx.font = '40px sans-serif'; ctx.textBaseline = 'middle';
    ctx.fillText(ch, 8, 32);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
  };
  return draw(a) !== draw(b);
}"""


@pytest.mark.e2e
def test_browser_has_fonts_for_every_script(page: Page, static_site: str) -> None:
    page.goto(static_site)
    missing = [
        script
        for script, pair in SCRIPT_PAIRS.items()
        if not page.evaluate(_GLYPHS_DIFFER_JS, list(pair))
    ]
    assert not missing, (
        f"no font renders {', '.join(missing)} (tofu boxes): "
        "install fonts-noto-core fonts-noto-cjk (./run test does as root)"
    )
