"""Django admin for reference data: countries, organisations, leaders, offices, missions.

A principal's transition status is shown read-only here: changing it must go through
``services.set_principal_status`` (the admin tools page or ``chancery principal status``), which
records the change as an event and opens or closes the policy gate.
"""

from __future__ import annotations

from typing import Any

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
from chancery.directory.services import (
    HOLDER_FIELDS,
    record_office_holder,
    record_policy,
    record_principal_created,
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
    can_delete = False
    fields = (
        "kind",
        "title",
        "form_of_address",
        "country",
        "organisation",
        "took_office",
        "left_office",
    )


def _holder_changed(form: Any, created: bool) -> bool:
    return created or bool(set(form.changed_data) & set(HOLDER_FIELDS))


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "native_name", "languages", "time_zone")
    search_fields = ("name", "native_name")
    inlines = [OfficeInline]

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # An office added or changed here records its holder (office.holder), in the admin's
        # transaction, as the office page does.
        forms = [f for f in formset.forms if f.has_changed() and not _deleted(formset, f)]
        created = {id(f): f.instance.pk is None for f in forms}
        super().save_formset(request, form, formset, change)
        for f in forms:
            if f.instance.pk is not None and _holder_changed(f, created[id(f)]):
                record_office_holder(f.instance, by=request.user)


def _deleted(formset: Any, form: Any) -> bool:
    return bool(getattr(formset, "can_delete", False) and formset._should_delete_form(form))


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    """An office's holder and term (leader, took office, left office) are recorded as an
    ``office.holder`` event on every save that changes them, so a holder changed with SQL is
    told from one changed here. Offices are not deleted (an office ends with its left-office
    date; messages point at it)."""

    list_display = ("title", "leader", "kind", "country", "organisation", "took_office")
    list_filter = ("kind",)
    search_fields = ("title", "leader__name")
    autocomplete_fields = ("leader", "country", "organisation")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if _holder_changed(form, not change):
            record_office_holder(obj, by=request.user)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


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
    """A change of the support policy is recorded (``principal.policy``), so the gate it gives
    is on the log; the slug is fixed once created (every event names the principal by it)."""

    list_display = ("slug", "name", "title", "status", "delivery_requires", "time_zone")
    readonly_fields = ("status",)
    inlines = [StatusChangeInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ("status", "slug") if obj is not None else ("status",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if not change:
            record_principal_created(obj, by=request.user)
        elif "delivery_requires" in form.changed_data:
            record_policy(obj, by=request.user)
