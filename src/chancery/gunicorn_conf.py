"""gunicorn settings for ``chancery serve`` and ``chancery demo``.

gunicorn reads this module (``--config python:chancery.gunicorn_conf``) for its hooks.

Web workers die with their master. gunicorn's sync workers notice a dead master only when they
wake up (a request, or every ``--timeout``/2 seconds, 30 s here), so after a ``kill -9`` of the
master its orphaned workers kept the port and served for up to half a minute, and a new
``chancery serve`` could not bind it. Each worker now asks the kernel (Linux
``prctl(PR_SET_PDEATHSIG)``) for a SIGTERM the moment its parent dies: gunicorn's own handler
for it finishes the request in hand and exits, closing the listening socket.

This module imports nothing of Django: gunicorn's master reads it before loading the app.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """The command line of the web server (``chancery serve`` execs it, the demo spawns it)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "chancery.wsgi:application",
        "--config",
        "python:chancery.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Have the kernel send ``sig`` to this process when the process that forked it dies.

    Linux only (returns False elsewhere, where the supervisor's process group must do it).
    Call it in the child right after the fork; then check that the parent is still the
    expected one, since a parent that died before the call sends nothing.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        result = libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return False
    return bool(result == 0)


def post_fork(server: Any, worker: Any) -> None:
    """In each new worker: die with the master (and at once if it is already gone)."""
    die_with_parent(signal.SIGTERM)
    if os.getppid() != worker.ppid:
        # The master died between the fork and the prctl call: nobody would signal us.
        os._exit(0)
