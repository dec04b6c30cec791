"""``chancery verify``: re-derive the whole log from the database rows and check every link.

What is checked, in one streaming pass (memory does not grow with the log):

1. Every integrated event, in log order: its index follows the previous one (a gap is a deleted
   row), its leaf rebuilt from the row's columns equals the stored leaf (an edited row), and the
   leaf's hash equals the published level-0 tile (an edited leaf or tile).
2. The tree rebuilt from those leaves has, at every stored checkpoint's size, that checkpoint's
   root; each checkpoint's signature verifies with the log's key and its text names the stored
   size and root. Since all roots come from one rebuilt tree, they are consistent with each other.
3. Checkpoints seen elsewhere (files a monitor or witness kept, ``--checkpoint``) verify and
   agree with the rebuilt tree: two signed roots for one size is a fork.
4. Every message row matches its ``message.received`` event: the content commitment recomputed
   from the body and salt, the principal, sender office and channel; a message without that
   event, or an event whose message is gone, is reported.

The first divergent entry is named: the earliest log index at which the database and the log
disagree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.contrib.auth import get_user_model
from django.db import connection

from chancery.ledger import merkle, note
from chancery.ledger.models import Checkpoint, Event, LogHead, Tile
from chancery.ledger.sequencer import HEAD_PK, split_hashes
from chancery.ledger.services import build_leaf

CHUNK = 5000


@dataclass
class Report:
    origin: str = ""
    size: int = 0
    entries: int = 0
    checkpoints: int = 0
    messages: int = 0
    pending: int = 0
    first_divergent: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def diverge(self, index: int, problem: str) -> None:
        if self.first_divergent is None or index < self.first_divergent:
            self.first_divergent = index
        self.problems.append(problem)


def _level0_hashes(size: int) -> Iterator[bytes]:
    """The published leaf hashes, tile by tile, as the log serves them."""
    index = 0
    for data, width in (
        Tile.objects.filter(level=0).order_by("index").values_list("data", "width").iterator(100)
    ):
        yield from split_hashes(bytes(data)[: width * merkle.HASH_SIZE])
        index += width
        if index >= size:
            return


def _event_rows() -> Iterator[tuple[Any, ...]]:
    """The integrated events in log order, straight from the database cursor.

    Raw SQL rather than the ORM: at millions of rows the ORM's per-value converters cost more
    than the verification itself. Times and JSON are decoded here the way the ORM would."""
    table = Event._meta.db_table
    sql = (
        "SELECT seq, id, kind, subject_type, subject_id, at, actor_id, data, salt, leaf "  # noqa: S608
        f"FROM {table} WHERE seq IS NOT NULL ORDER BY seq"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            for seq, pk, kind, stype, sid, at, actor_id, data, salt, leaf in rows:
                if isinstance(at, str):
                    at = dt.datetime.fromisoformat(at)
                if at.tzinfo is None:  # SQLite: stored in UTC without an offset
                    at = at.replace(tzinfo=dt.UTC)
                if isinstance(data, (str, bytes)):
                    data = orjson.loads(data)
                yield seq, pk, kind, stype, sid, at, actor_id, data, salt, bytes(leaf)


def _rows(sql: str, json_column: int | None = None) -> Iterator[tuple[Any, ...]]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                if json_column is not None and isinstance(row[json_column], (str, bytes)):
                    row = (*row[:json_column], orjson.loads(row[json_column]),
                           *row[json_column + 1 :])
                yield row


def verify_log(
    *,
    vkey: str | None = None,
    other_checkpoints: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    report = Report()
    head = LogHead.objects.filter(pk=HEAD_PK).first()
    if head is None:
        report.problems.append("the log has no head: the sequencer has never run here")
        return report
    report.origin, report.size = head.origin, head.size
    try:
        verifier = note.Verifier.from_text(vkey or head.vkey)
    except note.NoteError as exc:
        report.problems.append(f"the verifier key is unusable: {exc}")
        return report
    if vkey and vkey.strip() != head.vkey:
        report.problems.append("the database names another verifier key than the one given")

    # Sizes at which the rebuilt tree's root is compared, with what each claims.
    claims: dict[int, list[tuple[str, bytes]]] = {}
    for size, root, text in Checkpoint.objects.order_by("size").values_list(
        "size", "root", "note"
    ):
        report.checkpoints += 1
        where = f"stored checkpoint {size}"
        try:
            cp, _ = note.open_checkpoint(text, verifier)
        except note.NoteError as exc:
            report.problems.append(f"{where}: signature or format does not verify ({exc})")
            continue
        if (cp.size, cp.root, cp.origin) != (size, bytes(root), head.origin):
            report.problems.append(f"{where}: its signed text does not match its row")
        claims.setdefault(size, []).append((where, cp.root))
    for n, text in enumerate(other_checkpoints or [], 1):
        where = f"checkpoint file {n}"
        try:
            cp, _ = note.open_checkpoint(text, verifier)
        except note.NoteError as exc:
            report.problems.append(f"{where}: does not verify with the log's key ({exc})")
            continue
        if cp.size > head.size:
            report.problems.append(
                f"{where}: signed for size {cp.size}, beyond the database's {head.size}: "
                "the database lost entries, or the key signed a tree it never stored"
            )
        claims.setdefault(cp.size, []).append((where, cp.root))

    users = dict(get_user_model().objects.values_list("pk", "username"))
    published = _level0_hashes(head.size)
    tree = merkle.Tree()
    diverged = False
    leaf_hash = merkle.leaf_hash
    for seq, pk, kind, stype, sid, at, actor_id, data, salt, stored in _event_rows():
        index = tree.size
        if seq != index:
            report.diverge(
                index,
                f"entry {index} is missing (the next row is event #{pk} at index {seq}): "
                "a row was deleted or renumbered",
            )
            break
        actor = users.get(actor_id) if actor_id is not None else None
        leaf = build_leaf(kind, stype, sid, at, actor, data, salt)
        if leaf != stored and not diverged:
            report.diverge(
                index, f"entry {index} (event #{pk}, {kind}) does not match its row: edited"
            )
            diverged = True
        h = leaf_hash(leaf)
        if next(published, None) != h and not diverged:
            report.diverge(
                index,
                f"entry {index} (event #{pk}, {kind}) differs from the published tiles",
            )
            diverged = True
        tree.append(h)
        report.entries += 1
        if tree.size in claims:
            _check_claims(report, tree, claims.pop(tree.size))
        if progress is not None and report.entries % 100_000 == 0:
            progress(report.entries)
    if report.entries < head.size and report.first_divergent is None:
        report.diverge(
            report.entries,
            f"the log has {head.size} entries but the database only {report.entries}",
        )
    for size in sorted(claims):
        if size == 0:
            _check_claims(report, merkle.Tree(), claims[size])
        elif size <= head.size:
            for where, _ in claims[size]:
                report.problems.append(f"{where}: could not be checked (entries missing)")
    report.pending = Event.objects.filter(seq__isnull=True).count()
    _check_messages(report)
    return report


def _check_claims(report: Report, tree: merkle.Tree, claims: list[tuple[str, bytes]]) -> None:
    root = tree.root()
    for where, claimed in claims:
        if claimed != root:
            report.diverge(
                tree.size - 1 if tree.size else 0,
                f"{where}: root {claimed.hex()[:16]}… for size {tree.size}, but the rows give "
                f"{root.hex()[:16]}… (a fork, or rows changed before index {tree.size})",
            )


def _check_messages(report: Report) -> None:
    """Merge-join messages (by id) with their received events (by subject id)."""
    from chancery.correspondence.models import Message
    from chancery.directory.models import Principal

    events = Event._meta.db_table
    received = _rows(
        f"SELECT subject_id, data, seq FROM {events} "  # noqa: S608 - our table names
        "WHERE subject_type = 'message' AND kind = 'message.received' ORDER BY subject_id, id",
        json_column=1,
    )
    messages = _rows(
        "SELECT m.id, m.body, m.salt, m.commitment, p.slug, m.sender_office_id, m.channel "  # noqa: S608
        f"FROM {Message._meta.db_table} m JOIN {Principal._meta.db_table} p "
        "ON p.id = m.principal_id ORDER BY m.id"
    )
    event = next(received, None)
    for pk, body, salt, commitment, principal, office, channel in messages:
        report.messages += 1
        while event is not None and event[0] < pk:
            _divergent_event(report, event, "its message row is gone (deleted)")
            event = next(received, None)
        if event is None or event[0] != pk:
            report.problems.append(
                f"message #{pk} has no message.received event: written behind the application"
            )
            continue
        _, data, seq = event
        recomputed = hashlib.sha256(bytes.fromhex(salt) + body.encode()).hexdigest()
        differences = [
            name
            for name, row, logged in (
                ("content", recomputed, data.get("commitment")),
                ("stored commitment", commitment, data.get("commitment")),
                ("principal", principal, data.get("principal")),
                ("sender office", office, data.get("office")),
                ("channel", channel, data.get("channel")),
            )
            if row != logged
        ]
        if differences:
            _divergent_event(
                report, event, f"message #{pk} was changed: {', '.join(differences)} differ"
            )
        event = next(received, None)
        while event is not None and event[0] == pk:
            event = next(received, None)
    while event is not None:
        _divergent_event(report, event, "its message row is gone (deleted)")
        event = next(received, None)


def _divergent_event(report: Report, event: tuple[int, Any, int | None], why: str) -> None:
    sid, _, seq = event
    if seq is None:
        report.problems.append(f"message #{sid} (not yet in the log): {why}")
    else:
        report.diverge(seq, f"entry {seq} (message #{sid} received): {why}")
