"""Personas and a small directory, shared by every test (enabled from conftest.py).

The personas are the people of MISSION.md: two watch officers (so a second officer can confirm
a hold), a protocol officer, a French translator, the Canadian and French liaisons, the
principal's office staffers, an auditor and an admin. Tests drive the same service functions and
endpoints these people use.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from chancery.accounts.models import ApiToken, Profile, Role
from chancery.correspondence import services
from chancery.correspondence.models import Message
from chancery.directory.models import Country, Leader, Mission, Office, Principal


def make_user(username: str, role: str, **profile: Any) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    Profile.objects.create(user=user, display_name=username.replace(".", " ").title(), **profile)
    return user


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    ca = Country.objects.create(code="CA", name="Canada")
    fr = Country.objects.create(code="FR", name="France")
    trudeau = Leader.objects.create(
        name="Justin Trudeau", languages=["en", "fr"], time_zone="America/Toronto"
    )
    macron = Leader.objects.create(
        name="Emmanuel Macron", languages=["fr"], time_zone="Europe/Paris"
    )
    pm_ca = Office.objects.create(
        leader=trudeau,
        country=ca,
        kind=Office.Kind.HEAD_OF_GOVERNMENT,
        title="Prime Minister of Canada",
        form_of_address="The Right Honourable",
    )
    pres_fr = Office.objects.create(
        leader=macron,
        country=fr,
        kind=Office.Kind.HEAD_OF_STATE,
        title="President of the French Republic",
        form_of_address="His Excellency",
    )
    mission_ca = Mission.objects.create(country=ca, name="Embassy of Canada, Washington")
    mission_fr = Mission.objects.create(country=fr, name="Embassy of France, Washington")
    pe = Principal.objects.create(
        slug="president-elect",
        name="Joseph R. Biden Jr.",
        title="President-elect",
        time_zone="America/New_York",
        status=Principal.Status.PROJECTED,
        office_email="office@example.org",
    )
    vpe = Principal.objects.create(
        slug="vice-president-elect",
        name="Kamala D. Harris",
        title="Vice President-elect",
        time_zone="America/New_York",
        status=Principal.Status.PROJECTED,
        office_email="vp-office@example.org",
    )
    return {
        "ca": ca,
        "fr": fr,
        "pm_ca": pm_ca,
        "pres_fr": pres_fr,
        "mission_ca": mission_ca,
        "mission_fr": mission_fr,
        "pe": pe,
        "vpe": vpe,
    }


@pytest.fixture
def gated(world: dict[str, Any]) -> Principal:
    """The president-elect with the support policy 'delivery waits for ascertainment'."""
    pe: Principal = world["pe"]
    pe.delivery_requires = Principal.Status.ASCERTAINED
    pe.save()
    return pe


@pytest.fixture
def people(world: dict[str, Any]) -> dict[str, User]:
    admin = make_user("admin", Role.ADMIN)
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    return {
        "officer": make_user("officer.one", Role.WATCH_OFFICER),
        "officer2": make_user("officer.two", Role.WATCH_OFFICER),
        "protocol": make_user("protocol.officer", Role.PROTOCOL_OFFICER),
        "translator": make_user("translator.fr", Role.TRANSLATOR, languages=["fr"]),
        "liaison_ca": make_user("liaison.ca", Role.LIAISON, mission=world["mission_ca"]),
        "liaison_fr": make_user("liaison.fr", Role.LIAISON, mission=world["mission_fr"]),
        "staffer": make_user("staffer.pe", Role.PRINCIPAL_OFFICE, principal=world["pe"]),
        "staffer_vp": make_user("staffer.vpe", Role.PRINCIPAL_OFFICE, principal=world["vpe"]),
        "auditor": make_user("auditor", Role.AUDITOR),
        "admin": admin,
    }


@pytest.fixture
def submit(world: dict[str, Any], people: dict[str, User]) -> Any:
    """``submit(body=..., by=..., office=..., principal=...)`` -> Message (defaults: Canada)."""

    def _submit(
        body: str = "Félicitations et meilleurs vœux. Congratulations and best wishes.",
        *,
        by: User | None = None,
        office: Office | None = None,
        principal: str = "president-elect",
        **kw: Any,
    ) -> Message:
        message, _ = services.submit_message(
            services.Submission(
                principal=principal,
                sender_office=(office or world["pm_ca"]).pk,
                body=body,
                **kw,
            ),
            by=by or people["liaison_ca"],
        )
        return message

    return _submit


@pytest.fixture
def token_for(db: Any) -> Any:
    """``token_for(user)`` -> a bearer secret for the API."""

    def _token(user: User) -> str:
        return ApiToken.issue(user, name="test")[1]

    return _token
