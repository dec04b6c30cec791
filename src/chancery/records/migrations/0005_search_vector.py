"""A stored tsvector on PostgreSQL (issue 11 part 7's target): ``records_searchdoc.vector``,
GENERATED ALWAYS from ``terms`` (the same ``array_to_tsvector(string_to_array(terms, ' '))``
as 0003's expression index, which it replaces with a GIN index on the column). PostgreSQL then
never rebuilds a row's tsvector to recheck a match, and ANALYZE keeps element statistics for the
column (most common lexemes and their frequencies), so the planner tells a rare word (the GIN
bitmap, then sort the few matches by date) from a common one (walk ``records_doc_date`` newest
first, stop after a page).

The model has no field for the column: Django never writes it (a generated column is computed
by the server on every INSERT and UPDATE; ``bulk_create`` and ``rebuild`` name their columns).
SQLite: nothing (its FTS5 table from 0003 is the index). Reversible: the column and its index
go, 0003's expression index comes back.
"""

from typing import Any

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE records_searchdoc ADD COLUMN vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(terms, ' '))) STORED",
    "DROP INDEX IF EXISTS records_doc_terms",
    "CREATE INDEX records_doc_vector ON records_searchdoc USING gin (vector)",
    "ANALYZE records_searchdoc",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS records_doc_vector",
    "ALTER TABLE records_searchdoc DROP COLUMN IF EXISTS vector",
    "CREATE INDEX records_doc_terms ON records_searchdoc "
    "USING gin (array_to_tsvector(string_to_array(terms, ' ')))",
]


def _run(statements: list[str]) -> Any:
    def go(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return go


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_cursor_follows_the_log"),
    ]

    operations = [
        migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD)),
    ]
