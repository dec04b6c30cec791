"""Records migrations 0003 (the vendor's search index) and 0005 (PostgreSQL's stored tsvector)
are reversible: 0003 unapplied, the FTS5 table and its triggers (SQLite) or the GIN index
(PostgreSQL) are gone; applied again over existing documents, it indexes them. 0005 unapplied,
PostgreSQL has 0003's expression index again and no ``vector`` column; applied, the column is
computed for the existing rows and indexed (SQLite: 0005 changes nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chancery.records.search import query
from tests.records.conftest import index_now

BEFORE = [("records", "0002_change_triggers")]
BEFORE_VECTOR = [("records", "0004_cursor_follows_the_log")]


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
                "AND indexname IN ('records_doc_terms', 'records_doc_vector')"
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
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _vendor_index() == present
    assert len(query.match_ids("gluckwunsche", 10)) == 1  # indexed when created


def _vector_column() -> bool:
    with connection.cursor() as cursor:
        cols = connection.introspection.get_table_description(cursor, "records_searchdoc")
    return any(c.name == "vector" for c in cols)


def test_the_stored_vector_migration_is_reversible(
    executor: MigrationExecutor, submit: Any
) -> None:
    submit(body="Herzliche Glückwünsche.", language="de")
    index_now()
    pg = connection.vendor == "postgresql"
    assert _vector_column() is pg
    assert _vendor_index() == ({"records_doc_vector"} if pg else _vendor_index())
    executor.migrate(BEFORE_VECTOR)
    assert not _vector_column()
    if pg:
        assert _vendor_index() == {"records_doc_terms"}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _vector_column() is pg
    assert len(query.match_ids("gluckwunsche", 10)) == 1  # the column computed for the row
