"""Read-only admin view of the access audit (reads are recorded, never edited)."""

from __future__ import annotations

from django.contrib import admin

from chancery.ledger.models import Read
from chancery.readonly_admin import ReadOnlyAdmin


@admin.register(Read)
class ReadAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "subject_type", "subject_id", "via", "part")
    list_filter = ("subject_type", "via")
