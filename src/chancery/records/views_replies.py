"""The pages of replies (being written)."""

from __future__ import annotations


def register_panels() -> None:
    """Register the reply panels on a message's pages (``chancery.pages.register_panel``)."""
