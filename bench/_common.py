"""Helpers shared by the benchmarks in bench/ (stdlib only on the driver side).

Two halves:

* Driver helpers (no Django import): free ports, process memory from /proc, machine facts,
  waiting for a server, running ``wrk``.
* Django-side commands, run in a *separate* process so that each database gets its own settings
  (Django reads ``DATABASE_URL`` once, at import)::

      python bench/_common.py setup   # migrate, create the bench world, print JSON (token, ids)
      python bench/_common.py count   # print JSON row counts (messages, events, baseline rows)

  Both read ``DATABASE_URL`` / ``CHANCERY_DATA_DIR`` from the environment like every Chancery
  process does.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# Chancery's settings plus the baseline app (bench/baseline_app; needs bench/ on sys.path).
BENCH_SETTINGS = "baseline_app.settings"
PRINCIPAL_SLUG = "president-elect"
LIAISON_USERNAME = "bench.liaison.fr"


# --------------------------------------------------------------------------- driver helpers


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status_field(pid: int, field: str) -> int | None:
    """A ``kB`` field of /proc/PID/status (VmRSS, ...), in bytes."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _pss(pid: int) -> int | None:
    """Proportional set size (shared pages divided among the processes sharing them)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    match = re.search(r"^Pss:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def children_of(pid: int) -> list[int]:
    """Direct children of pid, found by scanning /proc/*/stat (no psutil needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses: split at the last ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) >= 2 and fields[1].isdigit() and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def tree_memory(pid: int) -> dict[str, Any]:
    """Resident memory of a process and its direct children (gunicorn master + workers)."""
    pids = [pid, *children_of(pid)]
    per = []
    for p in pids:
        rss = _status_field(p, "VmRSS")
        if rss is None:
            continue
        per.append({"pid": p, "rss_bytes": rss, "pss_bytes": _pss(p)})
    return {
        "processes": len(per),
        "rss_bytes": sum(x["rss_bytes"] for x in per),
        "pss_bytes": sum(x["pss_bytes"] or 0 for x in per),
        "per_process": per,
    }


def proc_cpu() -> dict[int, tuple[str, int, int]]:
    """Every process's CPU time so far: pid -> (comm, ppid, user+system clock ticks)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat.rsplit(")", 1)[-1].split()
        try:
            out[int(entry.name)] = (comm, int(fields[1]), int(fields[11]) + int(fields[12]))
        except (IndexError, ValueError):
            continue
    return out


def machine_busy_ticks() -> int:
    """CPU ticks the whole machine has spent busy (all CPUs), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return user + nice + system + irq + softirq + steal


def tree_pids(snapshot: dict[int, tuple[str, int, int]], root: int | None) -> set[int]:
    """root and all its descendants in a proc_cpu() snapshot."""
    if root is None:
        return set()
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (_, ppid, _) in snapshot.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def cpu_split(
    before: dict[int, tuple[str, int, int]],
    after: dict[int, tuple[str, int, int]],
    groups: dict[str, set[int]],
    machine_busy: float | None = None,
) -> dict[str, Any]:
    """CPU seconds used between two snapshots by each group of pids, and by every other process
    (another test run or build on the machine skews a benchmark: this makes it visible).

    ``machine_busy`` (seconds, from machine_busy_ticks) lets "other" also count processes that
    started and ended between the snapshots; the caller adds its own unlisted children (wrk)
    to a group before comparing."""
    hz = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {name: 0.0 for name in groups}
    used["other"] = 0.0
    others: dict[str, float] = {}
    for pid, (comm, _, ticks) in after.items():
        delta = (ticks - before[pid][2]) / hz if pid in before else 0.0
        if delta <= 0:
            continue
        for name, pids in groups.items():
            if pid in pids:
                used[name] += delta
                break
        else:
            used["other"] += delta
            others[comm] = others.get(comm, 0.0) + delta
    top = sorted(others.items(), key=lambda kv: -kv[1])[:3]
    if machine_busy is not None:
        ours = sum(v for k, v in used.items() if k != "other")
        used["other"] = max(used["other"], machine_busy - ours)
        used["machine_busy"] = machine_busy
    return {
        **{k: round(v, 3) for k, v in used.items()},
        "other_top": [{"comm": c, "cpu_s": round(v, 3)} for c, v in top],
    }


def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024 / 1024:.0f} MiB"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    import sqlite3
    from importlib import metadata

    info: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu_model": cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": metadata.version("django"),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        meminfo = Path("/proc/meminfo").read_text()
        match = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE)
        if match:
            info["mem_total_bytes"] = int(match.group(1)) * 1024
    except OSError:
        pass
    for dist in ("gunicorn", "django-ninja", "pydantic", "psycopg"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
        first = (out.stdout or out.stderr).splitlines()[:1]
        info["wrk"] = first[0].split(" [")[0] if first else "unknown"
    return info


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's package when it is missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("bench: wrk is not installed; install it (Debian: apt-get install wrk)")
    say("wrk is missing; installing Debian's package")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench: could not install wrk (apt-get install wrk failed)")
    return found


def wait_http(host: str, port: int, path: str, *, timeout: float, alive: Any = None) -> int:
    """Poll until the server answers an HTTP request to path (any status); return the status."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError("the server exited before it answered")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError as exc:
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"no answer from http://{host}:{port}{path} in {timeout:.0f}s ({last})")


def run_django(command: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``python bench/_common.py COMMAND`` with env and return the JSON it prints."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"bench/_common.py {command} failed (exit {result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- Django side


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", BENCH_SETTINGS)
    import django

    django.setup()


def setup_world() -> dict[str, Any]:
    """Migrate, then create the tests' small world (two principals, Canada and France with their
    leaders, offices and missions: ``chancery.testing.build_world``) and one liaison bound to the
    French mission with an API token; the bench sends as the French president's office."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from chancery.accounts.models import Role
    from chancery.testing import build_world, issue_token, make_user

    call_command("migrate", verbosity=0, interactive=False)
    world = build_world()  # the tests' small world (chancery.testing), one copy for both
    liaison = make_user(
        LIAISON_USERNAME, Role.LIAISON, display_name="Bench Liaison (France)", password=None,
        mission=world["mission_fr"],
    )
    secret = issue_token(liaison, name="bench")
    principal, office = world["pe"], world["pres_fr"]

    version = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            cur.execute("SHOW fsync")
            fsync = cur.fetchone()[0]
            cur.execute("SHOW synchronous_commit")
            sync = cur.fetchone()[0]
        settings_seen = {"fsync": fsync, "synchronous_commit": sync}
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            journal = cur.fetchone()[0]
            cur.execute("PRAGMA synchronous")
            sync = cur.fetchone()[0]
        import sqlite3

        version = sqlite3.sqlite_version
        settings_seen = {"journal_mode": journal, "synchronous": sync}
    return {
        "token": secret,
        "principal": principal.slug,
        "sender_office": office.pk,
        "vendor": connection.vendor,
        "server_version": version,
        "server_settings": settings_seen,
    }


def count_rows() -> dict[str, Any]:
    _django()
    from baseline_app.models import BaselineRow

    from chancery.correspondence.models import Message
    from chancery.ledger.models import Event

    return {
        "messages": Message.objects.count(),
        "events": Event.objects.count(),
        "baseline_rows": BaselineRow.objects.count(),
    }


def main(argv: list[str]) -> int:
    commands = {"setup": setup_world, "count": count_rows}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: {Path(__file__).name} {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    print(json.dumps(commands[argv[0]]()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
