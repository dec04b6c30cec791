"""How ``chancery verify`` checks a message, its holds and its translations against the log.

Registered from ``CorrespondenceConfig.ready()`` (see ``chancery.ledger.checks``). The message's
events are replayed through the rules of ``services`` (which state may follow which, holds and
their two-officer steps, translations), each step checked even though it was logged (a delivery
while a hold is in force is reported), and the replayed result is compared with the rows: every
field an event carries, and every time an event stands for (within the clock tolerance).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from chancery.correspondence.models import (
    MESSAGE,
    PRE_DELIVERY,
    Attachment,
    Hold,
    Message,
    State,
    Translation,
)
from chancery.directory.models import Principal
from chancery.ledger import checks
from chancery.ledger.checks import Entry, Finding, Subject, parse_time, same_time

OPEN = frozenset(PRE_DELIVERY)


class MessageRow:
    """A message's columns (``values``, by name) with its holds, translations and attachments
    (each a list of dicts by column name; an empty tuple when it has none)."""

    __slots__ = ("attachments", "holds", "translations", "values")

    def __init__(
        self, values: dict[str, Any], holds: Any = (), translations: Any = (),
        attachments: Any = (),
    ) -> None:
        self.values, self.holds = values, holds
        self.translations, self.attachments = translations, attachments


MESSAGE_FIELDS = (
    "m.id", "m.principal_id", "m.sender_office_id", "m.channel", "m.body", "m.salt", "m.commitment",
    "m.received_at", "m.due_at", "m.state", "m.triage_note", "m.rejection_reason",
    "m.escalated_at", "m.delivered_at", "m.acknowledged_at",
)
HOLD_FIELDS = (
    "message_id", "id", "is_policy", "category", "reason", "placed_by_id", "placed_at",
    "confirmed_by_id", "confirmed_at", "expires_at", "renewal_requested_by_id",
    "renewal_requested_at", "renewals", "released_at", "released_by_id", "release_reason",
)
TRANSLATION_FIELDS = (
    "message_id", "id", "source_language", "target_language", "status", "requested_by_id",
    "requested_at", "translator_id", "text", "signed_off_at",
)
TIMES = {
    "received_at", "due_at", "escalated_at", "delivered_at", "acknowledged_at", "placed_at",
    "confirmed_at", "expires_at", "renewal_requested_at", "released_at", "requested_at",
    "signed_off_at",
}


def _select(table: str, fields: tuple[str, ...], key: str, lo: int | None, hi: int | None,
            order: str) -> Iterator[dict[str, Any]]:
    """Rows as dicts keyed by column name; times as the database's text (the checks compare
    text first and parse only what differs: parsing is most of the cost)."""
    columns = ", ".join(
        f"CAST({f} AS TEXT)" if f.rsplit(".", 1)[-1] in TIMES else f for f in fields
    )
    names = [f.rsplit(".", 1)[-1] for f in fields]
    where, params = [], []
    if lo is not None:
        where.append(f"{key} >= %s")
        params.append(lo)
    if hi is not None:
        where.append(f"{key} < %s")
        params.append(hi)
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {columns} FROM {table} {condition} ORDER BY {order}"  # noqa: S608
    for row in checks.stream(sql, params):
        yield dict(zip(names, row))  # noqa: B905 - as many as selected


def _grouped(rows: Iterator[dict[str, Any]]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """(message id, its rows) for rows ordered by message."""
    for key, group in itertools.groupby(rows, lambda r: r["message_id"]):
        yield key, list(group)


_END: tuple[int, list[dict[str, Any]]] = (1 << 63, [])
"""Past every message id: what an exhausted stream of dependent rows gives."""


def message_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, MessageRow]]:
    """Messages with their holds, translations and attachments, by id (streams merged). The
    principal's slug (what the events name) is the row's principal's, from one small query."""
    slugs = dict(Principal.objects.values_list("id", "slug"))
    messages = _select(f"{Message._meta.db_table} m", MESSAGE_FIELDS, "m.id", lo, hi, "m.id")
    holds = _grouped(
        _select(Hold._meta.db_table, HOLD_FIELDS, "message_id", lo, hi, "message_id, id")
    )
    translations = _grouped(_select(
        Translation._meta.db_table, TRANSLATION_FIELDS, "message_id", lo, hi, "message_id, id"
    ))
    attachments = _grouped(_select(
        Attachment._meta.db_table, ("message_id", "id"), "message_id", lo, hi, "message_id, id"
    ))
    # Rows of a message that has none itself: it was deleted, which the message's own events
    # report; they are skipped here.
    hold = next(holds, _END)
    translation = next(translations, _END)
    attachment = next(attachments, _END)
    for values in messages:
        pk = values["id"]
        values["slug"] = slugs.get(values.pop("principal_id"))
        row = MessageRow(values)
        while hold[0] < pk:
            hold = next(holds, _END)
        if hold[0] == pk:
            row.holds, hold = hold[1], next(holds, _END)
        while translation[0] < pk:
            translation = next(translations, _END)
        if translation[0] == pk:
            row.translations, translation = translation[1], next(translations, _END)
        while attachment[0] < pk:
            attachment = next(attachments, _END)
        if attachment[0] == pk:
            row.attachments, attachment = attachment[1], next(attachments, _END)
        yield pk, row


