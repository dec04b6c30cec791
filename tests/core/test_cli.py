"""The `chancery` command: demo, import, tokens, principal status (persona-based)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chancery.accounts.models import ApiToken, hash_token
from chancery.cli import main
from chancery.correspondence.models import Message
from chancery.directory.models import Principal
from chancery.ledger.models import Event


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_token_create_prints_a_token_stored_only_as_its_hash(people: dict[str, Any]) -> None:
    result = run_cli("token", "create", "liaison.ca", "--name", "ottawa")
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith(ApiToken.PREFIX)
    token = ApiToken.objects.get(user=people["liaison_ca"])
    assert token.digest == hash_token(secret) and secret not in (token.digest, token.prefix)


def test_token_create_for_unknown_user_fails_clearly(db: Any) -> None:
    result = run_cli("token", "create", "nobody")
    assert result.exit_code != 0
    assert "No user 'nobody'" in result.output


def _rows(world: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "principal": "president-elect",
            "sender_office": world["pres_fr"].pk,
            "channel": "letter",
            "subject": "Félicitations",
            "language": "fr",
            "body": "Monsieur le Président élu, toutes mes félicitations.",
            "received_at": "2020-11-07T13:00:00-05:00",
        },
        {
            "principal": "president-elect",
            "sender_office": world["pm_ca"].pk,
            "channel": "telegram",
            "body": "Congratulations from Ottawa.",
        },
    ]


def test_import_json_is_idempotent(
    tmp_path: Path, world: dict[str, Any], people: dict[str, Any]
) -> None:
    path = tmp_path / "messages.json"
    path.write_text(json.dumps(_rows(world), ensure_ascii=False), encoding="utf-8")
    first = run_cli("import", str(path), "--as", "officer.one")
    assert first.exit_code == 0, first.output
    assert "2 imported" in first.output
    again = run_cli("import", str(path), "--as", "officer.one")
    assert "0 imported, 2 already present" in again.output
    assert Message.objects.count() == 2
    letter = Message.objects.get(channel="letter")
    assert letter.received_at.isoformat() == "2020-11-07T18:00:00+00:00"
    assert letter.tracking.startswith("CH-2020-")


def test_import_csv(tmp_path: Path, world: dict[str, Any], people: dict[str, Any]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["principal", "sender_office", "channel", "body"])
    writer.writeheader()
    writer.writerow(
        {
            "principal": "president-elect",
            "sender_office": world["pm_ca"].pk,
            "channel": "letter",
            "body": "Line one,\nline two, with a comma",
        }
    )
    path = tmp_path / "m.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = run_cli("import", str(path), "--as", "officer.one")
    assert result.exit_code == 0, result.output
    assert Message.objects.get().body == "Line one,\nline two, with a comma"


def test_import_checks_the_whole_file_before_writing(
    tmp_path: Path, world: dict[str, Any], people: dict[str, Any]
) -> None:
    rows = _rows(world)
    rows.append({"principal": "president-elect", "body": "no sender"})
    rows.append({"principal": "president-elect", "sender_office": "x", "body": "bad", "extra": 1})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = run_cli("import", str(path), "--as", "officer.one")
    assert result.exit_code != 0
    assert "row 3: sender_office is missing" in result.output
    assert "row 4: unknown field(s) extra" in result.output
    assert "row 4: sender_office must be an office id" in result.output
    assert Message.objects.count() == 0 and Event.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b'[{"principal": ', "malformed JSON"),
        (b'{"a": 1}', "expected a JSON list"),
    ],
)
def test_import_refuses_unreadable_files(
    tmp_path: Path, people: dict[str, Any], content: bytes, expected: str
) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(content)
    result = run_cli("import", str(path), "--as", "officer.one", "--format", "json")
    assert result.exit_code != 0 and expected in result.output
    assert Message.objects.count() == 0


def test_import_reports_rows_the_rules_refuse(
    tmp_path: Path, world: dict[str, Any], people: dict[str, Any]
) -> None:
    rows = _rows(world)
    rows[1]["principal"] = "nobody"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(path), "--as", "officer.one"])
    assert result.exit_code == 1
    assert "1 imported" in result.output and "row 2: No principal 'nobody'" in result.output


def test_a_liaison_cannot_backdate_imports(
    tmp_path: Path, world: dict[str, Any], people: dict[str, Any]
) -> None:
    rows = [_rows(world)[1] | {"received_at": "2020-11-01T00:00:00+00:00", "channel": "portal"}]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(path), "--as", "liaison.ca"])
    assert result.exit_code != 0
    assert "received_at" in result.output
    assert Message.objects.count() == 0


def test_principal_status_opens_the_gate(
    gated: Principal, people: dict[str, Any], submit: Any
) -> None:
    held = [submit(), submit("Second message")]
    refused = CliRunner().invoke(
        main, ["principal", "status", "president-elect", "ascertained", "--as", "officer.one"]
    )
    assert refused.exit_code != 0 and "admin" in refused.output.lower()
    # Two messages would move: refused, naming the number, until confirmed with a note.
    asked = run_cli("principal", "status", "president-elect", "ascertained", "--as", "admin")
    assert asked.exit_code != 0 and "confirm=2" in asked.output
    assert {m.state for m in Message.objects.filter(pk__in=[m.pk for m in held])} == {"received"}
    result = run_cli(
        "principal", "status", "president-elect", "ascertained", "--as", "admin",
        "--confirm", "2", "--note", "GSA letter",
    )
    assert result.exit_code == 0, result.output
    assert "2 held message(s) delivered" in result.output
    assert {m.state for m in Message.objects.filter(pk__in=[m.pk for m in held])} == {"delivered"}


@pytest.mark.slow
def test_demo_loads_the_world_and_writes_logins(tmp_path: Path) -> None:
    """`chancery demo --no-serve` in a fresh folder, as a new user would run it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHANCERY_DATA_DIR")}
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-m", "chancery.cli", "demo", "--data-dir", str(data), "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    logins = json.loads((data / "demo-logins.json").read_text())["logins"]
    roles = {login["role"] for login in logins}
    assert roles == {
        "Watch officer",
        "Protocol officer",
        "Translator",
        "Principal's office",
        "Foreign liaison",
        "Interpreter",
        "Auditor",
        "Records officer",
        "Administrator",
    }
    assert (data / "demo-logins.json").stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(data / "chancery.sqlite3") as db:
        messages = db.execute("select count(*) from correspondence_message").fetchone()[0]
        held = db.execute(
            "select count(*) from correspondence_hold where is_policy and released_at is null"
        ).fetchone()[0]
        languages = {
            r[0] for r in db.execute("select declared_language from correspondence_message")
        }
    assert messages >= 30 and held == messages  # every message waits, visibly, for ascertainment
    assert {"ar", "he", "zh", "ja", "hi", "uk", "fr", "de"} <= languages
    # Loading again keeps the same world (and the same logins).
    again = subprocess.run(
        [sys.executable, "-m", "chancery.cli", "demo", "--data-dir", str(data), "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert json.loads((data / "demo-logins.json").read_text())["logins"] == logins


@pytest.mark.slow
def test_demo_serves_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """`chancery demo` answers on its port, and SIGTERM stops the server and worker with it."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHANCERY_DATA_DIR")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chancery.cli",
            "demo",
            "--data-dir",
            str(tmp_path / "d"),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:  # noqa: S310
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "demo did not answer within 120 s"
                time.sleep(0.5)
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) == 2  # the web server and the worker
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) is not None
        time.sleep(1)
        for pid in children:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
            ), f"child {pid} still running"
    finally:
        if proc.poll() is None:
            proc.kill()
