"""How ``chancery verify`` checks readouts against the log (being written)."""

from __future__ import annotations


def register() -> None:
    """Register the subject's check with ``chancery.ledger.checks.register``."""
