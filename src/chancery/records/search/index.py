"""The search index (being written)."""

from __future__ import annotations


def index_pending(limit: int = 5000) -> int:
    """Index the subjects changed since the last pass; how many documents were (re)written."""
    return 0
