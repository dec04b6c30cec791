"""Heartbeats (issue 9, part 1): the silence rule, the recording, ``chancery status``,
``/healthz`` and ``/readyz``, and the processes panel; then a real ``chancery worker`` frozen
with SIGSTOP and thawed with SIGCONT, seen through the command, the probe and both pages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import Browser, expect

from chancery import clock, worker
from chancery.ledger import liveness, sequencer
from chancery.ledger.models import Heartbeat
from chancery.testing import client_for
from tests.live import database_url, login

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _state(name: str) -> liveness.ProcessState:
    return next(p for p in liveness.processes() if p.name == name)


# --------------------------------------------------------------------------- the silence rule


def test_allowed_silence_is_five_intervals_and_at_least_a_minute(settings: Any) -> None:
    settings.CHANCERY_SILENT_AFTER = 0
    assert liveness.allowed_silence(2) == 60
    assert liveness.allowed_silence(0.5) == 60
    assert liveness.allowed_silence(30) == 150
    settings.CHANCERY_SILENT_AFTER = 7.5  # set: the same for every process
    assert liveness.allowed_silence(2) == 7.5
    assert liveness.allowed_silence(30) == 7.5


def test_a_process_is_silent_past_its_allowed_silence(db: Any, settings: Any) -> None:
    settings.CHANCERY_SILENT_AFTER = 0
    settings.CHANCERY_WORKER_INTERVAL = 2.0
    never = _state(liveness.WORKER)
    assert never.never_ran and never.silent and not never.ok
    assert never.interval == 2.0 and never.allowed_silence == 60
    assert never.headline == "The worker has never run (it runs every 2 s once started)."
    assert "holds do not lapse, nothing is escalated" in never.consequence

    assert liveness.record_pass({"expired": 2, "logged": 5}, None, 2.0)
    assert liveness.record_tick(3, 0.5)
    assert _state(liveness.SEQUENCER).did == "integrated 3 entries"  # no log yet
    sequencer.ensure_head()
    assert liveness.record_tick(3, 0.5)
    fresh = _state(liveness.WORKER)
    assert fresh.ok and fresh.age is not None and fresh.age < 5 and fresh.consequence == ""
    assert fresh.did == "expired 2, logged 5" and fresh.pid == os.getpid()
    assert _state(liveness.SEQUENCER).did == "integrated 3 entries, log size 0"

    with clock.travel(dt.timedelta(seconds=59)):
        assert _state(liveness.WORKER).ok  # within 60 s
    with clock.travel(dt.timedelta(minutes=14, seconds=1)):
        late = _state(liveness.WORKER)
        assert late.silent and not late.never_ran and not late.ok
        assert late.headline == "The worker has not run for 14 minutes (it runs every 2 s)."
        assert late.consequence.startswith("While it is stopped, holds do not lapse")
        assert late.as_json(public=True)["message"].startswith("The worker has not run for")
        assert "summary" not in late.as_json(public=True) and "host" not in late.as_json(
            public=True
        )

    # The sequencer alone stopped (the worker's pass still integrates the log, more slowly).
    Heartbeat.objects.filter(name=liveness.SEQUENCER).update(
        at=clock.now() - dt.timedelta(minutes=5)
    )
    alone = _state(liveness.SEQUENCER)
    assert alone.silent and "only with the worker's passes (every 2 s)" in alone.consequence
    Heartbeat.objects.filter(name=liveness.WORKER).update(at=clock.now() - dt.timedelta(hours=1))
    both = _state(liveness.SEQUENCER)
    assert "nothing new enters the public log" in both.consequence

    # A process Chancery does not know is reported by the interval it promised.
    liveness.record("exporter", interval=30, summary={"files": 3})
    other = _state("exporter")
    assert other.ok and other.allowed_silence == 150 and other.did == "files 3"


def test_words_for_durations() -> None:
    assert [liveness.seconds(s) for s in (0, 0.5, 2, 2.25, 20, 75, 840, 7500, 183600)] == [
        "0 s", "0.5 s", "2 s", "2.2 s", "20 s", "75 s", "14 minutes", "2 hours 5 minutes",
        "2 days 3 hours",
    ]


def test_a_stale_checkpoint_is_red_on_the_pages_and_fails_status(
    db: Any, settings: Any, people: dict[str, User]
) -> None:
    settings.CHANCERY_SILENT_AFTER = 0
    settings.CHANCERY_LOG_STALE_AFTER = 300
    assert liveness.checkpoint() is None
    sequencer.ensure_head()
    liveness.record_pass({}, None, 2.0)
    liveness.record_tick(0, 0.5)
    fresh = liveness.checkpoint()
    assert fresh is not None and not fresh.stale and fresh.size == 0
    assert fresh.headline.startswith("Log checkpoint s") and fresh.headline.endswith(" ago.")
    assert _cli_status().exit_code == 0

    with clock.travel(dt.timedelta(minutes=20)):
        for name in (liveness.WORKER, liveness.SEQUENCER):  # the processes run; the log not
            liveness.record(name, interval=2.0, summary={})
        stale = liveness.checkpoint()
        assert stale is not None and stale.stale
        assert stale.headline.startswith("The log's checkpoint was last s")
        assert "20 minutes ago" in stale.headline and "may have stopped" in stale.headline
        result = _cli_status()
        assert result.exit_code == 1
        assert "log        STALE   checkpoint of size 0" in result.output
        assert "FAILED: The log's checkpoint was last" in result.output
        for html in (
            client_for(None).get("/transparency/").content.decode(),
            client_for(people["officer"]).get("/").content.decode(),
        ):
            assert 'data-stale="log"' in html and "may have stopped" in html
            assert "data-silent" not in html


def _cli_status(*args: str) -> Any:
    from click.testing import CliRunner

    from chancery.cli import main

    return CliRunner().invoke(main, ["status", *args], catch_exceptions=False)


# --------------------------------------------------------------------------- recording


def test_a_heartbeat_is_one_statement_and_never_fails_the_caller(
    db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert liveness.record_pass({}, None, 2.0)  # the first: the row is made
    with CaptureQueriesContext(connection) as queries:
        assert liveness.record_pass({"expired": 1}, ValueError("bad row 7"), 2.0)
    writes = [q["sql"] for q in queries.captured_queries if "heartbeat" in q["sql"].lower()]
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    beat = Heartbeat.objects.get(name=liveness.WORKER)
    assert beat.summary == {"done": {"expired": 1}, "error": "ValueError: bad row 7"}
    assert _state(liveness.WORKER).did == "expired 1; the pass failed: ValueError: bad row 7"

    # A heartbeat that cannot be written (a summary the JSON column refuses) is logged, the
    # caller goes on, and its transaction is intact.
    with caplog.at_level(logging.ERROR, logger="chancery.ledger.liveness"):
        assert liveness.record("worker", interval=2, summary={"x": object()}) is False
    assert "could not record the worker heartbeat" in caplog.text
    assert Heartbeat.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_after_every_pass_even_a_failed_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> int:
        raise RuntimeError("the mail server refused")

    worker.register_step("toy.boom", boom, order=-1)

    def broken_hook(*_: Any) -> None:
        raise OSError("a hook that fails")

    worker.register_after_pass("toy.broken", broken_hook)
    monkeypatch.setattr(sequencer, "run_forever", lambda *a, **k: None)  # no thread here
    try:
        with caplog.at_level(logging.ERROR):
            worker.run_forever(interval=0.01, max_passes=2)
    finally:
        worker._STEPS.pop("toy.boom", None)
        worker._AFTER_PASS.pop("toy.broken", None)
    beat = Heartbeat.objects.get(name=liveness.WORKER)
    assert beat.summary["error"] == "RuntimeError: the mail server refused"
    assert beat.interval == 0.01 and beat.pid == os.getpid()
    assert "after-pass hook toy.broken failed" in caplog.text  # logged; the passes went on
    assert caplog.text.count("worker pass failed") == 2


# --------------------------------------------------------------------------- /healthz, /readyz


def test_healthz_answers_without_the_database_or_the_host_check(
    db: Any, django_assert_num_queries: Any, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True  # a probe speaks plain HTTP: no redirect for it
    with django_assert_num_queries(0):
        response = Client().get("/healthz", HTTP_HOST="10.244.1.17:8000")  # a pod's IP
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response
    head = Client().head("/healthz", HTTP_HOST="10.244.1.17:8000")
    assert head.status_code == 200
    assert Client().post("/healthz").status_code == 405
    assert Client().get("/healthz", HTTP_HOST="10.244.1.17:8000", secure=False).status_code == 200


def test_readyz_needs_the_database_and_a_fresh_worker_heartbeat(db: Any, settings: Any) -> None:
    settings.CHANCERY_SILENT_AFTER = 0
    probe = Client()
    response = probe.get("/readyz", HTTP_HOST="10.244.1.17:8000")
    assert response.status_code == 503 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "fail" and body["failed"] == ["worker"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["worker"]["never_ran"] is True
    assert body["checks"]["worker"]["message"].startswith("The worker has never run")

    liveness.record_pass({}, None, 2.0)
    response = probe.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok" and response.json()["failed"] == []
    assert response.json()["checks"]["worker"]["ok"] is True

    with clock.travel(dt.timedelta(seconds=61)):
        stale = probe.get("/readyz")
    assert stale.status_code == 503 and stale.json()["failed"] == ["worker"]
    assert "has not run for" in stale.json()["checks"]["worker"]["message"]


@pytest.fixture
def unreachable_database() -> Iterator[None]:
    """The default connection pointed at a database that is not there (a closed port on
    PostgreSQL, a file in a missing folder on SQLite), then restored."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT="9")  # discard: nothing listens
        connection.settings_dict.setdefault("OPTIONS", {})
        connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "connect_timeout": 2}
    else:
        connection.settings_dict["NAME"] = "/nonexistent/chancery/no.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_its_own_503_when_the_database_is_down(
    unreachable_database: None,
) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["failed"] == ["database", "worker"]
    assert body["checks"]["database"]["message"].startswith("the database did not answer")
    assert Client().get("/healthz").status_code == 200  # liveness does not depend on it


