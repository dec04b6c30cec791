"""Replies (being written)."""
