"""What a user may do with a call request now: one set of rules, read by the services' own guards
and by every page's action panel (the queue, the calendar, the package), so a button is offered
exactly when the service would accept it.

As for messages (``correspondence/services/actions.py``), each action has two checks:

- ``who``: may this person do it at all (their role; for the principal's office, its own
  principal)? Refused with 403. The services check it first, before reading their input.
- ``now``: does the call's present state allow it? Refused with 409. The services check it
  again with the call locked (``require_now``).

The lifecycle (docs/architecture.md, "The call lifecycle"): requested -> triaged -> approved ->
scheduled -> cleared -> connected -> completed; deferred from any state before connected (a
deferred request is triaged again); declined from any open state; failed from scheduled or
cleared once an attempt was made. A request the support policy holds (``waits_for``) may be
declined but not triaged, approved or deferred: it enters the queue when the policy opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, profile_of, role_refusal
from chancery.calls.models import (
    OPEN_CALL_STATES,
    SCHEDULABLE_STATES,
    CallRequest,
    CallState,
)
from chancery.calls.services.common import OFFICERS
from chancery.correspondence.services.actions import Allowed
from chancery.directory.models import Principal
from chancery.errors import ChanceryError, Conflict, Forbidden

__all__ = [
    "ACTIONS", "Allowed", "allowed_actions", "may", "require_may", "require_now", "waits_text",
]

ACTIONS = (
    "triage", "approve", "defer", "decline", "schedule", "move", "reassign", "draft_points",
    "clear_package", "attempt", "complete", "fail",
)
"""Every action on a call request, in the order a panel lists them."""

TRIAGEABLE = (CallState.REQUESTED, CallState.TRIAGED, CallState.DEFERRED)
DEFERRABLE = (
    CallState.REQUESTED, CallState.TRIAGED, CallState.APPROVED, CallState.SCHEDULED,
    CallState.CLEARED,
)
ATTEMPTABLE = (CallState.SCHEDULED, CallState.CLEARED)

_OFFICE = (Role.PRINCIPAL_OFFICE,)
_WHO: dict[str, tuple[tuple[str, ...], str]] = {
    "triage": (OFFICERS, "triage call requests"),
    "approve": ((*OFFICERS, *_OFFICE), "approve call requests"),
    "defer": ((*OFFICERS, *_OFFICE), "defer call requests"),
    "decline": ((*OFFICERS, *_OFFICE), "decline call requests"),
    "schedule": (OFFICERS, "schedule calls"),
    "move": (OFFICERS, "move calls"),
    "reassign": (OFFICERS, "reassign interpreters"),
    "draft_points": (OFFICERS, "draft talking points"),
    "clear_package": (_OFFICE, "clear a call package"),
    "attempt": (OFFICERS, "record contact attempts"),
    "complete": (OFFICERS, "complete calls"),
    "fail": (OFFICERS, "record that a call failed to connect"),
}


def _state(call: CallRequest) -> str:
    return str(CallState(call.state).label).lower()


def waits_text(call: CallRequest, principal: Principal | None = None) -> str:
    """Why a gated request is not in the queue (the liaison, the office and the officers read
    the same words)."""
    principal = principal or call.principal
    try:
        waits = Principal.Status(call.waits_for).label
    except ValueError:
        waits = call.waits_for
    now = Principal.Status(principal.status).label
    return (
        f"Calls wait for '{waits}' under the {principal.title}'s support policy (the status is "
        f"now '{now}'); {call.tracking} is recorded (receipt) and enters the queue in order of "
        "receipt when that status is recorded."
    )


def who_refusal(action: str, user: Any, call: CallRequest) -> ChanceryError | None:
    roles, what = _WHO[action]
    refusal = role_refusal(user, *roles, action=what)
    if refusal is not None:
        return refusal
    if not has_role(user, *OFFICERS) and Role.PRINCIPAL_OFFICE in roles:
        # The principal's office acts only on its own principal's calls.
        if profile_of(user).principal_id != call.principal_id:
            return Forbidden(f"{call.tracking} is addressed to another principal's office.")
    return None


def _gated(call: CallRequest, action: str) -> Conflict | None:
    if call.waits_for:
        return Conflict(f"{waits_text(call)} It cannot be {action} before then; it may be "
                        "declined.")
    return None


def _in(call: CallRequest, states: tuple[str, ...], what: str) -> Conflict | None:
    if call.state not in states:
        return Conflict(f"{call.tracking} is {_state(call)}; {what}.")
    return None


def _triage(call: CallRequest) -> ChanceryError | None:
    return _in(call, TRIAGEABLE, "only a requested, triaged or deferred request is triaged") or \
        _gated(call, "triaged")


def _approve(call: CallRequest) -> ChanceryError | None:
    if call.state == CallState.REQUESTED and not call.waits_for:
        return Conflict(f"{call.tracking} is not triaged yet; an officer triages it (tier and "
                        "rank) before it is approved.")
    return _gated(call, "approved") or _in(
        call, (CallState.TRIAGED,), "only a triaged request is approved"
    )


def _defer(call: CallRequest) -> ChanceryError | None:
    return _gated(call, "deferred") or _in(
        call, DEFERRABLE, "only a request not yet connected, and not deferred already, is deferred"
    )


def _decline(call: CallRequest) -> ChanceryError | None:
    return _in(call, OPEN_CALL_STATES, "only an open request is declined")


def _schedulable(call: CallRequest) -> ChanceryError | None:
    return _gated(call, "scheduled") or _in(
        call, SCHEDULABLE_STATES, "only an approved, scheduled or cleared call is placed"
    )


def _reassignable(call: CallRequest) -> ChanceryError | None:
    """An interpreter is reassigned on a call that has a time (before that, the scheduler
    chooses one when it places the call)."""
    refusal = _schedulable(call)
    if refusal is None and call.start is None:
        refusal = Conflict(
            f"{call.tracking} has no time yet: the scheduler chooses its interpreter when it "
            "places the call (or move it to a time first)."
        )
    return refusal


def _draft_points(call: CallRequest) -> ChanceryError | None:
    return _in(call, SCHEDULABLE_STATES,
               "talking points are drafted for an approved, scheduled or cleared call")


def _clear_package(call: CallRequest) -> ChanceryError | None:
    refusal = _in(call, (CallState.SCHEDULED,), "only a scheduled call's package is cleared")
    if refusal is not None:
        return refusal
    if not call.talking_points.strip():
        return Conflict(f"{call.tracking} has no talking points yet; staff draft them before "
                        "the package is cleared.")
    return None


def _attempt(call: CallRequest) -> ChanceryError | None:
    return _in(call, ATTEMPTABLE, "contact attempts are recorded for a scheduled or cleared call")


def _complete(call: CallRequest) -> ChanceryError | None:
    return _in(call, (CallState.CONNECTED,), "only a connected call is completed")


def _fail(call: CallRequest) -> ChanceryError | None:
    refusal = _in(call, ATTEMPTABLE, "only a scheduled or cleared call can fail to connect")
    if refusal is not None:
        return refusal
    if not call.attempts.exists():
        return Conflict(f"{call.tracking} has no contact attempt yet; record the attempts "
                        "before saying it failed to connect.")
    return None


_NOW: dict[str, Callable[[CallRequest], ChanceryError | None]] = {
    "triage": _triage,
    "approve": _approve,
    "defer": _defer,
    "decline": _decline,
    "schedule": _schedulable,
    "move": _schedulable,
    "reassign": _reassignable,
    "draft_points": _draft_points,
    "clear_package": _clear_package,
    "attempt": _attempt,
    "complete": _complete,
    "fail": _fail,
}


def now_refusal(action: str, user: Any, call: CallRequest) -> ChanceryError | None:
    return _NOW[action](call)


def require_may(call: CallRequest, user: Any, action: str) -> None:
    """The services' first guard: may ``user`` take ``action`` on ``call`` at all (403)."""
    refusal = who_refusal(action, user, call)
    if refusal is not None:
        raise refusal


def require_now(call: CallRequest, user: Any, action: str) -> None:
    """The services' second guard, with the call locked: does its state allow it (409)."""
    refusal = now_refusal(action, user, call)
    if refusal is not None:
        raise refusal


def may(call: CallRequest, user: Any, action: str) -> Allowed:
    """One action's verdict: exactly what the service accepts (``bool(...)``; ``.reason``)."""
    if action not in _WHO:
        raise ValueError(f"unknown call action {action!r}; one of {', '.join(ACTIONS)}")
    refusal = who_refusal(action, user, call)
    if refusal is not None:
        return Allowed(action, refusal, "who")
    refusal = now_refusal(action, user, call)
    return Allowed(action, refusal, "now" if refusal is not None else "")


def allowed_actions(call: CallRequest, user: Any) -> list[Allowed]:
    """Every action on ``call`` and whether ``user`` may take it now (with the reason if not),
    in the order of ``ACTIONS``."""
    return [may(call, user, action) for action in ACTIONS]
