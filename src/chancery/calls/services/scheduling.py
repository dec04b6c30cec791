"""Placeholder until its part lands."""


def run_pending() -> int:
    return 0
