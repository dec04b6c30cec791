"""``calls.access_interpreters`` (the roster, one interpreter, an interpreter's assignments, the
live feed tokens) and ``calls.access.operator_calls`` (the command line's fetch), per persona:
who gets the rows, who gets 403 or 404; and the pages and API routes that read through them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chancery import clock
from chancery.accounts.models import Role
from chancery.calls import access_interpreters as access
from chancery.calls.access import operator_calls
from chancery.calls.models import CallState, Interpreter
from chancery.calls.services import invitations
from chancery.calls.views_interpreters import roster_rows, week_bounds
from chancery.errors import Forbidden, NotFound
from chancery.testing import body_of, client_for, make_user
from tests.calls.placed import place

READERS = ("officer", "protocol", "admin", "auditor")
OTHERS = ("liaison_ca", "staffer", "translator")


@pytest.fixture
def other(db: Any) -> Interpreter:
    """A second interpreter (German, Berlin), to check that one cannot see another's rows."""
    user = make_user("interpreter.de", Role.INTERPRETER, display_name="Jonas Weber")
    return Interpreter.objects.create(
        user=user, name="Jonas Weber", languages=["de"], time_zone="Europe/Berlin",
        day_start=dt.time(7, 0), day_end=dt.time(22, 0), daily_cap=4,
    )


def test_the_roster_for_its_readers_only(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter, other: Interpreter,
) -> None:
    start, end = week_bounds()
    place(world, people, at=start + dt.timedelta(hours=10), interpreter=interpreter)
    place(world, people, at=end + dt.timedelta(hours=10), interpreter=interpreter)
    for who in READERS:
        assert [i.name for i in access.roster(people[who])] == ["Claire Fontaine", "Jonas Weber"]
        rows = {i.name: i.week_calls for i in roster_rows(people[who])}
        assert rows == {"Claire Fontaine": 1, "Jonas Weber": 0}
        assert access.access_interpreter(people[who], other.pk) == other
    for user in (*(people[w] for w in OTHERS), interpreter.user, None):
        with pytest.raises(Forbidden, match="see the interpreter roster"):
            access.roster(user)
        with pytest.raises(Forbidden):
            access.access_interpreter(user, other.pk)
    with pytest.raises(NotFound, match="No interpreter #999999") as exc:
        access.access_interpreter(people["protocol"], 999999, field="interpreter")
    assert exc.value.field == "interpreter"


def test_assignments_for_the_interpreter_and_the_readers(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter, other: Interpreter,
) -> None:
    soon = clock.now() + dt.timedelta(days=1)
    mine = place(world, people, at=soon, interpreter=interpreter)
    place(world, people, at=soon + dt.timedelta(hours=2), interpreter=other, language="de")
    done = place(world, people, at=soon + dt.timedelta(hours=4), interpreter=interpreter)
    done.state, done.start, done.end = CallState.DECLINED, None, None
    done.save()
    assert list(access.assignments(interpreter.user, interpreter)) == [mine]
    for who in READERS:
        assert list(access.assignments(people[who], interpreter)) == [mine]
    for user in (other.user, people["liaison_fr"], people["staffer"], None):
        with pytest.raises(Forbidden):
            access.assignments(user, interpreter)


def test_feed_tokens_for_those_who_issue_them(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter, other: Interpreter,
) -> None:
    assert access.interpreter_feed_token(interpreter.user, interpreter) is None
    invitations.issue_feed_token(by=interpreter.user, interpreter=interpreter)
    newest, _ = invitations.issue_feed_token(by=interpreter.user, interpreter=interpreter)
    assert access.interpreter_feed_token(interpreter.user, interpreter) == newest
    for user in (other.user, people["protocol"], people["auditor"]):
        with pytest.raises(Forbidden):
            access.interpreter_feed_token(user, interpreter)
    assert access.principal_feed_tokens(people["protocol"]) == {}
    token, _ = invitations.issue_feed_token(by=people["admin"], principal=world["pe"])
    for who in ("officer", "protocol", "admin"):
        assert access.principal_feed_tokens(people[who]) == {world["pe"].pk: token}
    for user in (people["auditor"], people["staffer"], interpreter.user):
        with pytest.raises(Forbidden):
            access.principal_feed_tokens(user)


def test_operator_calls_are_a_principals_every_call(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter,
) -> None:
    soon = clock.now() + dt.timedelta(days=1)
    pe = place(world, people, at=soon, interpreter=interpreter)
    vpe = place(world, people, at=soon, principal="vpe", office="pm_ca", language="en")
    assert list(operator_calls(world["pe"])) == [pe]
    assert list(operator_calls(world["vpe"])) == [vpe]


def test_pages_and_api_read_through_the_helpers(
    world: dict[str, Any], people: dict[str, Any], interpreter: Interpreter, other: Interpreter,
    token_for: Any,
) -> None:
    place(world, people, at=clock.now() + dt.timedelta(days=1), interpreter=interpreter)
    page = client_for(interpreter.user).get(reverse("call_my_assignments"))
    assert page.status_code == 200 and "Claire Fontaine" in body_of(page)
    assert client_for(other.user).get(reverse("call_my_assignments")).status_code == 200
    edit = client_for(people["protocol"])
    assert edit.get(reverse("call_interpreter_edit", args=[other.pk])).status_code == 200
    assert edit.get(reverse("call_interpreter_edit", args=[999999])).status_code == 404
    roster_page = body_of(edit.get(reverse("call_interpreters")))
    assert "Jonas Weber" in roster_page

    def api(user: Any, method: str, path: str, body: Any = None) -> Any:
        extra: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}
        if body is not None:
            extra.update(data=json.dumps(body), content_type="application/json")
        return getattr(Client(), method)(f"/api/v1{path}", **extra)

    listed = api(people["auditor"], "get", "/interpreters")
    assert listed.status_code == 200
    assert [i["name"] for i in listed.json()] == ["Claire Fontaine", "Jonas Weber"]
    assert api(people["liaison_ca"], "get", "/interpreters").status_code == 403
    missing = api(people["protocol"], "patch", "/interpreters/999999", {"daily_cap": 3})
    assert missing.status_code == 404 and missing.json()["field"] == "interpreter_id"
    assert "GET /api/v1/interpreters" in missing.json()["detail"]
