"""The registry of event kinds: what each kind of event may carry, and what of it is private.

The ledger knows no domain. Each app declares its event kinds in its own ``<app>/events.py``
with :func:`declare` (called from the app's ``AppConfig.ready()``): the subject type the kind
is recorded against, the data keys published in clear (``public``), the data keys whose values
the public leaf replaces by a salted ``sha256:`` commitment (``private``: text people wrote,
names, anything not for the world), and one line saying what the event means.

:func:`~chancery.ledger.services.record_event` refuses a kind nobody declared, a key the kind
does not declare and a subject type other than the declared one, so a new field is never
published in clear by accident: its author has to say which side it is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class UndeclaredEvent(ValueError):
    """An event of a kind, subject type or key that no app declared."""


@dataclass(frozen=True)
class Kind:
    name: str
    subject: str
    public: frozenset[str]
    private: frozenset[str]
    description: str
    declared_in: str
    label: str = ""
    """How a page's history names the event ("Scheduled"); the kind's name when empty."""

    @property
    def keys(self) -> frozenset[str]:
        return self.public | self.private


_KINDS: dict[str, Kind] = {}


def declare(
    name: str,
    *,
    subject: str,
    public: Iterable[str] = (),
    private: Iterable[str] = (),
    description: str,
    declared_in: str,
    label: str = "",
) -> Kind:
    """Declare an event kind (``declared_in``: the module that declares it, for error messages).

    Declaring the same kind again with the same fields is harmless (``ready()`` may run twice);
    with other fields, or a key both public and private, it is an error."""
    kind = Kind(
        name, subject, frozenset(public), frozenset(private), description.strip(), declared_in,
        label,
    )
    if both := kind.public & kind.private:
        raise ValueError(f"event kind {name!r}: {sorted(both)} declared both public and private")
    if not description.strip() or "\n" in description.strip():
        raise ValueError(f"event kind {name!r}: give a one-line description")
    previous = _KINDS.get(name)
    if previous is not None and previous != kind:
        raise ValueError(
            f"event kind {name!r} is declared twice, differently: in {previous.declared_in} "
            f"and in {declared_in}"
        )
    _KINDS[name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _KINDS.get(name)


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: (k.subject, k.name))


def private_fields(name: str) -> frozenset[str]:
    """The private keys of a kind; none for an undeclared one (``chancery verify`` rebuilds
    leaves of whatever kind a row names: an edited kind then gives a leaf that differs)."""
    kind = _KINDS.get(name)
    return kind.private if kind is not None else frozenset()


def check(name: str, subject_type: str, data: dict[str, Any]) -> Kind:
    """The declared kind, or :class:`UndeclaredEvent` saying what is wrong and where to fix it."""
    kind = _KINDS.get(name)
    if kind is None:
        raise UndeclaredEvent(
            f"event kind {name!r} is not declared (keys {sorted(data)}): declare it in the "
            "owning app's events.py with chancery.ledger.kinds.declare(name, subject=..., "
            "public=[...], private=[...], description=...), registered from the app's "
            "AppConfig.ready()"
        )
    if subject_type != kind.subject:
        raise UndeclaredEvent(
            f"event kind {name!r} is declared for subject type {kind.subject!r} in "
            f"{kind.declared_in}, not {subject_type!r}"
        )
    if extra := set(data) - kind.keys:
        raise UndeclaredEvent(
            f"event kind {name!r} does not declare the keys {sorted(extra)}: add each to its "
            f"public fields (published in clear, forever) or its private fields (published as "
            f"a salted commitment) in {kind.declared_in}"
        )
    return kind


def markdown_table() -> str:
    """The registry as a Markdown table (docs/architecture.md includes it; a test checks it)."""

    def fields(names: frozenset[str]) -> str:
        return ", ".join(f"`{n}`" for n in sorted(names)) or "—"

    lines = [
        "| kind | subject | public fields | private fields | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{k.name}` | {k.subject} | {fields(k.public)} | {fields(k.private)} | "
        f"{k.description} |"
        for k in all_kinds()
    ]
    return "\n".join(lines) + "\n"
