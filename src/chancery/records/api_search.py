"""The API of search (being written)."""

from ninja import Router

router = Router(tags=["records"])
