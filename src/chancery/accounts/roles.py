"""Role checks. Roles are Django groups named after ``Role`` values; superusers are admins."""

from __future__ import annotations

from typing import Any

from chancery.accounts.models import Role
from chancery.errors import Forbidden

OFFICER_ROLES = {Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER}
STAFF_ROLES = OFFICER_ROLES | {Role.TRANSLATOR, Role.AUDITOR, Role.ADMIN}
ALL_SEEING = OFFICER_ROLES | {Role.ADMIN, Role.AUDITOR}
"""The operations center's roles: they see that every subject exists (not all of them may act)."""


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


def require_role(user: Any, *roles: str, action: str) -> None:
    """Refuse (403, naming the roles) unless ``user`` has one of ``roles``."""
    if not has_role(user, *roles):
        names = ", ".join(Role(r).label.lower() for r in roles)
        raise Forbidden(f"Only a {names} may {action}.")
