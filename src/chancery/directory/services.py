"""The directory's rules: a principal's transition status, and an office's holder on record.

Recording a status is the directory's business; what a status *means* for the work waiting on
the principal (the correspondence gate today, the call queue next) belongs to the apps that hold
that work. They register a listener with :func:`on_status_change`; ``set_principal_status``
calls every listener inside its own transaction, after the status and its event are written,
so a status change and its consequences commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from chancery import clock
from chancery.accounts.models import Role
from chancery.accounts.roles import require_role
from chancery.directory.models import Office, Principal, StatusChange
from chancery.errors import Conflict, InvalidInput
from chancery.inputs import clean_text
from chancery.ledger.services import record_event

MAX_NOTE = 2000

StatusListener = Callable[[Principal, Any, bool], list[Any]]
"""``listener(principal, by, was_gated) -> released``: called with the principal locked and its
new status saved; ``was_gated`` is whether its support policy held work before the change.
Returns what the change released (for the caller to report), or an empty list."""

StatusPreview = Callable[[Principal, str], int]
"""``preview(principal, status) -> n``: how many items the change to ``status`` would release
or hold (called with the principal locked, before the change)."""

_listeners: list[StatusListener] = []
_previews: list[tuple[StatusPreview, str, str]] = []  # (count, one, many)

UNCONFIRMED: Any = object()
"""``set_principal_status(confirm=UNCONFIRMED)``: the caller is code (the worker, the demo
loader, tests), not a person who must confirm what moves."""


class ConfirmationNeeded(Conflict):
    """A status change that moves messages, not confirmed with their number (409)."""

    def __init__(self, message: str, *, count: int) -> None:
        super().__init__(message, field="confirm")
        self.count = count


def on_status_change(listener: StatusListener) -> StatusListener:
    """Register ``listener`` (usable as a decorator); registering twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def on_status_preview(
    preview: StatusPreview | None = None, *, one: str = "message", many: str = "messages"
) -> Any:
    """Register how an app counts what a status change would move, and what it counts (``one``
    / ``many``: "call request" / "call requests"), so the confirmation names each kind. Usable
    as a decorator, bare or with the nouns; registering twice is harmless."""

    def register(fn: StatusPreview) -> StatusPreview:
        if all(fn is not known for known, _one, _many in _previews):
            _previews.append((fn, one, many))
        return fn

    return register(preview) if preview is not None else register


def status_change_parts(principal: Principal, status: str) -> list[tuple[int, str]]:
    """What recording ``status`` would release or hold now, per kind: ``[(n, "3 messages")]``
    (kinds with none left out)."""
    out = []
    for preview, one, many in _previews:
        n = preview(principal, status)
        if n:
            out.append((n, f"{n} {one if n == 1 else many}"))
    return out


def status_change_moves(principal: Principal, status: str) -> int:
    """How many items (messages, call requests) recording ``status`` would release or hold."""
    return sum(n for n, _text in status_change_parts(principal, status))


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def lock_principal(pk: int) -> Principal:
    """The principal under a row lock. FOR NO KEY UPDATE: it does not conflict with the
    key-share locks that inserting a row pointing here takes, so intake never waits on it."""
    return Principal.objects.select_for_update(no_key=True).get(pk=pk)


def _require_confirmation(principal: Principal, status: str, note: str, confirm: Any) -> None:
    parts = status_change_parts(principal, status)
    moves = sum(n for n, _text in parts)
    if not moves:
        return
    label = Principal.Status(status).label
    listed = _and([text for _n, text in parts])
    what = (
        f"Recording '{label}' for the {principal.title} releases {listed} held under its "
        "support policy, in order of receipt"
        if principal.gate_active and not principal.gated_at(status)
        else f"Recording '{label}' for the {principal.title} holds {listed} under its support "
        "policy"
    )
    if confirm != moves:
        raise ConfirmationNeeded(
            f"{what}. Confirm with confirm={moves} (and a note saying why).", count=moves
        )
    if not note:
        raise InvalidInput(f"{what}: say why in a note (e.g. the letter and its date).",
                           field="note")


