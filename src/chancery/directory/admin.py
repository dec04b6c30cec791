"""Django admin for reference data: countries, organisations, leaders, offices, missions.

A principal's transition status is shown read-only here: changing it must go through
``services.set_principal_status`` (the admin tools page or ``chancery principal status``), which
records the change as an event and opens or closes the policy gate.
"""

from __future__ import annotations

from django.contrib import admin

from chancery.directory.models import (
    Country,
    Leader,
    Mission,
    Office,
    Organisation,
    Principal,
    StatusChange,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name")
    search_fields = ("slug", "name")


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    fields = (
        "kind",
        "title",
        "form_of_address",
        "country",
        "organisation",
        "took_office",
        "left_office",
    )


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "native_name", "languages", "time_zone")
    search_fields = ("name", "native_name")
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("title", "leader", "kind", "country", "organisation", "took_office")
    list_filter = ("kind",)
    search_fields = ("title", "leader__name")
    autocomplete_fields = ("leader", "country", "organisation")


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "organisation", "head_name", "head_class", "functions_since")
    list_filter = ("head_class",)
    search_fields = ("name", "head_name")


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("status", "at", "by", "note")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Principal)
class PrincipalAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "title", "status", "delivery_requires", "time_zone")
    readonly_fields = ("status",)
    inlines = [StatusChangeInline]
