"""Permission-scoped fetches of the interpreter roster's pages, API and feeds
(``views_interpreters``, ``api_interpreters``), beside ``calls.access`` (call requests) and
``calls.access_staff`` (the officers' queue and calendar).

Who sees what:

- the roster: officers and admin, who keep it, and the auditor, who reads it (403 otherwise);
- one interpreter's roster row: the same people (404 for an id not on the roster);
- an interpreter's assignments (its calls on the calendar): the interpreter itself and the
  roster's readers;
- the live feed tokens: a principal's for officers and admin (who issue them), an interpreter's
  for that interpreter alone (``invitations.issue_feed_token``'s rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from chancery.accounts.models import Role
from chancery.accounts.roles import has_role, require_role
from chancery.calls.access import visible_calls
from chancery.calls.models import ON_CALENDAR, CallRequest, FeedToken, Interpreter
from chancery.calls.services.interpreters import ROSTER_ROLES
from chancery.errors import Forbidden, NotFound

ROSTER_READERS = (*ROSTER_ROLES, Role.AUDITOR)
"""Who sees the roster: officers and admin keep it, the auditor reads it."""


def roster(user: Any, *, week: tuple[dt.datetime, dt.datetime] | None = None
           ) -> QuerySet[Interpreter]:
    """Every interpreter on the roster (active or not) by name; with ``week`` (start, end),
    each annotated with ``week_calls``: its calls on the calendar starting in [start, end)."""
    require_role(user, *ROSTER_READERS, action="see the interpreter roster")
    rows = Interpreter.objects.select_related("user").order_by("name", "id")
    if week is not None:
        start, end = week
        on_calendar = Q(calls__state__in=ON_CALENDAR, calls__start__gte=start,
                        calls__start__lt=end)
        rows = rows.annotate(week_calls=Count("calls", filter=on_calendar))
    return rows


def access_interpreter(user: Any, pk: int, *, field: str | None = None,
                       message: str | None = None) -> Interpreter:
    """Interpreter ``pk`` for a reader of the roster (403 for anyone else); 404 (``message``,
    naming ``field``) when no interpreter has that id."""
    found = roster(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(message or f"No interpreter #{pk} on the roster.", field=field)
    return found


def _check_own_or_reader(user: Any, interp: Interpreter) -> None:
    own = getattr(user, "pk", None) is not None and interp.user_id == user.pk
    if not (own or has_role(user, *ROSTER_READERS)):
        raise Forbidden("An interpreter's assignments are for that interpreter and the "
                        "operations center.")


def assignments(user: Any, interp: Interpreter) -> QuerySet[CallRequest]:
    """``interp``'s calls on the calendar (with a time), earliest first: for the interpreter
    itself and the roster's readers (403 otherwise)."""
    _check_own_or_reader(user, interp)
    return (
        visible_calls(user)
        .filter(interpreter=interp, state__in=ON_CALENDAR, start__isnull=False)
        .order_by("start", "id")
    )


def interpreter_feed_token(user: Any, interp: Interpreter) -> FeedToken | None:
    """The live (latest unrevoked) token of ``interp``'s own feed, None when none was issued:
    for that interpreter alone (403 otherwise)."""
    if getattr(user, "pk", None) is None or interp.user_id != user.pk:
        raise Forbidden("Only the interpreter sees its own calendar feed.")
    return (
        FeedToken.objects.filter(interpreter=interp, revoked_at__isnull=True)
        .order_by("-created_at").first()
    )


def principal_feed_tokens(user: Any) -> dict[int, FeedToken]:
    """The live token of each principal's feed, by principal id (the latest one where several
    are unrevoked): for officers and admin, who issue them (403 otherwise)."""
    require_role(user, *ROSTER_ROLES, action="see the principals' calendar feeds")
    live = FeedToken.objects.filter(principal__isnull=False, revoked_at__isnull=True)
    return {t.principal_id: t for t in live.order_by("created_at") if t.principal_id}
