"""A log that proves it is alive: the stamp, its age, and what it tells the outside.

The sequencer stamps every new checkpoint (a timestamped cosignature/v1 by the installation's
witness key) and renews the stamp of an idle log every ``CHANCERY_LOG_STAMP_INTERVAL``. These
tests run the real sequencer loop (``sequencer.run_forever`` in a thread, on its own database
connection) against a real HTTP server (pytest-django's live server), with short intervals, and
check what an outside monitor, ``chancery verify`` and a sender's receipt say when it runs and
when it has stopped.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import Browser, expect

from chancery import clock
from chancery.cli import main as cli
from chancery.ledger import keys, monitor, note, sequencer
from chancery.ledger.models import Checkpoint, Event, LogHead
from chancery.ledger.monitor import Monitor, MonitorError
from chancery.ledger.verify import verify_log
from chancery.testing import client_for
from tests.ledger.test_interop import Verify, go_verify
from tests.ledger.test_interop import _ok as go_ok
from tests.live import database_url, login

__all__ = ["go_verify"]  # the Go verifier, built once per session (a fixture)

STAMP_INTERVAL = 0.2


def _head() -> LogHead:
    return LogHead.objects.select_related("checkpoint").get()


def _stamp_time(head: LogHead) -> int:
    return note.cosignature_timestamp(head.stamp)



def _freeze(proc: subprocess.Popen[str]) -> None:
    """SIGSTOP the worker at a moment it holds no write lock: on SQLite a worker frozen in
    the middle of a tick's transaction would keep the database locked for the test itself.
    Frozen, then checked with an immediate write transaction; thawed for a moment and frozen
    again while another process holds the lock."""
    from django.db import connection

    for _ in range(50):
        proc.send_signal(signal.SIGSTOP)
        time.sleep(0.3)
        if connection.vendor != "sqlite":
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("ROLLBACK")
            return
        except Exception:  # noqa: BLE001 - locked by the frozen worker: let it finish
            proc.send_signal(signal.SIGCONT)
            time.sleep(0.2)
    raise AssertionError("the worker kept the database locked")

def _wait(what: str, ready: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _open_served(text: str, head: LogHead) -> tuple[note.Checkpoint, note.OpenedNote]:
    stamp_key = keys.witness_signer().verifier()
    return note.open_checkpoint(text, note.Verifier.from_text(head.vkey), [stamp_key])


@pytest.fixture
def running_sequencer(settings: Any) -> Iterator[threading.Event]:
    """The sequencer loop in a thread, re-stamping every 0.2 s; set the event to stop it."""
    settings.CHANCERY_LOG_STAMP_INTERVAL = STAMP_INTERVAL
    stop = threading.Event()

    def run() -> None:
        try:
            sequencer.run_forever(stop, interval=0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="test-sequencer", daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(10)
        assert not thread.is_alive()


# --------------------------------------------------------------------------- the stamp itself


def test_each_new_checkpoint_is_stamped_in_the_same_move(db: None, submit: Any) -> None:
    head = sequencer.ensure_head()
    assert head.stamp and head.stamped_at is not None  # the empty log is stamped too
    submit("Congratulations.")
    sequencer.integrate_all()
    head = _head()
    assert head.size == 1
    # The stamp cosigns this checkpoint (not the previous one), at the time its row says.
    cp, opened = _open_served(sequencer.served(head), head)
    assert cp.size == 1
    ((name, _kid, ts),) = opened.cosignatures
    assert name == keys.witness_name()
    assert ts == _stamp_time(head) == int(head.stamped_at.timestamp())
    assert abs((clock.now() - head.stamped_at).total_seconds()) < 5
    # A fresh stamp is not renewed; a stale one is, without touching the checkpoint.
    assert sequencer.restamp() is False
    with clock.travel(dt.timedelta(minutes=5)):
        assert sequencer.restamp() is True
    renewed = _head()
    assert renewed.checkpoint_id == head.checkpoint_id and renewed.size == head.size
    assert _stamp_time(renewed) >= _stamp_time(head) + 300
    # The served note: the log's signature first, then the stamp; one well-formed signed note.
    served = sequencer.served(renewed)
    assert served == renewed.checkpoint.note + renewed.stamp
    _open_served(served, renewed)


def test_witness_cosignatures_follow_the_stamp_and_a_self_witness_line_is_dropped(
    db: None, submit: Any
) -> None:
    submit("Congratulations.")
    sequencer.integrate_all()
    head = _head()
    body = note.Checkpoint(head.origin, head.size, bytes(head.checkpoint.root)).body()
    skey, vkey = note.generate_witness_key("witness.example/w1")
    other = note.CosignatureSigner.from_text(skey).cosign(body, 1_700_000_000)
    own_old = keys.witness_signer().cosign(body, 1_600_000_000)  # this installation, earlier
    Checkpoint.objects.filter(pk=head.checkpoint_id).update(
        cosigned=head.checkpoint.note + own_old + other
    )
    head = _head()
    served = sequencer.served(head)
    assert served == head.checkpoint.note + head.stamp + other
    cp, opened = note.open_checkpoint(
        served,
        note.Verifier.from_text(head.vkey),
        [keys.witness_signer().verifier(), note.CosignatureVerifier.from_text(vkey)],
    )
    assert {ts for _n, _k, ts in opened.cosignatures} == {_stamp_time(head), 1_700_000_000}


def test_the_keys_are_published_labelled(client: Any, db: None) -> None:
    head = sequencer.ensure_head()
    stamp_vkey = keys.witness_signer().vkey
    response = client.get("/log/key")
    assert response.content.decode() == head.vkey + "\n"  # one line, as scripts read it
    assert response["Link"] == '</log/timestamp-key>; rel="timestamp-key"'
    timestamp_key = client.get("/log/timestamp-key")
    assert timestamp_key.status_code == 200
    assert timestamp_key.content.decode() == stamp_vkey + "\n"
    assert timestamp_key["Access-Control-Allow-Origin"] == "*"

    runner = CliRunner()  # in this process: its settings, database and keys
    both = runner.invoke(cli, ["log", "key"])
    assert both.exit_code == 0, both.output
    assert both.stdout.splitlines() == [
        f"log key:       {head.vkey}", f"timestamp key: {stamp_vkey}"
    ]
    bare = runner.invoke(cli, ["log", "key", "--only", "timestamp"])
    assert bare.stdout == stamp_vkey + "\n"
    assert runner.invoke(cli, ["log", "key", "--only", "log"]).stdout == head.vkey + "\n"


# --------------------------------------------------------------------------- a live sequencer


@pytest.mark.django_db(transaction=True)
def test_a_running_sequencer_restamps_an_idle_log_and_a_stopped_one_goes_stale(
    live_server: Any, running_sequencer: threading.Event, submit: Any, tmp_path: Path
) -> None:
    base = f"{live_server.url}/log"
    submit("Congratulations.")
    _wait("the event in the log", lambda: LogHead.objects.filter(size=1).exists())
    first = _head()
    vkey, stamp_vkey = first.vkey, keys.witness_signer().vkey
    state = tmp_path / "monitor"
    args = [base, "--key", vkey, "--stamp-key", stamp_vkey, "--state", str(state), "--once"]
    runner = CliRunner()

    # Alive: nothing new arrives, yet the served checkpoint's signed time moves on.
    accepted = runner.invoke(monitor.monitor_command, [*args, "--max-age", "5"])
    assert accepted.exit_code == 0, accepted.output
    assert "on first use" in accepted.stdout and "signed timestamp" in accepted.stdout
    _wait("a renewed stamp", lambda: _stamp_time(_head()) > _stamp_time(first))
    idle = _head()
    assert (idle.size, idle.checkpoint_id) == (first.size, first.checkpoint_id)
    served = requests.get(f"{base}/checkpoint", timeout=10).text
    _cp, opened = _open_served(served, idle)
    assert max(ts for _n, _k, ts in opened.cosignatures) > _stamp_time(first)
    # A re-stamped checkpoint of the same size and root is neither a fork nor a change.
    again = runner.invoke(monitor.monitor_command, [*args, "--max-age", "5"])
    assert again.exit_code == 0, again.output
    assert f"size {idle.size} root " in again.stdout
    assert "unchanged; signed timestamp" in again.stdout

    # Stopped: the stamp is no longer renewed, its age grows, and the monitor fails.
    running_sequencer.set()
    _wait("the sequencer to stop", lambda: not any(
        t.name == "test-sequencer" for t in threading.enumerate()
    ))
    frozen = _head().stamp
    _wait("the stamp to age past 1 s", lambda: time.time() - _stamp_time(_head()) > 1.5, 5)
    assert _head().stamp == frozen
    stale = runner.invoke(monitor.monitor_command, [*args, "--max-age", "1"])
    assert stale.exit_code == 1
    assert "FAILED: the checkpoint at" in stale.stderr and "is stale" in stale.stderr
    assert "sequencer has stopped" in stale.stderr and "stale copy" in stale.stderr
    # An hour later, as a monitor would see it (its clock, not a sleep).
    later = Monitor(
        base, vkey, state, stamp_key=stamp_vkey, max_age=600, clock=lambda: time.time() + 3600
    )
    with pytest.raises(MonitorError, match=r"newest signed timestamp is 1 h old"):
        later.check()


def test_go_opens_the_stamped_checkpoint_and_verifies_the_stamp(
    go_verify: Verify, live_server: Any, transactional_db: None, submit: Any
) -> None:
    """Go's sumdb/note, given the timestamp key as a witness key, verifies the stamp on the
    served checkpoint (and without it, ignores the stamp as an unknown signature)."""
    for n in range(3):
        submit(f"Message {n}.")
    sequencer.integrate_all()
    head = _head()
    base = f"{live_server.url}/log/"
    stamp_vkey = requests.get(base + "timestamp-key", timeout=10).text.strip()
    out = go_ok(go_verify("-key", head.vkey, "-witness", stamp_vkey, "-require-witness", base))
    assert f"{keys.witness_name()}+" in out
    go_ok(go_verify("-key", head.vkey, base))


# --------------------------------------------------------------------------- the monitor


@pytest.fixture
def base(live_server: Any) -> str:
    return f"{live_server.url}/log"


@pytest.mark.django_db(transaction=True)
def test_max_age_needs_a_timestamp_key_and_a_stamp(
    base: str, submit: Any, tmp_path: Path
) -> None:
    submit("Congratulations.")
    sequencer.integrate_all()
    head = _head()
    stamp_vkey = keys.witness_signer().vkey
    with pytest.raises(MonitorError, match="a maximum age needs a key"):
        Monitor(base, head.vkey, tmp_path, max_age=60)
    with pytest.raises(MonitorError, match="timestamp key .* is not usable.*/log/timestamp-key"):
        Monitor(base, head.vkey, tmp_path, stamp_key=head.vkey)  # the log key, not its stamp's
    # Without --max-age the age is reported, not enforced.
    result = Monitor(base, head.vkey, tmp_path, stamp_key=stamp_vkey).check()
    assert result.stamp is not None and result.stamp.timestamp == _stamp_time(head)
    assert "signed timestamp" in result.lines()[0] and " old (" in result.lines()[0]

    # A checkpoint served without its stamp (stripped on the way, or an old server).
    LogHead.objects.update(stamp="")
    mon = Monitor(base, head.vkey, tmp_path, stamp_key=stamp_vkey, max_age=60)
    with pytest.raises(MonitorError, match="carries no timestamped cosignature by any key given"):
        mon.check()
    assert Monitor(base, head.vkey, tmp_path, stamp_key=stamp_vkey).check().age_text == (
        "; no signed timestamp by the given keys"
    )

    # A stamp that does not verify (another checkpoint's) is refused as altered.
    other = keys.witness_signer().cosign(
        note.Checkpoint(head.origin, head.size + 1, bytes(32)).body(), int(time.time())
    )
    LogHead.objects.update(stamp=other)
    with pytest.raises(MonitorError, match="does not verify: invalid signature"):
        mon.check()


@pytest.mark.django_db(transaction=True)
def test_a_witness_timestamp_counts_for_the_age_too(
    base: str, submit: Any, tmp_path: Path
) -> None:
    submit("Congratulations.")
    sequencer.integrate_all()
    head = _head()
    LogHead.objects.update(stamp="")  # only the witness's time
    body = note.Checkpoint(head.origin, head.size, bytes(head.checkpoint.root)).body()
    skey, vkey = note.generate_witness_key("witness.example/w1")
    signed_at = int(time.time()) - 120
    cosigned = head.checkpoint.note + note.CosignatureSigner.from_text(skey).cosign(body, signed_at)
    Checkpoint.objects.filter(pk=head.checkpoint_id).update(cosigned=cosigned)
    fine = Monitor(base, head.vkey, tmp_path, [vkey], max_age=600).check()
    assert fine.stamp is not None and fine.stamp.key == vkey and fine.stamp.age >= 120
    assert "signed timestamp 2 min" in fine.lines()[0]
    with pytest.raises(MonitorError, match=r"is stale: its newest signed timestamp is 2 min"):
        Monitor(base, head.vkey, tmp_path, [vkey], max_age=60).check()


# --------------------------------------------------------------------------- chancery verify


def test_verify_notes_the_stamps_age_and_catches_an_edited_stamp(db: None, submit: Any) -> None:
    submit("Congratulations.")
    sequencer.integrate_all()
    with clock.travel(dt.timedelta(minutes=10)):
        report = verify_log()
    assert report.ok, report.problems
    (stamped,) = [n for n in report.notes if "was stamped" in n]
    # 600 s, or 601: the stamp's time is whole seconds, cut down.
    assert re.search(r"\(size 1\) was stamped 60[01] s ago", stamped) and "stopped" in stamped

    head = _head()
    older = keys.witness_signer().cosign(
        note.Checkpoint(head.origin, 0, bytes(sequencer.merkle.EMPTY_ROOT)).body(),
        _stamp_time(head),
    )
    LogHead.objects.update(stamp=older)  # the empty log's stamp on the head of size 1
    report = verify_log()
    assert any("the log head's stamp does not verify" in p for p in report.problems)


# --------------------------------------------------------------------------- the receipt


def test_the_receipt_says_when_an_event_is_late(
    db: None, submit: Any, people: dict[str, User], settings: Any
) -> None:
    settings.CHANCERY_LOG_PROMISED_LATENCY = 60
    sequencer.ensure_head()
    message = submit("Congratulations.")  # no sequencer runs: the event stays pending
    liaison = client_for(people["liaison_ca"])
    url = f"/portal/{message.tracking}/"

    officer = client_for(people["officer"])
    page = liaison.get(url).content.decode()
    assert "promised within 60 s" in page and "pending integration" in page
    assert 'id="log-late"' not in page
    assert "log: pending" in officer.get(f"/messages/{message.tracking}/").content.decode()

    with clock.travel(dt.timedelta(minutes=12)):
        page = liaison.get(url).content.decode()
        api = liaison.get(f"/api/v1/messages/{message.tracking}/receipt").json()
        history = officer.get(f"/messages/{message.tracking}/").content.decode()
    assert "log: late</span>" in history and "log: pending" not in history
    assert 'id="log-late"' in page and 'class="badge state-rejected">late<' in page
    expected = (
        "This event has waited 12 minutes for the public log; the promised latency is 60 s. "
        "The log&#x27;s sequencer may have stopped."
    )
    assert expected in page
    assert api["log"]["promised_latency_seconds"] == 60
    assert api["log"]["late"] == expected.replace("&#x27;", "'")
    (entry,) = api["log"]["entries"]
    assert entry["late"] is True and entry["index"] is None
    assert 12 * 60 <= entry["waited_seconds"] < 12 * 60 + 30

    # Once the sequencer runs, the event is in the log and nothing is late any more.
    sequencer.integrate_all()
    with clock.travel(dt.timedelta(minutes=12)):
        page = liaison.get(url).content.decode()
        api = liaison.get(f"/api/v1/messages/{message.tracking}/receipt").json()
    assert 'id="log-late"' not in page and "in the log</span> at index" in page
    assert api["log"]["late"] is None
    assert api["log"]["entries"][0]["late"] is False
    assert api["log"]["entries"][0]["waited_seconds"] is None


# --------------------------------------------------------------------------- a real worker




@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_frozen_worker_is_seen_by_the_monitor_and_on_the_receipt(
    tmp_path: Path,
    settings: Any,
    live_server: Any,
    submit: Any,
    people: dict[str, User],
    browser: Browser,
) -> None:
    """A real ``chancery worker`` (its sequencer thread stamps every 0.3 s), frozen with SIGSTOP:
    ``chancery monitor --max-age`` (a process of its own, over HTTP) fails, and a sender's
    receipt says, in red, that the event is late; thawed with SIGCONT, both recover."""
    head = sequencer.ensure_head()  # the keys, copied to the worker's data folder
    data = tmp_path / "data"
    data.mkdir()
    for key in (settings.CHANCERY_LOG_KEY_FILE, settings.CHANCERY_WITNESS_KEY_FILE):
        shutil.copy(key, data / Path(key).name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANCERY_")}
    env.update(
        DATABASE_URL=database_url(),
        CHANCERY_DATA_DIR=str(data),
        CHANCERY_LOG_LEVEL="ERROR",
        CHANCERY_LOG_ORIGIN=settings.CHANCERY_LOG_ORIGIN,
        CHANCERY_WITNESS_NAME=keys.witness_name(),
        CHANCERY_WORKER_INTERVAL="0.2",
        CHANCERY_LOG_INTERVAL="0.1",
        CHANCERY_LOG_STAMP_INTERVAL="0.3",
    )
    settings.CHANCERY_LOG_PROMISED_LATENCY = 2  # the pages are rendered by this process
    stamp_vkey = requests.get(f"{live_server.url}/log/timestamp-key", timeout=10).text.strip()
    state = tmp_path / "monitor"

    def monitor_once(max_age: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable, "-m", "chancery.cli", "monitor", f"{live_server.url}/log",
                "--key", head.vkey, "--stamp-key", stamp_vkey, "--max-age", max_age,
                "--state", str(state), "--once",
            ],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )

    proc = subprocess.Popen(
        [sys.executable, "-m", "chancery.cli", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "worker.err").open("wb"),
    )
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    try:
        first = _stamp_time(_head())
        _wait("the worker's sequencer to stamp", lambda: _stamp_time(_head()) > first, 60)
        alive = monitor_once("5")
        assert alive.returncode == 0, alive.stdout + alive.stderr
        assert "signed timestamp" in alive.stdout

        _freeze(proc)
        message = submit("Congratulations.")  # the worker is frozen: it stays pending
        frozen = _head().stamp
        _wait("the stamp to age past 2 s", lambda: time.time() - _stamp_time(_head()) > 2.5, 10)
        assert _head().stamp == frozen
        stale = monitor_once("2")
        assert stale.returncode == 1, stale.stdout
        assert "FAILED: the checkpoint at" in stale.stderr
        assert "is stale" in stale.stderr and "sequencer has stopped" in stale.stderr

        login(page, live_server.url, "liaison.ca")
        page.goto(f"{live_server.url}/portal/{message.tracking}/")
        late = page.locator("#log-late")
        expect(late).to_contain_text("This event has waited")
        expect(late).to_contain_text("the promised latency is 2 s")
        expect(late).to_contain_text("The log's sequencer may have stopped.")
        red = late.locator("strong").evaluate("e => getComputedStyle(e).color")
        assert red == "rgb(148, 37, 20)"  # --bad-text
        expect(page.locator("tr[data-kind='message.received'] .badge")).to_have_text("late")
        page.locator("#log-status").screenshot(path=str(tmp_path / "receipt-late.png"))

        proc.send_signal(signal.SIGCONT)
        _wait("the event in the log", lambda: Event.objects.filter(
            subject_id=message.pk, seq__isnull=True
        ).count() == 0 and _head().size > head.size, 30)
        _wait("a fresh stamp", lambda: time.time() - _stamp_time(_head()) < 1.5, 10)
        recovered = monitor_once("5")
        assert recovered.returncode == 0, recovered.stdout + recovered.stderr
        page.reload()
        expect(page.locator("#log-late")).to_have_count(0)
        expect(page.locator("tr[data-kind='message.received'] .badge")).to_have_text(
            "in the log"
        )
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


