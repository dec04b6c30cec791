"""How ``chancery verify`` (and the worker's integrity step) checks read-outs against the log.

A read-out's events are replayed in log order and compared with its row and its version rows:

- ``readout.drafted``: versions numbered 1, 2, 3... in order, each version row's title, body
  and correction note the content the event commits to, its drafter the event's actor, its
  time the event's; ``correction`` true exactly when a version was published before; the slug
  the row's.
- ``readout.cleared``: the latest version only, once, by someone other than its drafter; the
  row's ``cleared_by`` / ``cleared_at`` the event's.
- ``readout.embargo`` / ``readout.linked``: the last one's ``until`` and note / URL are the
  row's.
- ``readout.published``: the version row's ``published_at`` and ``digest`` the event's, and the
  digest recomputed from the version row (``services.readouts.published_object``) equal to it.
  The rule is checked though logged: a version published before its call ended, before it was
  cleared, not the latest, or inside the embargo in force then is a finding.
- The row's state, latest version, published version and first publication are the replay's.

A row without its events was written behind the application; events without a row mean it was
deleted.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from chancery.calls.models import CallRequest
from chancery.directory.models import Principal
from chancery.ledger import checks
from chancery.ledger.checks import Entry, Finding, Subject, parse_time
from chancery.records.models import Readout, ReadoutVersion

READOUT_FIELDS = (
    "id", "call_id", "slug", "state", "version", "published_version", "first_published_at",
    "embargo_until", "embargo_note", "counterpart_url", "created_by_id", "created_at",
)
VERSION_FIELDS = (
    "readout_id", "id", "number", "title", "body", "correction_note", "created_by_id",
    "created_at", "cleared_by_id", "cleared_at", "published_at", "digest",
)
KINDS = frozenset({
    "readout.drafted", "readout.cleared", "readout.embargo", "readout.linked",
    "readout.published",
})


def readout_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Read-outs by id, each a dict of its columns with ``versions`` (by number) and ``call``
    (the call's tracking, principal slug, state, completion and date). Plain querysets: the
    read-outs are few (see ``calls/checks.py``)."""
    versions = {
        key: {v["number"]: v for v in group}
        for key, group in itertools.groupby(
            checks.ranged(ReadoutVersion.objects, lo, hi, "readout_id")
            .order_by("readout_id", "number").values(*VERSION_FIELDS),
            lambda v: v["readout_id"],
        )
    }
    rows = list(checks.ranged(Readout.objects, lo, hi).order_by("id").values(*READOUT_FIELDS))
    calls = {
        c.pk: c for c in CallRequest.objects.filter(pk__in=[r["call_id"] for r in rows])
        .only("id", "received_at", "principal_id", "state", "start", "completed_at")
    }
    principals = {p.pk: p for p in Principal.objects.only("id", "slug", "time_zone")}
    from chancery.records.services.readouts import call_date

    for values in rows:
        call = calls.get(values["call_id"])
        if call is not None:
            call.principal = principals[call.principal_id]
            values["call"] = {
                "tracking": call.tracking, "principal": call.principal.slug,
                "state": call.state, "completed_at": call.completed_at,
                "date": call_date(call).isoformat(),
            }
        else:
            values["call"] = None
        values["versions"] = versions.get(values["id"], {})
        yield values["id"], values


def _time(value: Any) -> Any:
    return None if value is None else parse_time(value)


