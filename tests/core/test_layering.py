"""The layering of DESIGN.md, checked on the source: imports point down only.

Every ``import``/``from ... import`` in ``src/chancery`` (at module level or inside a function)
is read with ``ast``; each module belongs to a layer (an app, or the project's core modules),
and the table below says which layers it may import. A new app (calls/, records/) gets a row
here when it is created.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "chancery"

CORE = "core"  # chancery/<module>.py: errors, clock, inputs, pages, schemas, fastinsert, ...
SHELL = {"web", "demo", "cli", "api", "urls", "settings", "wsgi", "testing"}
"""The shell: composes the apps, may import any of them (but not cli or demo)."""

MAY_IMPORT: dict[str, set[str]] = {
    CORE: {CORE},
    "accounts": {CORE, "accounts"},
    "ledger": {CORE, "ledger", "accounts"},
    "directory": {CORE, "directory", "accounts", "ledger"},
    "correspondence": {CORE, "correspondence", "directory", "accounts", "ledger"},
    "calls": {CORE, "calls", "correspondence", "directory", "accounts", "ledger"},
    "records": {
        CORE, "records", "calls", "correspondence", "directory", "accounts", "ledger",
    },
}
APPS = set(MAY_IMPORT) - {CORE}
NEVER_IMPORTED = {"cli", "demo"}
ENTRY_POINTS = {("cli", "demo")}
"""The one exception: ``chancery demo`` (the CLI) starts the demo."""


def layer_of(module: str) -> str:
    """``chancery.correspondence.views`` -> ``correspondence``; ``chancery.errors`` -> core."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "chancery":
        return ""
    top = parts[1]
    if top in APPS or top in SHELL:
        return top
    return CORE


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found: list[tuple[int, str]] = []
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # ``from chancery import clock`` names a module of the package.
            if name == "chancery":
                found += [(node.lineno, f"chancery.{a.name}") for a in node.names]
    return [(line, name) for line, name in found if name.startswith("chancery.")]


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_the_table_covers_every_app() -> None:
    """A package under src/chancery is an app in the table, or part of the shell."""
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    unknown = packages - APPS - SHELL
    assert not unknown, f"add these apps to MAY_IMPORT in {__file__}: {sorted(unknown)}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    here = layer_of(".".join(path.relative_to(SRC.parent).with_suffix("").parts))
    wrong = []
    for line, name in imports(path):
        there = layer_of(name)
        if (here, there) in ENTRY_POINTS:
            continue
        if there in NEVER_IMPORTED and there != here:
            wrong.append(f"line {line}: {name} (nothing imports {there})")
        elif here in MAY_IMPORT and there not in MAY_IMPORT[here] and there:
            wrong.append(f"line {line}: {name} ({here} may not import {there})")
    assert not wrong, f"{path.relative_to(SRC)} imports against the layering:\n" + "\n".join(
        wrong
    )
