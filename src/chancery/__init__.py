"""Chancery: the operations-center system for a principal's foreign correspondence and calls."""

__version__ = "0.1.0"