# --- replay --------------------------------------------------------------------------------------


@dataclass
class HoldReplay:
    placed: Entry
    is_policy: bool
    expires: str | None = None
    expires_by: Entry | None = None
    confirmed: Entry | None = None
    requested: Entry | None = None
    renewals: int = 0
    released: Entry | None = None


@dataclass
class TranslationReplay:
    requested: Entry
    signed: Entry | None = None
    cancelled: bool = False


@dataclass(slots=True)
class Replay:
    subject: Subject
    findings: list[Finding] = field(default_factory=list)
    state: str | None = None
    received: Entry | None = None
    triaged: Entry | None = None
    delivered: Entry | None = None
    acknowledged: Entry | None = None
    rejected: Entry | None = None
    escalated: Entry | None = None
    holds: dict[int, HoldReplay] = field(default_factory=dict)
    translations: dict[int, TranslationReplay] = field(default_factory=dict)

    def bad(self, entry: Entry | None, text: str) -> None:
        self.findings.append(Finding(f"message #{self.subject.id}: {text}", entry))

    def differs(self, what: str, wrong: list[tuple[str, Entry]]) -> None:
        """Report the fields of a row (``what``) that differ from its events, at the earliest
        event among them."""
        if wrong:
            names = ", ".join(name for name, _ in wrong)
            self.bad(min((e for _, e in wrong), key=lambda e: e.id),
                     f"{what} differs from its events: {names}")

    def expired(self, hold: HoldReplay, at: dt.datetime) -> bool:
        """Past its expiry at ``at`` by more than the clock tolerance."""
        return hold.expires is not None and (
            at - parse_time(hold.expires) > self.subject.tolerance
        )

    def in_force(self) -> list[tuple[int, HoldReplay]]:
        return [(pk, h) for pk, h in self.holds.items() if h.released is None]

    def step(self, e: Entry) -> None:  # noqa: C901, PLR0912 - one branch per event kind
        kind, data = e.kind, e.data
        if self.state is None and kind != "message.received":
            self.bad(e, f"{e} comes before the message was received")
            return
        if kind == "message.received":
            if self.state is not None:
                self.bad(e, f"{e}: received a second time")
                return
            self.received, self.state = e, State.RECEIVED
        elif kind == "message.triaged":
            self.allow(e, {State.RECEIVED}, "triaged")
            self.triaged, self.state = e, State.TRIAGED
        elif kind == "translation.requested":
            self.allow(
                e, {State.RECEIVED, State.TRIAGED, State.DELIVERED, State.ACKNOWLEDGED},
                "have a translation requested",
            )
            self.translations[data.get("translation", -1)] = TranslationReplay(e)
            if self.state in (State.RECEIVED, State.TRIAGED):
                self.state = State.TRANSLATION_REQUESTED
        elif kind == "translation.signed_off":
            t = self.translations.get(data.get("translation", -1))
            if t is None or t.signed is not None or t.cancelled:
                self.bad(e, f"{e} signs off a translation that was not open")
                return
            t.signed = e
            still_open = any(x.signed is None for x in self.translations.values())
            if self.state == State.TRANSLATION_REQUESTED and not still_open:
                self.state = State.TRANSLATED
        elif kind == "message.delivered":
            self.allow(e, OPEN, "delivered")
            for pk, hold in self.in_force():
                what = "policy" if hold.is_policy else (
                    "confirmed" if hold.confirmed else "unconfirmed"
                )
                self.bad(e, f"{e}: delivered while hold #{pk} ({what}) was in force")
            self.delivered, self.state = e, State.DELIVERED
        elif kind == "message.acknowledged":
            self.allow(e, {State.DELIVERED}, "acknowledged")
            self.acknowledged, self.state = e, State.ACKNOWLEDGED
        elif kind == "message.rejected":
            self.allow(e, OPEN, "rejected")
            for t in self.translations.values():
                t.cancelled = t.cancelled or t.signed is None
            self.rejected, self.state = e, State.REJECTED
        elif kind == "message.escalated":
            self.allow(e, OPEN, "escalated")
            if self.escalated is not None:
                self.bad(e, f"{e}: escalated a second time")
            if held := self.in_force():
                self.bad(e, f"{e}: escalated while hold #{held[0][0]} was in force")
            self.escalated = e
        elif kind.startswith("hold."):
            self.hold_step(e)
        else:
            self.bad(e, f"{e}: not an event of a message's lifecycle")

    def allow(self, e: Entry, states: set[str] | frozenset[str], what: str) -> None:
        if self.state not in states:
            self.bad(e, f"{e}: a {self.state} message cannot be {what}")

    def hold_step(self, e: Entry) -> None:  # noqa: C901, PLR0912 - one branch per step
        kind, data = e.kind, e.data
        pk = data.get("hold", -1)
        hold = self.holds.get(pk)
        if kind in ("hold.placed", "hold.policy"):
            policy = kind == "hold.policy"
            self.allow(e, OPEN, "held")
            if hold is not None:
                self.bad(e, f"{e}: hold #{pk} was placed before")
            if any(h.is_policy == policy for _, h in self.in_force()):
                self.bad(e, f"{e}: a second {'policy' if policy else 'officer'} hold in force")
            self.holds[pk] = HoldReplay(
                e, policy, expires=data.get("expires"), expires_by=None if policy else e
            )
            return
        if hold is None or hold.released is not None:
            self.bad(e, f"{e}: hold #{pk} is not in force")
            return
        if kind == "hold.released":
            hold.released = e
            return
        if hold.is_policy:
            self.bad(e, f"{e}: hold #{pk} is a policy hold; officers do not confirm or renew it")
            return
        if self.expired(hold, e.at):
            self.bad(e, f"{e}: hold #{pk} had expired at {hold.expires}")
        if kind == "hold.confirmed":
            if hold.confirmed is not None:
                self.bad(e, f"{e}: hold #{pk} was confirmed before")
            if e.actor_id is None or e.actor_id == hold.placed.actor_id:
                self.bad(e, f"{e}: hold #{pk} confirmed by the officer who placed it")
            hold.confirmed = e
            hold.expires, hold.expires_by = data.get("expires"), e
        elif kind == "hold.renewal_requested":
            if hold.confirmed is None or hold.requested is not None:
                self.bad(e, f"{e}: hold #{pk} is unconfirmed or has a renewal asked already")
            hold.requested = e
        elif kind == "hold.renewed":
            if hold.requested is None:
                self.bad(e, f"{e}: hold #{pk} renewed without a first officer's request")
            elif e.actor_id is None or e.actor_id == hold.requested.actor_id:
                self.bad(e, f"{e}: hold #{pk} renewed by the officer who asked (one officer)")
            hold.requested = None
            hold.renewals += 1
            hold.expires, hold.expires_by = data.get("expires"), e
        else:
            self.bad(e, f"{e}: not a step of a hold")


