"""The one table the baseline endpoint writes to."""

from __future__ import annotations

from django.db import models


class BaselineRow(models.Model):
    """One row per baseline request: the cheapest useful write a Django view can make."""

    created_at = models.DateTimeField()
    payload = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"BaselineRow {self.pk}"
