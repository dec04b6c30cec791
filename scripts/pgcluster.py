#!/usr/bin/env python3
"""Start and stop a throwaway PostgreSQL cluster for tests and benchmarks (stdlib only).

Usage:
    python scripts/pgcluster.py exec [--durable] -- CMD ARGS...
        Make a cluster in a new temporary folder, start it on 127.0.0.1 on a free port, create
        the database ``chancery``, run CMD with ``DATABASE_URL`` pointing at it, then always stop
        the cluster and remove the folder. Exits with CMD's exit code.

    python scripts/pgcluster.py start --dir DIR [--durable] [--port PORT]
        Make (or reuse) a cluster in DIR, start it and print its URL on stdout.

    python scripts/pgcluster.py stop --dir DIR [--keep]
        Stop the cluster in DIR and remove DIR (unless --keep).

    python scripts/pgcluster.py url --dir DIR
        Print the URL of the cluster in DIR.

The cluster is for tests: unless --durable is given, fsync, synchronous_commit and
full_page_writes are off, so a crash of the machine can lose or corrupt it. Benchmarks pass
--durable to measure a server configured as in production.

initdb refuses to run as root, so when run as root every server-side program runs as the
``postgres`` user (``runuser -u postgres --``) in a folder that user owns.

Exit codes: CMD's own for ``exec``; 3 when the cluster cannot be made or started (the server log
is printed): a failure, never a skip; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

USER = "chancery"
DATABASE = "chancery"
MARKER = (
    ".chancery-pgcluster"  # written into every folder this script made; stop removes only those
)
EXIT_CLUSTER_FAILED = 3


class ClusterError(RuntimeError):
    """The cluster could not be made or started."""

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log


def say(message: str) -> None:
    print(f"pgcluster: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- finding binaries


def _version_key(path: str) -> tuple[int, ...]:
    match = re.search(r"/postgresql/([0-9.]+)/bin$", path)
    if not match:
        return (0,)
    return tuple(int(p) for p in match.group(1).split(".") if p.isdigit())


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl.

    Debian's /usr/lib/postgresql/<version>/bin (the highest version) comes first: /usr/bin and
    /usr/local/bin may hold only wrappers (pg_wrapper) or copies that don't find their share
    folder. Otherwise the first folder on PATH with both programs.
    """
    override = os.environ.get("PG_BINDIR")
    candidates: list[Path] = []
    if override:
        candidates.append(Path(override))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    candidates.extend(Path(d) for d in debian)
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry:
            candidates.append(Path(entry))
    for folder in candidates:
        initdb, pg_ctl = folder / "initdb", folder / "pg_ctl"
        if initdb.is_file() and os.access(initdb, os.X_OK) and pg_ctl.is_file():
            return folder
    raise ClusterError(
        "initdb/pg_ctl not found (looked in /usr/lib/postgresql/*/bin and PATH); "
        "install PostgreSQL (Debian: apt-get install postgresql) or run ./run test as root"
    )


def find_client(bindir: Path, name: str) -> str:
    """A client program (createdb, psql), from bindir if there, else PATH."""
    local = bindir / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    raise ClusterError(f"{name} not found next to {bindir}/initdb or on PATH")


# --------------------------------------------------------------------------- running as postgres


def running_as_root() -> bool:
    return os.geteuid() == 0


def server_user() -> pwd.struct_passwd | None:
    """The account to run server programs as, or None to run them as ourselves."""
    if not running_as_root():
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            "running as root but there is no 'postgres' user to run initdb/postgres as "
            "(installing Debian's postgresql package creates it)"
        ) from None


def as_server_user(argv: list[str]) -> list[str]:
    if server_user() is None:
        return argv
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", "postgres", "--", *argv]


