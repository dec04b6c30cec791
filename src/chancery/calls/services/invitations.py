"""Placeholder until its part lands."""


def send_pending() -> int:
    return 0
