"""How ``chancery verify`` (and the worker's integrity step) checks telcons against the log.

A telcon's events are replayed in log order: ``telcon.drafted`` first (a row without it was
written behind the application), then revisions, reviewers, reviews, approval, distribution.
Every version row must be its drafted/revised event's ``content`` (header, classification block,
body: ``services.telcons.version_content``), author, time and change note; a version without its
event was written behind the application, an event without its row means the row was deleted.
The telcon's kind, regime, drafter, current version, named reviewers, state, approval (who,
when), distribution time and list are the replay's; every review row is its ``telcon.reviewed``
event's, and a review only counts for the version it names. The rules are checked too, though
logged: a review of a version other than the current one, an approval of a telcon not reviewed,
a distribution of one not approved.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from chancery.calls.models import CALL, CallRequest
from chancery.directory.models import Principal
from chancery.ledger import checks
from chancery.ledger.checks import Entry, Finding, Subject
from chancery.records.models import Telcon, TelconRecipient, TelconReview, TelconVersion
from chancery.records.services.telcons import version_content

TELCON_FIELDS = (
    "id", "call_id", "kind", "regime", "state", "version", "reviewers", "created_by_id",
    "created_at", "approved_by_id", "approved_at", "distributed_at",
)
VERSION_FIELDS = (
    "telcon_id", "id", "number", "created_by_id", "created_at", "change_note", "start", "end",
    "time_zone", "location", "participants", "interpreter", "note_takers", "classification",
    "classified_by", "reasons", "declassify_on", "body",
)
REVIEW_FIELDS = ("telcon_id", "id", "version", "reviewer_id", "at", "note")
RECIPIENT_FIELDS = ("telcon_id", "id", "user_id")

_KINDS = frozenset({
    "telcon.drafted", "telcon.revised", "telcon.reviewers", "telcon.reviewed",
    "telcon.approved", "telcon.distributed", "telcon.distribution",
})


def _grouped(model: Any, fields: tuple[str, ...], lo: int | None,
             hi: int | None) -> dict[int, list[dict[str, Any]]]:
    rows = checks.ranged(model.objects, lo, hi, "telcon_id").order_by("telcon_id", "id")
    rows = rows.values(*fields)
    return {k: list(g) for k, g in itertools.groupby(rows, lambda r: r["telcon_id"])}


def telcon_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Telcons by id, each a dict of its columns with its call's tracking number and principal's
    slug, and its versions, reviews and recipients (plain querysets: the rows are few)."""
    versions = _grouped(TelconVersion, VERSION_FIELDS, lo, hi)
    reviews = _grouped(TelconReview, REVIEW_FIELDS, lo, hi)
    recipients = _grouped(TelconRecipient, RECIPIENT_FIELDS, lo, hi)
    telcons = list(checks.ranged(Telcon.objects, lo, hi).order_by("id").values(*TELCON_FIELDS))
    calls = {
        c["id"]: c for c in CallRequest.objects.filter(
            pk__in=[t["call_id"] for t in telcons]
        ).values("id", "received_at", "principal_id")
    }
    slugs = dict(Principal.objects.values_list("id", "slug"))
    for values in telcons:
        call = calls.get(values["call_id"])
        values["call"] = (
            CALL.format(checks.parse_time(call["received_at"]).year, call["id"])
            if call else None
        )
        values["slug"] = slugs.get(call["principal_id"]) if call else None
        values["versions"] = versions.get(values["id"], [])
        values["reviews"] = reviews.get(values["id"], [])
        values["recipients"] = recipients.get(values["id"], [])
        yield values["id"], values


