"""The search index: one ``SearchDoc`` per searchable text, derived from the rows.

Documents: a message (its subject and original body; ``subject_id`` the message's pk), a
signed-off translation (its text), a telcon (its current version: participants, location,
body), a read-out VERSION (title and body; state "published" once published, "cleared",
"draft"), a reply (its body). Each carries its principal, the country (alpha-2) or
organisation (slug) of the sender or counterpart, a date (received, created, or the call's
start), its state and language, and a title (tracking number and a short label).

``index_pending`` (the worker's "indexed" step) reads the log's events after the cursor in id
order and re-indexes each subject they touch (a message's events its translations too), then
advances the cursor, in one transaction. ``rebuild`` re-indexes everything. A document is
replaced by delete-and-insert (the vendor's index follows: FTS5 triggers on SQLite, the GIN
expression index on PostgreSQL).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

from chancery.records.models import SearchCursor, SearchDoc
from chancery.records.search.normalize import terms

CHUNK = 500
SUBJECT_TYPES = ("message", "telcon", "readout", "reply")


def _polity(office: Any) -> str:
    if office is None:
        return ""
    if office.country_id:
        return str(office.country.code).upper()
    if office.organisation_id:
        return str(office.organisation.slug)
    return ""


def _doc(doc_type: str, subject_id: int, *, text: str, **fields: Any) -> SearchDoc:
    title = str(fields.pop("title", ""))[:300]
    return SearchDoc(
        doc_type=doc_type, subject_id=subject_id, text=text, terms=terms(text), title=title,
        **fields,
    )


def _label(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- documents per type


def _message_docs(ids: Iterable[int]) -> list[SearchDoc]:
    from chancery.correspondence.models import Message, Translation

    docs: list[SearchDoc] = []
    messages = Message.objects.select_related(
        "sender_office__country", "sender_office__organisation"
    ).filter(pk__in=list(ids))
    by_id = {m.pk: m for m in messages}
    for m in by_id.values():
        docs.append(_doc(
            "message", m.pk, text="\n\n".join(p for p in (m.subject, m.body) if p),
            principal_id=m.principal_id, country=_polity(m.sender_office), date=m.received_at,
            state=m.state, language=m.language[:8],
            title=f"{m.tracking} — {_label(m.subject or m.sender_office.title)}",
        ))
    for t in Translation.objects.filter(
        message_id__in=list(by_id), status=Translation.Status.SIGNED_OFF
    ):
        m = by_id[t.message_id]
        docs.append(_doc(
            "translation", t.pk, text=t.text, principal_id=m.principal_id,
            country=_polity(m.sender_office), date=m.received_at, state=t.status,
            language=t.target_language,
            title=f"{m.tracking} — translation ({t.source_language}→{t.target_language})",
        ))
    return docs


def _call_label(call: Any) -> str:
    return _label(call.office.title)


def _telcon_docs(ids: Iterable[int]) -> list[SearchDoc]:
    from chancery.records.models import Telcon, TelconVersion

    telcons = Telcon.objects.select_related(
        "call__office__country", "call__office__organisation"
    ).filter(pk__in=list(ids))
    by_id = {t.pk: t for t in telcons}
    current = {
        v.telcon_id: v for v in TelconVersion.objects.filter(telcon_id__in=list(by_id))
        if v.number == by_id[v.telcon_id].version
    }
    docs = []
    for t in by_id.values():
        v = current.get(t.pk)
        if v is None:
            continue
        participants = [str(p) for p in (v.participants or [])]
        text = "\n".join([*participants, v.location, "", v.body])
        docs.append(_doc(
            "telcon", t.pk, text=text, principal_id=t.call.principal_id,
            country=_polity(t.call.office), date=v.start, state=t.state, language="en",
            title=f"{t.tracking} — {t.get_kind_display().split(' ')[0]} with {_call_label(t.call)}",
        ))
    return docs


def _readout_docs(readout_ids: Iterable[int]) -> list[SearchDoc]:
    from chancery.records.models import ReadoutVersion

    docs = []
    for v in ReadoutVersion.objects.select_related(
        "readout__call__office__country", "readout__call__office__organisation"
    ).filter(readout_id__in=list(readout_ids)):
        r = v.readout
        state = "published" if v.published_at else "cleared" if v.cleared_at else "draft"
        docs.append(_doc(
            "readout", v.pk, text=f"{v.title}\n\n{v.body}", principal_id=r.call.principal_id,
            country=_polity(r.call.office), date=r.call.start or v.created_at, state=state,
            language="en", title=f"{r.tracking} v{v.number} — {_label(v.title)}",
        ))
    return docs


def _reply_docs(ids: Iterable[int]) -> list[SearchDoc]:
    from chancery.records.models import Reply

    docs = []
    for r in Reply.objects.select_related(
        "message__sender_office__country", "message__sender_office__organisation"
    ).filter(pk__in=list(ids)):
        m = r.message
        docs.append(_doc(
            "reply", r.pk, text=r.body, principal_id=m.principal_id,
            country=_polity(m.sender_office), date=r.sent_at or r.created_at, state=r.state,
            language=r.language[:8],
            title=f"{r.tracking} — {r.get_kind_display().lower()} to {m.tracking}",
        ))
    return docs


def _replace(subject_type: str, ids: list[int]) -> int:
    """Write the documents of these subjects afresh (those that no longer qualify go)."""
    from chancery.correspondence.models import Translation
    from chancery.records.models import ReadoutVersion

    if not ids:
        return 0
    if subject_type == "message":
        docs = _message_docs(ids)
        SearchDoc.objects.filter(doc_type="message", subject_id__in=ids).delete()
        SearchDoc.objects.filter(
            doc_type="translation",
            subject_id__in=Translation.objects.filter(message_id__in=ids).values("pk"),
        ).delete()
    elif subject_type == "telcon":
        docs = _telcon_docs(ids)
        SearchDoc.objects.filter(doc_type="telcon", subject_id__in=ids).delete()
    elif subject_type == "readout":
        docs = _readout_docs(ids)
        SearchDoc.objects.filter(
            doc_type="readout",
            subject_id__in=ReadoutVersion.objects.filter(readout_id__in=ids).values("pk"),
        ).delete()
    elif subject_type == "reply":
        docs = _reply_docs(ids)
        SearchDoc.objects.filter(doc_type="reply", subject_id__in=ids).delete()
    else:
        return 0
    SearchDoc.objects.bulk_create(docs)
    return len(docs)


# --------------------------------------------------------------------------- passes


def index_pending(limit: int = 5000) -> int:
    """Index the subjects changed since the last pass (at most ``limit`` events); how many
    documents were (re)written. The cursor moves in the same transaction.

    The pass follows the log (events by ``seq``, ``SearchCursor.last_seq``): an event is
    indexed once the sequencer has integrated it, within a second of its commit. Following
    event ids instead would miss an event whose transaction committed after a later id had
    been read."""
    from chancery.ledger.models import Event

    with transaction.atomic():
        cursor = SearchCursor.objects.select_for_update().filter(pk=1).first()
        if cursor is None:
            SearchCursor.objects.get_or_create(pk=1)
            cursor = SearchCursor.objects.select_for_update().get(pk=1)
        events = list(
            Event.objects.filter(seq__gt=cursor.last_seq).order_by("seq")
            .values_list("seq", "subject_type", "subject_id")[:limit]
        )
        if not events:
            return 0
        touched: dict[str, set[int]] = defaultdict(set)
        for _, subject_type, subject_id in events:
            if subject_type in SUBJECT_TYPES:
                touched[subject_type].add(subject_id)
        written = 0
        for subject_type, ids in touched.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), CHUNK):
                written += _replace(subject_type, ordered[start : start + CHUNK])
        last = events[-1][0]
        assert last is not None  # filtered on seq__gt: integrated events only
        cursor.last_seq = last
        cursor.save(update_fields=["last_seq"])
    return written


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Re-index everything, in one transaction (searches meanwhile see the old index); how
    many documents were written. ``progress(done, total)`` after each chunk of subjects."""
    from chancery.correspondence.models import Message
    from chancery.ledger.models import Event
    from chancery.records.models import Readout, Reply, Telcon

    with transaction.atomic():
        SearchCursor.objects.get_or_create(pk=1)
        cursor = SearchCursor.objects.select_for_update().get(pk=1)
        last = Event.objects.filter(seq__isnull=False).order_by("-seq").values_list(
            "seq", flat=True).first()
        subjects = {
            "message": list(Message.objects.order_by("id").values_list("id", flat=True)),
            "telcon": list(Telcon.objects.order_by("id").values_list("id", flat=True)),
            "readout": list(Readout.objects.order_by("id").values_list("id", flat=True)),
            "reply": list(Reply.objects.order_by("id").values_list("id", flat=True)),
        }
        total = sum(len(v) for v in subjects.values())
        SearchDoc.objects.all().delete()
        done = written = 0
        for subject_type, ids in subjects.items():
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                written += _replace(subject_type, chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        cursor.last_seq = -1 if last is None else last
        cursor.save(update_fields=["last_seq"])
    return written
