"""Role checks. Roles are Django groups named after ``Role`` values; superusers are admins."""

from __future__ import annotations

from typing import Any

from chancery.accounts.models import Role

OFFICER_ROLES = {Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER}
STAFF_ROLES = OFFICER_ROLES | {Role.TRANSLATOR, Role.AUDITOR, Role.ADMIN}


def roles_of(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_chancery_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._chancery_roles = cached
    return set(cached)


def has_role(user: Any, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_officer(user: Any) -> bool:
    return has_role(user, *OFFICER_ROLES)


def profile_of(user: Any) -> Any:
    from chancery.accounts.models import Profile

    profile = getattr(user, "_chancery_profile", None)
    if profile is None:
        profile, _ = Profile.objects.select_related("mission", "principal").get_or_create(user=user)
        user._chancery_profile = profile
    return profile
