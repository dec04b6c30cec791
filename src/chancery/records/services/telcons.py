"""Telcons (being written)."""
