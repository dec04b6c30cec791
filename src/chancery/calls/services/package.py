"""The call package's two changes: staff draft the talking points, the principal's office clears
the package.

Who may do each and in which state is ``calls.services.actions`` (``draft_points``: officers,
while the call is approved, scheduled or cleared; ``clear_package``: the principal's office of
that principal, a scheduled call with talking points). Each service asks who may (403) first,
then, under the row lock, whether the state allows it now (409): the page offers a button
exactly when ``actions.may`` says the service would accept it.

A redraft after clearance puts the call back to SCHEDULED and forgets who cleared it: the office
approved the text it read (``call.package_cleared`` commits to exactly that text), so different
words need its approval again. The ``call.talking_points`` event alone says so; ``chancery
verify`` (``calls/checks.py``) replays it that way. A redraft with the very same text changes
nothing and records nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chancery import clock
from chancery.calls.models import CallRequest, CallState
from chancery.calls.services import actions
from chancery.calls.services.common import _call_event, lock_call
from chancery.errors import ChanceryError
from chancery.inputs import clean_text

MAX_POINTS = 20000
"""The longest talking points accepted, in characters."""


def _points(text: Any) -> str:
    try:
        text = clean_text(text, field="talking_points", max_len=MAX_POINTS, required=True)
    except ChanceryError as exc:
        # clean_text names the field by its key; say it in words.
        raise type(exc)(
            exc.message.replace("talking_points", "The talking points", 1), field=exc.field
        ) from None
    return str(text).strip()


def draft_talking_points(call: CallRequest, text: str, *, by: Any) -> CallRequest:
    """Write (or rewrite) the call's talking points; event ``call.talking_points`` (the text
    private). A cleared call goes back to SCHEDULED: the office clears the new text again."""
    actions.require_may(call, by, "draft_points")
    text = _points(text)
    with transaction.atomic():
        call = lock_call(call)
        actions.require_now(call, by, "draft_points")
        if call.talking_points == text:
            return call
        call.talking_points = text
        fields = ["talking_points"]
        if call.cleared_by_id is not None or call.cleared_at is not None:
            call.cleared_by, call.cleared_at = None, None
            fields += ["cleared_by", "cleared_at"]
        if call.state == CallState.CLEARED:
            call.state = CallState.SCHEDULED
            fields.append("state")
        call.save(update_fields=fields)
        _call_event(call, "call.talking_points", by, text=text)
    return call


def clear_package(call: CallRequest, *, by: Any) -> CallRequest:
    """The principal's office approves the package: SCHEDULED -> CLEARED, who and when, and
    event ``call.package_cleared`` committing to the talking points it approved."""
    actions.require_may(call, by, "clear_package")
    with transaction.atomic():
        call = lock_call(call)
        actions.require_now(call, by, "clear_package")
        call.state = CallState.CLEARED
        call.cleared_by, call.cleared_at = by, clock.now()
        call.save(update_fields=["state", "cleared_by", "cleared_at"])
        _call_event(call, "call.package_cleared", by, text=call.talking_points)
    return call