class TelconReplay:
    """The telcon the events describe, built step by step."""

    def __init__(self, subject: Subject) -> None:
        self.subject = subject
        self.findings: list[Finding] = []
        self.drafted: Entry | None = None
        self.version = 0
        self.versions: dict[int, Entry] = {}
        self.reviewers: list[int] = []
        self.reviewers_by: Entry | None = None
        self.reviews: dict[tuple[int, int], Entry] = {}
        self.state: str | None = None
        self.last_state: Entry | None = None
        self.approved: Entry | None = None
        self.distributed: Entry | None = None
        self.recipients: list[int] | None = None
        self.recipients_by: Entry | None = None

    def bad(self, entry: Entry | None, text: str) -> None:
        self.findings.append(Finding(f"telcon #{self.subject.id}: {text}", entry))

    def _recount(self, e: Entry) -> None:
        done = {r for (v, r) in self.reviews if v == self.version}
        reviewed = bool(self.reviewers) and set(self.reviewers) <= done
        self.state = Telcon.State.REVIEWED if reviewed else Telcon.State.DRAFT
        self.last_state = e

    def step(self, e: Entry) -> None:  # noqa: C901, PLR0912 - one branch per event kind
        kind, d = e.kind, e.data
        if kind not in _KINDS:
            self.bad(e, f"{e} is not an event of a telcon")
            return
        if self.drafted is None and kind != "telcon.drafted":
            self.bad(e, f"{e} comes before the telcon was drafted")
            return
        if kind == "telcon.drafted":
            if self.drafted is not None:
                self.bad(e, f"{e}: drafted a second time")
                return
            self.drafted = e
            self.version = 1
            self.versions[1] = e
            self.state, self.last_state = Telcon.State.DRAFT, e
        elif kind == "telcon.revised":
            if self.state == Telcon.State.DISTRIBUTED:
                self.bad(e, f"{e}: a distributed telcon was revised")
            if d.get("version") != self.version + 1:
                self.bad(e, f"{e}: version {d.get('version')} follows version {self.version}")
            self.version = int(d.get("version") or self.version + 1)
            self.versions[self.version] = e
            self.approved = None
            self.state, self.last_state = Telcon.State.DRAFT, e
        elif kind == "telcon.reviewers":
            self.reviewers = list(d.get("reviewers") or [])
            self.reviewers_by = e
            self._recount(e)
        elif kind == "telcon.reviewed":
            if d.get("version") != self.version:
                self.bad(e, f"{e} reviews version {d.get('version')}, not the current "
                         f"{self.version}")
            if e.actor_id not in self.reviewers:
                self.bad(e, f"{e}: reviewed by someone not named as a reviewer")
            self.reviews[(d.get("version"), e.actor_id)] = e  # type: ignore[index]
            self._recount(e)
        elif kind == "telcon.approved":
            if self.state != Telcon.State.REVIEWED or d.get("version") != self.version:
                self.bad(e, f"{e}: approved a telcon that is {self.state} (version "
                         f"{d.get('version')} of {self.version})")
            self.approved = e
            self.state, self.last_state = Telcon.State.APPROVED, e
        elif kind == "telcon.distributed":
            if self.state != Telcon.State.APPROVED:
                self.bad(e, f"{e}: distributed a telcon that is {self.state}")
            self.distributed = e
            self.recipients, self.recipients_by = list(d.get("recipients") or []), e
            self.state, self.last_state = Telcon.State.DISTRIBUTED, e
        elif kind == "telcon.distribution":
            if self.state not in (Telcon.State.APPROVED, Telcon.State.DISTRIBUTED):
                self.bad(e, f"{e}: the distribution list of a {self.state} telcon changed")
            self.recipients, self.recipients_by = list(d.get("recipients") or []), e


def check_telcon(subject: Subject) -> Iterator[Finding]:
    row: dict[str, Any] | None = subject.row
    if row is None:
        last = subject.events[-1]
        yield Finding(f"{last} (telcon #{subject.id}): its telcon row is gone (deleted)", last)
        return
    if not subject.events or subject.events[0].kind != "telcon.drafted":
        yield Finding(
            f"telcon #{subject.id} has no telcon.drafted event: written behind the application",
            subject.events[0] if subject.events else None,
        )
        return
    r = TelconReplay(subject)
    for e in subject.events:
        r.step(e)
        if e.data.get("principal") != row["slug"] or e.data.get("call") != row["call"]:
            r.bad(e, f"{e} names call {e.data.get('call')!r} of principal "
                  f"{e.data.get('principal')!r}, the row's is {row['call']} of {row['slug']!r}")
    _compare_telcon(r, row)
    _compare_versions(r, row["versions"])
    _compare_reviews(r, row["reviews"])
    _compare_recipients(r, row["recipients"])
    yield from r.findings