# --- the check -----------------------------------------------------------------------------------


def check_message(subject: Subject) -> Iterator[Finding]:
    row: MessageRow | None = subject.row
    if row is None:
        first = subject.events[0]
        yield Finding(f"{first} (message #{subject.id}): its message row is gone (deleted)", first)
        return
    if not subject.events or subject.events[0].kind != "message.received":
        yield Finding(
            f"message #{subject.id} has no message.received event: written behind the "
            "application",
            subject.events[0] if subject.events else None,
        )
        return
    replay = Replay(subject)
    for e in subject.events:
        replay.step(e)
        if e.data.get("principal") != row.values["slug"]:
            replay.bad(e, f"{e} names principal {e.data.get('principal')!r}, the row another")
    _compare_message(replay, row.values, len(row.attachments))
    _compare_holds(replay, row.holds)
    _compare_translations(replay, row.translations)
    yield from replay.findings


def _compare_message(r: Replay, m: dict[str, Any], attachments: int) -> None:
    received = r.received
    assert received is not None  # noqa: S101 - checked by the caller
    data = received.data
    recomputed = hashlib.sha256(bytes.fromhex(m["salt"]) + m["body"].encode()).hexdigest()
    tracking = MESSAGE.format(int(m["received_at"][:4]), m["id"])  # the year in UTC
    logged = data.get("commitment")
    if not (  # the usual case, without building the list below
        recomputed == logged and m["commitment"] == logged
        and m["sender_office_id"] == data.get("office") and m["channel"] == data.get("channel")
        and attachments == data.get("attachments") and tracking == data.get("tracking")
        and same_time(m["received_at"], data.get("received_at"))
        and same_time(m["due_at"], data.get("due"))
    ):
        differences = [
            name
            for name, same in (
                ("content", recomputed == logged),
                ("stored commitment", m["commitment"] == logged),
                ("sender office", m["sender_office_id"] == data.get("office")),
                ("channel", m["channel"] == data.get("channel")),
                ("attachments", attachments == data.get("attachments")),
                ("tracking number", tracking == data.get("tracking")),
                ("received time", same_time(m["received_at"], data.get("received_at"))),
                ("delivery target", same_time(m["due_at"], data.get("due"))),
            )
            if not same
        ]
        r.bad(received, f"the row was changed: {', '.join(differences)} differ from {received}")
    if m["state"] != r.state:
        last = r.subject.events[-1]
        r.bad(last, f"the row's state is {m['state']}, the events leave it {r.state} ({last})")
    for name, entry in (
        ("delivered_at", r.delivered), ("acknowledged_at", r.acknowledged),
        ("escalated_at", r.escalated),
    ):
        when = entry.when if entry else None
        if m[name] != when and not r.subject.close(m[name], when):
            r.bad(entry, f"{name} is {m[name]}, the log says {entry.at if entry else 'never'}")
    if (escalated := r.escalated) is not None:
        late = (escalated.at - parse_time(m["due_at"])).total_seconds()
        logged = escalated.data.get("overdue_seconds", -1)
        if abs(late - logged) > 1 + r.subject.tolerance.total_seconds():
            r.bad(escalated, f"{escalated}: overdue {logged} s, but the delivery target gives "
                  f"{late:.0f} s")
    noted = bool(r.triaged.data.get("noted")) if r.triaged else False
    if bool(m["triage_note"]) != noted:
        r.bad(r.triaged, "the triage note differs from the log (noted or not)")
    reason = r.rejected.data.get("reason") if r.rejected else ""
    if m["rejection_reason"] != reason:
        r.bad(r.rejected, "the rejection reason differs from the one the log commits to")


