"""Events: every state change is a row written in the same transaction as the change.

Each event is also a leaf of the transparency log (issue: transparency log). ``leaf`` holds the
canonical, versioned JSON that is hashed into the log; it never contains message text, only
identifiers, states, times and salted commitments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=32, help_text="message, principal, call, record")
    subject_id = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Empty for the system (the worker, the policy gate)",
    )
    data = models.JSONField(default=dict, help_text="Public-safe details: never message text")
    leaf = models.BinaryField(help_text="Canonical JSON leaf for the transparency log")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.subject_type}:{self.subject_id}"
