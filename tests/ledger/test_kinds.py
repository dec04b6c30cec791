"""Event kinds are declared by their apps (ledger.kinds), and nothing else can be recorded.

The scan below reads every ``record_event(...)`` call in src/ (and every call of a wrapper that
passes its keyword arguments on as event data, like correspondence's ``_message_event``), and
requires each kind it can emit to be declared for that subject type with every key it carries. A
new kind or key that is not declared fails here before it can reach the public log.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from chancery.ledger import kinds, sequencer
from chancery.ledger.models import Event
from chancery.ledger.services import record_event
from chancery.ledger.verify import verify_log

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "chancery"


@dataclass(frozen=True)
class Emission:
    where: str
    subject: str
    kind: str
    keys: frozenset[str]


@dataclass(frozen=True)
class Wrapper:
    """A function that records an event of a fixed subject type: its ``kind`` parameter is the
    kind, its ``**data`` parameter's keys (with the fixed keys it adds) are the event's keys."""

    subject: str
    kind_index: int
    fixed: frozenset[str]
    named: frozenset[str]


def _literal(node: ast.AST | None) -> Any:
    return node.value if isinstance(node, ast.Constant) else None


def _record_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == "record_event":
            yield node


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _arg(call: ast.Call, index: int, name: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _dict_keys(node: ast.AST | None) -> tuple[frozenset[str], bool]:
    """The literal keys of a dict display, and whether it also spreads ``**something``."""
    if node is None:
        return frozenset(), False
    if not isinstance(node, ast.Dict):
        raise AssertionError(f"event data is not a dict display: {ast.unparse(node)}")
    keys = {_literal(k) for k in node.keys if k is not None}
    assert all(isinstance(k, str) for k in keys), ast.unparse(node)
    return frozenset(keys), any(k is None for k in node.keys)


def _wrappers(trees: dict[str, ast.AST]) -> dict[str, Wrapper]:
    found: dict[str, Wrapper] = {}
    for tree in trees.values():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.args.kwarg is None:
                continue
            for call in _record_calls(fn):
                kind = _arg(call, 2, "kind")
                params = [a.arg for a in fn.args.args]
                if isinstance(kind, ast.Name) and kind.id in params:
                    keys, spread = _dict_keys(_arg(call, 99, "data"))
                    assert spread, f"{fn.name} takes **{fn.args.kwarg.arg} but does not log it"
                    found[fn.name] = Wrapper(
                        _literal(call.args[0]), params.index(kind.id), keys,
                        frozenset(params + [a.arg for a in fn.args.kwonlyargs]),
                    )
    return found


def emissions() -> list[Emission]:
    trees = {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
    }
    wrappers = _wrappers(trees)
    assert "_message_event" in wrappers, "correspondence's _message_event was not recognised"
    inside = {
        id(call)
        for tree in trees.values()
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef) and fn.name in wrappers
        for call in _record_calls(fn)
    }
    out: list[Emission] = []
    for where, tree in trees.items():
        if where.endswith("ledger/services.py"):
            continue  # the definition of record_event itself
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            at = f"{where}:{node.lineno}"
            if name == "record_event" and id(node) not in inside:
                subject = _literal(_arg(node, 0, "subject_type"))
                kind = _literal(_arg(node, 2, "kind"))
                keys, spread = _dict_keys(_arg(node, 99, "data"))
                assert isinstance(subject, str) and isinstance(kind, str) and not spread, (
                    f"{at}: record_event with a subject type, kind or keys not written out; "
                    "the kinds test cannot see what it emits"
                )
                out.append(Emission(at, subject, kind, keys))
            elif name in wrappers:
                w = wrappers[name]
                kind = _literal(_arg(node, w.kind_index, "kind"))
                assert isinstance(kind, str), f"{at}: {name} with a kind not written out"
                assert not any(k.arg is None for k in node.keywords), f"{at}: **data passed on"
                keys = w.fixed | {k.arg for k in node.keywords if k.arg not in w.named}
                out.append(Emission(at, w.subject, kind, frozenset(k for k in keys if k)))
    return out


def test_every_kind_the_code_can_emit_is_declared_with_its_keys() -> None:
    found = emissions()
    emitted = {e.kind for e in found}
    # The scan sees every kind of the domains as they stand (a sanity check on the scan).
    assert {
        "message.received", "message.delivered", "hold.placed", "hold.renewed",
        "principal.status", "translation.signed_off", "message.escalated",
    } <= emitted, emitted
    problems = []
    for e in found:
        kind = kinds.get(e.kind)
        if kind is None:
            problems.append(f"{e.where}: {e.kind} is not declared")
        elif kind.subject != e.subject:
            problems.append(f"{e.where}: {e.kind} is declared for {kind.subject}, not {e.subject}")
        elif extra := e.keys - kind.keys:
            problems.append(f"{e.where}: {e.kind} carries undeclared keys {sorted(extra)}")
    assert not problems, "\n".join(problems)
    stale = {k.name for k in kinds.all_kinds()} - emitted
    assert not stale, f"declared kinds that no code emits (remove them): {sorted(stale)}"


def test_each_kind_is_declared_by_the_app_that_owns_its_subject() -> None:
    owners = {
        "message": "chancery.correspondence.events", "principal": "chancery.directory.events",
        "office": "chancery.directory.events", "integrity": "chancery.ledger.integrity",
        "call": "chancery.calls.events", "call_settings": "chancery.calls.events",
        "interpreter": "chancery.calls.events", "schedule_run": "chancery.calls.events",
        "blocked_time": "chancery.calls.events",
        "telcon": "chancery.records.events", "readout": "chancery.records.events",
        "reply": "chancery.records.events", "read": "chancery.ledger.reads",
    }
    for kind in kinds.all_kinds():
        assert kind.declared_in == owners[kind.subject], kind


@pytest.mark.django_db
@pytest.mark.parametrize(
    "subject, kind, data, expected",
    [
        (
            "message", "message.forged", {"tracking": "x"},
            r"'message\.forged' is not declared.*events\.py.*ready\(\)",
        ),
        (
            "message", "message.rejected", {"reason": "x", "summary": "y"},
            r"does not declare the keys \['summary'\].*chancery\.correspondence\.events",
        ),
        (
            "principal", "message.acknowledged", {},
            r"declared for subject type 'message'.*not 'principal'",
        ),
    ],
)
def test_record_event_refuses_what_is_not_declared(
    subject: str, kind: str, data: dict[str, Any], expected: str
) -> None:
    with transaction.atomic(), pytest.raises(kinds.UndeclaredEvent, match=expected):
        record_event(subject, 1, kind, data=data)
    assert not Event.objects.exists()


def test_a_kind_cannot_be_declared_twice_differently_or_a_field_on_both_sides() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        kinds.declare("message.acknowledged", subject="message", public=["x"],
                      description="Other.", declared_in="elsewhere")
    with pytest.raises(ValueError, match="both public and private"):
        kinds.declare("test.both", subject="record", public=["a"], private=["a"],
                      description="Both.", declared_in="tests")
    assert kinds.get("test.both") is None


@pytest.fixture
def private_kind() -> Iterator[kinds.Kind]:
    kind = kinds.declare(
        "test.minutes", subject="record", public=["n"], private=["summary", "attendees"],
        description="A test kind with private fields.", declared_in="tests/ledger/test_kinds.py",
    )
    yield kind
    kinds._KINDS.pop(kind.name)


def test_private_fields_are_published_as_salted_commitments(
    private_kind: kinds.Kind, people: dict[str, Any]
) -> None:
    officer = people["officer"]
    with transaction.atomic():
        event = record_event(
            "record", 3, "test.minutes", actor=officer,
            data={"n": 7, "summary": "The call went well.", "attendees": ["A. B.", "C. D."]},
        )
    leaf = json.loads(bytes(event.leaf))
    salt = bytes.fromhex(event.salt)

    def commitment(text: str) -> str:
        return "sha256:" + hashlib.sha256(salt + text.encode()).hexdigest()

    assert leaf["data"]["n"] == 7
    assert leaf["data"]["summary"] == commitment("The call went well.")
    assert leaf["data"]["attendees"] == commitment('["A. B.","C. D."]')
    assert leaf["actor"] == commitment(str(officer.pk))  # the id, not the name
    assert b"went well" not in bytes(event.leaf) and b"A. B." not in bytes(event.leaf)
    assert officer.username.encode() not in bytes(event.leaf)


def test_a_renamed_user_is_not_an_edited_row(submit: Any, people: dict[str, Any]) -> None:
    submit("Congratulations.")
    sequencer.integrate_all()
    assert verify_log().ok
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE auth_user SET username = 'renamed' WHERE id = %s", [people["liaison_ca"].pk]
        )
    report = verify_log()
    assert report.ok, report.problems


MARKERS = ("<!-- event-kinds:start -->", "<!-- event-kinds:end -->")


def test_architecture_doc_shows_the_generated_table_of_event_kinds() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    start, end = (text.index(m) for m in MARKERS)
    shown = text[start + len(MARKERS[0]) : end].strip()
    assert shown == kinds.markdown_table().strip(), (
        "docs/architecture.md's table of event kinds is stale; paste the output of "
        "`python -c 'import django, os; os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", "
        "\"chancery.settings\"); django.setup(); from chancery.ledger.kinds import "
        "markdown_table; print(markdown_table())'` between the markers"
    )
    for kind in kinds.all_kinds():
        assert re.search(rf"\| `{re.escape(kind.name)}` \| {kind.subject} \|", shown)
