"""Typed settings helpers that fail loudly on a bad value.

Every setting Chancery reads from the environment goes through these functions, so a typo in a
deployment (``CHANCERY_HOLD_HOURS=24h``) stops the process at start with a message naming the
variable, instead of running with a silently wrong value.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


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


def data_dir() -> Path:
    """The folder holding the SQLite database, the signing key, outgoing mail and logins."""
    return Path(os.environ.get("CHANCERY_DATA_DIR", "chancery-data")).resolve()


def database_from_url(url: str, *, data: Path) -> dict[str, object]:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES['default']`` entry.

    Supported: ``sqlite:///relative/or/absolute/path.db`` (``sqlite://`` alone means
    ``DATA_DIR/chancery.sqlite3``) and ``postgres://user:pass@host:port/name?sslmode=...``.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parsed.path)
        if raw_path in {"", "/"}:
            path = data / "chancery.sqlite3"
        else:
            # sqlite:///abs -> path "/abs"; sqlite:///./rel is relative
            path = Path(raw_path[1:]) if raw_path.startswith("/./") else Path(raw_path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
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
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        options: dict[str, object] = {}
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "chancery",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": unquote(parsed.hostname or query.get("host", "")),
            "PORT": str(parsed.port or query.get("port", "")),
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
            # (PgBouncer 1.21+: max_prepared_statements).
            "OPTIONS": {**options, "server_side_binding": True, "prepare_threshold": 5},
        }
    raise SettingError(
        f"DATABASE_URL={url!r}: unsupported scheme {scheme!r}; use sqlite:///PATH or "
        "postgres://USER:PASSWORD@HOST:PORT/NAME"
    )
