"""Admin for people: profiles inline on users, API tokens (revocable, never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from chancery import clock
from chancery.accounts.models import ApiToken, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ("display_name", "mission", "principal", "languages")


class ChanceryUserAdmin(UserAdmin):
    inlines = [ProfileInline]


admin.site.unregister(User)
admin.site.register(User, ChanceryUserAdmin)


@admin.action(description="Revoke the selected tokens")
def revoke(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "revoked_at")
    readonly_fields = ("prefix", "user", "name", "created_at", "revoked_at")
    exclude = ("digest",)
    actions = [revoke]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # tokens are made with `chancery token create`, which prints the secret once
