"""Every table the apps map to a subject (``ledger.checks.register(..., tables=...)``) has its
change triggers after all migrations ran. On SQLite a migration that alters a watched table
rebuilds it without its triggers (``ledger.triggers.recreate`` puts them back): this test is
what notices one that forgot, on the test database built by the real migrations."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from chancery.ledger import checks


def _tables_with_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'chancery_changed_%'"
            )
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE 'chancery_changed_%'"
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_watched_table_has_its_triggers(db: Any) -> None:
    watched = {
        table for subject in checks.registered() for table in subject.tables
    } - {"ledger_event"}
    assert {"directory_office", "correspondence_message"} <= watched
    missing = watched - _tables_with_triggers()
    assert not missing, (
        f"tables mapped to subjects but without change triggers: {sorted(missing)} (a "
        "migration rebuilt them? end it with ledger.triggers.recreate)"
    )
