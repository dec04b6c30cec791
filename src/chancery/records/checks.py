"""How ``chancery verify`` (and the worker's integrity step) checks records against the log:
one module per subject type (``checks_telcons``, ``checks_readouts``, ``checks_replies``), each
registering its subject with ``chancery.ledger.checks.register``."""

from __future__ import annotations


def register() -> None:
    from chancery.records import checks_readouts, checks_replies, checks_telcons

    checks_telcons.register()
    checks_readouts.register()
    checks_replies.register()
