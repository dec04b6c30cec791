"""The SQL of the triggers that queue changed rows in ``ledger_changedrow`` (see
``ledger/integrity.py``), for the domain apps' migrations: each app creates the triggers of its
own tables with :func:`operation` (a reversible ``RunPython`` that writes the vendor's SQL).

A trigger queues ``(table, row id)``; a dependent table (a hold, a status change) also queues its
subject's row (``parent``: the subject's table and the column that points at it), so a deleted
dependent row still gets its subject checked. SQLite and PostgreSQL only.

A migration that ran keeps the SQL it ran: changing this module changes only later migrations.

On SQLite, a migration that alters a watched table (adding a column with a default, changing a
field) makes Django rebuild the table, and the rebuilt table has no triggers: such a migration
must end with :func:`recreate` for that table's watches (``directory/0003`` does).
``tests/ledger/test_triggers_present.py`` fails when a watched table has lost its triggers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import migrations

QUEUE = "ledger_changedrow"
OPS = ("INSERT", "UPDATE", "DELETE")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Watch:
    table: str
    ops: tuple[str, ...] = OPS
    parent: tuple[str, str] | None = None
    """(the subject's table, the column of this table that holds the subject's id)"""

    def __post_init__(self) -> None:
        names = [self.table, *(self.parent or ())]
        if not all(IDENTIFIER.fullmatch(n) for n in names):
            raise ValueError(f"not plain table or column names: {names}")
        if not set(self.ops) <= set(OPS):
            raise ValueError(f"operations {self.ops}: use {', '.join(OPS)}")


def _inserts(w: Watch, row: str) -> str:
    # Names from the migrations' code, checked to be plain identifiers; never user input.
    sql = f"INSERT INTO {QUEUE} (\"table\", row_id) VALUES ('{w.table}', {row}.id);"  # noqa: S608
    if w.parent is not None:
        table, column = w.parent
        sql += f" INSERT INTO {QUEUE} (\"table\", row_id) VALUES ('{table}', {row}.{column});"  # noqa: S608
    return sql


def _name(w: Watch, op: str = "") -> str:
    return f"chancery_changed_{w.table}" + (f"_{op.lower()}" if op else "")


def create_sql(vendor: str, w: Watch) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {_name(w, op)} AFTER {op} ON {w.table} FOR EACH ROW BEGIN "
            f"{_inserts(w, 'OLD' if op == 'DELETE' else 'NEW')} END"
            for op in w.ops
        ]
    if vendor == "postgresql":
        function = _name(w)
        return [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP = 'DELETE' THEN {_inserts(w, 'OLD')} "
            f"ELSE {_inserts(w, 'NEW')} END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER {function} AFTER {' OR '.join(w.ops)} ON {w.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    raise NotImplementedError(f"no change triggers for the {vendor} database")


def drop_sql(vendor: str, w: Watch) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {_name(w, op)}" for op in w.ops]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {_name(w)} ON {w.table}",
            f"DROP FUNCTION IF EXISTS {_name(w)}()",
        ]
    raise NotImplementedError(f"no change triggers for the {vendor} database")


def operation(watches: Sequence[Watch]) -> migrations.RunPython:
    """A reversible migration operation creating (reverse: dropping) the triggers."""

    def run(sql_of: Any) -> Any:
        def go(apps: Any, schema_editor: Any) -> None:
            vendor = schema_editor.connection.vendor
            for w in watches:
                for statement in sql_of(vendor, w):
                    schema_editor.execute(statement, params=None)

        return go

    return migrations.RunPython(run(create_sql), run(drop_sql))


def recreate(watches: Sequence[Watch]) -> migrations.RunPython:
    """Drop (if present) and create the triggers again, for a migration that rebuilt a watched
    table (SQLite drops a rebuilt table's triggers; PostgreSQL keeps them: both end the same)."""

    def go(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for w in watches:
            for statement in [*drop_sql(vendor, w), *create_sql(vendor, w)]:
                schema_editor.execute(statement, params=None)

    return migrations.RunPython(go, migrations.RunPython.noop)
