"""Every fetch goes through an access helper: no page, API operation or CLI command reads a
domain model (``<Model>.objects``) itself.

The views are found where users reach them: Django's URL resolver, the ninja routers of the API
and the click commands of the CLI. Each one's source, and that of the module's own helpers it
calls (``_hold``, ``_portal_message``, ...), is read with ``ast``; a ``<DomainModel>.objects``
in it fails the test unless ALLOWED names the function and why. A new view that fetches rows
itself fails here; the fix is a helper in ``<app>/access.py`` (or a justified entry below).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import click
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

DOMAIN_APPS = {"directory", "correspondence", "calls", "records"}
"""Apps whose rows are people's business; a fetch of them must be permission-scoped. (The ledger
is public by design; accounts are identities.)"""

ALLOWED: dict[str, str] = {
    "chancery.correspondence.views._active_holds": (
        "a Prefetch: it only adds the active holds of messages already fetched through "
        "visible_messages"
    ),
    "chancery.correspondence.views.audit": (
        "the access audit (auditors and admins, require_role first): resolves the tracking "
        "number a reviewer typed"
    ),
}


def _domain_models() -> set[str]:
    return {m.__name__ for m in apps.get_models() if m._meta.app_label in DOMAIN_APPS}


def _url_views() -> Iterator[Callable[..., Any]]:
    def walk(patterns: list[Any]) -> Iterator[Callable[..., Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.callback

    for view in walk(get_resolver().url_patterns):
        view = inspect.unwrap(view)
        if getattr(view, "__module__", "").startswith("chancery."):
            yield view


def _api_views() -> Iterator[Callable[..., Any]]:
    from chancery.api import api

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                yield inspect.unwrap(operation.view_func)


def _cli_commands() -> Iterator[Callable[..., Any]]:
    from chancery.cli import main

    def walk(command: click.Command) -> Iterator[Callable[..., Any]]:
        if command.callback is not None:
            yield inspect.unwrap(command.callback)
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                yield from walk(sub)

    yield from walk(main)


def _views() -> list[Callable[..., Any]]:
    seen: dict[str, Callable[..., Any]] = {}
    for view in (*_url_views(), *_api_views(), *_cli_commands()):
        seen.setdefault(f"{view.__module__}.{view.__qualname__}", view)
    return list(seen.values())


def _tree(fn: Callable[..., Any]) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(fn)))


def _fetches(fn: Callable[..., Any], models: set[str], module: ModuleType,
             seen: set[str]) -> Iterator[tuple[str, str]]:
    """(function, Model) for each ``Model.objects`` in ``fn`` and the module helpers it calls."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    if name in seen:
        return
    seen.add(name)
    tree = _tree(fn)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute) and node.attr == "objects"
            and isinstance(node.value, ast.Name) and node.value.id in models
        ):
            yield name, node.value.id
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = getattr(module, node.func.id, None)
            if (
                inspect.isfunction(helper) and helper.__module__ == module.__name__
                and helper is not fn
            ):
                yield from _fetches(helper, models, module, seen)


def test_views_api_and_cli_fetch_only_through_access_helpers() -> None:
    models = _domain_models()
    assert {"Message", "Hold", "Translation", "Principal", "Office", "Mission"} <= models
    views = _views()
    names = {f"{v.__module__}.{v.__qualname__}" for v in views}
    # The walk finds the three ways in (a sample of each, so a broken walk cannot pass).
    assert {
        "chancery.correspondence.views.inbox", "chancery.correspondence.views.portal_new",
        "chancery.directory.views.admin_principals", "chancery.web.views.home",
        "chancery.correspondence.api.confirm_hold", "chancery.directory.api.offices",
        "chancery.correspondence.api.inbox", "chancery.cli.principal_status",
    } <= names, sorted(names)
    found: list[tuple[str, str]] = []
    for view in views:
        module = inspect.getmodule(view)
        assert module is not None
        found.extend(_fetches(view, models, module, set()))
    offending = sorted({(f, m) for f, m in found if f not in ALLOWED})
    assert not offending, (
        "these fetch domain rows without an access helper (add one to <app>/access.py): "
        f"{offending}"
    )


def test_the_allow_list_is_not_stale() -> None:
    """Each allowed exception still exists and still fetches (remove it when it no longer
    does)."""
    models = _domain_models()
    found: set[str] = set()
    for view in _views():
        module = inspect.getmodule(view)
        assert module is not None
        found |= {f for f, _m in _fetches(view, models, module, set())}
    assert set(ALLOWED) <= found, set(ALLOWED) - found


def test_the_polity_rule_is_written_once() -> None:
    """'Same country or organisation as the mission' lives in directory.access only: no other
    module compares a mission's country or organisation itself."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "chancery"
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "access.py" and path.parent.name == "directory":
            continue
        text = path.read_text(encoding="utf-8")
        if "mission.country_id" in text or "mission.organisation_id" in text:
            offenders.append(str(path.relative_to(src)))
    assert not offenders