def _compare_holds(r: Replay, rows: list[dict[str, Any]]) -> None:
    if not rows and not r.holds:
        return
    seen = set()
    for h in rows:
        seen.add(h["id"])
        replay = r.holds.get(h["id"])
        if replay is None:
            r.bad(None, f"hold #{h['id']} has no event: written behind the application")
            continue
        placed = replay.placed
        requested = replay.requested
        released = replay.released
        wrong = [
            (name, entry)
            for name, same, entry in (
                ("kind (officer or policy)", h["is_policy"] == replay.is_policy, placed),
                ("category", h["category"] == (
                    Hold.Category.TRANSITION_POLICY if replay.is_policy
                    else placed.data.get("category")
                ), placed),
                ("reason", replay.is_policy or h["reason"] == placed.data.get("reason"), placed),
                ("placed by", replay.is_policy or h["placed_by_id"] == placed.actor_id, placed),
                ("placed at", r.subject.close(h["placed_at"], placed.when), placed),
                ("expiry", same_time(h["expires_at"], replay.expires), replay.expires_by or placed),
                ("confirmed by", h["confirmed_by_id"] == (
                    replay.confirmed.actor_id if replay.confirmed else None
                ), replay.confirmed or placed),
                ("confirmed at", r.subject.close(
                    h["confirmed_at"], replay.confirmed.when if replay.confirmed else None
                ), replay.confirmed or placed),
                ("renewals", h["renewals"] == replay.renewals, replay.expires_by or placed),
                ("renewal asked by", h["renewal_requested_by_id"] == (
                    requested.actor_id if requested else None
                ), requested or placed),
                ("renewal asked at", r.subject.close(
                    h["renewal_requested_at"], requested.when if requested else None
                ), requested or placed),
                ("released at", r.subject.close(
                    h["released_at"], released.when if released else None
                ), released or placed),
                ("released by", h["released_by_id"] == (
                    released.actor_id if released else None
                ), released or placed),
                ("release reason", h["release_reason"] == (
                    released.data.get("reason") if released else ""
                ), released or placed),
            )
            if not same
        ]
        r.differs(f"hold #{h['id']}", wrong)
    for pk, replay in r.holds.items():
        if pk not in seen:
            r.bad(replay.placed, f"hold #{pk} of {replay.placed} has no row (deleted)")


