"""What the public sees of a published read-out, in one place for the pages, the JSON, the Atom
feed and the API: its published versions (latest first), each as the object whose SHA-256 is
its ``digest`` (``services.readouts.published_object``), and the log entry of each
``readout.published`` event (its index once the log's current checkpoint covers it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chancery.ledger.models import Event
from chancery.ledger.sequencer import current_head
from chancery.records.models import Readout, ReadoutVersion
from chancery.records.services.readouts import call_date, published_object


@dataclass
class Published:
    """One published version: its text, the object the digest hashes, its log entry."""

    version: ReadoutVersion
    object: dict[str, Any]
    digest: str
    published_at: Any
    index: int | None
    """The ``readout.published`` event's index in the log (None while pending)."""
    event_at: Any


def published_versions(readout: Readout) -> list[Published]:
    """The read-out's published versions, the latest first (the one the page shows)."""
    versions = list(
        ReadoutVersion.objects.filter(readout=readout, published_at__isnull=False)
        .order_by("-number")
    )
    head = current_head()
    size = head.size if head else 0
    events: dict[Any, Any] = {
        e["data"].get("version"): e
        for e in Event.objects.filter(
            subject_type="readout", subject_id=readout.pk, kind="readout.published"
        ).order_by("id").values("seq", "at", "data")
    }
    date = call_date(readout.call)
    out = []
    for v in versions:
        e = events.get(v.number) or {}
        seq = e.get("seq")
        out.append(Published(
            version=v, object=published_object(readout.slug, v, date), digest=v.digest,
            published_at=v.published_at, index=seq if seq is not None and seq < size else None,
            event_at=e.get("at"),
        ))
    return out


def _version_dict(p: Published) -> dict[str, Any]:
    return {
        "published": p.object,
        "digest": p.digest,
        "published_at": p.published_at.isoformat(),
        "log": {"kind": "readout.published", "index": p.index},
    }


def public_dict(readout: Readout, *, url: str = "") -> dict[str, Any]:
    """The published JSON of a read-out: the latest published version's object (``published``,
    whose canonical JSON hashes to ``digest``, the digest the log's ``readout.published`` event
    carries), and the earlier published versions the same way (``earlier``, latest first)."""
    versions = published_versions(readout)
    latest = versions[0]
    call = readout.call
    return {
        "slug": readout.slug,
        "url": url,
        "date": call_date(call).isoformat(),
        "principal": call.principal.title,
        "counterpart": call.office.polity,
        "counterpart_url": readout.counterpart_url or None,
        "first_published_at": readout.first_published_at.isoformat()
        if readout.first_published_at else None,
        "corrected": len(versions) > 1,
        **_version_dict(latest),
        "earlier": [_version_dict(p) for p in versions[1:]],
        "digest_rule": "SHA-256 (hex) of the canonical JSON of 'published': keys sorted, no "
        "whitespace, UTF-8",
    }
