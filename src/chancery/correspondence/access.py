"""Permission-scoped access to messages. Every view, API route and command goes through here.

A person who may not know a message exists gets ``NotFound`` (the same answer as for a tracking
number that does not exist), so tracking numbers cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, require_role, roles_of
from chancery.correspondence.models import TRACKING_RE, ContentRead, Message, State
from chancery.errors import Forbidden, NotFound


def polity_filter(prefix: str, mission: Any) -> Q:
    """Messages from the mission's own country or organisation."""
    if mission is None:
        return Q(pk__in=[])
    if mission.country_id:
        return Q(**{f"{prefix}sender_office__country_id": mission.country_id})
    return Q(**{f"{prefix}sender_office__organisation_id": mission.organisation_id})


def visible_messages(user: Any) -> QuerySet[Message]:
    """The messages whose existence (not necessarily content) ``user`` may see."""
    base = Message.objects.select_related(
        "principal", "sender_office__leader", "sender_office__country",
        "sender_office__organisation",
    )
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return base
    q = Q(pk__in=[])
    if Role.PRINCIPAL_OFFICE in roles:
        principal = profile_of(user).principal
        if principal is not None:
            q |= Q(principal=principal)
    if Role.LIAISON in roles:
        q |= polity_filter("", profile_of(user).mission)
    if Role.TRANSLATOR in roles:
        q |= Q(translations__source_language__in=profile_of(user).languages or [])
    return base.filter(q).distinct()


def parse_tracking(tracking: str) -> tuple[int, int]:
    match = TRACKING_RE.match(tracking.strip().upper())
    if not match:
        raise NotFound(
            f"{tracking!r} is not a tracking number; they look like CH-2020-000123.",
            field="tracking",
        )
    return int(match.group(1)), int(match.group(2))


def access_message(user: Any, tracking: str) -> Message:
    year, pk = parse_tracking(tracking)
    message = visible_messages(user).filter(pk=pk).first()
    if message is None or message.received_at.year != year:
        raise NotFound(f"No message {tracking} that you can see.", field="tracking")
    return message


def can_read_content(user: Any, message: Message) -> bool:
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return True
    if Role.LIAISON in roles:
        mission = profile_of(user).mission
        if mission is not None and Message.objects.filter(
            polity_filter("", mission), pk=message.pk
        ).exists():
            return True
    if Role.TRANSLATOR in roles and message.translations.filter(
        source_language__in=profile_of(user).languages or []
    ).exists():
        return True
    if Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id == message.principal_id:
        # The office sees content once the message is delivered to it; before that it sees
        # that the message exists, from whom, since when, and any hold with its reason.
        return message.state in (State.DELIVERED, State.ACKNOWLEDGED)
    return False


def read_content(user: Any, message: Message, *, via: str, part: str = "body") -> Message:
    """Check content access and record the read (who, when, how) for the auditors."""
    if not can_read_content(user, message):
        raise Forbidden(
            f"You may see that {message.tracking} exists but not read its content "
            "(it is not yet delivered to your office, or it is held)."
        )
    ContentRead.objects.create(message=message, user=user, at=clock.now(), via=via, part=part)
    return message


AUDIT_ROLES = (Role.AUDITOR, Role.ADMIN)


def content_reads(user: Any, message: Message | None = None) -> QuerySet[ContentRead]:
    """The access audit: who read which message's content, when and how (auditors, admins)."""
    require_role(user, *AUDIT_ROLES, action="review the access audit")
    reads = ContentRead.objects.select_related("user", "message")
    if message is not None:
        reads = reads.filter(message=message)
    return reads
