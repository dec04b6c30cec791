"""Permission-scoped fetches of the officers' call pages (``views_staff``), beside
``calls.access`` (call requests): the principals a person follows on the queue and calendar,
their solves, their blocked time, and the roster an officer reassigns from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import ALL_SEEING, has_role, profile_of, roles_of
from chancery.calls.models import BlockedTime, Interpreter, ScheduleRun
from chancery.calls.services.common import OFFICERS
from chancery.directory import access as directory_access
from chancery.directory.models import Principal
from chancery.errors import Forbidden, InvalidInput, NotFound


def followed_principals(user: Any) -> list[Principal]:
    """The principals whose calls ``user`` follows on the queue and calendar: every one for the
    operations center, its own for a principal's office; 403 for anyone else."""
    roles = roles_of(user)
    if roles & ALL_SEEING:
        return list(directory_access.principals().order_by("id"))
    if Role.PRINCIPAL_OFFICE in roles:
        own = profile_of(user).principal
        if own is not None:
            return [own]
    raise Forbidden(
        "The call queue and calendar are for the operations center and the principals' offices."
    )


def _check(user: Any, principal: Principal) -> None:
    if principal.pk not in {p.pk for p in followed_principals(user)}:
        raise Forbidden("You follow the calls of your own principal only.")


def principal_runs(user: Any, principal: Principal) -> QuerySet[ScheduleRun]:
    """The solves of ``principal``, newest first."""
    _check(user, principal)
    return ScheduleRun.objects.filter(principal=principal).order_by("-requested_at", "-id")


def access_run(user: Any, run_id: int) -> ScheduleRun:
    """One solve of a principal ``user`` follows (404 otherwise)."""
    run = ScheduleRun.objects.select_related("principal").filter(
        pk=run_id, principal__in=followed_principals(user)
    ).first()
    if run is None:
        raise NotFound(f"No solve #{run_id} that you can see.")
    return run


def blocked_times(user: Any, principal: Principal, lo: dt.datetime,
                  hi: dt.datetime) -> list[BlockedTime]:
    """The principal's blocked time overlapping [lo, hi)."""
    _check(user, principal)
    return list(BlockedTime.objects.filter(principal=principal, start__lt=hi, end__gt=lo))


def reassign_roster(user: Any) -> QuerySet[Interpreter]:
    """The active interpreters an officer may assign (empty for anyone else)."""
    if not has_role(user, *OFFICERS):
        return Interpreter.objects.none()
    return Interpreter.objects.filter(active=True).order_by("name")


def roster_interpreter(user: Any, raw: str) -> Interpreter:
    """The interpreter ``raw`` (an id from the reassign form) among ``reassign_roster``."""
    found = reassign_roster(user).filter(pk=int(raw)).first() if raw.isdigit() else None
    if found is None:
        raise InvalidInput(f"No active interpreter {raw!r} on the roster.", field="interpreter")
    return found
