"""What a user may do with a message now: one set of rules, read by the services' own guards and
by every page's action panel, so a button is offered exactly when the service would accept it.

Each action has two checks, kept apart because the services run them at different moments:

- ``who``: may this person do it at all (their role; for an acknowledgement, their office)?
  Refused with 403. The services check it first, before reading their input.
- ``now``: does the message's present state allow it (open or not, held or not, who placed the
  hold)? Refused with 409, or 403 when the rule is about the person (the officer who placed a
  hold cannot confirm it). The services check it again with the message locked.

``allowed_actions(message, user)`` runs both for every action; a service calls
``require_may`` and, under its lock, ``require_now``. Input checks (a reason's length, a
language code) stay in the services: they are about what was typed, not about who may act.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chancery import clock
from chancery import holds as rules  # the two-officer rules, whatever is held
from chancery.accounts.models import Role
from chancery.accounts.roles import profile_of, role_refusal
from chancery.correspondence.models import PRE_DELIVERY, Hold, Message, State, Translation
from chancery.correspondence.services.common import (
    OFFICERS,
    _held_text,
    _policy_text,
    active_hold,
)
from chancery.errors import ChanceryError, Conflict, Forbidden

ACTIONS = (
    "triage", "request_translation", "place_hold", "confirm_hold", "renew_hold", "release_hold",
    "deliver", "reject", "acknowledge",
)
"""Every action on a message, in the order the panel lists them."""

TRANSLATABLE = (State.RECEIVED, State.TRIAGED, State.DELIVERED, State.ACKNOWLEDGED)


@dataclass(frozen=True)
class Allowed:
    """Whether ``action`` is allowed; when it is not, the refusal the service would raise."""

    action: str
    refusal: ChanceryError | None = None
    stage: str = ""
    """Where it was refused: "who" (the person may never do it) or "now" (not in this state)."""

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        return self.refusal.message if self.refusal is not None else ""

    @property
    def personal(self) -> bool:
        """Refused now because of who the person is (they placed the hold, they asked for the
        renewal): worth telling them, since a colleague can do it."""
        return self.stage == "now" and isinstance(self.refusal, Forbidden)

    def __bool__(self) -> bool:
        return self.allowed


_WHO: dict[str, tuple[tuple[str, ...], str]] = {
    "triage": (OFFICERS, "triage messages"),
    "request_translation": (OFFICERS, "request translations"),
    "place_hold": (OFFICERS, "place holds"),
    "confirm_hold": (OFFICERS, "confirm holds"),
    "renew_hold": (OFFICERS, "renew holds"),
    "release_hold": (OFFICERS, "release holds"),
    "deliver": (OFFICERS, "deliver messages"),
    "reject": (OFFICERS, "reject messages"),
    "acknowledge": ((Role.PRINCIPAL_OFFICE,), "acknowledge messages"),
}


def who_refusal(action: str, user: Any, message: Message) -> ChanceryError | None:
    roles, what = _WHO[action]
    refusal = role_refusal(user, *roles, action=what)
    if refusal is not None:
        return refusal
    if action == "acknowledge" and not _own_office(user, message.principal_id):
        return Forbidden(f"{message.tracking} is addressed to another principal's office.")
    return None


def _own_office(user: Any, principal_id: int) -> bool:
    return bool(profile_of(user).principal_id == principal_id)


def acknowledges_for(user: Any, principal: Any) -> bool:
    """Whether ``user`` may acknowledge messages addressed to ``principal`` at all (the
    acknowledge action's ``who`` check without a message): the inbox's "Acknowledge the
    selected" form and its check boxes are offered on this."""
    roles, what = _WHO["acknowledge"]
    return role_refusal(user, *roles, action=what) is None and _own_office(user, principal.pk)


def _not_open(message: Message, action: str) -> Conflict | None:
    if message.state not in PRE_DELIVERY:
        return Conflict(
            f"{message.tracking} is {message.get_state_display().lower()}; cannot {action}."
        )
    return None


def _triage(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    if message.state != State.RECEIVED:
        return Conflict(
            f"{message.tracking} is already {message.get_state_display().lower()}; only a "
            "received message is triaged."
        )
    return None


def _request_translation(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    if message.state not in TRANSLATABLE:
        return Conflict(
            f"{message.tracking} is {message.get_state_display().lower()}; a translation can "
            "be requested for a received, triaged, delivered or acknowledged message."
        )
    return None


def _place_hold(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    refusal = _not_open(message, "hold it")
    if refusal is not None:
        return refusal
    if hold is not None:
        return Conflict(
            f"{message.tracking} is already held "
            f"({hold.get_category_display().lower()}, {hold.status})."
        )
    last = message.holds.filter(is_policy=False).order_by("-placed_at", "-id").first()
    return rules.rolling_refusal(last, user, message.tracking)


def _officer_hold(
    message: Message, hold: Hold | None, verb: str, *, allow_expired: bool = False
) -> ChanceryError | None:
    """An officer's hold, still in force (or, to release it, possibly past its expiry)."""
    if hold is None:
        return Conflict(f"{message.tracking} has no officer's hold to be {verb}.")
    if hold.released_at is None and hold.is_policy:  # (a policy hold has no expiry)
        return Conflict(
            f"This is a policy hold on {message.tracking}; it ends when the "
            f"{message.principal.title}'s transition status changes, not by an officer."
        )
    return rules.in_force_refusal(
        hold, message.tracking, verb, now=clock.now(), allow_expired=allow_expired,
        then="The message is being released to delivery.",
    )


def _confirm_hold(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    refusal = _officer_hold(message, hold, "confirmed")
    if refusal is not None or hold is None:
        return refusal
    return rules.confirm_refusal(hold, user)


def _renew_hold(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    refusal = _officer_hold(message, hold, "renewed")
    if refusal is not None or hold is None:
        return refusal
    return rules.renew_refusal(hold, user)


def _release_hold(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    return _officer_hold(message, hold, "released", allow_expired=True)


def _deliver(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    refusal = _not_open(message, "deliver it")
    if refusal is not None:
        return refusal
    if message.state == State.TRANSLATION_REQUESTED:
        return Conflict(
            f"{message.tracking} is waiting for its translation; deliver it when the "
            "translator has signed off."
        )
    any_hold = active_hold(message)
    if any_hold is not None:
        return Conflict(_held_text(message, any_hold))
    if message.principal.gate_active:
        return Conflict(_policy_text(message, message.principal))
    return None


def _reject(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    return _not_open(message, "reject it")


def _acknowledge(user: Any, message: Message, hold: Hold | None) -> ChanceryError | None:
    if message.state != State.DELIVERED:
        return Conflict(
            f"{message.tracking} is {message.get_state_display().lower()}; only a delivered "
            "message can be acknowledged."
        )
    return None


_NOW: dict[str, Callable[[Any, Message, Hold | None], ChanceryError | None]] = {
    "triage": _triage,
    "request_translation": _request_translation,
    "place_hold": _place_hold,
    "confirm_hold": _confirm_hold,
    "renew_hold": _renew_hold,
    "release_hold": _release_hold,
    "deliver": _deliver,
    "reject": _reject,
    "acknowledge": _acknowledge,
}
_HOLD_ACTIONS = {"place_hold", "confirm_hold", "renew_hold", "release_hold"}


def now_refusal(
    action: str, user: Any, message: Message, hold: Hold | None = None
) -> ChanceryError | None:
    """``hold``: for the hold actions, the officer's hold acted on (None: the message has none)."""
    return _NOW[action](user, message, hold)


def require_may(action: str, by: Any, message: Message) -> None:
    """The services' first guard: may ``by`` take ``action`` on ``message`` at all (403)."""
    refusal = who_refusal(action, by, message)
    if refusal is not None:
        raise refusal


def require_now(action: str, by: Any, message: Message, hold: Hold | None = None) -> None:
    """The services' second guard, with the message (and hold) locked: does the state allow it."""
    refusal = now_refusal(action, by, message, hold)
    if refusal is not None:
        raise refusal


_LOOK_UP: Any = object()


def may(action: str, message: Message, user: Any, *, hold: Any = _LOOK_UP) -> Allowed:
    """One action's verdict, as ``allowed_actions`` gives it: for lists with one button per row
    (the inbox's Acknowledge costs no query). ``hold``: the message's officer hold when the
    caller knows it (the hold actions look it up otherwise)."""
    refusal = who_refusal(action, user, message)
    if refusal is not None:
        return Allowed(action, refusal, "who")
    if hold is _LOOK_UP:
        hold = active_hold(message, officer_only=True) if action in _HOLD_ACTIONS else None
    refusal = now_refusal(action, user, message, hold)
    return Allowed(action, refusal, "now" if refusal is not None else "")


def allowed_actions(message: Message, user: Any) -> dict[str, Allowed]:
    """Every action on ``message`` and whether ``user`` may take it now (with the reason if not).

    Exactly what the services accept: they refuse with the same checks. Pages offer the
    actions that are allowed and say why for the ``personal`` refusals."""
    hold = None
    if any(who_refusal(a, user, message) is None for a in _HOLD_ACTIONS):
        hold = active_hold(message, officer_only=True)
    return {action: may(action, message, user, hold=hold) for action in ACTIONS}


# --------------------------------------------------------------------------- translations

TRANSLATION_ACTIONS = ("sign_off",)
"""Every action on a translation request (the sign-off page's button)."""


def translation_who_refusal(
    action: str, user: Any, translation: Translation
) -> ChanceryError | None:
    """A translator from the request's source language (403)."""
    refusal = role_refusal(user, Role.TRANSLATOR, action="sign off translations")
    if refusal is not None:
        return refusal
    languages = profile_of(user).languages or []
    if translation.source_language not in languages:
        return Forbidden(
            f"You are registered as a translator from {', '.join(languages) or 'no language'}, "
            f"not from {translation.source_language}."
        )
    return None


def translation_now_refusal(
    action: str, user: Any, translation: Translation, message: Message | None = None
) -> ChanceryError | None:
    """The request is still open (409). ``message``: for the text, if the caller has it."""
    if translation.status == Translation.Status.CANCELLED:
        tracking = (message or translation.message).tracking
        return Conflict(f"This translation was cancelled: {tracking} was rejected.")
    if translation.status != Translation.Status.REQUESTED:
        return Conflict("This translation is already signed off; request a new one to revise it.")
    return None


def require_may_translation(action: str, by: Any, translation: Translation) -> None:
    refusal = translation_who_refusal(action, by, translation)
    if refusal is not None:
        raise refusal


def require_now_translation(
    action: str, by: Any, translation: Translation, message: Message | None = None
) -> None:
    refusal = translation_now_refusal(action, by, translation, message)
    if refusal is not None:
        raise refusal


def may_translation(action: str, translation: Translation, user: Any) -> Allowed:
    """One translation action's verdict: exactly what ``sign_off_translation`` accepts."""
    refusal = translation_who_refusal(action, user, translation)
    if refusal is not None:
        return Allowed(action, refusal, "who")
    refusal = translation_now_refusal(action, user, translation)
    return Allowed(action, refusal, "now" if refusal is not None else "")


def allowed_translation_actions(translation: Translation, user: Any) -> dict[str, Allowed]:
    """Every action on a translation request and whether ``user`` may take it now."""
    return {action: may_translation(action, translation, user) for action in TRANSLATION_ACTIONS}
