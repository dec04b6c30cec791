#!/usr/bin/env python3
"""Intake benchmark: messages submitted over HTTP to a production-style server (issue 2, §10).

For each database (SQLite in WAL mode, and a durable throwaway PostgreSQL cluster), on a fresh
database: migrate, create one principal, one country with its leader, office and mission, one
liaison bound to that mission and an API token; start gunicorn (several worker processes) on
127.0.0.1; then drive it with wrk at concurrency 16 for a fixed time:

* ``baseline``: POST /bench/baseline, a bare Django view inserting one row (Django's floor);
* ``intake``:   POST /api/v1/messages with the liaison's bearer token, a ~600-character French
  letter and a distinct Idempotency-Key per request (full validation, events and receipt).

It prints requests/s, p50/p99 latency, errors and the ratio to the baseline, checks that every
2xx answer of the intake left exactly one message in the database, reports the server's resident
memory, and cleans everything up (server, cluster, temporary folders), also on Ctrl-C.

    .venv/bin/python bench/intake.py [--db sqlite|postgres|both] [--duration 10] [--workers 4]
                                      [--json results.json]

See bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    BENCH,
    BENCH_SETTINGS,
    PRINCIPAL_SLUG,
    ROOT,
    cpu_split,
    ensure_wrk,
    free_port,
    machine_busy_ticks,
    machine_info,
    mib,
    proc_cpu,
    run_django,
    say,
    tree_memory,
    tree_pids,
    wait_http,
)

PGCLUSTER = ROOT / "scripts" / "pgcluster.py"
INTAKE_PATH = "/api/v1/messages"
BASELINE_PATH = "/bench/baseline"
TARGET_RPS = 1000.0
TARGET_P99_MS = 100.0
TARGET_RATIO = 0.5

SUBJECT = "Félicitations"
BODY = (
    "Monsieur le Président élu,\n\n"
    "C'est avec une grande joie que je vous adresse, au nom du peuple français et en mon nom "
    "personnel, mes plus chaleureuses félicitations pour votre élection à la présidence des "
    "États-Unis d'Amérique. L'amitié entre nos deux nations, née aux heures de la Révolution "
    "américaine et forgée dans les épreuves du siècle dernier, demeure un pilier de la liberté "
    "du monde. Face aux défis communs — le climat, la santé mondiale, la sécurité "
    "internationale — la France se tient prête à œuvrer étroitement avec vous.\n\n"
    "Je vous prie d'agréer, Monsieur le Président élu, l'expression de ma très haute "
    "considération.\n\nEmmanuel Macron"
)

# wrk script: POST a fixed JSON body; a distinct Idempotency-Key per request (run tag, thread id,
# per-thread counter); count answers by status in every thread; done() prints one JSON line.
LUA = r"""
local path = "@PATH@"
local body = [==[@BODY@]==]
local tag = "@TAG@"
local use_key = @USE_KEY@
local headers = { ["Content-Type"] = "application/json" }
if "@TOKEN@" ~= "" then headers["Authorization"] = "Bearer @TOKEN@" end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  statuses = {}
  counter = 0
end

function request()
  counter = counter + 1
  if use_key then
    headers["Idempotency-Key"] = tag .. "-" .. id .. "-" .. counter
  end
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, resp_body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s then
      for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  local pct = {}
  for _, p in ipairs({50, 75, 90, 99, 99.9}) do
    table.insert(pct, string.format('"%s":%.1f', tostring(p), latency:percentile(p)))
  end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%.1f,"percentiles":{%s}},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max, table.concat(pct, ","), table.concat(parts, ",")))