def _compare_telcon(r: TelconReplay, row: dict[str, Any]) -> None:
    close = r.subject.close
    drafted = r.drafted
    assert drafted is not None  # noqa: S101 - checked by the caller
    if row["state"] != r.state:
        r.bad(r.last_state, f"the row's state is {row['state']}, the events leave it {r.state} "
              f"({r.last_state})")
    approved, distributed = r.approved, r.distributed
    wrong = [
        (name, e)
        for name, same, e in (
            ("kind", row["kind"] == drafted.data.get("kind"), drafted),
            ("regime", row["regime"] == drafted.data.get("regime"), drafted),
            ("drafter", row["created_by_id"] == drafted.actor_id, drafted),
            ("created at", close(row["created_at"], drafted.when), drafted),
            ("version", row["version"] == r.version, r.versions.get(r.version)),
            ("reviewers", list(row["reviewers"] or []) == r.reviewers, r.reviewers_by),
            ("approval (who or when)",
             row["approved_by_id"] == (approved.actor_id if approved else None)
             and close(row["approved_at"], approved.when if approved else None), approved),
            ("distributed at",
             close(row["distributed_at"], distributed.when if distributed else None),
             distributed),
        )
        if not same
    ]
    if wrong:
        names = ", ".join(name for name, _ in wrong)
        entries = [e for _, e in wrong if e is not None]
        first = min(entries, key=lambda e: e.id) if entries else None
        r.bad(first, f"the telcon differs from its events: {names}")


def _compare_versions(r: TelconReplay, rows: list[dict[str, Any]]) -> None:
    close = r.subject.close
    seen = set()
    for v in rows:
        number = v["number"]
        seen.add(number)
        e = r.versions.get(number)
        if e is None:
            r.bad(None, f"version {number} has no telcon.drafted/revised event: written behind "
                  "the application")
            continue
        content = e.data.get("content") or {}
        mine = version_content(v)
        header, theirs = dict(mine["header"]), dict(content.get("header") or {})
        times_close = all(close(header.pop(k), theirs.pop(k, None)) for k in ("start", "end"))
        wrong = [
            name
            for name, same in (
                ("header", times_close and header == theirs),
                ("classification block", mine["classification"] == content.get("classification")),
                ("body", mine["body"] == content.get("body")),
                ("author", v["created_by_id"] == e.actor_id),
                ("created at", close(v["created_at"], e.when)),
                ("change note", v["change_note"] == e.data.get("note", "")),
            )
            if not same
        ]
        if wrong:
            r.bad(e, f"version {number}'s {', '.join(wrong)} differ from {e}")
    for number, e in r.versions.items():
        if number not in seen:
            r.bad(e, f"version {number} of {e} has no row (deleted)")


def _compare_reviews(r: TelconReplay, rows: list[dict[str, Any]]) -> None:
    seen = set()
    for a in rows:
        key = (a["version"], a["reviewer_id"])
        seen.add(key)
        e = r.reviews.get(key)
        if e is None:
            r.bad(None, f"review #{a['id']} (version {a['version']}) has no telcon.reviewed "
                  "event: written behind the application")
            continue
        if a["note"] != e.data.get("note", "") or not r.subject.close(a["at"], e.when):
            r.bad(e, f"review #{a['id']} differs from {e}")
    for key, e in r.reviews.items():
        if key not in seen:
            r.bad(e, f"the review of version {key[0]} in {e} has no row (deleted)")


def _compare_recipients(r: TelconReplay, rows: list[dict[str, Any]]) -> None:
    have = sorted(a["user_id"] for a in rows)
    expected = sorted(r.recipients or [])
    if have != expected:
        r.bad(r.recipients_by, f"the distribution list ({len(have)} people) differs from its "
              f"events ({len(expected)} people, {r.recipients_by or 'never set'})")


def register() -> None:
    """Register the subject's check with ``chancery.ledger.checks.register``."""
    tables: dict[str, str | None] = {Telcon._meta.db_table: None}
    for model in (TelconVersion, TelconReview, TelconRecipient):
        table = model._meta.db_table
        tables[table] = f"SELECT id, telcon_id FROM {table} WHERE id IN {{ids}}"  # noqa: S608
    checks.register(
        "telcon", rows=telcon_rows, check=check_telcon, declared_in=__name__, tables=tables,
    )