def set_principal_status(
    principal: Principal, *, by: Any, status: str, note: str = "", confirm: Any = UNCONFIRMED
) -> list[Any]:
    """Record a transition status (admins); the apps' listeners act on it (opening the
    correspondence gate delivers held messages in order of receipt). Returns what they
    released.

    A person (the admin page, the API, the CLI) passes ``confirm``: the number of messages
    they agreed to move (None if not asked yet). When the change releases or holds messages
    and ``confirm`` is not that number, it is refused with ``ConfirmationNeeded`` (409, the
    number in the text and in ``.count``); such a change also needs a ``note`` (422). Nothing
    moves without the count its author saw."""
    require_role(by, Role.ADMIN, action="record a principal's transition status")
    if status not in Principal.Status.values:
        raise InvalidInput(
            f"status {status!r} is unknown; use one of {', '.join(Principal.Status.values)}.",
            field="status",
        )
    note = clean_text(note, field="note", max_len=MAX_NOTE, required=False)
    released: list[Any] = []
    with transaction.atomic():
        principal = lock_principal(principal.pk)
        if principal.status == status:
            raise Conflict(
                f"The {principal.title} is already '{principal.get_status_display()}'.",
                field="status",
            )
        if confirm is not UNCONFIRMED:
            _require_confirmation(principal, status, note, confirm)
        was_gated = principal.gate_active
        principal.status = status
        principal.save(update_fields=["status"])
        StatusChange.objects.create(
            principal=principal, status=status, at=clock.now(), by=by, note=note
        )
        record_event(
            "principal", principal.pk, "principal.status", actor=by,
            data={
                "principal": principal.slug, "status": status,
                "gate_open": not principal.gate_active,
                # Private: a salted commitment in the log; verify compares it with the row.
                "note": note,
            },
        )
        for listener in _listeners:
            released.extend(listener(principal, by, was_gated))
    return released


# --- the support policy ---------------------------------------------------------------------------


def record_principal_created(principal: Principal, *, by: Any) -> None:
    """Record a new principal's first status and support policy as they are in its row (in
    the caller's transaction: the admin's save, the demo loader), so that a status or policy
    set later with SQL differs from the log even when the application never changed it."""
    record_event(
        "principal", principal.pk, "principal.created", actor=by,
        data={
            "principal": principal.slug, "status": principal.status,
            "delivery_requires": principal.delivery_requires,
            "gate_open": not principal.gate_active,
        },
    )


def record_policy(principal: Principal, *, by: Any) -> None:
    """Record a principal's support policy as it is in its row (in the caller's transaction:
    the admin's save), so that the gate it gives is on the log: ``chancery verify`` and the
    worker compare the row's gate with the last status or policy event. The worker's
    ``sync_policy_gates`` then holds or delivers what the new policy says."""
    record_event(
        "principal", principal.pk, "principal.policy", actor=by,
        data={
            "principal": principal.slug, "delivery_requires": principal.delivery_requires,
            "gate_open": not principal.gate_active,
        },
    )


# --- offices -------------------------------------------------------------------------------------

HOLDER_FIELDS = ("leader", "took_office", "left_office")
"""What ``office.holder`` records of an office: who holds it, from and until when."""


def record_office_holder(office: Office, *, by: Any) -> None:
    """Record an office's holder and term as they are in its row (in the caller's transaction:
    the admin's save, the demo loader), so that ``chancery verify`` and the worker can tell a
    holder changed with SQL from one changed here. Called on creation and whenever a holder
    field changes."""
    record_event(
        "office", office.pk, "office.holder", actor=by,
        data={
            "office": office.pk, "leader": office.leader_id,
            "took_office": office.took_office.isoformat() if office.took_office else None,
            "left_office": office.left_office.isoformat() if office.left_office else None,
        },
    )


def released_text(released: list[Any]) -> list[str]:
    """What a status change released, per kind, in words: ``["2 held messages released and
    delivered in order of receipt: CH-…", "1 call request released into the call queue: …"]``.
    Kinds are told apart by their model (a listener returns its app's rows)."""
    groups: dict[str, list[Any]] = {}
    for item in released:
        groups.setdefault(item._meta.model_name, []).append(item)
    out = []
    for name, items in groups.items():
        shown = ", ".join(getattr(i, "tracking", str(i)) for i in items[:10])
        more = f" and {len(items) - 10} more" if len(items) > 10 else ""
        n = len(items)
        if name == "message":
            what = (f"{n} held message{'s' if n != 1 else ''} released and delivered in order of "
                    "receipt")
        else:
            noun = items[0]._meta.verbose_name if n == 1 else items[0]._meta.verbose_name_plural
            what = f"{n} {noun} released into {'its' if n == 1 else 'their'} queue in order"
        out.append(f"{what}: {shown}{more}")
    return out
