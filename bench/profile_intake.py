#!/usr/bin/env python3
"""Profile the intake request path in-process (no server, no network): what one
``POST /api/v1/messages`` costs in Python and in queries.

    .venv/bin/python bench/profile_intake.py [--requests 2000] [--top 30] [--pyinstrument]

On a fresh SQLite database in a temporary folder (or the database ``DATABASE_URL`` names, which
must be empty and is migrated), it sets up the same world as bench/intake.py, then:

1. prints every SQL query of one intake request (``CaptureQueriesContext``);
2. times N requests through the WSGI application as gunicorn calls it (the full middleware
   stack, django-ninja, connection handling at request start and end; less the HTTP parsing
   and the socket), and the baseline view beside them;
3. prints the top functions of a cProfile of those N requests (by own time and by cumulative
   time), or a pyinstrument tree with --pyinstrument (``pip install pyinstrument`` first).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake import BODY, SUBJECT  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds, best kept [3]")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        metavar="SECONDS",
        help="override the database's CONN_MAX_AGE (to measure persistent connections)",
    )
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="chancery-profile-"))
    try:
        os.environ["CHANCERY_DATA_DIR"] = str(tmp / "data")
        (tmp / "data" / "static").mkdir(parents=True)
        os.environ["CHANCERY_DEBUG"] = "0"
        os.environ["CHANCERY_LOG_LEVEL"] = "ERROR"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baseline_app.settings")
        return run(args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    import _common

    world = _common.setup_world()
    if args.conn_max_age is not None:
        from django.db import connections

        connections["default"].close()
        connections["default"].settings_dict["CONN_MAX_AGE"] = args.conn_max_age
        print(f"== CONN_MAX_AGE overridden: {args.conn_max_age}")

    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The WSGI application gunicorn runs, called with the environ gunicorn would build: unlike
    # django.test.Client this keeps request_started/request_finished (connection handling:
    # CONN_MAX_AGE, health checks) and builds a fresh request, user and session each time.
    app = get_wsgi_application()
    token = world["token"]
    body = json.dumps(
        {
            "principal": world["principal"],
            "sender_office": world["sender_office"],
            "channel": "api",
            "subject": SUBJECT,
            "body": BODY,
            "language": "fr",
        },
        ensure_ascii=False,
    ).encode()
    counter = iter(range(10**9))

    def call(path: str, headers: dict[str, str]) -> int:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **headers,
        }
        status: list[str] = []

        def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(line)
            return lambda data: None

        result = app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()  # sends request_finished, as gunicorn does
        code = int(status[0].split()[0])
        if code != 201:
            raise SystemExit(f"{path} answered {status[0]}: {content[:500]!r}")
        return code

    def intake() -> None:
        call(
            "/api/v1/messages",
            {
                "HTTP_AUTHORIZATION": f"Bearer {token}",
                "HTTP_IDEMPOTENCY_KEY": f"profile-{next(counter)}",
            },
        )

    def baseline() -> None:
        call("/bench/baseline", {})

    for _ in range(50):  # warm-up: imports, caches, the connection
        intake()
        baseline()

    with CaptureQueriesContext(connection) as ctx:
        intake()
    print(f"== queries per intake request ({connection.vendor}): {len(ctx.captured_queries)}")
    for i, q in enumerate(ctx.captured_queries, 1):
        sql = q["sql"]
        print(f"{i:3d}. {q['time']}s  {sql[:220]}{'…' if len(sql) > 220 else ''}")
    with CaptureQueriesContext(connection) as ctx:
        baseline()
    print(f"== queries per baseline request: {len(ctx.captured_queries)}")

    n = args.requests
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _round in range(args.rounds):  # alternate, keep the best: other processes add noise
        for name, fn in (("baseline", baseline), ("intake", intake)):
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(n):
                fn()
            wall = (time.perf_counter() - start) / n * 1000
            used = (time.process_time() - start_cpu) / n * 1000
            timings[name] = min(timings.get(name, wall), wall)
            cpu[name] = min(cpu.get(name, used), used)
    print(
        f"== in-process time per request over {n} (best of {args.rounds}): baseline "
        f"{timings['baseline']:.3f} ms wall, {cpu['baseline']:.3f} ms CPU; intake "
        f"{timings['intake']:.3f} ms wall, {cpu['intake']:.3f} ms CPU; CPU ratio "
        f"{cpu['baseline'] / cpu['intake']:.2f} (one process: {1000 / cpu['intake']:.0f} msg/s "
        "per busy core before gunicorn's and the database server's own costs)"
    )

    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(n):
            intake()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return 0

    if args.no_profile:
        return 0
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        intake()
    prof.disable()
    if os.environ.get("PROFILE_DUMP"):
        prof.dump_stats(os.environ["PROFILE_DUMP"])
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key)
        stats.print_stats(args.top)
        print(f"== cProfile of {n} intake requests, by {key}")
        print(out.getvalue().split("\n", 7)[-1] if key == "tottime" else out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
