"""The API of telcons (being written)."""

from ninja import Router

router = Router(tags=["records"])
