"""Operating Chancery: process supervision and a lost database (issue 9, part 5).

Real processes throughout: ``chancery serve`` (gunicorn) and ``chancery worker`` as
subprocesses, ``kill -9`` of gunicorn's master, a database that goes away under a running
server (PostgreSQL: a dedicated cluster stopped with ``pg_ctl``, then started again; SQLite: the
database's folder moved away and back), and ``systemd-analyze verify`` on the unit files.

Each test runs against the engine of the run (``DATABASE_URL``): on PostgreSQL a database of
its own on the run's cluster (or a cluster of its own for the outage), on SQLite a file of its
own, so the suite's own databases are never touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import Client, override_settings

from chancery.outages import database_unavailable

ROOT = Path(__file__).resolve().parents[2]
PGCLUSTER = ROOT / "scripts" / "pgcluster.py"
DEPLOY = ROOT / "deploy" / "systemd"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
RETRY_AFTER = "7"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Nothing listens on the port (bound as gunicorn binds it, with SO_REUSEADDR, so the
    TIME_WAIT of closed connections does not count)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def http(url: str, token: str | None = None) -> tuple[int, dict[str, str], str]:
    """GET ``url``: status, headers (lower-cased names) and body; 0 when nothing answers."""
    request = urllib.request.Request(url)  # noqa: S310 - http://127.0.0.1 only
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with OPENER.open(request, timeout=60) as r:  # a first request loads the app
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, {}, ""


def wait_for(what: str, check: Callable[[], bool], timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            output = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            pytest.fail(f"not within {timeout} s: {what}\n{output}")
        time.sleep(0.1)


def base_env(data: Path, url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CHANCERY_") and k != "DATABASE_URL" and "proxy" not in k.lower()
    }
    env.update(
        CHANCERY_DATA_DIR=str(data),
        DATABASE_URL=url,
        CHANCERY_LOG_LEVEL="WARNING",
        CHANCERY_UNAVAILABLE_RETRY_AFTER=RETRY_AFTER,
        PYTHONUNBUFFERED="1",
    )
    return env


SET_UP = """
import sys
from chancery.bootstrap import setup
setup(None)
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from django.contrib.auth.models import User
from chancery.accounts.models import ApiToken
user = User.objects.create_superuser("ops", "ops@example.invalid", "not-used")
from chancery.accounts.models import Role
from chancery.testing import make_user
make_user("officer", Role.WATCH_OFFICER, password="pw-officer")
print(ApiToken.issue(user, name="ops")[1])
"""


def set_up(env: dict[str, str]) -> str:
    """Migrate the database, make a superuser and a watch officer (password pw-officer);
    return an API token of the superuser's."""
    proc = subprocess.run(
        [sys.executable, "-c", SET_UP], env=env, capture_output=True, text=True, timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


class Process:
    """A long-running ``chancery`` command in a session of its own (so that cleanup can end
    whatever it left behind), its output in a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "chancery.cli", *args],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to what is left of its session (workers included)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Server(Process):
    def __init__(self, env: dict[str, str], log: Path, port: int, workers: int = 1) -> None:
        super().__init__(
            env, log, "serve", "--no-migrate", "--port", str(port), "--workers", str(workers)
        )
        self.base = f"http://127.0.0.1:{port}"

    def wait_answering(self, path: str = "/static/web/chancery.css") -> None:
        """Until ``path`` answers 200 (the default, a static file, touches no database)."""

        def answers() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"chancery serve exited ({self.proc.returncode}):\n{self.output()}")
            return http(self.base + path)[0] == 200

        wait_for(f"chancery serve answering {path}", answers, 60, self.log)


# --------------------------------------------------------------------------- databases


def _psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(sql)


def _with_name(url: str, name: str) -> str:
    head, _, tail = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{tail}" if tail else "")


class Template:
    """A migrated database with a superuser and their API token, to copy (migrating takes
    seconds; copying does not): a file on SQLite, a template database on the run's cluster."""

    def __init__(self, location: str, token: str) -> None:
        self.location = location
        self.token = token


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    data = tmp_path_factory.mktemp("ops-template")
    if ON_POSTGRES:
        name = f"ops_tpl_{secrets.token_hex(4)}"
        _psql_admin(f'CREATE DATABASE "{name}"')
        try:
            token = set_up(base_env(data, _with_name(os.environ["DATABASE_URL"], name)))
            yield Template(name, token)
        finally:
            _psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = data / "template.sqlite3"
        token = set_up(base_env(data, f"sqlite:///{path}"))
        yield Template(str(path), token)


def _copy_sqlite(template: Template, folder: Path) -> str:
    """A copy of the template in ``folder`` (made); its URL."""
    folder.mkdir()
    shutil.copyfile(template.location, folder / "chancery.sqlite3")
    return f"sqlite:///{folder / 'chancery.sqlite3'}"


@pytest.fixture
def server_env(template_db: Template, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a ``chancery`` process with a migrated database of its own."""
    data = tmp_path / "data"
    data.mkdir()
    if ON_POSTGRES:
        name = f"ops_{secrets.token_hex(4)}"
        _psql_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_db.location}"')
        try:
            yield base_env(data, _with_name(os.environ["DATABASE_URL"], name))
        finally:
            _psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield base_env(data, _copy_sqlite(template_db, tmp_path / "db"))


# --------------------------------------------------------------------------- process groups


def test_web_workers_die_with_a_killed_master_and_serve_restarts(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    """``kill -9`` of gunicorn's master: its workers go within seconds (they used to keep the
    port and serve for up to 30 s), and a new ``chancery serve`` on the same port answers."""
    port = free_port()
    first = Server(server_env, tmp_path / "serve-1.out", port, workers=2)
    second: Server | None = None
    try:
        first.wait_answering()
        # chancery serve exec'd gunicorn: the pid we started is the master.
        assert b"gunicorn" in Path(f"/proc/{first.pid}/cmdline").read_bytes()
        wait_for("two gunicorn workers", lambda: len(children(first.pid)) == 2, 30, first.log)
        workers = children(first.pid)

        os.kill(first.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        started = time.monotonic()
        wait_for(
            "the orphaned workers to exit and free the port",
            lambda: not any(alive(w) for w in workers) and port_is_free(port),
            5, first.log,
        )
        assert time.monotonic() - started < 5

        second = Server(server_env, tmp_path / "serve-2.out", port, workers=1)
        second.wait_answering("/login/")  # a page: the database, templates, sessions
        status, _, body = http(second.base + "/login/")
        assert status == 200 and "Sign in" in body
        assert "Address already in use" not in second.output()
    finally:
        first.stop()
        print(f"--- the first chancery serve's output ---\n{first.output()}")
        if second is not None:
            second.stop()
            print(f"--- the second chancery serve's output ---\n{second.output()}")


def test_worker_stops_cleanly_on_sigterm(server_env: dict[str, str], tmp_path: Path) -> None:
    """``chancery worker`` (no child processes, a sequencer thread) ends on SIGTERM, as a
    supervisor stops it, the way Ctrl-C ends it: exit 0, saying so."""
    env = dict(server_env, CHANCERY_WORKER_INTERVAL="0.2")
    worker = Process(env, tmp_path / "worker.out", "worker")
    try:
        wait_for("the worker running", lambda: "worker running" in worker.output(), 60,
                 worker.log)
        assert children(worker.pid) == []
        time.sleep(0.5)  # a pass or two
        worker.proc.send_signal(signal.SIGTERM)
        assert worker.proc.wait(timeout=15) == 0, worker.output()
        assert "Chancery worker stopped." in worker.output()
    finally:
        worker.stop()


# --------------------------------------------------------------------------- database outage


class SqliteOutage:
    """The database's folder moved away (every new connection fails: "unable to open database
    file"), then back."""

    def __init__(self, tmp_path: Path, template: Template) -> None:
        self.folder = tmp_path / "db"
        self.url = _copy_sqlite(template, self.folder)
        self.token = template.token

    def take_down(self) -> None:
        self.folder.rename(self.folder.with_name("db-away"))

    def bring_back(self) -> None:
        self.folder.with_name("db-away").rename(self.folder)

    def close(self) -> None:
        pass


class PostgresOutage:
    """A PostgreSQL cluster of this test's own (scripts/pgcluster.py), stopped and started
    again on the same port: the run's cluster is never disturbed."""

    def __init__(self) -> None:
        # In /tmp itself: the postgres user must reach the folder (pytest's are root-only).
        self.dir = Path(tempfile.mkdtemp(prefix="chancery-ops-pg-"))
        self.url = self._pgcluster("start", "--dir", str(self.dir)).strip()
        self.port = self.url.rsplit(":", 1)[1].split("/", 1)[0]
        self.token = ""

    def _pgcluster(self, *args: str) -> str:
        proc = subprocess.run(
            [sys.executable, str(PGCLUSTER), *args],
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout

    def take_down(self) -> None:
        self._pgcluster("stop", "--dir", str(self.dir), "--keep")

    def bring_back(self) -> None:
        self._pgcluster("start", "--dir", str(self.dir), "--port", self.port)

    def close(self) -> None:
        self._pgcluster("stop", "--dir", str(self.dir))


@pytest.fixture
def outage(template_db: Template, tmp_path: Path) -> Iterator[SqliteOutage | PostgresOutage]:
    target: SqliteOutage | PostgresOutage = (
        PostgresOutage() if ON_POSTGRES else SqliteOutage(tmp_path, template_db)
    )
    try:
        yield target
    finally:
        target.close()


def test_database_outage_answers_503_with_retry_after_then_recovers(
    outage: SqliteOutage | PostgresOutage, tmp_path: Path
) -> None:
    """While the database is unreachable under a running ``chancery serve``, the API answers a
    JSON 503 in the API's error shape with Retry-After and the pages a plain "temporarily
    unavailable" page (503, Retry-After); once it is back, both answer 200. The outage is
    logged once, and its end."""
    data = tmp_path / "data"
    data.mkdir()
    env = base_env(data, outage.url)
    token = outage.token or set_up(env)  # the cluster of its own starts empty
    server = Server(env, tmp_path / "serve.out", free_port(), workers=1)
    api, page = server.base + "/api/v1/principals", server.base + "/transparency/"
    try:
        server.wait_answering()
        if ON_POSTGRES:
            # The worker keeps its connection: the stop breaks it under the next request.
            assert http(api, token)[0] == 200
        outage.take_down()

        for _ in range(2):  # a broken connection, then a refused one (PostgreSQL)
            status, headers, body = http(api, token)
            assert status == 503, body
            assert headers["content-type"].startswith("application/json")
            assert headers["retry-after"] == RETRY_AFTER
            answer = json.loads(body)
            assert answer["error"] == "unavailable"
            assert "database is unreachable" in answer["detail"]
            assert f"retry in {RETRY_AFTER} s" in answer["detail"]

        status, headers, body = http(page)
        assert status == 503
        assert headers["content-type"].startswith("text/html")
        assert headers["retry-after"] == RETRY_AFTER
        assert "<h1>Chancery is temporarily unavailable</h1>" in body
        assert f"Try again in {RETRY_AFTER} seconds" in body

        outage.bring_back()
        wait_for("the API answering 200 again", lambda: http(api, token)[0] == 200, 30,
                 server.log)
        status, _, body = http(page)
        assert status == 200 and "<h1>Chancery is temporarily unavailable" not in body
    finally:
        server.stop()
        print(f"--- chancery serve's output ---\n{server.output()}")  # shown if the test fails
    log = server.output()
    assert len(re.findall(r"database unreachable", log)) == 1, log
    assert "database reachable again" in log, log
    assert "Internal Server Error" not in log and "Traceback" not in log, log


def test_the_worker_logs_a_database_outage_once_and_resumes(
    outage: SqliteOutage | PostgresOutage, tmp_path: Path
) -> None:
    """While the database is unreachable, ``chancery worker`` (its passes, its sequencer thread,
    its heartbeat) logs the outage once, not a traceback every pass, and says when the database
    is back; it goes on by itself and stops cleanly."""
    data = tmp_path / "data"
    data.mkdir()
    env = dict(base_env(data, outage.url), CHANCERY_WORKER_INTERVAL="0.2",
               CHANCERY_LOG_INTERVAL="0.2")
    if not outage.token:
        set_up(env)
    database = outage.url.removeprefix("sqlite:///")
    if not ON_POSTGRES:
        # A SQLite connection already open keeps reading a moved file: make the database
        # unopenable before the worker starts. Its path becomes a symbolic link to a folder;
        # bringing it back replaces the link in one rename (a gap with no file at the path
        # would let SQLite create an empty database there).
        Path(database).rename(f"{database}.away")
        Path(f"{database}.folder").mkdir()
        Path(database).symlink_to(f"{database}.folder")
    worker = Process(env, tmp_path / "worker.out", "worker")
    try:
        wait_for("the worker running", lambda: "worker running" in worker.output(), 60,
                 worker.log)
        if ON_POSTGRES:
            time.sleep(1)
            outage.take_down()
        time.sleep(2)  # ten passes and ticks or so, each failing
        if ON_POSTGRES:
            outage.bring_back()
        else:
            Path(f"{database}.link").symlink_to(f"{database}.away")
            os.replace(f"{database}.link", database)
        wait_for("the worker noticing the database back",
                 lambda: "database reachable again" in worker.output(), 60, worker.log)
        worker.proc.send_signal(signal.SIGTERM)
        assert worker.proc.wait(timeout=15) == 0
    finally:
        worker.stop()
        print(f"--- chancery worker's output ---\n{worker.output()}")
    log = worker.output()
    assert len(re.findall("database unreachable", log)) == 1, log
    assert re.search(r"database reachable again after [0-9.]+ s \([0-9]+ failure", log), log
    for noise in ("Traceback", "worker pass failed", "sequencer batch failed", "could not record"):
        assert noise not in log, noise


REFRESH = "() => { htmx.ajax('GET', '/', {source: '#live', target: '#live', swap: 'outerHTML'}); }"
"""The dashboard's background refresh (hx-trigger="every 15s"), now."""


@pytest.mark.e2e
def test_the_dashboard_says_when_its_refresh_fails(
    outage: SqliteOutage | PostgresOutage, tmp_path: Path, page: Any
) -> None:
    """The dashboard refreshes itself in the background. When a refresh meets the outage's 503,
    or no server at all, the page says so in red above what it still shows (instead of going
    silently out of date); a refresh that succeeds again takes the notice away (Chromium)."""
    from playwright.sync_api import expect

    data = tmp_path / "data"
    data.mkdir()
    env = base_env(data, outage.url)
    if not outage.token:
        set_up(env)
    server = Server(env, tmp_path / "serve.out", free_port(), workers=1)
    try:
        server.wait_answering()
        page.goto(server.base + "/login/")
        page.fill("#id_username", "officer")
        page.fill("#id_password", "pw-officer")
        page.click("button[type=submit]")
        expect(page.locator("#live")).to_be_visible()
        notice = page.locator("#connection-notice")
        expect(notice).to_be_hidden()

        outage.take_down()
        # A reload (SIGHUP) replaces the worker: a SQLite file it already had open would stay
        # readable (on PostgreSQL the stop breaks the kept connection anyway).
        before = set(children(server.pid))
        os.kill(server.pid, signal.SIGHUP)
        wait_for(
            "gunicorn's new worker",
            lambda: bool(children(server.pid)) and not set(children(server.pid)) & before,
            60, server.log,
        )
        page.evaluate(REFRESH)
        expect(notice).to_be_visible(timeout=60_000)
        expect(notice).to_contain_text("Chancery is temporarily unavailable")
        expect(notice).to_contain_text(f"(try again in {RETRY_AFTER} s)")
        expect(notice).to_contain_text("What this page shows may be out of date.")
        expect(page.locator("#live")).to_be_visible()  # the dashboard stays, under the notice

        outage.bring_back()
        deadline = time.monotonic() + 30
        while notice.is_visible():
            assert time.monotonic() < deadline, "the notice stayed after the database came back"
            page.evaluate(REFRESH)
            time.sleep(0.5)

        os.kill(server.pid, signal.SIGKILL)
        wait_for("the server gone", lambda: port_is_free(int(server.base.rsplit(":", 1)[1])),
                 10, server.log)
        page.evaluate(REFRESH)
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Chancery cannot be reached: the server does not answer.")
    finally:
        server.stop()
        print(f"--- chancery serve's output ---\n{server.output()}")


# --------------------------------------------------------------------------- in the process


@pytest.fixture
def unreachable_database() -> Iterator[None]:
    """The test process's own connection pointed at nothing that answers (a folder that does
    not exist; a port nobody listens on), for the request; then back."""
    conn = connections["default"]
    conn.close()
    saved = dict(conn.settings_dict)
    if conn.vendor == "sqlite":
        conn.settings_dict["NAME"] = str(Path(tempfile.gettempdir()) / "no-such-folder" / "x.db")
    else:
        conn.settings_dict["HOST"], conn.settings_dict["PORT"] = "127.0.0.1", str(free_port())
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_an_outage_met_inside_another_middleware_is_a_503_too(
    unreachable_database: None,
) -> None:
    """Django answers 500 for an error raised in a middleware before an outer middleware can
    catch it; the outermost middleware still answers 503. Django's own RemoteUserMiddleware
    authenticates (a database query) in the middleware, before any view."""
    client = Client(raise_request_exception=False)
    middleware = [
        "chancery.web.outage.DatabaseUnavailableMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.auth.middleware.RemoteUserMiddleware",
    ]
    with override_settings(
        MIDDLEWARE=middleware,
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.RemoteUserBackend"],
    ):
        response: Any = client.get("/api/v1/principals", REMOTE_USER="ops")
        assert response.status_code == 503
        assert response.json()["error"] == "unavailable"
        assert response["Retry-After"] == str(30)
        response = client.get("/transparency/", REMOTE_USER="ops")
        assert response.status_code == 503
        assert b"<h1>Chancery is temporarily unavailable</h1>" in response.content
    # The usual middleware, and the view meeting the outage.
    response = client.get("/transparency/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    response = client.get("/log/checkpoint")
    assert response.status_code == 503 and response["Content-Type"].startswith("text/plain")


def test_only_a_lost_database_counts_as_an_outage() -> None:
    """A database that cannot be reached (or is busy) is an outage; a schema fault is not,
    and neither is any other error, unless it was raised from a lost database."""
    refused = OperationalError('connection failed: connection to server at "127.0.0.1", '
                               "port 5432 failed: Connection refused")
    assert database_unavailable(refused) is refused
    assert database_unavailable(OperationalError("unable to open database file")) is not None
    assert database_unavailable(OperationalError("database is locked")) is not None
    closed = InterfaceError("connection already closed")
    assert database_unavailable(closed) is closed
    assert database_unavailable(OperationalError("no such table: ledger_event")) is None
    assert database_unavailable(ValueError("bad")) is None
    wrapped = RuntimeError("while rendering")
    wrapped.__cause__ = refused
    assert database_unavailable(wrapped) is refused


# --------------------------------------------------------------------------- systemd units

VENV_IN_UNITS = "/opt/chancery/venv"


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file: section -> key -> values (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"{path.name}:{number}: no continuation lines, please"
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}:{number}: {raw!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def check_command(line: str) -> list[str]:
    """An Exec line's program exists; a ``chancery`` command line is one the CLI accepts."""
    from chancery.cli import main

    argv = shlex.split(line.lstrip("-@+!:"))
    if argv[0] == f"{VENV_IN_UNITS}/bin/chancery":
        assert argv[1] in main.commands, f"no command `chancery {argv[1]}`"
        command = main.commands[argv[1]]
        command.make_context(argv[1], argv[2:])  # raises on an option it does not take
    else:
        assert Path(argv[0]).is_file(), f"{argv[0]} does not exist"
    return argv


@pytest.mark.parametrize(
    ("unit_name", "command"),
    [("chancery-web.service", "serve"), ("chancery-worker.service", "worker")],
)
def test_systemd_unit(unit_name: str, command: str) -> None:
    """The unit restarts its program, stops its whole control group, runs as its own user with
    its state folder, and names commands that exist."""
    unit = read_unit(DEPLOY / unit_name)
    service = unit["Service"]
    assert service["Restart"] == ["always"]
    assert service["KillMode"] == ["control-group"]
    assert service["User"] == ["chancery"] and service["Group"] == ["chancery"]
    assert service["StateDirectory"] == ["chancery"]
    assert service["Environment"] == ["CHANCERY_DATA_DIR=/var/lib/chancery"]
    assert service["EnvironmentFile"] == ["/etc/chancery/chancery.env"]
    assert service["NoNewPrivileges"] == ["yes"] and service["ProtectSystem"] == ["strict"]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    start = check_command(service["ExecStart"][0])
    assert start[1] == command
    for key in ("ExecStartPre", "ExecReload"):
        for line in service.get(key, []):
            check_command(line)
    if command == "serve":
        assert shlex.split(service["ExecStartPre"][0])[1:] == ["migrate"]
        assert "--no-migrate" in start  # migrated once, by ExecStartPre
    else:
        assert "chancery-web.service" in " ".join(unit["Unit"]["After"])


def test_systemd_status_check_every_minute() -> None:
    """``chancery status`` as a oneshot unit (failed when it exits 1), started by a timer."""
    unit = read_unit(DEPLOY / "chancery-status.service")
    service = unit["Service"]
    assert service["Type"] == ["oneshot"] and service["User"] == ["chancery"]
    assert service["EnvironmentFile"] == ["/etc/chancery/chancery.env"]
    assert check_command(service["ExecStart"][0])[1:] == ["status"]
    timer = read_unit(DEPLOY / "chancery-status.timer")
    assert timer["Timer"]["OnUnitActiveSec"] == ["1min"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_systemd_units_verify(tmp_path: Path) -> None:
    """``systemd-analyze verify`` accepts the units (with this checkout's virtualenv in place
    of /opt/chancery/venv, so that the programs they run exist). Where systemd is not
    installed, the parse of test_systemd_unit is the check."""
    venv = Path(sys.prefix)
    assert (venv / "bin" / "chancery").is_file(), f"no chancery in {venv}/bin"
    units = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
    assert len(units) == 4, units
    for unit in units:
        (tmp_path / unit.name).write_text(unit.read_text().replace(VENV_IN_UNITS, str(venv)))
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    proc = subprocess.run(
        [analyze, "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True, text=True, timeout=60, check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "chancery" not in output, output  # no warning about our units


def test_environment_example_names_documented_settings() -> None:
    """Every variable in chancery.env.example is one docs/operations.md documents."""
    documented = (ROOT / "docs" / "operations.md").read_text()
    names = []
    for line in (DEPLOY / "chancery.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name) and value, line
            names.append(name)
    assert "DATABASE_URL" in names and "CHANCERY_SECRET_KEY" in names
    missing = [n for n in names if f"| `{n}` |" not in documented]
    assert not missing, f"not in the settings table of docs/operations.md: {missing}"
