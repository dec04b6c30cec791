"""Records migration 0003 (the vendor's search index) is reversible: unapplied, the FTS5 table
and its triggers (SQLite) or the GIN index (PostgreSQL) are gone; applied again over existing
documents, it indexes them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chancery.records.search import query
from tests.records.conftest import index_now

BEFORE = [("records", "0002_change_triggers")]
AFTER = [("records", "0003_search_index")]


@pytest.fixture
def executor(transactional_db: Any) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)  # leave the database as the other tests want it
    executor.migrate(executor.loader.graph.leaf_nodes())


def _vendor_index() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'records_searchdoc_fts%' "
                "AND type IN ('table', 'trigger')"
            )
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'records_searchdoc' "
                "AND indexname = 'records_doc_terms'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_the_search_index_migration_is_reversible(executor: MigrationExecutor, submit: Any) -> None:
    submit(body="Herzliche Glückwünsche.", language="de")
    index_now()
    present = _vendor_index()
    assert present
    executor.migrate(BEFORE)
    assert _vendor_index() == set()
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    assert _vendor_index() == present
    assert len(query.match_ids("gluckwunsche", 10)) == 1  # indexed when created
