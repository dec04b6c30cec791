"""Placeholder until its part lands."""


def register() -> None:
    pass
