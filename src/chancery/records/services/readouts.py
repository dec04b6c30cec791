"""Read-outs (being written)."""

from __future__ import annotations


def publish_due() -> int:
    """Publish the cleared read-outs that may now be published; how many were."""
    return 0
