"""Who may see and read read-outs. Every view, API route and command of read-outs fetches them
through here.

- Published read-outs (their published versions) are public: anyone, signed in or not.
- Drafts (every read-out, every version): the operations center's roles (``ALL_SEEING``) and
  the principal's office of the call's principal. Opening an unpublished version's text is
  recorded in the access audit (:func:`record_draft_read`).

A person who may not know a read-out exists gets ``NotFound``, as for a tracking number that
does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, profile_of, roles_of
from chancery.errors import NotFound
from chancery.ledger.reads import SubjectLabel, record_read
from chancery.records.models import READOUT, Readout, ReadoutVersion

SUBJECT = "readout"


def _base() -> QuerySet[Readout]:
    return Readout.objects.select_related(
        "call__principal", "call__office__country", "call__office__organisation",
        "call__office__leader", "created_by",
    )


def _draft_q(user: Any, prefix: str = "") -> Q | None:
    """Which read-outs' drafts ``user`` may see: None for all, ``Q(pk__in=[])`` for none."""
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return None
    if Role.PRINCIPAL_OFFICE in roles:
        principal_id = profile_of(user).principal_id
        if principal_id is not None:
            return Q(**{f"{prefix}call__principal_id": principal_id})
    return Q(**{f"{prefix}pk__in": []})


def may_see_drafts(user: Any) -> bool:
    """Whether ``user`` sees any read-out's drafts (the staff pages)."""
    roles = roles_of(user)
    return bool(roles & ALL_SEEING) or (
        Role.PRINCIPAL_OFFICE in roles and profile_of(user).principal_id is not None
    )


def visible_readouts(user: Any) -> QuerySet[Readout]:
    """Every read-out ``user`` may see in every state (the staff list)."""
    q = _draft_q(user)
    return _base() if q is None else _base().filter(q)


def published_readouts() -> QuerySet[Readout]:
    """The published read-outs (public), newest first publication first."""
    return _base().filter(published_version__isnull=False).order_by(
        "-first_published_at", "-id"
    )


def published_readout_versions() -> QuerySet[ReadoutVersion]:
    """Every published version of a published read-out (public: the feed, the public list),
    newest publication first."""
    return (
        ReadoutVersion.objects.filter(
            published_at__isnull=False, readout__in=published_readouts().values("pk")
        )
        .select_related("readout")
        .order_by("-published_at", "-id")
    )


def readout_of_call(user: Any, call: Any) -> Readout | None:
    """The read-out of ``call`` if there is one that ``user`` may see (None otherwise)."""
    return visible_readouts(user).filter(call=call).first()


def readable_readout_versions(user: Any) -> QuerySet[ReadoutVersion]:
    """The versions whose text ``user`` may read: published ones for everyone, unpublished ones
    for those who may see the read-out's drafts."""
    published = Q(published_at__isnull=False)
    q = _draft_q(user, "readout__")
    qs = ReadoutVersion.objects.select_related("readout", "created_by", "cleared_by")
    return qs if q is None else qs.filter(published | q)


parse_tracking = READOUT.parse


def access_readout(user: Any, tracking: str) -> Readout:
    """The read-out ``tracking`` if ``user`` may see its drafts; 404 otherwise."""
    return READOUT.fetch(visible_readouts(user), tracking)


def public_readout(slug: str) -> Readout:
    """A published read-out by its public address (404 otherwise, drafts included)."""
    readout = published_readouts().filter(slug=str(slug or "")[:120]).first()
    if readout is None:
        raise NotFound(f"No published read-out at {slug!r}.", field="slug")
    return readout


def record_draft_read(user: Any, readout: Readout, versions: list[ReadoutVersion], *,
                      via: str) -> None:
    """Record the read when ``versions`` (shown to ``user``) include unpublished text."""
    drafts = [v.number for v in versions if v.published_at is None]
    if drafts and user is not None and getattr(user, "is_authenticated", False):
        part = f"draft v{drafts[0]}" if len(drafts) == 1 else f"drafts v{drafts[0]}-v{drafts[-1]}"
        record_read(user, SUBJECT, readout.pk, via=via, part=part)


def readout_labels(ids: Any) -> dict[int, SubjectLabel]:
    """How the access audit names read-outs: the tracking number, the call and its address."""
    return {
        r.pk: SubjectLabel(r.tracking, f"{r.call.tracking} · {r.slug}")
        for r in Readout.objects.select_related("call").filter(pk__in=list(ids))
    }
