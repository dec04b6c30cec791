"""The support policy and the call queue: requests the policy holds are recorded, counted and
visible to the principal's office (``waits_for`` names the status they wait for), and enter the
queue in order of receipt when the status is recorded (then they rank by precedence).

The rule is the messages' (``Principal.gated_at``): ``directory.services.set_principal_status``
calls ``_status_changed`` in its own transaction, so a status change and the requests it releases
or holds commit together; ``sync_call_gates`` (a worker step) puts right what it cannot see (a
request that read the gate just before it changed, a support policy changed in the admin).

The gate holds requests not yet approved (requested, triaged, deferred): a call that was approved
or scheduled while the gate was open is not pulled back by it; an officer defers or declines it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from chancery.calls.models import CallRequest, CallState
from chancery.calls.services.common import _call_event, lock_call
from chancery.directory.models import Principal
from chancery.directory.services import lock_principal, on_status_change, on_status_preview
from chancery.ledger import integrity

GATED_STATES = (CallState.REQUESTED, CallState.TRIAGED, CallState.DEFERRED)
"""The states in which the support policy holds a request."""


def _held(principal: Principal) -> QuerySet[CallRequest]:
    """Requests the policy holds now (to release when it opens)."""
    return CallRequest.objects.filter(principal=principal, state__in=GATED_STATES).exclude(
        waits_for=""
    )


def _to_hold(principal: Principal) -> QuerySet[CallRequest]:
    """Requests the policy should hold and does not (or waiting for another status)."""
    return CallRequest.objects.filter(principal=principal, state__in=GATED_STATES).filter(
        ~Q(waits_for=principal.delivery_requires)
    )


def _release(principal: Principal, by: Any) -> list[CallRequest]:
    """The policy no longer holds the principal's requests: each enters the queue, in order of
    receipt (principal locked)."""
    released = []
    ids = list(_held(principal).order_by("received_at", "id").values_list("id", flat=True))
    for pk in ids:
        call = lock_call(pk)
        if not call.waits_for or call.state not in GATED_STATES:
            continue
        call.waits_for = ""
        call.save(update_fields=["waits_for"])
        _call_event(call, "call.gate_released", by, status=principal.status)
        released.append(call)
    return released


def _hold(principal: Principal, by: Any) -> list[CallRequest]:
    """The policy holds the principal's open requests (again), in order of receipt."""
    held = []
    requires = principal.delivery_requires
    ids = list(_to_hold(principal).order_by("received_at", "id").values_list("id", flat=True))
    for pk in ids:
        call = lock_call(pk)
        if call.waits_for == requires or call.state not in GATED_STATES:
            continue
        call.waits_for = requires
        call.save(update_fields=["waits_for"])
        _call_event(call, "call.gated", by, waits_for=requires)
        held.append(call)
    return held


def _follow(principal: Principal, by: Any) -> list[CallRequest]:
    """Make the requests agree with the principal's policy and status (principal locked)."""
    if principal.gate_active:
        return _hold(principal, by)
    return _release(principal, by)


def _status_changed(principal: Principal, by: Any, was_gated: bool) -> list[Any]:
    """The listener ``set_principal_status`` calls (principal locked, status saved).

    Returns the requests the change released into the queue (none when it holds them), which
    the admin page and the CLI report beside the messages delivered."""
    moved = _follow(principal, by)
    return [] if principal.gate_active else moved


def _status_would_move(principal: Principal, status: str) -> int:
    """How many requests recording ``status`` would release (opening the gate) or hold
    (closing it), for the confirmation a person gives before a status change."""
    if principal.gate_active and not principal.gated_at(status):
        return _held(principal).count()
    if not principal.gate_active and principal.gated_at(status):
        return _to_hold(principal).count()
    return 0


def register() -> None:
    """Follow principals' status changes (``CallsConfig.ready``); registering twice is harmless."""
    on_status_change(_status_changed)
    on_status_preview(_status_would_move, one="call request", many="call requests")


def sync_call_gates() -> int:
    """Make every request's gate agree with its principal's policy (worker step, order 105).

    Covers what a status change cannot see: a request submitted as the status changed, a support
    policy changed in the admin. A principal with an open integrity alert (its row disagrees
    with its events) is left alone, as the messages' gate leaves it. Returns how many requests
    were released or held."""
    changed = 0
    disputed = integrity.disputed("principal")
    for principal in Principal.objects.exclude(pk__in=disputed):
        pending = (_to_hold(principal) if principal.gate_active else _held(principal)).exists()
        if not pending:
            continue
        with transaction.atomic():
            principal = lock_principal(principal.pk)
            changed += len(_follow(principal, None))
    return changed
