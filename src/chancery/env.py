"""Typed settings helpers that fail loudly on a bad value.

Every setting Chancery reads from the environment goes through these functions, so a typo in a
deployment (``CHANCERY_HOLD_HOURS=24h``) stops the process at start with a message naming the
variable, instead of running with a silently wrong value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import dj_database_url


class SettingError(ValueError):
    """An environment variable holds a value Chancery cannot use."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off"
    )


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise SettingError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


_RATE = re.compile(r"^([0-9]+)/([0-9]*)(s|sec|m|min|h|hour|d|day)$")


def env_rate(name: str, default: str | None) -> str | None:
    """A request rate such as ``120/min``, ``10/15min`` or ``5000/h`` (the format of
    django-ninja's throttles: COUNT/[N]UNIT with UNIT s, sec, m, min, h, hour, d or day);
    ``off`` means no limit (None)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"off", "none", "0"}:
        return None
    found = _RATE.match(value)
    if found is None or int(found.group(1)) < 1 or found.group(2) in {"0", "00"}:
        raise SettingError(
            f"{name}={raw!r} is not a rate; write COUNT/PERIOD such as 120/min, 10/15min, "
            "5000/hour or 100/10s (units s, sec, m, min, h, hour, d, day), or off"
        )
    return value


def data_dir() -> Path:
    """The folder holding the SQLite database, the signing key, outgoing mail and logins."""
    return Path(os.environ.get("CHANCERY_DATA_DIR", "chancery-data")).resolve()


def database_from_url(url: str, *, data: Path) -> dict[str, Any]:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES['default']`` entry.

    dj-database-url reads the URL (its usual forms: ``sqlite:///relative.db``,
    ``sqlite:////absolute/path.db``, ``postgres://user:pass@host:port/name?sslmode=require``;
    query parameters become ``OPTIONS``). ``sqlite://`` alone means ``DATA_DIR/chancery.sqlite3``.
    This function adds what Chancery needs on top: SQLite in WAL mode with its pragmas, and
    persistent connections and server-side binding on PostgreSQL. A query parameter overrides
    any of the options set here (``?server_side_binding=false`` for a pooler that cannot pass
    prepared statements through).
    """
    raw_scheme = url.partition(":")[0]
    scheme = raw_scheme.lower()
    url = scheme + url[len(raw_scheme) :]
    if scheme not in SQLITE_SCHEMES | POSTGRES_SCHEMES:
        raise SettingError(
            f"DATABASE_URL={_redact(url)!r}: unsupported scheme {scheme!r}; use sqlite:///PATH "
            "(sqlite:////ABSOLUTE/PATH) or postgres://USER:PASSWORD@HOST:PORT/NAME"
        )
    if scheme in SQLITE_SCHEMES and url.rstrip("/").lower() == "sqlite:":
        url = f"sqlite:///{data / 'chancery.sqlite3'}"
    try:
        parsed: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:  # ParseError, or a port that is not a number
        raise SettingError(
            f"DATABASE_URL={_redact(url)!r} cannot be read: {exc} (quote special characters "
            "in the user name and password with %XX escapes)"
        ) from None
    url_options: dict[str, Any] = parsed.pop("OPTIONS", {})
    if scheme in SQLITE_SCHEMES:
        name = str(parsed["NAME"])
        if name == ":memory:" or not name:
            raise SettingError(
                f"DATABASE_URL={url!r}: an in-memory SQLite database cannot be shared by the "
                "web server and the worker; name a file (sqlite:///chancery.sqlite3)"
            )
        relative = Path(name)
        if not relative.is_absolute() and not relative.exists():
            # Before dj-database-url, sqlite:///x meant the absolute path /x; say so rather than
            # quietly start a second, empty database in the working directory.
            if Path("/", name).exists() or not relative.parent.exists():
                raise SettingError(
                    f"DATABASE_URL={url!r} names {name!r}, relative to the working directory "
                    f"{Path.cwd()}, where it does not exist: an absolute path takes four "
                    f"slashes (sqlite:////{name})"
                )
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Keep connections across requests. With CONN_MAX_AGE=0 every request opens one (and
            # runs the PRAGMAs below) and closing the last open connection checkpoints the WAL
            # and fsyncs (bench/intake.py: the baseline went from ~1,200 to ~2,600 requests/s).
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON;"
                ),
                **url_options,
            },
        }
    return {
        **parsed,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parsed.get("NAME") or "chancery",
        "PORT": str(parsed.get("PORT") or ""),
        "CONN_MAX_AGE": 60,
        # No health check ("SELECT 1") before each request's first query: one more round
        # trip on every request, a fifth of an intake's. A connection the server has dropped
        # fails the one request that finds it; Django then closes it and the next request
        # connects afresh.
        "CONN_HEALTH_CHECKS": False,
        # Parameters sent apart from the SQL (psycopg adapts them in C rather than quoting
        # each one into the text in Python), and a statement run 5 times on a connection is
        # prepared: the server parses and plans it once. An intake's statements are the same
        # every time, so this takes about a third off PostgreSQL's CPU per message
        # (bench/README.md). A pooler in front must pass prepared statements through
        # (PgBouncer 1.21+: max_prepared_statements), or the URL turns this off with
        # ?server_side_binding=false.
        "OPTIONS": {"server_side_binding": True, "prepare_threshold": 5, **url_options},
    }


SQLITE_SCHEMES = frozenset({"sqlite"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    head, at, tail = url.rpartition("@")
    if not at or "://" not in head:
        return url
    scheme, _, userinfo = head.partition("://")
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in userinfo else url
