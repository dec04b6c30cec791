"""Permission-scoped access to messages and what hangs on them (holds, translations,
attachments, a principal's inbox, the queues). Every view, API route and command goes through
here (tests/correspondence/test_access_helpers.py checks that none fetches a row otherwise).

A person who may not know a message exists gets ``NotFound`` (the same answer as for a tracking
number that does not exist), so tracking numbers cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, has_role, profile_of, require_role, roles_of
from chancery.correspondence.models import (
    MESSAGE,
    PRE_DELIVERY,
    Attachment,
    Hold,
    Message,
    State,
    Translation,
)
from chancery.directory.access import in_polity, liaison_mission, polity_q, principal_by_slug
from chancery.directory.models import Principal
from chancery.errors import Forbidden, NotFound
from chancery.ledger.models import Read
from chancery.ledger.reads import SubjectLabel, record_read


def polity_filter(prefix: str, mission: Any) -> Q:
    """Messages from the mission's own country or organisation (``directory.access``'s rule)."""
    return polity_q(mission, f"{prefix}sender_office__")


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


parse_tracking = MESSAGE.parse


def access_message(user: Any, tracking: str) -> Message:
    return MESSAGE.fetch(visible_messages(user), tracking)


def can_read_content(user: Any, message: Message) -> bool:
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return True
    if Role.LIAISON in roles and in_polity(profile_of(user).mission, message.sender_office):
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


def readable_messages(user: Any) -> QuerySet[Message]:
    """The messages whose content ``user`` may read: :func:`can_read_content` as a queryset
    (usable in a subquery: search scopes its results with it)."""
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return Message.objects.all()
    q = Q(pk__in=[])
    if Role.LIAISON in roles:
        q |= polity_filter("", profile_of(user).mission)
    if Role.TRANSLATOR in roles:
        q |= Q(pk__in=Translation.objects.filter(
            source_language__in=profile_of(user).languages or []
        ).values("message_id"))
    if Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id is not None:
        q |= Q(
            principal_id=profile_of(user).principal_id,
            state__in=(State.DELIVERED, State.ACKNOWLEDGED),
        )
    return Message.objects.filter(q)


def read_content(user: Any, message: Message, *, via: str, part: str = "body") -> Message:
    """Check content access and record the read (who, when, how) for the auditors."""
    if not can_read_content(user, message):
        raise Forbidden(
            f"You may see that {message.tracking} exists but not read its content "
            "(it is not yet delivered to your office, or it is held)."
        )
    record_read(user, SUBJECT, message.pk, via=via, part=part)
    return message


AUDIT_ROLES = (Role.AUDITOR, Role.ADMIN)


SUBJECT = "message"
"""The subject type of a message in the ledger (events and the access audit)."""


def message_reads(message: Message | None = None) -> QuerySet[Read]:
    """The recorded reads of messages' content (of one message), each with its ``message_id``.
    Unchecked: ``content_reads`` is the auditors' way in."""
    reads = Read.objects.filter(subject_type=SUBJECT).annotate(message_id=F("subject_id"))
    if message is not None:
        reads = reads.filter(subject_id=message.pk)
    return reads


def content_reads(user: Any, message: Message | None = None) -> QuerySet[Read]:
    """The access audit: who read which message's content, when and how (auditors, admins)."""
    require_role(user, *AUDIT_ROLES, action="review the access audit")
    return message_reads(message).select_related("user")


def message_labels(ids: list[int]) -> dict[int, SubjectLabel]:
    """How the access audit names messages: the tracking number, from whom to whom."""
    return {
        m.pk: SubjectLabel(m.tracking, f"{m.sender_office.polity} → {m.principal.title}")
        for m in Message.objects.select_related(
            "principal", "sender_office__country", "sender_office__organisation"
        ).filter(pk__in=ids)
    }


# --------------------------------------------------------------------------- one helper per object


def access_attachment(user: Any, message: Message, attachment_id: int) -> Attachment:
    """An attachment of a message ``user`` may see (reading it is ``read_content``'s check)."""
    attachment = (
        Attachment.objects.select_related("blob").filter(pk=attachment_id, message=message).first()
    )
    if attachment is None:
        raise NotFound(f"{message.tracking} has no attachment {attachment_id}.")
    return attachment


def access_hold(user: Any, hold_id: int) -> Hold:
    """A hold on a message ``user`` may see; 404 otherwise (holds cannot be probed)."""
    hold = (
        Hold.objects.select_related("message__principal").filter(pk=hold_id)
        .filter(message__in=visible_messages(user).values("pk")).first()
    )
    if hold is None:
        raise NotFound(f"No hold {hold_id} that you can see.", field="hold_id")
    return hold


def held_by_officers(user: Any) -> QuerySet[Hold]:
    """The officers' holds in force on the messages ``user`` sees (the dashboard's list)."""
    return Hold.objects.filter(
        released_at__isnull=True, is_policy=False,
        message__in=visible_messages(user).values("pk"),
    ).select_related(
        "message__principal", "message__sender_office__leader",
        "message__sender_office__country", "message__sender_office__organisation",
        "placed_by", "confirmed_by", "renewal_requested_by",
    )


QUEUE_ROLES = (Role.TRANSLATOR, Role.WATCH_OFFICER, Role.PROTOCOL_OFFICER, Role.ADMIN)


def translation_scope(user: Any) -> QuerySet[Translation]:
    """The translation queue ``user`` sees: a translator (with no other queue role) the
    requests from its languages, officers and admins all of them."""
    require_role(user, *QUEUE_ROLES, action="see the translation queue")
    qs = Translation.objects.select_related(
        "message__principal", "message__sender_office__leader",
        "message__sender_office__country", "message__sender_office__organisation",
        "requested_by", "translator",
    )
    if not has_role(user, *QUEUE_ROLES[1:]):
        qs = qs.filter(source_language__in=profile_of(user).languages or [])
    return qs


def access_translation(user: Any, pk: int, *, field: str = "translation_id") -> Translation:
    """A translation in ``user``'s queue, of a message ``user`` may see; 404 otherwise."""
    translation = (
        translation_scope(user).filter(pk=pk)
        .filter(message__in=visible_messages(user).values("pk")).first()
    )
    if translation is None:
        raise NotFound(f"No translation {pk} that you can see.", field=field)
    return translation


def officer_queue(user: Any) -> QuerySet[Message]:
    """The open messages (not yet delivered or rejected) ``user`` sees, oldest first."""
    return visible_messages(user).filter(state__in=PRE_DELIVERY).order_by("received_at", "id")


def access_inbox(user: Any, slug: str) -> Principal:
    """A principal whose inbox ``user`` may open: its own office, or the operations center."""
    principal = principal_by_slug(slug)
    roles = roles_of(user)
    own = Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id == principal.pk
    if not (roles & ALL_SEEING or own):
        raise Forbidden(
            f"Only the {principal.title}'s office and the operations center see this inbox."
        )
    return principal


def inbox_messages(user: Any, principal: Principal) -> QuerySet[Message]:
    """Every message addressed to ``principal`` that ``user`` sees (after ``access_inbox``)."""
    return visible_messages(user).filter(principal=principal)


def sender_messages(user: Any) -> QuerySet[Message]:
    """A liaison's messages: those from its mission's country or organisation."""
    return visible_messages(user).filter(polity_filter("", liaison_mission(user)))


def access_sender_message(user: Any, tracking: str) -> Message:
    """One of the liaison's own messages (404 naming its polity otherwise)."""
    mission = liaison_mission(user)
    return MESSAGE.fetch(sender_messages(user), tracking,
                         where=f"from {mission.country or mission.organisation}")
