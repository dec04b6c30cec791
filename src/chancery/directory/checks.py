"""How ``chancery verify`` checks a principal against its ``principal.status`` events, and an
office's holder against its ``office.holder`` events.

Registered from ``DirectoryConfig.ready()`` (see ``chancery.ledger.checks``). Each status change
row must be one logged event (status, who, when); the last logged status must be the row's, and
the delivery gate the log announced last (a status change or a ``principal.policy`` change in
the admin) must be the one the row's policy gives, and the policy the last ``principal.policy``
event. A principal's ``principal.created`` event (its first status and policy) counts as both,
first. A principal created before that event existed, and never changed since, has no event:
there is nothing to compare it with.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from chancery.directory.models import Office, Principal, StatusChange
from chancery.ledger import checks
from chancery.ledger.checks import Finding, Subject


def principal_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, Any]]:
    principals = Principal.objects.order_by("id")
    changes = StatusChange.objects.order_by("principal_id", "at", "id")
    if lo is not None:
        principals, changes = principals.filter(id__gte=lo), changes.filter(principal_id__gte=lo)
    if hi is not None:
        principals, changes = principals.filter(id__lt=hi), changes.filter(principal_id__lt=hi)
    grouped = itertools.groupby(
        changes.values("principal_id", "status", "at", "by_id", "note"),
        lambda c: c["principal_id"],
    )
    group = next(grouped, None)
    for principal in principals:
        while group is not None and group[0] < principal.pk:
            group = next(grouped, None)
        mine: list[Any] = []
        if group is not None and group[0] == principal.pk:
            mine = list(group[1])
            group = next(grouped, None)
        yield principal.pk, (principal, mine)


def check_principal(subject: Subject) -> Iterator[Finding]:  # noqa: C901 - one rule each
    created = [e for e in subject.events if e.kind == "principal.created"]
    events = [e for e in subject.events if e.kind == "principal.status"]
    policies = [e for e in subject.events if e.kind == "principal.policy"]
    for n, e in enumerate(subject.events):
        if e.kind not in ("principal.created", "principal.status", "principal.policy"):
            yield Finding(f"principal #{subject.id}: {e} is not a principal's event", e)
        elif e.kind == "principal.created" and n:
            yield Finding(f"principal #{subject.id}: {e} is not its first event", e)
    if subject.row is None:
        yield Finding(f"principal #{subject.id}: its row is gone (deleted)", subject.events[0])
        return
    principal, changes = subject.row
    for e in created + events + policies:
        if e.data.get("principal") != principal.slug:
            yield Finding(f"principal #{subject.id}: {e} names another principal", e)
    policies = created[:1] + policies
    if policies and principal.delivery_requires != policies[-1].data.get("delivery_requires"):
        yield Finding(
            f"principal #{subject.id}: the row's support policy differs from {policies[-1]}",
            policies[-1],
        )
    for n, (change, e) in enumerate(itertools.zip_longest(changes, events)):
        if e is None:
            yield Finding(
                f"principal #{subject.id}: status change {n + 1} ({change['status']}) has no "
                "event: written behind the application"
            )
        elif change is None:
            yield Finding(f"principal #{subject.id}: {e} has no status change row (deleted)", e)
        elif (change["status"], change["by_id"]) != (e.data.get("status"), e.actor_id) or (
            not subject.close(change["at"], e.at)
            or ("note" in e.data and e.data["note"] != change["note"])
        ):
            yield Finding(f"principal #{subject.id}: status change {n + 1} differs from {e}", e)
    statuses = created[:1] + events
    if statuses and principal.status != statuses[-1].data.get("status"):
        last = statuses[-1]
        yield Finding(
            f"principal #{subject.id}: the row's status is {principal.status}, the log's "
            f"last is {last.data.get('status')} ({last})",
            last,
        )
    elif statuses or policies:
        # The gate the last status change or policy change announced.
        last = max(statuses[-1:] + policies[-1:], key=subject.events.index)  # in log order
        if principal.gate_active == bool(last.data.get("gate_open")):
            held = "held" if principal.gate_active else "open"
            yield Finding(
                f"principal #{subject.id}: delivery is {held} by the row's policy, the log "
                f"announced the opposite ({last})",
                last,
            )


def office_rows(lo: int | None, hi: int | None) -> Iterator[tuple[int, Any]]:
    offices = checks.ranged(Office.objects.order_by("id"), lo, hi)
    for pk, leader, took, left in offices.values_list(
        "id", "leader_id", "took_office", "left_office"
    ):
        yield pk, {
            "leader": leader,
            "took_office": took.isoformat() if took else None,
            "left_office": left.isoformat() if left else None,
        }


def check_office(subject: Subject) -> Iterator[Finding]:
    """The office's holder and term are the last ``office.holder`` event's. An office never
    recorded (created before the event existed, or with SQL) has nothing to compare with."""
    events = []
    for e in subject.events:
        if e.kind == "office.holder":
            events.append(e)
        else:
            yield Finding(f"office #{subject.id}: {e} is not an office's event", e)
    if subject.row is None:
        if subject.events:
            yield Finding(f"office #{subject.id}: its row is gone (deleted)", subject.events[-1])
        return
    for e in events:
        if e.data.get("office") != subject.id:
            yield Finding(f"office #{subject.id}: {e} names office {e.data.get('office')!r}", e)
    if events:
        last = events[-1]
        wrong = [
            name for name in ("leader", "took_office", "left_office")
            if subject.row[name] != last.data.get(name)
        ]
        if wrong:
            yield Finding(
                f"office #{subject.id}: the row's {', '.join(wrong)} differ from {last}"
                f" (holder: the row says leader #{subject.row['leader']}, the log leader "
                f"#{last.data.get('leader')})",
                last,
            )


def register() -> None:
    checks.register(
        "principal", rows=principal_rows, check=check_principal, declared_in=__name__,
        tables={
            Principal._meta.db_table: None,
            StatusChange._meta.db_table: (
                f"SELECT id, principal_id FROM {StatusChange._meta.db_table} WHERE id IN {{ids}}"  # noqa: S608
            ),
        },
    )
    checks.register(
        "office", rows=office_rows, check=check_office, declared_in=__name__,
        tables={Office._meta.db_table: None},
    )
