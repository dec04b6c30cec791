"""The access audit's move to the ledger: every ContentRead row of a database migrated before
becomes a ledger Read of subject type "message", and back when the migration is reversed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chancery import clock

BEFORE = [("correspondence", "0001_initial"), ("ledger", "0005_read")]
AFTER = [("correspondence", "0002_reads_to_ledger")]


@pytest.fixture
def executor(transactional_db: Any) -> Iterator[MigrationExecutor]:
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)  # leave the database as the other tests want it
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_content_reads_become_ledger_reads_and_back(
    executor: MigrationExecutor, world: dict[str, Any], people: dict[str, Any], submit: Any
) -> None:
    message = submit("Read before the move")
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    ContentRead = old.get_model("correspondence", "ContentRead")
    now = clock.now()
    officer, auditor = people["officer"], people["auditor"]
    ContentRead.objects.create(message_id=message.pk, user_id=officer.pk, at=now, via="web")
    ContentRead.objects.create(
        message_id=message.pk, user_id=auditor.pk, at=now, via="export", part="attachments"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Read = new.get_model("ledger", "Read")
    rows = set(Read.objects.values_list("subject_type", "subject_id", "user_id", "via", "part"))
    assert rows == {
        ("message", message.pk, officer.pk, "web", "body"),
        ("message", message.pk, auditor.pk, "export", "attachments"),
    }
    assert "correspondence_contentread" not in connection.introspection.table_names()

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # reversible: the rows go back
    old = executor.loader.project_state(BEFORE).apps
    back = old.get_model("correspondence", "ContentRead").objects
    assert set(back.values_list("message_id", "user_id", "via", "part")) == {
        (message.pk, officer.pk, "web", "body"),
        (message.pk, auditor.pk, "export", "attachments"),
    }
    assert not old.get_model("ledger", "Read").objects.exists()
