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
    declare(
        "principal.created", subject="principal",
        public=("principal", "status", "delivery_requires", "gate_open"),
        description="A principal was created with a status and a support policy.",
        declared_in=__name__,
    )
    declare(
        "principal.policy", subject="principal",
        public=("principal", "delivery_requires", "gate_open"),
        description="A principal's support policy changed (and whether delivery is open now).",
        declared_in=__name__,
    )
    declare(
        "office.holder", subject="office",
        public=("office", "leader", "took_office", "left_office"),
        description="An office's holder (a leader's id, or none) and term were recorded.",
        declared_in=__name__,
    )