# --------------------------------------------------------------------------- chancery status




def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANCERY_")}
    env.update(
        DATABASE_URL=database_url(),
        CHANCERY_DATA_DIR=str(data),
        CHANCERY_LOG_LEVEL="ERROR",
        **extra,
    )
    return env


def _status(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chancery.cli", "status", *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )


FAST = {
    "CHANCERY_WORKER_INTERVAL": "0.2",
    "CHANCERY_LOG_INTERVAL": "0.1",
    "CHANCERY_SILENT_AFTER": "1.5",
}


def _wait(what: str, ready: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _fresh(name: str, within: float = 1.0) -> bool:
    beat = Heartbeat.objects.filter(name=name).first()
    return beat is not None and (clock.now() - beat.at).total_seconds() < within


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_frozen_worker_is_seen_by_status_readyz_and_both_pages(
    tmp_path: Path,
    settings: Any,
    people: dict[str, User],
    live_server: Any,
    browser: Browser,
) -> None:
    settings.CHANCERY_SILENT_AFTER = float(FAST["CHANCERY_SILENT_AFTER"])
    env = _env(tmp_path, **FAST)

    before = _status(env)
    assert before.returncode == 1
    assert "The worker has never run" in before.stderr
    assert "The log has no signed checkpoint yet" in before.stderr

    proc = subprocess.Popen(
        [sys.executable, "-m", "chancery.cli", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "worker.err").open("wb"),
    )
    staff = client_for(people["officer"])  # signed in before the freeze: no writes after it
    public = Client()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    out = SCREENSHOTS if os.environ.get("CHANCERY_SCREENSHOTS") == "1" else tmp_path
    try:
        _wait("both heartbeats", lambda: _fresh("worker") and _fresh("sequencer"))
        ok = _status(env)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert ok.stdout.startswith("worker     ok")
        assert "sequencer  ok" in ok.stdout and "OK: every process ran" in ok.stdout
        assert f"pid {proc.pid}" in ok.stdout
        assert staff.get("/readyz").status_code == 200
        dashboard = staff.get("/").content.decode()
        assert 'data-ok="true"' in dashboard and "data-silent" not in dashboard
        assert 'data-process="worker"' in dashboard and "last run: " in dashboard
        page.goto(f"{live_server.url}/transparency/")
        expect(page.locator("#liveness [data-process=worker]")).to_contain_text(
            "The worker ran"
        )
        expect(page.locator("#liveness .notice.error")).to_have_count(0)
        page.locator("#liveness").screenshot(path=str(out / "liveness-ok.png"))

        proc.send_signal(signal.SIGSTOP)
        time.sleep(float(FAST["CHANCERY_SILENT_AFTER"]) + 0.6)

        frozen = _status(env)
        assert frozen.returncode == 1, frozen.stdout
        assert "worker     SILENT" in frozen.stdout and "sequencer  SILENT" in frozen.stdout
        assert "FAILED: The worker has not run for" in frozen.stderr
        assert "holds do not lapse, nothing is escalated" in frozen.stderr
        assert "FAILED: The sequencer has not run for" in frozen.stderr
        assert "senders get no proofs" in frozen.stderr
        as_json = json.loads(_status(env, "--json").stdout)
        assert as_json["ok"] is False
        assert [p["name"] for p in as_json["processes"] if p["silent"]] == [
            "worker", "sequencer"
        ]

        readyz = public.get("/readyz")
        assert readyz.status_code == 503 and readyz.json()["failed"] == ["worker"]

        dashboard = staff.get("/").content.decode()
        assert 'data-silent="worker"' in dashboard and 'data-silent="sequencer"' in dashboard
        assert "The worker has not run for" in dashboard
        transparency = public.get("/transparency/").content.decode()
        assert 'data-silent="worker"' in transparency
        assert "While it is stopped, holds do not lapse" in transparency
        assert "pid " not in transparency  # the public sees times, not hosts and processes

        page.goto(f"{live_server.url}/transparency/")
        notice = page.locator("#liveness [data-silent=worker]")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("The worker has not run for")
        expect(notice).to_contain_text("(it runs every 0.2 s)")
        red = notice.locator("strong").evaluate("e => getComputedStyle(e).color")
        assert red == "rgb(148, 37, 20)"  # --bad-text
        page.locator("#liveness").screenshot(path=str(out / "liveness-silent.png"))
        login(page, live_server.url, "officer.one")
        expect(page.locator("#live [data-silent=worker]")).to_contain_text(
            "While it is stopped, holds do not lapse"
        )
        page.screenshot(path=str(out / "liveness-silent-dashboard.png"))

        proc.send_signal(signal.SIGCONT)
        _wait("the thawed worker's heartbeats", lambda: _fresh("worker") and _fresh("sequencer"))
        recovered = _status(env)
        assert recovered.returncode == 0, recovered.stdout + recovered.stderr
        assert public.get("/readyz").status_code == 200
        assert "data-silent" not in staff.get("/").content.decode()
        assert "data-silent" not in public.get("/transparency/").content.decode()
    finally:
        context.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


