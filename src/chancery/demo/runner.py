"""``chancery demo``: prepare the data folder, then run the web server and the worker together."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from chancery import bootstrap
from chancery.gunicorn_conf import die_with_parent, gunicorn_argv

DEMO_STATE = bootstrap.DEMO_STATE
LOGINS = "demo-logins.json"


def _clock_offset(path: Path) -> float:
    """A constant offset so the demo clock reads 23 Nov 2020 10:00 ET at first start, and keeps
    flowing continuously across restarts of the same data folder."""
    from chancery.demo import world

    state_file = path / DEMO_STATE
    if state_file.exists():
        return float(json.loads(state_file.read_text())["clock_offset"])
    demo_now = dt.datetime.fromisoformat(world.DEMO_NOW)
    offset = demo_now.timestamp() - time.time()
    state_file.write_text(json.dumps({"clock_offset": offset, "demo_now": world.DEMO_NOW}))
    return offset


def prepare(path: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command

    offset = _clock_offset(path)
    os.environ["CHANCERY_CLOCK_OFFSET"] = repr(offset)
    settings.CHANCERY_CLOCK_OFFSET = offset
    call_command("migrate", verbosity=0, interactive=False)

    from chancery.demo.loader import load_world

    logins_file = path / LOGINS
    if logins_file.exists():
        logins = json.loads(logins_file.read_text())
    else:
        logins = load_world()
        logins_file.write_text(json.dumps(logins, indent=2, ensure_ascii=False))
        logins_file.chmod(0o600)
    # Put the demo world's events in the transparency log now (the worker keeps it up to date),
    # making the log's signing key in the data folder on first start.
    from chancery.ledger.sequencer import ensure_head, integrate_all

    integrate_all()
    head = ensure_head()
    return {
        "logins": logins,
        "logins_file": logins_file,
        "offset": offset,
        "log": {"origin": head.origin, "vkey": head.vkey, "size": head.size},
    }


def _print_banner(url: str, info: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 110))
    console.print(f"\n[bold]Chancery demo[/bold] — November 2020 — open [link={url}]{url}[/link]\n")
    table = Table("role", "username", "password", "opens at")
    seen: set[str] = set()
    for login in info["logins"]["logins"]:
        if login["role"] in seen:
            continue  # one per role here; every login is in the file
        seen.add(login["role"])
        table.add_row(login["role"], login["username"], login["password"], url + login["home"][1:])
    console.print(table)
    console.print(
        f"Logins are also in {info['logins_file']}. API docs: {url}api/v1/docs. Ctrl-C stops."
    )
    console.print(
        "Calls: the leaders' call requests wait for ascertainment (23 Nov 2020, 18:00 ET). "
        f"Record it as admin at {url}admin-tools/principals/; the protocol officer then triages "
        f"and approves them and the worker schedules them: {url}calls/calendar/\n",
        soft_wrap=True,
    )
    log = info["log"]
    console.print(
        f"Transparency log {log['origin']} ({log['size']:,} entries): {url}log/checkpoint, "
        f"public page {url}transparency/\n"
        f"Verifier key: {log['vkey']}\n",
        soft_wrap=True,
    )


CALLS_EVERY = 3.0
"""Seconds between two looks for call requests that ascertainment released (``_calls_step``)."""


def _calls_step() -> None:
    """The protocol officer's part after ascertainment (``demo.calls.schedule_released``):
    triage and approve what the gate released, queue a solve for the worker; and the watch
    officer's as the clock passes the calls' times (``demo.calls.operate_due``): connect, then
    end them. A failure is reported and the demo goes on (the next look tries again)."""
    from django.db import close_old_connections

    from chancery.demo.calls import operate_due, schedule_released

    close_old_connections()
    try:
        moved = schedule_released()
    except Exception as exc:  # noqa: BLE001 - the demo keeps serving; the message says why
        print(f"chancery demo: scheduling the released call requests failed: {exc}",
              file=sys.stderr)
        return
    if moved:
        print(f"chancery demo: {moved} call request{'s' if moved != 1 else ''} released by "
              "ascertainment triaged and approved by protocol.dubois; the worker is solving "
              "the schedule (see /calls/calendar/).")
    try:
        placed = operate_due()
    except Exception as exc:  # noqa: BLE001 - as above
        print(f"chancery demo: connecting or ending the calls that are due failed: {exc}",
              file=sys.stderr)
        return
    if placed:
        print(f"chancery demo: watch.okafor connected or ended {placed} call"
              f"{'s' if placed != 1 else ''} as their time came; each ended call is owed its "
              "telcon and read-out (see /records/).")


def run(path: Path, info: dict[str, Any], *, host: str, port: int, workers: int) -> None:
    # Stop the server and the worker whichever way the demo is stopped: Ctrl-C raises
    # KeyboardInterrupt; make SIGTERM (kill, a service manager, CI) take the same path.
    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    env = dict(os.environ)
    env["CHANCERY_DATA_DIR"] = str(path)
    env["CHANCERY_CLOCK_OFFSET"] = repr(info["offset"])
    procs = [
        # Both die with the demo, even when it is killed with SIGKILL (no orphans on the port).
        subprocess.Popen(gunicorn_argv(host, port, workers), env=env, preexec_fn=die_with_parent),
        subprocess.Popen(
            [sys.executable, "-m", "chancery.cli", "worker"], env=env, stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        ),
    ]
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    _print_banner(f"http://{shown_host}:{port}/", info)
    code = 0
    next_calls = time.monotonic()
    try:
        while True:
            if time.monotonic() >= next_calls:
                _calls_step()
                next_calls = time.monotonic() + CALLS_EVERY
            for proc in procs:
                if proc.poll() is not None:
                    code = proc.returncode or 1
                    name = "web server" if proc is procs[0] else "worker"
                    print(
                        f"chancery demo: the {name} stopped (exit {proc.returncode}).",
                        file=sys.stderr,
                    )
                    raise SystemExit(code)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
