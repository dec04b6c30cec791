"""Placeholder until its part lands."""

from ninja import Router

router = Router(tags=["calls"])
