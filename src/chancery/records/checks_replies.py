"""How ``chancery verify`` (and the worker's integrity step) checks replies against the log.

A reply's events are replayed in log order: ``reply.drafted`` (version 1 first, then each
redraft one more, from draft or cleared, never after sending: the text, kind and language),
``reply.cleared`` (of the current version, by a person other than its drafter), ``reply.sent``
(of a cleared version; its text must be the last drafted text). The row must be what the replay
reaches: its message and principal, kind, language, body (the last drafted text), version,
state, who drafted it first and when, who cleared the current version and when, who sent it
and when. A reply row without its ``reply.drafted`` event was written behind the application;
events without a row mean it was deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chancery.correspondence.models import MESSAGE
from chancery.ledger import checks
from chancery.ledger.checks import Entry, Finding, Subject
from chancery.records.models import Reply

FIELDS = (
    "id", "message_id", "message__received_at", "message__principal__slug", "kind", "state",
    "language", "body", "version", "created_by_id", "created_at", "cleared_by_id", "cleared_at",
    "sent_by_id", "sent_at",
)
_KINDS = ("reply.drafted", "reply.cleared", "reply.sent")


def reply_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Replies by id, each a dict of its columns with its message's tracking number and
    principal's slug (what the events name). Plain querysets (see ``calls/checks.py``)."""
    for values in checks.ranged(Reply.objects, lo, hi).order_by("id").values(*FIELDS):
        values["message"] = MESSAGE.format(
            values["message__received_at"].year, values["message_id"])
        yield values["id"], values


def check_reply(subject: Subject) -> Iterator[Finding]:
    name = f"reply #{subject.id}"
    row = subject.row
    events = [e for e in subject.events if e.kind in _KINDS]
    for e in subject.events:
        if e.kind not in _KINDS:
            yield Finding(f"{name}: {e} is not an event of a reply", e)
    if row is None:
        if events:
            yield Finding(f"{name}: its row is gone (deleted behind the application)", events[-1])
        return
    if not events:
        yield Finding(f"{name} has no reply.drafted event: written behind the application", None)
        return
    state, version, text, drafter = "", 0, None, None
    first: Entry | None = None
    drafted: Entry | None = None
    cleared: Entry | None = None
    sent: Entry | None = None
    for e in events:
        d = e.data
        if d.get("message") != row["message"] or d.get("principal") != row[
            "message__principal__slug"
        ]:
            yield Finding(f"{name}: {e} names another message or principal than the row's", e)
        if e.kind == "reply.drafted":
            if state == Reply.State.SENT:
                yield Finding(f"{name}: {e} redrafts a reply that was sent", e)
            if d.get("version") != version + 1:
                yield Finding(
                    f"{name}: {e} drafts version {d.get('version')} after version {version}", e
                )
            first = first or e
            drafted = e
            logged = d.get("version")
            version = logged if isinstance(logged, int) else version + 1
            text, drafter = d.get("text"), e.actor_id
            state, cleared = Reply.State.DRAFT, None
        elif e.kind == "reply.cleared":
            if first is None or state != Reply.State.DRAFT:
                yield Finding(f"{name}: {e} clears a reply that is not a draft ({state or 'none'})",
                              e)
            if d.get("version") != version:
                yield Finding(f"{name}: {e} clears version {d.get('version')}, not the current "
                              f"version {version}", e)
            if e.actor_id is not None and e.actor_id == drafter:
                yield Finding(f"{name}: {e} was cleared by the drafter of that version", e)
            state, cleared = Reply.State.CLEARED, e
        else:
            if state != Reply.State.CLEARED:
                yield Finding(f"{name}: {e} sends a reply that is not cleared "
                              f"({state or 'none'})", e)
            if d.get("version") != version:
                yield Finding(f"{name}: {e} sends version {d.get('version')}, not the current "
                              f"version {version}", e)
            if d.get("text") != text:
                yield Finding(f"{name}: {e} sent a text other than the last drafted text", e)
            state, sent = Reply.State.SENT, e
    close = subject.close
    last = events[-1]
    wrong: list[tuple[str, Entry | None]] = []
    if first is not None and drafted is not None:
        if row["created_by_id"] != first.actor_id or not close(row["created_at"], first.when):
            wrong.append(("drafter (who or when)", first))
        if row["kind"] != drafted.data.get("kind") or row["language"] != drafted.data.get(
            "language"
        ):
            wrong.append(("kind or language", drafted))
        if row["body"] != text:
            wrong.append(("body", sent or drafted))
    if row["version"] != version:
        wrong.append(("version", last))
    if row["state"] != state:
        wrong.append(("state", last))
    if (row["cleared_by_id"], cleared is None) != (
        cleared.actor_id if cleared else None, row["cleared_at"] is None
    ) or (cleared is not None and not close(row["cleared_at"], cleared.when)):
        wrong.append(("clearance (who or when)", cleared or last))
    if (row["sent_by_id"], sent is None) != (
        sent.actor_id if sent else None, row["sent_at"] is None
    ) or (sent is not None and not close(row["sent_at"], sent.when)):
        wrong.append(("sending (who or when)", sent or last))
    if wrong:
        yield Finding(
            f"{name}: the row's {', '.join(w for w, _ in wrong)} differ from the log",
            wrong[0][1],
        )


def register() -> None:
    checks.register(
        "reply", rows=reply_rows, check=check_reply, declared_in=__name__,
        tables={Reply._meta.db_table: None},
    )
