"""The small world the tests and the benchmarks build, and the helpers they share (one copy:
``tests/fixtures.py`` turns these into pytest fixtures, ``bench/_common.py`` sets up its server's
database with them). Not used by the product itself.

The personas are the people of MISSION.md: two watch officers (so a second officer can confirm
a hold), a protocol officer, a French translator, the Canadian and French liaisons, the
principal's office staffers, an auditor and an admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client

from chancery.accounts.models import ApiToken, Profile, Role
from chancery.directory.models import Country, Leader, Mission, Office, Principal
from chancery.directory.services import record_policy


def make_user(
    username: str, role: str, *, display_name: str = "", password: str | None = "", **profile: Any
) -> User:
    """A user in the role's group with a profile (``mission``, ``principal``, ``languages``).
    The password is ``pw-<username>`` unless given (``None``: no usable password)."""
    user = User.objects.create_user(
        username=username, password="pw-" + username if password == "" else password
    )
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    Profile.objects.create(
        user=user, display_name=display_name or username.replace(".", " ").title(), **profile
    )
    return user


def issue_token(user: User, name: str = "test") -> str:
    """An API token for ``user``; returns the secret (shown once)."""
    _, secret = ApiToken.issue(user, name=name)
    return secret


def _principal(slug: str, name: str, title: str, office_email: str) -> Principal:
    # Made as by an installation from before ``principal.created``: no event, so the tests'
    # event counts and log sizes are the messages' alone (tests that need the event record it
    # with ``directory.services.record_principal_created``).
    return Principal.objects.create(
        slug=slug,
        name=name,
        title=title,
        time_zone="America/New_York",
        status=Principal.Status.PROJECTED,
        office_email=office_email,
    )


def set_policy(principal: Principal, requires: str) -> Principal:
    """Give a principal a support policy as the admin's page does: the row and its
    ``principal.policy`` event together (a policy changed without its event is what the
    worker's integrity step alerts on)."""
    with transaction.atomic():
        principal.delivery_requires = requires
        principal.save(update_fields=["delivery_requires"])
        record_policy(principal, by=None)
    return principal


def build_world() -> dict[str, Any]:
    """Canada and France with their heads of government and state, their embassies, and the
    president-elect and vice-president-elect (status projected, no support policy)."""
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
    return {
        "ca": ca,
        "fr": fr,
        "pm_ca": pm_ca,
        "pres_fr": pres_fr,
        "mission_ca": Mission.objects.create(country=ca, name="Embassy of Canada, Washington"),
        "mission_fr": Mission.objects.create(country=fr, name="Embassy of France, Washington"),
        "pe": _principal(
            "president-elect", "Joseph R. Biden Jr.", "President-elect", "office@example.org"
        ),
        "vpe": _principal(
            "vice-president-elect", "Kamala D. Harris", "Vice President-elect",
            "vp-office@example.org",
        ),
    }


def build_people(world: dict[str, Any]) -> dict[str, User]:
    """The personas, bound to ``world``'s missions and principals."""
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
        "records": make_user("records.officer", Role.RECORDS_OFFICER),
        "admin": admin,
    }


def client_for(user: User | None) -> Client:
    """A test client signed in as ``user`` (anonymous for None)."""
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def body_of(response: Any) -> str:
    return str(response.content.decode())


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
"""The smallest file intake accepts as a PDF attachment."""


def fresh(instance: Any) -> Any:
    """The row as the database has it now (a new instance: nothing cached on the old one)."""
    return type(instance).objects.get(pk=instance.pk)
