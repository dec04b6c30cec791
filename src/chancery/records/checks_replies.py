"""How ``chancery verify`` checks replies against the log (being written)."""

from __future__ import annotations


def register() -> None:
    """Register the subject's check with ``chancery.ledger.checks.register``."""