end
"""


class Interrupted(Exception):
    pass


def _on_signal(signum: int, _frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


def lua_script(path: str, body: str, *, token: str, tag: str, use_key: bool) -> str:
    assert "]==]" not in body
    return (
        LUA.replace("@PATH@", path)
        .replace("@BODY@", body)
        .replace("@TAG@", tag)
        .replace("@USE_KEY@", "true" if use_key else "false")
        .replace("@TOKEN@", token)
    )


# --------------------------------------------------------------------------- one database


class Run:
    """Everything started for one database; ``close()`` undoes it, whatever state it is in."""

    def __init__(self, db: str, args: argparse.Namespace) -> None:
        self.db = db
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix=f"chancery-bench-{db}-"))
        self.pg_dir: Path | None = None
        self.server: subprocess.Popen[bytes] | None = None
        self.server_log = self.tmp / "gunicorn.log"
        self.env = self._base_env()

    def _base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in (
            "DATABASE_URL",
            "CHANCERY_SECRET_KEY",
            "GUNICORN_CMD_ARGS",
            "CHANCERY_CLOCK_OFFSET",
        ):
            env.pop(name, None)
        env.update(
            CHANCERY_DATA_DIR=str(self.tmp / "data"),
            CHANCERY_DEBUG="0",
            CHANCERY_LOG_LEVEL="ERROR",
            # Chancery plus the baseline app and its /bench/baseline route (bench/baseline_app).
            DJANGO_SETTINGS_MODULE=BENCH_SETTINGS,
            PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH", "")])),
            PYTHONDONTWRITEBYTECODE="1",
        )
        for item in self.args.server_env:
            name, _, value = item.partition("=")
            env[name] = value
        return env

    # -- database
    def start_database(self) -> None:
        if self.db != "postgres":
            return
        # Its own folder directly in the temp dir: pgcluster hands it to the postgres user, who
        # could not reach it inside our private (0700) folder.
        self.pg_dir = Path(tempfile.mkdtemp(prefix="chancery-bench-pgdata-"))
        result = subprocess.run(
            [sys.executable, str(PGCLUSTER), "start", "--dir", str(self.pg_dir), "--durable"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"scripts/pgcluster.py start failed (exit {result.returncode}):\n{result.stderr}"
            )
        url = result.stdout.strip().splitlines()[-1]
        self.env["DATABASE_URL"] = url
        say(f"PostgreSQL (durable) at {url}")

    # -- server
    def start_server(self) -> int:
        port = free_port()
        # As after `collectstatic` in production (WhiteNoise warns about a missing folder).
        (self.tmp / "data" / "static").mkdir(parents=True, exist_ok=True)
        a = self.args
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            a.app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(a.workers),
            "--worker-class",
            a.worker_class,
            "--threads",
            str(a.threads),
            "--error-logfile",
            str(self.server_log),
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ]
        if a.preload:
            cmd.append("--preload")
        with open(self.server_log, "ab") as log:
            self.server = subprocess.Popen(
                cmd,
                env=self.env,
                cwd=self.tmp,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # Ctrl-C is ours to handle, not gunicorn's
            )
        server = self.server
        try:
            wait_http(
                "127.0.0.1", port, BASELINE_PATH, timeout=60, alive=lambda: server.poll() is None
            )
        except RuntimeError as exc:
            log_text = self.server_log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"gunicorn did not start: {exc}\n{log_text}") from None
        self.port = port
        return port

    def stop_server(self) -> None:
        server, self.server = self.server, None
        if server is None or server.poll() is not None:
            return
        server.terminate()  # gunicorn master: graceful stop of the workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(server.pid, signal.SIGKILL)  # its own session: master and workers
            except ProcessLookupError:
                pass
            server.wait()

    def close(self) -> None:
        try:
            self.stop_server()
        finally:
            try:
                if self.pg_dir is not None:
                    subprocess.run(
                        [sys.executable, str(PGCLUSTER), "stop", "--dir", str(self.pg_dir)],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    shutil.rmtree(self.pg_dir, ignore_errors=True)
            finally:
                shutil.rmtree(self.tmp, ignore_errors=True)

    # -- load
    def wrk(
        self, scenario: str, world: dict[str, Any], *, duration: float, tag: str
    ) -> dict[str, Any]:
        if scenario == "intake":
            payload = {
                "principal": world["principal"],
                "sender_office": world["sender_office"],
                "channel": "api",
                "subject": SUBJECT,
                "body": BODY,
                "language": "fr",
            }
            path, token, use_key = INTAKE_PATH, world["token"], True
        else:
            payload = {"note": "baseline", "body": BODY}
            path, token, use_key = BASELINE_PATH, "", False
        body = json.dumps(payload, ensure_ascii=False)
        script = self.tmp / f"{scenario}-{tag}.lua"
        script.write_text(lua_script(path, body, token=token, tag=tag, use_key=use_key))
        a = self.args
        cmd = [
            a.wrk_bin,
            "-t",
            str(a.wrk_threads),
            "-c",
            str(a.connections),
            "-d",
            f"{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{self.port}{path}",
        ]
        before, busy_before = proc_cpu(), machine_busy_ticks()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self_before = resource.getrusage(resource.RUSAGE_SELF)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = proc.communicate()
        except BaseException:  # Ctrl-C or SIGTERM: no wrk left hammering a stopped server
            proc.kill()
            proc.wait()
            raise
        after, busy_after = proc_cpu(), machine_busy_ticks()
        done = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, reaped: gone from /proc
        self_after = resource.getrusage(resource.RUSAGE_SELF)
        wrk_s = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
        bench_s = (self_after.ru_utime + self_after.ru_stime) - (
            self_before.ru_utime + self_before.ru_stime
        )
        cpu = cpu_split(
            before,
            after,
            {
                "server": tree_pids(after, self.server.pid if self.server else None),
                "database": tree_pids(after, self.postmaster_pid()),
            },
            machine_busy=(busy_after - busy_before) / os.sysconf("SC_CLK_TCK") - wrk_s - bench_s,
        )
        cpu["wrk"] = round(wrk_s, 3)
        result = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
        line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
        if result.returncode != 0 or line is None:
            raise RuntimeError(
                f"wrk failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        raw = json.loads(line.split(" ", 1)[1])
        statuses = {int(k): v for k, v in raw["statuses"].items()}
        ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
        non_2xx = sum(v for k, v in statuses.items() if not 200 <= k < 300)
        sock = {k: v for k, v in raw["errors"].items() if k != "status"}
        seconds = raw["duration_us"] / 1e6
        pct = raw["latency_us"]["percentiles"]
        return {
            "scenario": scenario,
            "requests": raw["requests"],
            "seconds": round(seconds, 3),
            "rps": raw["requests"] / seconds if seconds else 0.0,
            "ok_rps": ok / seconds if seconds else 0.0,
            "p50_ms": pct["50"] / 1000,
            "p75_ms": pct["75"] / 1000,
            "p90_ms": pct["90"] / 1000,
            "p99_ms": pct["99"] / 1000,
            "p999_ms": pct["99.9"] / 1000,
            "mean_ms": raw["latency_us"]["mean"] / 1000,
            "max_ms": raw["latency_us"]["max"] / 1000,
            "statuses": statuses,
            "ok": ok,
            "non_2xx": non_2xx,
            "socket_errors": sock,
            "errors": non_2xx + sum(sock.values()),
            "cpu_s": cpu,
            "server_cpu_ms_per_request": (
                round(cpu["server"] * 1000 / raw["requests"], 3) if raw["requests"] else None
            ),
            "database_cpu_ms_per_request": (
                round(cpu["database"] * 1000 / raw["requests"], 3) if raw["requests"] else None
            ),
            "wrk_stdout": result.stdout,
        }

    def postmaster_pid(self) -> int | None:
        if self.pg_dir is None:
            return None
        try:
            return int((self.pg_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


def bench_database(db: str, args: argparse.Namespace) -> dict[str, Any]:
    run = Run(db, args)
    try:
        run.start_database()
        started = time.monotonic()
        world = run_django("setup", run.env)
        say(
            f"{db}: migrated and set up in {time.monotonic() - started:.1f}s "
            f"({world['vendor']} {world['server_version']}, {world['server_settings']})"
        )
        run.start_server()
        say(f"{db}: gunicorn with {args.workers} {args.worker_class} workers on port {run.port}")
        results = []
        for scenario in ("baseline", "intake"):
            if args.warmup > 0:
                run.wrk(scenario, world, duration=args.warmup, tag=f"warm-{db}")
            time.sleep(1.0)  # let the warm-up's last requests finish before counting
            before = run_django("count", run.env)
            res = run.wrk(scenario, world, duration=args.duration, tag=f"run-{db}")
            # wrk hangs up at the deadline with up to one request per connection in flight; the
            # server still completes those (a message wrk never saw answered). Let them finish.
            time.sleep(max(1.0, 3 * res["max_ms"] / 1000))
            after = run_django("count", run.env)
            column = "messages" if scenario == "intake" else "baseline_rows"
            written = after[column] - before[column]
            res["rows_written"] = written
            # lost: a 2xx answer without its row. in_flight: rows of requests wrk stopped waiting
            # for at the deadline (at most one per connection).
            res["rows_lost"] = max(0, res["ok"] - written)
            res["in_flight_at_stop"] = max(0, written - res["ok"])
            res["count_check"] = (
                "ok"
                if res["rows_lost"] == 0 and res["in_flight_at_stop"] <= args.connections
                else "MISMATCH"
            )
            if scenario == "intake":
                res["events_written"] = after["events"] - before["events"]
            say(
                f"{db} {scenario}: {res['rps']:.0f} req/s, p50 {res['p50_ms']:.1f} ms, "
                f"p99 {res['p99_ms']:.1f} ms, statuses {res['statuses']}, "
                f"socket errors {res['socket_errors']}, rows written {res['rows_written']}"
            )
            results.append(res)
        memory = tree_memory(run.server.pid) if run.server else {}
        log = run.server_log.read_text(errors="replace") if run.server_log.exists() else ""
        return {
            "database": db,
            "server_version": world["server_version"],
            "server_settings": world["server_settings"],
            "results": results,
            "memory": memory,
            "server_log_tail": log[-4000:],
        }
    finally:
        run.close()


# --------------------------------------------------------------------------- report


def print_report(runs: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    """Print the table; return the problems (errors, lost messages)."""
    problems: list[str] = []
    header = [
        "database",
        "scenario",
        "requests/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "ratio to baseline",
        "server CPU ms/req",
    ]
    rows = []
    for run in runs:
        base = next(r for r in run["results"] if r["scenario"] == "baseline")
        for r in run["results"]:
            ratio = r["ok_rps"] / base["ok_rps"] if base["ok_rps"] else 0.0
            r["ratio_to_baseline"] = round(ratio, 3)
            rows.append(
                [
                    run["database"],
                    r["scenario"],
                    f"{r['rps']:,.0f}",
                    f"{r['p50_ms']:.1f}",
                    f"{r['p99_ms']:.1f}",
                    str(r["errors"]),
                    "1.00" if r["scenario"] == "baseline" else f"{ratio:.2f}",
                    f"{r['server_cpu_ms_per_request']:.2f}",
                ]
            )
            if r["errors"]:
                problems.append(
                    f"{run['database']} {r['scenario']}: {r['errors']} errors "
                    f"(statuses {r['statuses']}, socket {r['socket_errors']})"
                )
            if r["count_check"] != "ok":
                problems.append(
                    f"{run['database']} {r['scenario']}: {r['ok']} answers 2xx but "
                    f"{r['rows_written']} rows written (at most {args.connections} more than the "
                    "answers may be in flight when wrk stops; none may be fewer)"
                )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    right = {2, 3, 4, 5, 6, 7}

    def fmt(row: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    print()
    print(
        f"Intake benchmark: wrk, concurrency {args.connections}, {args.duration:g} s per scenario, "
        f"gunicorn {args.workers} x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.threads > 1 else "")
    )
    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(fmt(row))
    print()
    for run in runs:
        intake = next(r for r in run["results"] if r["scenario"] == "intake")
        lost = intake["rows_lost"]
        per_msg = intake["events_written"] / intake["rows_written"] if intake["rows_written"] else 0
        verdict = "none lost" if lost == 0 else f"{lost} LOST"
        if intake["in_flight_at_stop"]:
            verdict += f"; {intake['in_flight_at_stop']} more were in flight when wrk stopped"
        print(
            f"{run['database']}: intake {intake['ok']:,} answers 2xx, "
            f"{intake['rows_written']:,} new messages ({verdict}), {per_msg:.2f} events/message; "
            f"server memory after the run: RSS {mib(run['memory'].get('rss_bytes'))} "
            f"(PSS {mib(run['memory'].get('pss_bytes'))}) over {run['memory'].get('processes', 0)} "
            "processes (gunicorn master + workers)"
        )
    busy = []
    for run in runs:
        for r in run["results"]:
            other = r["cpu_s"]["other"] / r["seconds"] if r["seconds"] else 0.0
            if other > 0.15:
                top = ", ".join(
                    f"{t['comm']} {t['cpu_s']:.1f} s"
                    for t in r["cpu_s"]["other_top"]
                    if t["cpu_s"] >= 0.1
                )
                busy.append(
                    f"{run['database']} {r['scenario']} {other:.0%} of a core"
                    + (f" ({top})" if top else "")
                )
    if busy:
        print(
            "WARNING: other processes (or short-lived ones, or the kernel) used CPU during the "
            "run, so the figures are lower than on an idle machine: " + "; ".join(busy)
        )
    pg = next((r for r in runs if r["database"] == "postgres"), None)
    if pg is not None:
        intake = next(r for r in pg["results"] if r["scenario"] == "intake")
        checks = [
            (
                "≥1,000 msg/s on PostgreSQL",
                f"{intake['ok_rps']:,.0f}",
                intake["ok_rps"] >= TARGET_RPS,
            ),
            (
                f"p99 ≤ {TARGET_P99_MS:.0f} ms",
                f"{intake['p99_ms']:.1f} ms",
                intake["p99_ms"] <= TARGET_P99_MS,
            ),
            (
                f"≥ {TARGET_RATIO}× baseline",
                f"{intake['ratio_to_baseline']:.2f}×",
                intake["ratio_to_baseline"] >= TARGET_RATIO,
            ),
        ]
        print(
            "targets (PostgreSQL intake): "
            + " | ".join(
                f"{name}: {value} {'met' if ok else 'NOT met'}" for name, value, ok in checks
            )
        )
        pg["targets_met"] = all(ok for _, _, ok in checks)
    else:
        print(
            f"targets (PostgreSQL intake): ≥1,000 msg/s, p99 ≤ {TARGET_P99_MS:.0f} ms, "
            f"≥ {TARGET_RATIO}× baseline (run with --db postgres or both to check them)"
        )
    for p in problems:
        print(f"PROBLEM: {p}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario [10]")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of warm-up per scenario [2]"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes [4]")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class [sync]")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread) [1]")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload")
    parser.add_argument(
        "--app",
        default="chancery.wsgi:application",
        help="WSGI application for gunicorn, to measure a variant [chancery.wsgi:application]",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for set-up and server (repeatable), e.g. a settings variant",
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrency [16]")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads [2]")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH")
    parser.add_argument(
        "--check", action="store_true", help="exit 3 when a PostgreSQL target is not met"
    )
    args = parser.parse_args(argv)
    if args.connections < args.wrk_threads:
        parser.error("--connections must be at least --wrk-threads")

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    args.wrk_bin = ensure_wrk()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    runs = []
    try:
        for db in dbs:
            runs.append(bench_database(db, args))
    except (KeyboardInterrupt, Interrupted) as exc:
        say(f"interrupted ({str(exc) or 'SIGINT'}); everything started was stopped and removed")
        return 130
    except RuntimeError as exc:
        say(f"failed: {exc}")
        return 1

    problems = print_report(runs, args)
    machine = machine_info()
    for run in runs:
        if run["database"] == "postgres":
            machine["postgresql"] = run["server_version"]
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
        f"Django {machine['django']}, SQLite {machine['sqlite']}"
        + (f", PostgreSQL {machine['postgresql']}" if "postgresql" in machine else "")
        + f", gunicorn {machine.get('gunicorn', '?')}, {machine.get('wrk', 'wrk')}"
    )
    if args.json:
        config = {k: v for k, v in vars(args).items() if k not in {"json", "wrk_bin"}}
        for run in runs:
            for r in run["results"]:
                r.pop("wrk_stdout", None)
        doc = {
            "benchmark": "intake",
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine,
            "config": config,
            "principal": PRINCIPAL_SLUG,
            "targets": {
                "rps": TARGET_RPS,
                "p99_ms": TARGET_P99_MS,
                "ratio_to_baseline": TARGET_RATIO,
            },
            "runs": runs,
            "problems": problems,
        }
        Path(args.json).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        say(f"results written to {args.json}")
    if problems:
        for run in runs:
            if run["server_log_tail"].strip():
                say(f"{run['database']} server log (tail):\n{run['server_log_tail']}")
        return 1
    if args.check and any(not r.get("targets_met", True) for r in runs):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
