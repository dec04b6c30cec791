"""Read-only admin views of correspondence.

Messages, holds, translations and reads are changed only through the services, which record
every change as an event; the admin therefore offers no add, change or delete here (editing a
row behind the system's back is exactly what the transparency log exists to detect).
"""

from __future__ import annotations

from django.contrib import admin

from chancery.correspondence.models import Hold, Message, Notification, Translation
from chancery.readonly_admin import ReadOnlyAdmin


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "principal", "sender_office", "channel", "state", "received_at")
    list_filter = ("state", "channel", "principal")
    search_fields = ("sender_office__title", "sender_office__leader__name")
    exclude = ("body", "salt")  # content is read in the app, where each read is recorded


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = (
        "message",
        "category",
        "is_policy",
        "placed_by",
        "confirmed_by",
        "expires_at",
        "released_at",
    )
    list_filter = ("is_policy", "category")


@admin.register(Translation)
class TranslationAdmin(ReadOnlyAdmin):
    list_display = ("message", "source_language", "target_language", "status", "translator")
    exclude = ("text",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "message", "sent_at", "error")