def run_server_cmd(
    argv: list[str], *, cwd: Path, check: bool = True, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    full = as_server_user(argv)
    result = subprocess.run(
        full,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if not quiet and result.stdout:
        sys.stderr.write(result.stdout)
    if check and result.returncode != 0:
        raise ClusterError(
            f"{' '.join(argv[:2])} failed (exit {result.returncode}):\n{result.stdout}"
        )
    return result


def hand_over(path: Path) -> None:
    """Give path to the postgres user (when root) and make it private, as initdb wants."""
    user = server_user()
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(0o700)


# --------------------------------------------------------------------------- cluster


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def url_for(port: int) -> str:
    return f"postgres://{USER}@127.0.0.1:{port}/{DATABASE}"


def initdb(bindir: Path, data: Path) -> None:
    base = [str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"]
    first = run_server_cmd([*base, "--locale=C.UTF-8"], cwd=data, check=False)
    if first.returncode == 0:
        return
    say("initdb with --locale=C.UTF-8 failed; retrying with --no-locale")
    # initdb removes what it made on failure, but the folder must be empty for a new try.
    for child in data.iterdir():
        run_server_cmd(["rm", "-rf", str(child)], cwd=data, check=False)
    run_server_cmd([*base, "--no-locale"], cwd=data)


def server_options(port: int, data: Path, durable: bool) -> str:
    opts = [
        "-c listen_addresses=127.0.0.1",
        f"-p {port}",
        f"-k {data}",
        "-c max_connections=200",
    ]
    if not durable:
        opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    return " ".join(opts)


def read_port(data: Path) -> int | None:
    """The port of a running cluster, from postmaster.pid (line 4)."""
    pid_file = data / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return None
    if len(lines) >= 4 and lines[3].strip().isdigit():
        return int(lines[3].strip())
    return None


def print_log(log: Path | None) -> None:
    if log is None:
        return
    try:
        text = log.read_text(errors="replace")
    except OSError as exc:
        say(f"(no server log at {log}: {exc})")
        return
    sys.stderr.write(f"----- PostgreSQL server log ({log}) -----\n{text}\n----- end of log -----\n")
    sys.stderr.flush()


def start_cluster(data: Path, *, durable: bool, port: int | None = None) -> str:
    """Make the cluster in data if needed, start it, create the database; return its URL."""
    bindir = find_bindir()
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "PG_VERSION").exists():
        if any(data.iterdir()):
            raise ClusterError(f"{data} is neither empty nor a PostgreSQL cluster; not touching it")
        hand_over(data)
        initdb(bindir, data)  # needs an empty folder: the marker comes after
        (data / MARKER).write_text("made by scripts/pgcluster.py\n")
    else:
        running = read_port(data)
        if running is not None and _server_running(bindir, data):
            return url_for(running)

    log = data / "log"
    attempts = 1 if port is not None else 3
    last: subprocess.CompletedProcess[str] | None = None
    for _ in range(attempts):
        chosen = port if port is not None else free_port()
        last = run_server_cmd(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                server_options(chosen, data, durable),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
            ],
            cwd=data,
            check=False,
        )
        if last.returncode == 0:
            break
        say(
            f"pg_ctl start on port {chosen} failed (exit {last.returncode}); output:\n{last.stdout}"
        )
    else:
        raise ClusterError("PostgreSQL did not start", log=log)

    actual = read_port(data) or chosen
    createdb = find_client(bindir, "createdb")
    result = subprocess.run(
        [createdb, "-h", "127.0.0.1", "-p", str(actual), "-U", USER, DATABASE],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if result.returncode != 0 and "already exists" not in result.stdout:
        raise ClusterError(f"createdb failed (exit {result.returncode}):\n{result.stdout}", log=log)
    return url_for(actual)


def _server_running(bindir: Path, data: Path) -> bool:
    result = run_server_cmd(
        [str(bindir / "pg_ctl"), "-D", str(data), "status"], cwd=data, check=False
    )
    return result.returncode == 0


def stop_cluster(data: Path, *, remove: bool, ours: bool = False) -> None:
    """Stop the cluster in data (fast, then immediate) and remove the folder.

    The folder is removed only if this script made a cluster there (or ``ours``: exec's own
    temporary folder), never a folder that merely was passed as --dir.
    """
    if (data / "postmaster.pid").exists():
        try:
            bindir = find_bindir()
        except ClusterError as exc:
            say(str(exc))
        else:
            pg_ctl = str(bindir / "pg_ctl")
            result = run_server_cmd(
                [pg_ctl, "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"],
                cwd=data,
                check=False,
            )
            if result.returncode != 0 and (data / "postmaster.pid").exists():
                say(f"fast stop failed:\n{result.stdout}\ntrying immediate stop")
                run_server_cmd(
                    [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
                    cwd=data,
                    check=False,
                    quiet=False,
                )
    if remove:
        if ours or (data / MARKER).exists():
            shutil.rmtree(data, ignore_errors=True)
        elif data.exists():
            say(f"not removing {data}: it was not made by this script")


# --------------------------------------------------------------------------- commands


class _Terminated(Exception):
    pass


def _raise_terminated(signum: int, _frame: object) -> None:
    raise _Terminated(signum)


def cmd_exec(args: argparse.Namespace) -> int:
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        say("exec needs a command: pgcluster.py exec -- CMD ARGS...")
        return 2

    signal.signal(signal.SIGTERM, _raise_terminated)
    signal.signal(signal.SIGHUP, _raise_terminated)
    data = Path(tempfile.mkdtemp(prefix="chancery-pg-"))
    child: subprocess.Popen[bytes] | None = None
    started = time.monotonic()
    try:
        try:
            url = start_cluster(data, durable=args.durable)
        except ClusterError as exc:
            say(f"cannot start PostgreSQL: {exc}")
            print_log(exc.log or data / "log")
            return EXIT_CLUSTER_FAILED
        port = url.rsplit(":", 1)[1].split("/", 1)[0]
        say(f"PostgreSQL up at {url} in {time.monotonic() - started:.1f}s (data in {data})")
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url,
            PGHOST="127.0.0.1",
            PGPORT=port,
            PGUSER=USER,
            PGDATABASE=DATABASE,
        )
        child = subprocess.Popen(command, env=env)
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                # Ctrl-C reached the child too (same process group): let it finish cleaning up.
                continue
        return code if code >= 0 else 128 - code
    except _Terminated as exc:
        signum = int(exc.args[0])
        if child is not None and child.poll() is None:
            child.send_signal(signum)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        return 128 + signum
    finally:
        stop_cluster(data, remove=True, ours=True)


def cmd_start(args: argparse.Namespace) -> int:
    data = Path(args.dir).resolve()
    try:
        url = start_cluster(data, durable=args.durable, port=args.port)
    except ClusterError as exc:
        say(f"cannot start PostgreSQL: {exc}")
        print_log(exc.log or data / "log")
        return EXIT_CLUSTER_FAILED
    print(url, flush=True)
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    data = Path(args.dir).resolve()
    if not data.exists():
        say(f"{data} does not exist; nothing to stop")
        return 0
    stop_cluster(data, remove=not args.keep)
    return 0


def cmd_url(args: argparse.Namespace) -> int:
    port = read_port(Path(args.dir).resolve())
    if port is None:
        say(f"no running cluster in {args.dir}")
        return 1
    print(url_for(port))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="action", required=True)

    p_exec = sub.add_parser("exec", help="run a command against a throwaway cluster")
    p_exec.add_argument("--durable", action="store_true", help="keep fsync/synchronous_commit on")
    p_exec.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ARGS...")
    p_exec.set_defaults(func=cmd_exec)

    p_start = sub.add_parser("start", help="start a cluster in DIR and print its URL")
    p_start.add_argument("--dir", required=True)
    p_start.add_argument("--durable", action="store_true", help="keep fsync/synchronous_commit on")
    p_start.add_argument("--port", type=int, default=None)
    p_start.set_defaults(func=cmd_start)

    p_stop = sub.add_parser("stop", help="stop the cluster in DIR and remove DIR")
    p_stop.add_argument("--dir", required=True)
    p_stop.add_argument("--keep", action="store_true", help="stop but keep the folder")
    p_stop.set_defaults(func=cmd_stop)

    p_url = sub.add_parser("url", help="print the URL of the running cluster in DIR")
    p_url.add_argument("--dir", required=True)
    p_url.set_defaults(func=cmd_url)

    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ClusterError as exc:
        say(str(exc))
        print_log(exc.log)
        return EXIT_CLUSTER_FAILED


if __name__ == "__main__":
    sys.exit(main())
