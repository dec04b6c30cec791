"""Role checks. Roles are Django groups named after ``Role`` values; superusers are admins."""

from __future__ import annotations

from typing import Any

from chancery.accounts.models import Role
from chancery.errors import Forbidden

OFFICER_ROLES = {Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER}
STAFF_ROLES = OFFICER_ROLES | {Role.TRANSLATOR, Role.AUDITOR, Role.RECORDS_OFFICER, Role.ADMIN}
ALL_SEEING = OFFICER_ROLES | {Role.ADMIN, Role.AUDITOR, Role.RECORDS_OFFICER}
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


def role_refusal(user: Any, *roles: str, action: str) -> Forbidden | None:
    """The refusal (naming the roles) when ``user`` has none of ``roles``; None when allowed."""
    if has_role(user, *roles):
        return None
    names = ", ".join(Role(r).label.lower() for r in roles)
    return Forbidden(f"Only a {names} may {action}.")


def require_role(user: Any, *roles: str, action: str) -> None:
    """Refuse (403, naming the roles) unless ``user`` has one of ``roles``."""
    refusal = role_refusal(user, *roles, action=action)
    if refusal is not None:
        raise refusal


INTERNAL_ROLES = STAFF_ROLES | {Role.PRINCIPAL_OFFICE}
"""Everyone inside: the operations center, translators and the principals' offices."""


def is_sender_only(user: Any) -> bool:
    """A sender-only user: a liaison with no internal role. It follows its own messages in the
    portal (status, receipt, policy holds), never the operations center's working (officers'
    names, an officer's hold reason, event details). The one definition; every page and the
    API ask this."""
    roles = roles_of(user)
    return Role.LIAISON in roles and not roles & INTERNAL_ROLES


def internal_users() -> Any:
    """The active users with an internal role (``INTERNAL_ROLES``; superusers are admins), in
    one query: who may be named on an internal list (a telcon's reviewers and distribution)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model().objects.filter(is_active=True)
        .filter(Q(groups__name__in=INTERNAL_ROLES) | Q(is_superuser=True))
        .distinct().order_by("username")
    )
