"""DATABASE_URL through dj-database-url, with what Chancery adds on top; typed env helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from chancery.env import SettingError, database_from_url, env_rate


def test_sqlite_default_is_the_data_folder(tmp_path: Path) -> None:
    for url in ("sqlite://", "sqlite:///", "SQLITE://"):
        db = database_from_url(url, data=tmp_path)
        assert db["ENGINE"] == "django.db.backends.sqlite3"
        assert db["NAME"] == str(tmp_path / "chancery.sqlite3")
        assert db["CONN_MAX_AGE"] == 60
        options = db["OPTIONS"]
        assert "journal_mode=WAL" in options["init_command"]
        assert options["transaction_mode"] == "IMMEDIATE"


def test_sqlite_paths_absolute_and_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absolute = tmp_path / "x.sqlite3"
    assert database_from_url(f"sqlite:///{absolute}", data=tmp_path)["NAME"] == str(absolute)
    monkeypatch.chdir(tmp_path)
    assert database_from_url("sqlite:///rel.db", data=tmp_path)["NAME"] == "rel.db"
    assert database_from_url("sqlite:///./rel.db", data=tmp_path)["NAME"] == "./rel.db"
    # a query parameter overrides a default option
    assert database_from_url("sqlite:///rel.db?timeout=5", data=tmp_path)["OPTIONS"][
        "timeout"
    ] == 5


def test_sqlite_three_slashes_to_an_absolute_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlite:///var/db.sqlite3 once meant /var/db.sqlite3; now (the usual convention) it is
    relative, so a URL written for the old reading is refused with the fix, not run on a new
    empty database somewhere else."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingError, match=r"four slashes \(sqlite:////tmp/x.db\)"):
        database_from_url("sqlite:///tmp/x.db", data=tmp_path)


def test_sqlite_in_memory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="in-memory"):
        database_from_url("sqlite://:memory:", data=tmp_path)


def test_postgres(tmp_path: Path) -> None:
    db = database_from_url(
        "postgres://app:p%40ss@db.example:6543/chan?sslmode=require", data=tmp_path
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "app", "p@ss", "db.example", "6543", "chan",
    )
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is False
    assert db["OPTIONS"] == {
        "sslmode": "require", "server_side_binding": True, "prepare_threshold": 5,
    }
    for scheme in ("postgresql", "pgsql", "PostgreSQL"):
        assert database_from_url(f"{scheme}://h/n", data=tmp_path)["NAME"] == "n"
    assert database_from_url("postgres://h", data=tmp_path)["NAME"] == "chancery"
    off = database_from_url("postgres://h/n?server_side_binding=false", data=tmp_path)
    assert off["OPTIONS"]["server_side_binding"] is False
    socket = database_from_url("postgres:///n?host=/run/postgresql", data=tmp_path)
    assert socket["HOST"] == "" and socket["OPTIONS"]["host"] == "/run/postgresql"


def test_bad_urls_name_the_variable_and_hide_the_password(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match=r"DATABASE_URL=.*unsupported scheme 'mysql'"):
        database_from_url("mysql://u:secret@h/n", data=tmp_path)
    with pytest.raises(SettingError) as caught:
        database_from_url("postgres://u:secret@h:port/n", data=tmp_path)
    assert "DATABASE_URL=" in str(caught.value) and "secret" not in str(caught.value)
    with pytest.raises(SettingError, match="unsupported scheme"):
        database_from_url("just-a-path.db", data=tmp_path)


def test_env_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    from ninja.throttling import SimpleRateThrottle

    for raw, expected in [
        ("120/min", (120, 60)), ("10/15min", (10, 900)), ("5000/hour", (5000, 3600)),
        ("100/10s", (100, 10)), (" 7/D ", (7, 86400)), ("1/sec", (1, 1)),
    ]:
        monkeypatch.setenv("X_RATE", raw)
        rate = env_rate("X_RATE", "1/s")
        # the same reading as django-ninja's own parser
        assert SimpleRateThrottle(rate).parse_rate(rate) == expected, raw
    for off in ("off", "OFF", "none", "0"):
        monkeypatch.setenv("X_RATE", off)
        assert env_rate("X_RATE", "1/s") is None
    monkeypatch.setenv("X_RATE", "")
    assert env_rate("X_RATE", "3/min") == "3/min"
    for bad in ("120", "120/minutes", "a/min", "10/0min", "0/min", "-1/min", "10/hours"):
        monkeypatch.setenv("X_RATE", bad)
        with pytest.raises(SettingError, match="X_RATE=.*is not a rate"):
            env_rate("X_RATE", None)


def test_rate_settings_are_documented() -> None:
    """docs/operations.md lists the rate-limit variables with their defaults as settings.py has
    them."""
    from django.conf import settings

    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    for name in ("CHANCERY_API_RATE_USER", "CHANCERY_API_RATE_ANON", "CHANCERY_LOGIN_RATE"):
        assert f"| `{name}` | `{getattr(settings, name)}` |" in docs, name
    for name in ("CHANCERY_API_THROTTLE_SHARED", "CHANCERY_NUM_PROXIES", "DATABASE_URL"):
        assert f"| `{name}` |" in docs, name
