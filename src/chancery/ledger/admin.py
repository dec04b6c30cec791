"""Read-only admin view of the access audit (reads are recorded, never edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from chancery.ledger.models import Read


@admin.register(Read)
class ReadAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "subject_type", "subject_id", "via", "part")
    list_filter = ("subject_type", "via")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
