"""The admin's read-only view, for rows that change only through the services (which record
each change as an event) or are records by nature (reads, events): no add, change or delete
(editing a row behind the system's back is exactly what the transparency log exists to detect).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
