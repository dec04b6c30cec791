"""One source for what a user may do: for every persona and every state of a message, the page's
action panel offers exactly ``allowed_actions``, each offered action succeeds through the
service, and each action not offered is refused by it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from chancery import clock
from chancery.correspondence import services
from chancery.correspondence.models import Message
from chancery.errors import ChanceryError, Forbidden
from chancery.ledger.models import Event

pytestmark = pytest.mark.django_db

PERSONAS = [
    "officer", "officer2", "protocol", "translator", "liaison_ca", "liaison_fr", "staffer",
    "staffer_vp", "auditor", "admin",
]


def _held(m: Message, p: dict[str, User]) -> None:
    services.place_hold(m, by=p["officer"], category="legal", reason="Legal review")


def _confirmed(m: Message, p: dict[str, User]) -> None:
    hold = services.place_hold(m, by=p["officer"], category="legal", reason="Legal review")
    services.confirm_hold(hold, by=p["officer2"])


def _renewal_asked(m: Message, p: dict[str, User]) -> None:
    hold = services.place_hold(m, by=p["officer"], category="legal", reason="Legal review")
    hold = services.confirm_hold(hold, by=p["officer2"])
    services.renew_hold(hold, by=p["officer"])


def _lapsed(m: Message, p: dict[str, User]) -> None:
    services.place_hold(m, by=p["officer"], category="legal", reason="Legal review")
    services.triage(m, by=p["officer"])
    with clock.travel(dt.timedelta(days=3)):
        services.expire_holds()


def _translation(m: Message, p: dict[str, User]) -> None:
    services.request_translation(m, by=p["officer"], source_language="fr")


def _translated(m: Message, p: dict[str, User]) -> None:
    t = services.request_translation(m, by=p["officer"], source_language="fr")
    services.sign_off_translation(t, by=p["translator"], text="Congratulations.")


def _delivered(m: Message, p: dict[str, User]) -> None:
    services.deliver(m, by=p["officer"])


def _acknowledged(m: Message, p: dict[str, User]) -> None:
    services.deliver(m, by=p["officer"])
    services.acknowledge(m, by=p["staffer"])


STATES: dict[str, Callable[[Message, dict[str, User]], None]] = {
    "received": lambda m, p: None,
    "triaged": lambda m, p: services.triage(m, by=p["officer"]) and None,
    "translation_requested": _translation,
    "translated": _translated,
    "held": _held,
    "confirmed": _confirmed,
    "renewal_asked": _renewal_asked,
    "lapsed": _lapsed,
    "delivered": _delivered,
    "acknowledged": _acknowledged,
    "rejected": lambda m, p: services.reject(m, by=p["officer"], reason="No") and None,
}


def _run(action: str, message: Message, user: User) -> None:
    """Take ``action`` through the service, as the web page and the API do."""
    hold = services.active_hold(message, officer_only=True) or message.holds.last()
    if action == "triage":
        services.triage(message, by=user)
    elif action == "request_translation":
        services.request_translation(message, by=user, source_language="fr", target_language="de")
    elif action == "place_hold":
        services.place_hold(message, by=user, category="other", reason="Check")
    elif action in ("confirm_hold", "renew_hold", "release_hold"):
        if hold is None:
            raise ChanceryError("no hold to act on")
        if action == "confirm_hold":
            services.confirm_hold(hold, by=user)
        elif action == "renew_hold":
            services.renew_hold(hold, by=user)
        else:
            services.release_hold(hold, by=user, reason="Done")
    elif action == "deliver":
        services.deliver(message, by=user)
    elif action == "reject":
        services.reject(message, by=user, reason="No")
    elif action == "acknowledge":
        services.acknowledge(message, by=user)


def _offered(user: User, message: Message) -> set[str]:
    """The actions whose forms the message page offers ``user`` (none when it is not shown)."""
    c = Client()
    c.force_login(user)
    response = c.get(f"/messages/{message.tracking}/")
    if response.status_code != 200:
        return set()
    html = response.content.decode()
    found = re.findall(rf'action="/messages/{message.tracking}/([a-z-]+)/"', html)
    return {f.replace("-", "_") for f in found}


@pytest.mark.parametrize("state", list(STATES))
def test_panel_offers_exactly_what_the_services_accept(
    state: str, people: dict[str, User], submit: Any
) -> None:
    message = submit("Félicitations. Congratulations.", language="fr")
    STATES[state](message, people)
    for name in PERSONAS:
        user = people[name]
        message = Message.objects.select_related("principal").get(pk=message.pk)
        allowed = services.allowed_actions(message, user)
        assert set(allowed) == set(services.ACTIONS)
        offered = {a for a, v in allowed.items() if v.allowed}
        for a in services.ACTIONS:  # one action at a time, as a list's row asks
            one = services.may(a, message, user)
            assert (one.allowed, one.reason, one.stage) == (
                allowed[a].allowed, allowed[a].reason, allowed[a].stage
            )
        assert _offered(user, message) == offered, (state, name)
        for action, verdict in allowed.items():
            before = Event.objects.count()
            with transaction.atomic():
                fresh = Message.objects.select_related("principal").get(pk=message.pk)
                try:
                    _run(action, fresh, user)
                except ChanceryError as exc:
                    assert not verdict.allowed, (state, name, action, exc.message)
                    assert verdict.refusal is not None
                    if exc.message != "no hold to act on":
                        # The service refuses as allowed_actions said (the same check).
                        assert exc.status == verdict.refusal.status, (state, name, action)
                else:
                    assert verdict.allowed, (state, name, action, verdict.reason)
                    assert Event.objects.count() > before
                transaction.set_rollback(True)


def test_drifts_fixed(people: dict[str, User], submit: Any) -> None:
    """The panel offers a translation of an acknowledged message (the API always allowed it);
    the officer who placed a hold is not offered "Confirm hold" (it was, and got a 403), but is
    told why; the officer who asked for a renewal is not offered to confirm it."""
    message = submit("Bonjour", language="fr")
    _acknowledged(message, people)
    assert services.allowed_actions(message, people["officer"])["request_translation"]
    assert "request_translation" in _offered(people["officer"], message)

    held = submit("Deuxième", language="fr")
    hold = services.place_hold(held, by=people["officer"], category="legal", reason="Review")
    mine = services.allowed_actions(held, people["officer"])["confirm_hold"]
    assert not mine and mine.personal and isinstance(mine.refusal, Forbidden)
    c = Client()
    c.force_login(people["officer"])
    html = c.get(f"/messages/{held.tracking}/").content.decode()
    assert "Confirm hold" not in html and "different officer" in html
    assert "confirm_hold" in _offered(people["officer2"], held)
    hold = services.confirm_hold(hold, by=people["officer2"])
    services.renew_hold(hold, by=people["officer2"])
    assert "renew_hold" not in _offered(people["officer2"], held)
    assert "renew_hold" in _offered(people["protocol"], held)


def test_deliver_not_offered_while_the_gate_is_closed(
    people: dict[str, User], submit: Any, world: dict[str, Any]
) -> None:
    message = submit("Un")
    world["pe"].delivery_requires = "ascertained"  # changed in the admin, sweep not yet run
    world["pe"].save()
    message = Message.objects.select_related("principal").get(pk=message.pk)
    verdict = services.allowed_actions(message, people["officer"])["deliver"]
    assert not verdict and "support policy" in verdict.reason
