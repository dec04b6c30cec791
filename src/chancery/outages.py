"""A lost database: how to recognise it, and logging it once per outage, not once per failure.

While the database is down, every request of the web server and every pass of the worker (and
its sequencer thread, and its heartbeat) fails the same way; a traceback for each would bury
the log (three every two seconds from the worker alone). Each process logs instead one ERROR
when an outage starts, naming where it was met and the database's message, and one WARNING
when the database answers again (how long it was away, how many failures in between); the
failures in between go to DEBUG.

The web server answers 503 meanwhile (``chancery.web.outage``); the worker retries each pass.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.db import InterfaceError, OperationalError

log = logging.getLogger("chancery.outage")

#: SQLite reports mistakes in the schema or the SQL as OperationalError too: not outages.
_NOT_AN_OUTAGE = re.compile(
    r"^(no such (table|column|function|index|savepoint)\b|.*\bsyntax error\b"
    r"|table \S+ has no column|.*\balready exists\b)",
    re.IGNORECASE,
)


def database_unavailable(exc: BaseException | None) -> BaseException | None:
    """The database error behind ``exc`` (itself, or what it was raised from), if the error
    means the database cannot be reached now; else None.

    Django's ``InterfaceError`` and ``OperationalError`` (psycopg's connection errors arrive
    wrapped as these; so do SQLite's "unable to open database file" and "database is locked"),
    except SQLite's schema errors ("no such table": a database that was never migrated is a
    fault to fix, not an outage to wait out).
    """
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, InterfaceError):
            return exc
        if isinstance(exc, OperationalError) and not _NOT_AN_OUTAGE.match(str(exc).strip()):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


class Outage:
    """This process's view of the database: down since when, how many failures since."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.since: float | None = None
        self.failures = 0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException, where: str, then: str = "") -> bool:
        """Note a failure met ``where`` ("at GET /path", "in the worker's pass").

        True if it was the database being unreachable (logged here, once per outage: the caller
        logs nothing more); False for any other error, which the caller logs as it always did.
        """
        lost = database_unavailable(exc)
        if lost is None:
            return False
        with self._lock:
            self.failures += 1
            first = self.since is None
            if first:
                self.since = time.monotonic()
        if first:
            log.error(
                "database unreachable (%s: %s) %s%s",
                type(lost).__name__, _one_line(lost), where, f"; {then}" if then else "",
            )
        else:
            log.debug("database still unreachable %s", where)
        return True

    def reached(self) -> None:
        """The database answered: log the end of an outage, if one was logged."""
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            down, failures = time.monotonic() - self.since, self.failures
            self.since, self.failures = None, 0
        log.warning(
            "database reachable again after %.1f s (%d failure(s) meanwhile)", down, failures
        )


#: The one per process, shared by the web middleware, the worker's passes, its sequencer thread
#: and its heartbeat.
DATABASE = Outage()
