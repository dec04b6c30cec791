"""The vendor's full-text index over ``records_searchdoc.terms`` (``records/search``).

SQLite: an FTS5 external-content table ``records_searchdoc_fts`` kept in step by triggers on
``records_searchdoc``; its tokenizer splits only where our normaliser put spaces (letters,
numbers, private-use characters and marks are token characters, so a Devanagari vowel sign stays
inside its word) and folds nothing more (``terms`` is already folded). A later migration that
rebuilds ``records_searchdoc`` on SQLite drops these triggers: create them again there.

PostgreSQL: a GIN index on ``array_to_tsvector(string_to_array(terms, ' '))``: our tokens are
the lexemes, no text-search parser or locale is involved (both functions are immutable).
"""

from typing import Any

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE records_searchdoc_fts USING fts5(terms, content='records_searchdoc', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")",
    "CREATE TRIGGER records_searchdoc_fts_ai AFTER INSERT ON records_searchdoc BEGIN "
    "INSERT INTO records_searchdoc_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER records_searchdoc_fts_ad AFTER DELETE ON records_searchdoc BEGIN "
    "INSERT INTO records_searchdoc_fts(records_searchdoc_fts, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER records_searchdoc_fts_au AFTER UPDATE ON records_searchdoc BEGIN "
    "INSERT INTO records_searchdoc_fts(records_searchdoc_fts, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); "
    "INSERT INTO records_searchdoc_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "INSERT INTO records_searchdoc_fts(records_searchdoc_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS records_searchdoc_fts_ai",
    "DROP TRIGGER IF EXISTS records_searchdoc_fts_ad",
    "DROP TRIGGER IF EXISTS records_searchdoc_fts_au",
    "DROP TABLE IF EXISTS records_searchdoc_fts",
]
POSTGRES_CREATE = [
    "CREATE INDEX records_doc_terms ON records_searchdoc "
    "USING gin (array_to_tsvector(string_to_array(terms, ' ')))",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS records_doc_terms"]


def _run(sql: dict[str, list[str]]) -> Any:
    def go(apps: Any, schema_editor: Any) -> None:
        for statement in sql.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return go


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_change_triggers"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