def _compare_translations(r: Replay, rows: list[dict[str, Any]]) -> None:
    if not rows and not r.translations:
        return
    seen = set()
    salt = bytes.fromhex(r.subject.row.values["salt"])
    for t in rows:
        seen.add(t["id"])
        replay = r.translations.get(t["id"])
        if replay is None:
            r.bad(None, f"translation #{t['id']} has no event: written behind the application")
            continue
        requested, signed = replay.requested, replay.signed
        status = (
            Translation.Status.SIGNED_OFF if signed
            else Translation.Status.CANCELLED if replay.cancelled
            else Translation.Status.REQUESTED
        )
        commitment = hashlib.sha256(salt + t["text"].encode()).hexdigest() if signed else None
        wrong = [
            (name, entry)
            for name, same, entry in (
                ("source", t["source_language"] == requested.data.get("source"), requested),
                ("target", t["target_language"] == requested.data.get("target"), requested),
                ("target signed off", signed is None
                 or t["target_language"] == signed.data.get("target"), signed or requested),
                ("requested by", t["requested_by_id"] == requested.actor_id, requested),
                ("requested at", r.subject.close(t["requested_at"], requested.when), requested),
                ("status", t["status"] == status, signed or r.rejected or requested),
                ("translator", t["translator_id"] == (signed.actor_id if signed else None),
                 signed or requested),
                ("signed off at", r.subject.close(
                    t["signed_off_at"], signed.when if signed else None
                ), signed or requested),
                ("text", signed is None or commitment == signed.data.get("commitment"),
                 signed or requested),
            )
            if not same
        ]
        r.differs(f"translation #{t['id']}", wrong)
    for pk, replay in r.translations.items():
        if pk not in seen:
            r.bad(replay.requested, f"translation #{pk} has no row (deleted)")


def _by_message(table: str) -> str:
    return f"SELECT id, message_id FROM {table} WHERE id IN {{ids}}"  # noqa: S608


TABLES: dict[str, str | None] = {
    Message._meta.db_table: None,
    Hold._meta.db_table: _by_message(Hold._meta.db_table),
    Translation._meta.db_table: _by_message(Translation._meta.db_table),
    Attachment._meta.db_table: _by_message(Attachment._meta.db_table),
}
"""The tables whose changed rows (queued by the triggers of migration 0003) the worker maps to
a message and checks (``ledger/integrity.py``)."""


def register() -> None:
    checks.register(
        "message", rows=message_rows, check=check_message, declared_in=__name__, tables=TABLES
    )
