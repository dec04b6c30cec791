"""The API of replies (being written)."""

from ninja import Router

router = Router(tags=["records"])
