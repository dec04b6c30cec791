"""docs/architecture.md's walk-through ("How a new domain plugs in") runs as written.

The ``python`` blocks of that section are executed against a real table (made for the test and
dropped after it), the real event-kinds and subject-checks registries, the real sequencer and
``chancery verify``; an edit of the toy row behind the application's back must be reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, models, transaction

from chancery.inputs import clean_text
from chancery.ledger import checks, kinds
from chancery.ledger.checks import Finding
from chancery.ledger.kinds import declare
from chancery.ledger.models import Event
from chancery.ledger.sequencer import integrate_all
from chancery.ledger.services import record_event
from chancery.ledger.verify import verify_log
from chancery.testing import make_user

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def walkthrough_blocks() -> list[str]:
    text = DOC.read_text()
    start = text.index("## How a new domain plugs in")
    end = text.index("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], re.S)


class Memo(models.Model):
    title = models.CharField(max_length=200)

    class Meta:
        app_label = "memos"

    def __str__(self) -> str:
        return self.title


@pytest.fixture
def memo_table(transactional_db: Any) -> Iterator[None]:
    with connection.schema_editor() as editor:
        editor.create_model(Memo)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Memo)
        # The toy leaves the registries as it found them (the kinds test walks every kind).
        kinds._KINDS.pop("memo.written", None)
        checks._CHECKS.pop("memo", None)


def test_the_walkthrough_has_its_three_blocks() -> None:
    blocks = walkthrough_blocks()
    assert len(blocks) == 3
    assert sum(len(b.strip().splitlines()) for b in blocks) < 45  # a handful of lines


def test_a_toy_subject_plugs_in_as_the_walkthrough_says(memo_table: None) -> None:
    namespace: dict[str, Any] = {
        "Memo": Memo, "declare": declare, "record_event": record_event,
        "transaction": transaction, "clean_text": clean_text, "checks": checks,
        "Finding": Finding,
    }
    for block in walkthrough_blocks():
        exec(block, namespace)  # noqa: S102 - our own documentation
    namespace["register_events"]()
    namespace["register_checks"]()
    author = make_user("memo.author", "watch_officer")

    memo = namespace["write_memo"]("Call with the Taoiseach", by=author)
    event = Event.objects.get(subject_type="memo", subject_id=memo.pk)
    assert b"Taoiseach" not in bytes(event.leaf)  # the title is private: only a commitment
    assert b'"words":4' in bytes(event.leaf)
    integrate_all()
    report = verify_log()
    assert report.ok, report.problems

    with connection.cursor() as cursor:  # an insider edits the row
        cursor.execute("UPDATE memos_memo SET title = 'Nothing' WHERE id = %s", [memo.pk])
    report = verify_log()
    assert not report.ok
    assert any(f"memo #{memo.pk}: its title differs" in p for p in report.problems)

    with pytest.raises(kinds.UndeclaredEvent), transaction.atomic():
        record_event("memo", memo.pk, "memo.written", data={"title": "x", "colour": "red"})
