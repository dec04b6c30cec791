"""The API of readouts (being written)."""

from ninja import Router

router = Router(tags=["records"])
