"""Permission-scoped access to the directory: principals, sending offices, a liaison's mission.

Pages, the API and the CLI fetch directory rows through these helpers (tests/correspondence/
test_access_helpers.py checks it). The rule "same country or organisation as the mission" is
written once, here (:func:`polity_q` for queries, :func:`in_polity` for one office in hand).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import is_sender_only, profile_of, require_role
from chancery.directory.models import Mission, Office, Principal, StatusChange
from chancery.errors import Forbidden, NotFound

OFFICE_READERS = (
    Role.LIAISON, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, Role.ADMIN, Role.AUDITOR,
    Role.PRINCIPAL_OFFICE, Role.TRANSLATOR,
)


def _polity_key(mission: Mission | None) -> tuple[str, int] | None:
    """The one rule: a mission speaks for its own country or, failing one, its organisation."""
    if mission is None:
        return None
    if mission.country_id:
        return "country_id", mission.country_id
    if mission.organisation_id:
        return "organisation_id", mission.organisation_id
    return None


def polity_q(mission: Mission | None, office_path: str = "") -> Q:
    """Rows whose office is of ``mission``'s country or organisation. ``office_path`` leads
    from the queried model to the office ("" for offices, "sender_office__" for messages)."""
    key = _polity_key(mission)
    if key is None:
        return Q(pk__in=[])
    return Q(**{f"{office_path}{key[0]}": key[1]})


def in_polity(mission: Mission | None, office: Office) -> bool:
    """Whether ``office`` is of ``mission``'s country or organisation (no query)."""
    key = _polity_key(mission)
    return key is not None and getattr(office, key[0]) == key[1]


def principal_by_slug(slug: str, *, field: str = "slug") -> Principal:
    """A principal (public: the transparency page names them all), or 404 naming the known."""
    principal = Principal.objects.filter(slug=slug).first()
    if principal is None:
        known = ", ".join(Principal.objects.values_list("slug", flat=True))
        raise NotFound(f"No principal {slug!r}; known principals: {known}.", field=field)
    return principal


def principals() -> QuerySet[Principal]:
    return Principal.objects.all()


def status_changes() -> QuerySet[StatusChange]:
    """The recorded transition statuses of the principals (``principals()``), newest first."""
    return (
        StatusChange.objects.filter(principal__in=principals())
        .select_related("principal", "by")
        .order_by("-at", "-id")
    )


def liaison_mission(user: Any) -> Mission:
    """The mission a liaison speaks for (403 for anyone else, or a liaison bound to none)."""
    require_role(user, Role.LIAISON, action="use the liaison portal")
    mission: Mission | None = profile_of(user).mission
    if mission is None:
        raise Forbidden("Your liaison account is not bound to a mission; ask an administrator.")
    return mission


def visible_offices(user: Any) -> QuerySet[Office]:
    """The sending offices ``user`` may see: a sender-only user (a liaison) sees its own
    country's or organisation's; the other roles see all."""
    require_role(user, *OFFICE_READERS, action="list offices")
    qs = Office.objects.select_related("leader", "country", "organisation")
    if is_sender_only(user):
        qs = qs.filter(polity_q(profile_of(user).mission))
    return qs


def sending_offices(user: Any) -> list[Office]:
    """The offices a liaison may send for now: its polity's, still in office."""
    mission = liaison_mission(user)
    qs = Office.objects.select_related("leader", "country", "organisation")
    return list(
        qs.filter(polity_q(mission), left_office__isnull=True).order_by("kind", "title")
    )
