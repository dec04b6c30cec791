"""What every page's layout needs: the user's roles and navigation, the principals' current
transition status, and the demo clock when the clock is moved."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.dateformat import format as date_format

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import profile_of, roles_of
from chancery.correspondence.access import visible_messages
from chancery.correspondence.models import Message
from chancery.correspondence.services import COUNT_DEFINITIONS, count_messages
from chancery.directory import access as directory_access
from chancery.directory.models import Principal
from chancery.web.templatetags.chancery_web import short_title, status_noun

OPS_ROLES = {Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, Role.ADMIN, Role.AUDITOR}
TRANSLATION_ROLES = {Role.TRANSLATOR, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, Role.ADMIN}


def navigation(user: Any, roles: set[str], principals: list[Principal]) -> list[dict[str, str]]:
    nav: list[dict[str, str]] = []
    if roles & OPS_ROLES:
        nav.append({"key": "dashboard", "label": "Dashboard", "url": reverse("home")})
        nav.append({"key": "messages", "label": "Messages", "url": reverse("message_list")})
        for p in principals:
            nav.append({
                "key": f"inbox-{p.slug}", "label": f"{short_title(p.title)} inbox",
                "url": reverse("inbox", args=[p.slug]),
            })
    elif Role.PRINCIPAL_OFFICE in roles:
        principal = profile_of(user).principal
        if principal is not None:
            nav.append({
                "key": f"inbox-{principal.slug}", "label": "Inbox",
                "url": reverse("inbox", args=[principal.slug]),
            })
    if roles & (OPS_ROLES | {Role.PRINCIPAL_OFFICE}):
        nav.append({"key": "calls", "label": "Calls", "url": reverse("call_queue")})
        nav.append({"key": "calls-calendar", "label": "Calendar", "url": reverse("call_calendar")})
    if roles & (OPS_ROLES | {Role.PRINCIPAL_OFFICE, Role.RECORDS_OFFICER}):
        nav.append({"key": "records", "label": "Records", "url": reverse("records_home")})
    if roles & OPS_ROLES:
        nav.append({
            "key": "interpreters", "label": "Interpreters", "url": reverse("call_interpreters"),
        })
    if Role.INTERPRETER in roles:
        nav.append({
            "key": "my-assignments", "label": "My assignments",
            "url": reverse("call_my_assignments"),
        })
    if roles & TRANSLATION_ROLES:
        nav.append({"key": "translations", "label": "Translations", "url": reverse("translations")})
    if Role.LIAISON in roles:
        nav.append({"key": "portal", "label": "Our messages", "url": reverse("portal")})
        nav.append({"key": "portal-replies", "label": "Replies", "url": reverse("reply_portal")})
        nav.append({"key": "portal-new", "label": "New message", "url": reverse("portal_new")})
        nav.append({"key": "portal-calls", "label": "Our calls", "url": reverse("call_portal")})
    if Role.ADMIN in roles:
        nav.append({
            "key": "admin-principals", "label": "Principals", "url": reverse("admin_principals"),
        })
    if roles & {Role.AUDITOR, Role.ADMIN}:
        nav.append({"key": "audit", "label": "Access audit", "url": reverse("audit")})
    return nav


def chancery(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    out: dict[str, Any] = {"roles": roles, "nav": [], "principal_statuses": [], "demo_clock": "",
                           "role_labels": []}
    if not roles and not (user is not None and user.is_authenticated):
        return out
    principals = list(directory_access.principals())
    # The dashboard's "held by support policy" count (one definition, ``held_policy``), over
    # the messages this user may see (``access.visible_messages``, as the dashboard counts).
    visible = visible_messages(user)
    if visible.query.distinct:  # (joined through translations: count each message once)
        visible = Message.objects.filter(pk__in=visible.values("pk"))
    held = {
        pk: n["held_policy"]
        for pk, n in count_messages(visible, by="principal_id", names=["held_policy"]).items()
    }
    out["principal_statuses"] = [
        {
            "principal": p,
            "status": p.get_status_display(),
            "gate": p.gate_active,
            "waits_for": status_noun(p.delivery_requires) if p.delivery_requires else "",
            "held": held.get(p.pk, 0),
            "held_definition": COUNT_DEFINITIONS["held_policy"],
        }
        for p in principals
    ]
    out["nav"] = navigation(user, roles, principals)
    out["role_labels"] = [Role(r).label for r in Role.values if r in roles]
    if settings.CHANCERY_CLOCK_OFFSET:
        zone = settings.TIME_ZONE
        own = profile_of(user).principal if Role.PRINCIPAL_OFFICE in roles else None
        if own is not None:
            zone = own.time_zone
        elif principals:
            zone = principals[0].time_zone
        out["demo_clock"] = date_format(clock.now().astimezone(ZoneInfo(zone)), "j M Y H:i T")
    return out
