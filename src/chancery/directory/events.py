"""The event kinds of the directory. Registered from ``DirectoryConfig.ready()``."""

from __future__ import annotations

from chancery.ledger.kinds import declare


def register() -> None:
    declare(
        "principal.status", subject="principal",
        public=("principal", "status", "gate_open"), private=("note",),
        description="A principal's transition status changed (and whether delivery is open).",
        declared_in=__name__,
    )
