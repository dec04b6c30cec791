"""Permission-scoped access to replies. Every view, API route and command of replies fetches a
reply through here.

Who sees a reply (and reads its text):

- the operations center (``ALL_SEEING``: officers, records officers, admins, auditors): every
  reply, in every state;
- the principal's office: the replies to messages addressed to its principal;
- the liaison of the sender's polity (``directory.access``'s one rule, as for messages): the
  SENT replies to its polity's messages, never a draft.

A person who may not know a reply exists gets ``NotFound`` (the same answer as for a tracking
number that does not exist), so tracking numbers cannot be probed. Reading a reply's text is
recorded in the access audit (:func:`read_reply`), the liaison's reads too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, roles_of
from chancery.directory.access import liaison_mission, polity_q
from chancery.ledger.reads import SubjectLabel, record_read
from chancery.records.models import REPLY, Reply

SUBJECT = "reply"
"""The subject type of a reply in the ledger (events and the access audit)."""


def _base() -> QuerySet[Reply]:
    return Reply.objects.select_related(
        "message__principal", "message__sender_office__country",
        "message__sender_office__organisation", "message__sender_office__leader",
        "created_by", "cleared_by", "sent_by",
    )


def visible_replies(user: Any) -> QuerySet[Reply]:
    """The replies whose existence ``user`` may see (see the module's docstring)."""
    base = _base()
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return base
    q = Q(pk__in=[])
    if Role.PRINCIPAL_OFFICE in roles:
        principal_id = profile_of(user).principal_id
        if principal_id is not None:
            q |= Q(message__principal_id=principal_id)
    if Role.LIAISON in roles:
        mission = profile_of(user).mission
        if mission is not None:
            q |= polity_q(mission, "message__sender_office__") & Q(state=Reply.State.SENT)
    return base.filter(q)


def readable_replies(user: Any) -> QuerySet[Reply]:
    """The replies whose text ``user`` may read: the same as those it sees (a liaison sees only
    sent replies). A queryset usable in a subquery (``.values("pk")``)."""
    return visible_replies(user)


parse_tracking = REPLY.parse


def _one(qs: QuerySet[Reply], tracking: str, where: str) -> Reply:
    return REPLY.fetch(qs, tracking, where=where)


def access_reply(user: Any, tracking: str) -> Reply:
    """The reply ``tracking`` if ``user`` may see it; 404 otherwise."""
    return _one(visible_replies(user), tracking, "that you can see")


def liaison_replies(user: Any) -> QuerySet[Reply]:
    """A liaison's replies: the sent replies to its mission's polity's messages (403 for anyone
    who is not a liaison bound to a mission)."""
    mission = liaison_mission(user)
    return _base().filter(
        polity_q(mission, "message__sender_office__"), state=Reply.State.SENT
    )


def access_liaison_reply(user: Any, tracking: str) -> Reply:
    """One of the liaison's sent replies (404 otherwise)."""
    return _one(liaison_replies(user), tracking, "to your mission")


def message_replies(user: Any, message: Any) -> QuerySet[Reply]:
    """The replies to ``message`` that ``user`` sees, oldest first."""
    return visible_replies(user).filter(message=message).order_by("created_at", "id")


def read_reply(user: Any, reply: Reply, *, via: str, part: str = "body") -> Reply:
    """Record that ``user`` read the reply's text (after one of the access helpers above)."""
    record_read(user, SUBJECT, reply.pk, via=via, part=part)
    return reply


def reply_labels(ids: Any) -> dict[int, SubjectLabel]:
    """How the access audit names replies: the tracking number, to whom, about which message."""
    return {
        r.pk: SubjectLabel(
            r.tracking,
            f"{r.message.principal.title} → {r.message.sender_office.polity} "
            f"(reply to {r.message.tracking})",
        )
        for r in _base().filter(pk__in=list(ids))
    }