def check_readout(subject: Subject) -> Iterator[Finding]:  # noqa: C901 - one replay
    from chancery.records.services.readouts import digest_of, published_object

    name = f"read-out #{subject.id}"
    row = subject.row
    events = [e for e in subject.events if e.kind in KINDS]
    for e in subject.events:
        if e.kind not in KINDS:
            yield Finding(f"{name}: {e} is not an event of a read-out", e)
    if row is None:
        if events:
            yield Finding(f"{name}: the row is gone but the log has its events (deleted behind "
                          "the application)", events[-1])
        return
    if not events:
        yield Finding(f"{name} has no readout.drafted event: written behind the application")
        return
    call = row["call"] or {}
    versions: dict[int, dict[str, Any]] = row["versions"]
    drafted = 0
    state: str | None = None
    cleared: set[int] = set()
    published: set[int] = set()
    published_version: int | None = None
    first_published: Entry | None = None
    embargo: Entry | None = None
    linked: Entry | None = None

    for e in events:
        d = e.data
        if d.get("principal") != call.get("principal") or d.get("call") != call.get("tracking"):
            yield Finding(f"{name}: {e} names call {d.get('call')} of {d.get('principal')}, "
                          f"the row's call is {call.get('tracking')}", e)
        n = d.get("version")
        v = versions.get(n) if isinstance(n, int) else None
        if e.kind == "readout.drafted":
            if n != drafted + 1:
                yield Finding(f"{name}: {e} drafts version {n} after version {drafted}", e)
            drafted = n if isinstance(n, int) else drafted
            state = Readout.State.DRAFT
            if d.get("slug") != row["slug"]:
                yield Finding(f"{name}: the slug {row['slug']!r} differs from {e}'s", e)
            if bool(d.get("correction")) != (published_version is not None):
                yield Finding(f"{name}: {e} says correction={d.get('correction')} but "
                              f"{'a' if published_version else 'no'} version was published "
                              "before", e)
            if v is None:
                yield Finding(f"{name}: version {n} of {e} has no row (deleted behind the "
                              "application)", e)
                continue
            content = {"title": v["title"], "body": v["body"],
                       "correction_note": v["correction_note"]}
            wrong = [f for f, same in (
                ("content", content == d.get("content")),
                ("drafter", v["created_by_id"] == e.actor_id),
                ("time", subject.close(v["created_at"], e.at)),
            ) if not same]
            if wrong:
                yield Finding(f"{name}: version {n}'s {', '.join(wrong)} differ from {e}", e)
        elif e.kind == "readout.cleared":
            if n != drafted:
                yield Finding(f"{name}: {e} clears version {n}, not the latest ({drafted})", e)
            if n in cleared:
                yield Finding(f"{name}: {e} clears version {n} a second time", e)
            if isinstance(n, int):
                cleared.add(n)
            state = Readout.State.CLEARED
            if v is None:
                yield Finding(f"{name}: version {n} of {e} has no row", e)
                continue
            if v["created_by_id"] is not None and v["created_by_id"] == e.actor_id:
                yield Finding(f"{name}: {e}: version {n} was cleared by its own drafter", e)
            if v["cleared_by_id"] != e.actor_id or not subject.close(v["cleared_at"], e.at):
                yield Finding(f"{name}: version {n}'s clearance (who, when) differs from {e}", e)
        elif e.kind == "readout.embargo":
            embargo = e
        elif e.kind == "readout.linked":
            linked = e
        elif e.kind == "readout.published":
            if n != drafted:
                yield Finding(f"{name}: {e} publishes version {n}, not the latest ({drafted})",
                              e)
            if n not in cleared:
                yield Finding(f"{name}: {e} publishes version {n} before it was cleared", e)
            if n in published:
                yield Finding(f"{name}: {e} publishes version {n} a second time", e)
            completed = _time(call.get("completed_at"))
            if completed is None or completed > e.at:
                yield Finding(f"{name}: {e} was published before its call ended", e)
            until = _time(embargo.data.get("until")) if embargo is not None else None
            if until is not None and e.at < until:
                yield Finding(f"{name}: {e} was published inside the embargo (until {until})", e)
            if d.get("slug") != row["slug"]:
                yield Finding(f"{name}: the slug {row['slug']!r} differs from {e}'s", e)
            if isinstance(n, int):
                published.add(n)
                published_version = n
            first_published = first_published or e
            state = Readout.State.PUBLISHED
            if v is None:
                yield Finding(f"{name}: version {n} of {e} has no row", e)
                continue
            if v["digest"] != d.get("digest") or not subject.close(v["published_at"], e.at):
                yield Finding(f"{name}: version {n}'s publication (time, digest) differs from "
                              f"{e}", e)
            obj = published_object(row["slug"], v, call.get("date") or "")
            if digest_of(obj) != d.get("digest"):
                yield Finding(f"{name}: version {n}'s text is not the text published in {e} "
                              "(its digest differs)", e)

    last = events[-1]
    wrong = [f for f, same in (
        ("state", row["state"] == state),
        ("latest version", row["version"] == drafted),
        ("published version", row["published_version"] == published_version),
        ("first publication", subject.close(row["first_published_at"],
                                            first_published.at if first_published else None)),
        ("embargo", subject.close(row["embargo_until"],
                                  embargo.data.get("until") if embargo else None)),
        ("embargo note", row["embargo_note"] == (embargo.data.get("note") or ""
                                                 if embargo else "")),
        ("counterpart link", row["counterpart_url"] == (linked.data.get("url") or ""
                                                        if linked else "")),
    ) if not same]
    if wrong:
        yield Finding(f"{name}: the row's {', '.join(wrong)} differ from the log", last)
    for number, v in versions.items():
        if number > drafted:
            yield Finding(f"{name}: version {number} has no readout.drafted event (written "
                          "behind the application)", last)
        if v["cleared_at"] is not None and number not in cleared:
            yield Finding(f"{name}: version {number} is cleared without readout.cleared", last)
        if v["published_at"] is not None and number not in published:
            yield Finding(f"{name}: version {number} is published without readout.published",
                          last)


def register() -> None:
    versions = ReadoutVersion._meta.db_table
    checks.register(
        "readout", rows=readout_rows, check=check_readout, declared_in=__name__,
        tables={
            Readout._meta.db_table: None,
            versions: f"SELECT id, readout_id FROM {versions} WHERE id IN {{ids}}",  # noqa: S608
        },
    )
