"""The API's edges: rate limits (API throttle, sign-in limit), duplicate JSON keys."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client

from chancery.correspondence.models import Message
from chancery.ledger.models import Event


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --------------------------------------------------------------------------- API throttle


def test_api_throttle_per_user_answers_429_with_retry_after(
    client: Client, people: dict[str, User], token_for: Callable[[User], str], settings: Any
) -> None:
    settings.CHANCERY_API_RATE_USER = "3/min"
    officer, auditor = token_for(people["officer"]), token_for(people["auditor"])
    for _ in range(3):
        assert client.get("/api/v1/principals", **bearer(officer)).status_code == 200
    r = client.get("/api/v1/principals", **bearer(officer))
    assert r.status_code == 429
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["error"] == "throttled"
    assert "3 per minute" in body["detail"] and "your account" in body["detail"]
    retry = int(r["Retry-After"])
    assert 1 <= retry <= 60 and f"retry in {retry} s" in body["detail"]
    # a second token of the same user shares the user's count; another user has their own
    assert client.get("/api/v1/principals", **bearer(token_for(people["officer"]))).status_code \
        == 429
    assert client.get("/api/v1/principals", **bearer(auditor)).status_code == 200
    # the web session counts as the same user
    session = Client()
    session.force_login(people["officer"])
    assert session.get("/api/v1/principals").status_code == 429


def test_api_throttle_off_and_raised(
    client: Client, people: dict[str, User], token_for: Callable[[User], str], settings: Any
) -> None:
    token = token_for(people["officer"])
    settings.CHANCERY_API_RATE_USER = "1/min"
    assert client.get("/api/v1/principals", **bearer(token)).status_code == 200
    assert client.get("/api/v1/principals", **bearer(token)).status_code == 429
    settings.CHANCERY_API_RATE_USER = None  # "off"
    for _ in range(5):
        assert client.get("/api/v1/principals", **bearer(token)).status_code == 200


def test_api_throttle_without_credentials_is_per_address(client: Client, settings: Any) -> None:
    """Endpoints open to anyone (here the JSON 404 for unknown paths) count per address."""
    settings.CHANCERY_API_RATE_ANON = "2/min"
    for _ in range(2):
        assert client.get("/api/v1/nothing-here").status_code == 404
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 429 and r.json()["error"] == "throttled"
    assert "without credentials" in r.json()["detail"] and int(r["Retry-After"]) >= 1
    other = client.get("/api/v1/nothing-here", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 404
    # X-Forwarded-For is not believed without a configured proxy (CHANCERY_NUM_PROXIES=0)
    spoofed = client.get("/api/v1/nothing-here", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed.status_code == 429


def test_throttle_counters_are_in_the_configured_caches() -> None:
    """The API counts per process by default (cheap); the login limit in the database cache,
    shared by every process."""
    from django.core.cache.backends.locmem import LocMemCache

    assert isinstance(caches["throttle"], LocMemCache)
    assert isinstance(caches["default"], DatabaseCache)


# --------------------------------------------------------------------------- sign-in limit


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_login_limit_per_username_and_address(
    client: Client, people: dict[str, User], settings: Any
) -> None:
    settings.CHANCERY_LOGIN_RATE = "3/15min"
    for _ in range(3):
        r = login(client, "officer.one", "wrong")
        assert r.status_code == 200 and b"Sign-in failed" in r.content
    # over the limit: 429, Retry-After, a plain message; the right password is not even tried
    r = login(client, "officer.one", "pw-officer.one")
    assert r.status_code == 429
    retry = int(r["Retry-After"])
    assert 1 <= retry <= 15 * 60
    text = r.content.decode()
    assert "Too many failed sign-ins" in text and "3 per 15 minutes" in text
    assert "Sign-in failed" not in text
    assert 'value="officer.one"' in text
    assert "_auth_user_id" not in client.session
    # the count is in the database cache, where every server process sees it
    table = connection.ops.quote_name("chancery_cache")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] >= 1
    # another username from this address, and this username from another address, are fine
    assert login(Client(), "officer.two", "pw-officer.two").status_code == 302
    assert login(Client(), "Officer.One", "x", REMOTE_ADDR="192.0.2.9").status_code == 200


def test_successful_login_clears_the_count(
    client: Client, people: dict[str, User], settings: Any
) -> None:
    settings.CHANCERY_LOGIN_RATE = "2/15min"
    assert login(client, "officer.one", "wrong").status_code == 200
    assert login(client, "officer.one", "pw-officer.one").status_code == 302
    client.logout()
    assert login(client, "officer.one", "wrong").status_code == 200
    assert login(client, "officer.one", "wrong").status_code == 200
    assert login(client, "officer.one", "wrong").status_code == 429


def test_login_limit_off(client: Client, people: dict[str, User], settings: Any) -> None:
    settings.CHANCERY_LOGIN_RATE = None
    for _ in range(12):
        assert login(client, "officer.one", "wrong").status_code == 200


# --------------------------------------------------------------------------- duplicate keys


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"principal": "president-elect", "principal": "vice-president-elect", '
         '"sender_office": OFFICE, "body": "Hello"}', "principal"),
        ('{"principal": "president-elect", "sender_office": OFFICE, "body": "a", "body": "b"}',
         "body"),
        ('{"principal": "president-elect", "sender_office": OFFICE, "body": "Hello", '
         '"attachments": [{"filename": "a.txt", "filename": "b.txt", '
         '"content_base64": "aGk="}]}', "attachments.0.filename"),
    ],
)
def test_a_key_given_twice_is_refused(
    client: Client,
    people: dict[str, User],
    world: dict[str, Any],
    token_for: Callable[[User], str],
    raw: str,
    field: str,
) -> None:
    before = (Message.objects.count(), Event.objects.count())
    r = client.post(
        "/api/v1/messages",
        data=raw.replace("OFFICE", str(world["pm_ca"].pk)).encode(),
        content_type="application/json",
        **bearer(token_for(people["liaison_ca"])),
    )
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["error"] == "invalid_input" and body["field"] == field, body
    assert repr(field.rpartition(".")[2]) in body["detail"] and "more than once" in body["detail"]
    assert (Message.objects.count(), Event.objects.count()) == before


def test_same_key_in_different_objects_is_fine(
    client: Client, people: dict[str, User], world: dict[str, Any],
    token_for: Callable[[User], str],
) -> None:
    body = {
        "principal": "president-elect", "sender_office": world["pm_ca"].pk,
        "body": "Congratulations.", "language": "en",
        "attachments": [
            {"filename": "a.txt", "content_base64": "aGVsbG8gd29ybGQ="},
            {"filename": "b.txt", "content_base64": "aGVsbG8gYWdhaW4="},
        ],
    }
    r = client.post(
        "/api/v1/messages", data=json.dumps(body), content_type="application/json",
        **bearer(token_for(people["liaison_ca"])),
    )
    assert r.status_code == 201, r.content


def test_other_body_checks_still_apply(
    client: Client, people: dict[str, User], token_for: Callable[[User], str]
) -> None:
    for raw, words in [
        (b'{"body": NaN}', "NaN"),
        (b'{"body": Infinity, "body": 1}', "Infinity"),
        (b'{"a": 1,}', "double quotes"),
        (b"[1, 2]", "array"),
    ]:
        r = client.post(
            "/api/v1/messages", data=raw, content_type="application/json",
            **bearer(token_for(people["liaison_ca"])),
        )
        assert r.status_code == 400, (raw, r.content)
        assert r.json()["error"] == "bad_request_body" and words in r.json()["detail"], raw


# --------------------------------------------------------------------------- every error names
# its field: a battery of bad inputs to every endpoint in the OpenAPI document, one input broken
# at a time, the others valid; each refusal about that input must name it in ``field``.

#: Valid values for the inputs, by name (body fields and parameters alike).
SAMPLES: dict[str, Any] = {
    "principal": "president-elect",
    "body": "Congratulations on your election.",
    "channel": "api",
    "subject": "Congratulations",
    "language": "en",
    "category": "security",
    "reason": "A reason.",
    "note": "",
    "source_language": "fr",
    "target_language": "en",
    "text": "A translation.",
    "status": "ascertained",
    "attachments": [],
    # calls (dates, the office and the ids: battery_world)
    "purpose": "Congratulations; climate.",
    "local_start": "09:00",
    "local_end": "18:00",
    "time_zone": "America/Toronto",
    "duration": 15,
    "brings_interpreter": False,
    "outcome": "no_answer",
    "minutes": 20,
    "day_start": "09:00",
    "day_end": "18:00",
    "daily_cap": 4,
    "buffer_minutes": 5,
    "note_takers": 2,
    "dial_in": "Dial +1 202 555 0100.",
    "days": 14,
    "time_limit": 10.0,
    "username": "interpreter.new",
    "name": "Luc Martin",
    "languages": ["fr"],
    "email": "",
    "active": True,
    # records (the calls, telcons, read-outs, replies and the message: battery_world)
    "title": "The President-elect's call with the President of France",
    "correction_note": "",
    "version": 1,
    "until": None,
    "url": "https://www.elysee.fr/readout",
    "users": ["officer.two"],
    "kind": "reply",
    "regime": "presidential",
    "location": "Telephone",
    "participants": ["The President-elect", "The President of France"],
    "classification": "C",
    "classified_by": "Jane Doe, Director of Records",
    "reasons": ["b", "d"],
    "q": "climate",
}

#: Who sends each operation: someone allowed to, so that the answer is about the input.
SENDERS = {
    ("post", "/api/v1/messages"): "liaison_ca",
    ("post", "/api/v1/translations/{translation_id}/sign-off"): "translator",
    ("post", "/api/v1/principals/{slug}/status"): "admin",
    ("post", "/api/v1/holds/{hold_id}/confirm"): "officer2",
    ("post", "/api/v1/calls"): "liaison_ca",
    ("post", "/api/v1/calls/{tracking}/approve"): "staffer",
    ("post", "/api/v1/interpreters"): "admin",
    ("patch", "/api/v1/interpreters/{interpreter_id}"): "admin",
    ("post", "/api/v1/records/telcons/{tracking}/review"): "officer2",
    ("post", "/api/v1/records/telcons/{tracking}/approve"): "records",
    ("post", "/api/v1/records/telcons/{tracking}/distribute"): "records",
    ("post", "/api/v1/records/telcons/{tracking}/distribution"): "records",
    ("post", "/api/v1/records/readouts/{tracking}/clear"): "staffer",
    ("post", "/api/v1/replies/{tracking}/clear"): "staffer",
}

#: Which of battery_world's calls each call operation acts on (one in the state the operation
#: needs, so that the answer is about the input, not a 409); the others read the requested one.
CALL_FOR = {
    "approve": "triaged",
    "attempts": "scheduled",
    "complete": "connected",
    "fail": "attempted",
    "move": "approved",
    "interpreter": "scheduled",
}


#: Which of battery_world's telcons each telcon operation acts on (by the path's last part);
#: ``POST /records/telcons/{tracking}`` with a call's tracking number drafts that call's telcon.
TELCON_FOR = {
    "approve": "reviewed",
    "distribute": "approved",
    "distribution": "approved",
}


#: A telcon's inputs whose names other operations use for other things (a call's interpreter,
#: the call settings' number of note-takers, a message's kind).
TELCON_SAMPLES = {"kind": "telcon", "interpreter": "", "note_takers": ["A. Note", "B. Note"]}


def _samples_for(method: str, path: str, samples: dict[str, Any]) -> dict[str, Any]:
    """The valid values for one operation: under /api/v1/calls/ ``{tracking}`` is a call's (the
    messages' endpoints use the name too), under /records/telcons/ a telcon's (or, to draft
    one, a completed call's), under /records/readouts/ a read-out's, under /replies/ a
    reply's; ``start`` is a moment for a move but a day for a solve; a telcon's ``body`` carries
    its portion markings."""
    out = dict(samples)
    last = path.rsplit("/", 1)[1]
    if path.startswith("/api/v1/calls/{tracking}"):
        out["tracking"] = samples["calls"][CALL_FOR.get(last, "requested")]
    elif path == "/api/v1/records/telcons/{tracking}" and method == "post":
        out["tracking"] = samples["free_call"]
    elif path.startswith("/api/v1/records/telcons/{tracking}"):
        out["tracking"] = samples["telcons"][TELCON_FOR.get(last, "draft")]
    elif path.startswith("/api/v1/records/readouts/{tracking}"):
        out["tracking"] = samples["readout"]
    elif path.startswith("/api/v1/replies/{tracking}"):
        out["tracking"] = samples["reply"]
    if path.startswith("/api/v1/records/telcons"):
        out.update(TELCON_SAMPLES, body=samples["telcon_body"])
    elif path.startswith("/api/v1/readouts/"):
        out["slug"] = samples["readout_slug"]
    out["start"] = samples["move_start" if path.endswith("/move") else "solve_start"]
    return out

#: Bad values by JSON schema type (the first input of each kind is the most common mistake).
BAD_BY_TYPE: dict[str, list[Any]] = {
    "string": [12345, ["x"], {"x": 1}, "nul\x00", "zz-no-such-value", "x" * 400],
    "integer": ["abc", 1.5, 2**70, 0, -1, None],
    "array": ["not a list", [1], [{"filename": 7}], [{"filename": "a.txt"}]],
    "boolean": ["maybe", 3],
}
BAD_PATH = ["0", "-1", "abc", "987654321", "99999999999999999999999", "NO-SUCH-1", "no-such", "a b"]
BAD_QUERY: dict[str, list[str]] = {
    "integer": ["abc", "-1", "0", "99999999999999999999999", "1.5"],
    "string": ["zz-no-such-value", "bad value!", "x" * 400],
}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # Optional[X]: the non-null branch
        branches = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _resolve(spec, branches[0]) if branches else schema
    return schema


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in sorted(spec["paths"].items())
        for method, op in sorted(ops.items())
    ]


@pytest.fixture
def battery_world(
    submit: Any, people: dict[str, User], world: dict[str, Any]
) -> dict[str, Any]:
    """A message with a hold and a translation request, call requests in each state the call
    operations need, an interpreter and a queued solve; completed calls with telcons (draft,
    reviewed, approved), a draft and a published read-out, a delivered message with a draft
    reply; to point valid path parameters at."""
    import datetime as dt
    import zoneinfo

    from chancery import clock
    from chancery.accounts.models import Role
    from chancery.calls.models import CallRequest, CallState, Interpreter
    from chancery.calls.services import requests as calls
    from chancery.calls.services import scheduling
    from chancery.correspondence import services
    from chancery.testing import make_user

    message = submit(body="Félicitations pour votre élection.", language="fr")
    hold = services.place_hold(
        message, by=people["officer"], category="security", reason="Checking."
    )
    other = submit(body="Félicitations, encore.", language="fr")
    translation = services.request_translation(
        other, by=people["officer"], source_language="fr", target_language="en"
    )
    today = clock.now().date()
    earliest, latest = today + dt.timedelta(days=2), today + dt.timedelta(days=10)

    def call(state: str) -> CallRequest:
        made, _ = calls.submit_call(
            calls.CallSubmission(
                principal="president-elect", office=world["pm_ca"].pk,
                purpose="Congratulations; climate.", language="fr", earliest=earliest,
                latest=latest, local_start=dt.time(9, 0), local_end=dt.time(18, 0),
            ),
            by=people["liaison_ca"],
        )
        if state == "requested":
            return made
        calls.triage_call(made, by=people["officer"])
        if state == "triaged":
            return made
        calls.approve_call(made, by=people["officer"])
        if state == "approved":
            return made
        start = dt.datetime.combine(
            earliest + dt.timedelta(days=1), dt.time(10, 0), zoneinfo.ZoneInfo("America/New_York")
        )
        CallRequest.objects.filter(pk=made.pk).update(
            state=CallState.SCHEDULED, start=start, end=start + dt.timedelta(minutes=30)
        )
        if state in ("attempted", "connected"):
            outcome = "connected" if state == "connected" else "busy"
            calls.record_attempt(made, by=people["officer"], outcome=outcome)
        return made

    interpreter = Interpreter.objects.create(
        user=make_user("interpreter.fr", Role.INTERPRETER), name="Claire Fontaine",
        languages=["fr"], time_zone="America/New_York", day_start=dt.time(7, 0),
        day_end=dt.time(22, 0), daily_cap=4,
    )
    run = scheduling.request_solve(world["pe"], by=people["officer"])
    move_start = dt.datetime.combine(
        earliest + dt.timedelta(days=2), dt.time(11, 0), zoneinfo.ZoneInfo("America/New_York")
    )
    records = _records_world(submit, people, world)
    return {
        **records,
        "tracking": message.tracking,
        "hold_id": hold.pk,
        "translation_id": translation.pk,
        "slug": "president-elect",
        "sender_office": world["pm_ca"].pk,
        "office": world["pm_ca"].pk,
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
        "calls": {
            state: call(state).tracking
            for state in ("requested", "triaged", "approved", "scheduled", "attempted",
                          "connected")
        },
        "interpreter": interpreter.pk,
        "interpreter_id": interpreter.pk,
        "run_id": run.pk,
        "move_start": move_start.isoformat(),
        "solve_start": (today + dt.timedelta(days=1)).isoformat(),
    }


def _records_world(
    submit: Any, people: dict[str, User], world: dict[str, Any]
) -> dict[str, Any]:
    """battery_world's records: four calls completed in the last hours (one with nothing
    drafted yet), telcons in the states their operations need, a draft read-out and a published
    one, and a reply drafted to a delivered message."""
    import datetime as dt

    from chancery import clock
    from chancery.calls.services.requests import complete_call, record_attempt
    from chancery.correspondence import services as messages
    from chancery.records.services import readouts, replies, telcons
    from tests.calls.placed import place

    def completed(hours: int) -> Any:
        at = (clock.now() - dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
        call = place(world, people, at=at, minutes=15)
        record_attempt(call, by=people["officer"], outcome="connected")
        return complete_call(call, by=people["officer"], minutes=15)

    free, first, second, third = (completed(h) for h in (1, 2, 3, 4))
    body = "(C) The leaders discussed climate.\n\n(U) They agreed to speak again."
    content = {
        "regime": "presidential", "location": "Telephone",
        "participants": ["The President-elect", "The President of France"],
        "note_takers": ["A. Note", "B. Note"], "classification": "C",
        "classified_by": "Jane Doe, Director of Records", "reasons": ["b"],
        "declassify_on": clock.now().date() + dt.timedelta(days=3650), "body": body,
    }
    made = {}
    for state, call in (("draft", first), ("reviewed", second), ("approved", third)):
        telcon = telcons.draft_telcon(call, by=people["officer"], **content)
        telcons.name_reviewers(telcon, [people["officer2"]], by=people["officer"])
        if state != "draft":
            telcons.review_telcon(telcon, by=people["officer2"], version=1)
        if state == "approved":
            telcons.approve_telcon(telcon, by=people["records"], version=1)
        made[state] = telcon.tracking
    draft = readouts.draft_readout(first, by=people["officer"], title="A read-out",
                                   body="The leaders spoke.")
    public = readouts.draft_readout(second, by=people["officer"], title="Published",
                                    body="The leaders spoke again.")
    readouts.clear_readout(public.readout, by=people["staffer"], version=1)
    readouts.publish_readout(public.readout, by=people["officer"])
    delivered = messages.deliver(submit("Congratulations.", language="en"), by=people["officer"])
    reply = replies.draft_reply(delivered, by=people["officer"], body="Thank you.")
    return {
        "free_call": free.tracking,
        "call": free.tracking,
        "telcons": made,
        "telcon_body": body,
        "declassify_on": content["declassify_on"].isoformat(),
        "readout": draft.readout.tracking,
        "readout_slug": public.readout.slug,
        "message": delivered.tracking,
        "reply": reply.tracking,
    }


def test_every_input_error_names_its_field(
    client: Client,
    people: dict[str, User],
    token_for: Callable[[User], str],
    battery_world: dict[str, Any],
) -> None:
    from django.db import transaction

    spec = json.loads(client.get("/api/v1/openapi.json").content)
    tokens = {name: token_for(user) for name, user in people.items()}
    every = {**SAMPLES, **battery_world}
    problems: list[str] = []
    refusals = 0

    for method, path, op in _operations(spec):
        sender = SENDERS.get((method, path), "officer")
        samples = _samples_for(method, path, every)
        params = op.get("parameters", [])
        path_params = {p["name"]: str(samples[p["name"]]) for p in params if p["in"] == "path"}
        required_query = {
            p["name"]: str(samples[p["name"]])
            for p in params if p["in"] == "query" and p.get("required")
        }
        body_schema: dict[str, Any] | None = None
        if "requestBody" in op:
            body_schema = _resolve(
                spec, op["requestBody"]["content"]["application/json"]["schema"]
            )
        valid_body = (
            {
                name: samples[name]
                for name in body_schema.get("properties", {})
                if name in body_schema.get("required", []) or name in samples
            }
            if body_schema is not None
            else None
        )

        cases: list[tuple[str, dict[str, str], dict[str, str], Any, dict[str, str]]] = []
        for name in path_params:
            for bad in BAD_PATH:
                cases.append((name, {**path_params, name: bad}, {}, valid_body, {}))
        for p in params:
            kind = _resolve(spec, p.get("schema", {})).get("type", "string")
            if p["in"] == "query":
                for bad in BAD_QUERY.get(kind, BAD_QUERY["string"]):
                    cases.append((p["name"], path_params, {**required_query, p["name"]: bad},
                                  valid_body, {}))
            elif p["in"] == "header":
                for bad in ("", "k" * 300):
                    cases.append((p["name"], path_params, {}, valid_body, {p["name"]: bad}))
        if body_schema is not None and valid_body is not None:
            for name, prop in body_schema.get("properties", {}).items():
                kind = _resolve(spec, prop).get("type", "string")
                for bad in BAD_BY_TYPE.get(kind, BAD_BY_TYPE["string"]):
                    cases.append((name, path_params, {}, {**valid_body, name: bad}, {}))
                if name in body_schema.get("required", []):
                    rest = {k: v for k, v in valid_body.items() if k != name}
                    cases.append((name, path_params, {}, rest, {}))

        for broken, path_values, query, body, headers in cases:
            url = path.format(**path_values)
            extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
            extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[sender]}"
            with transaction.atomic():  # each case starts from the same state
                if method == "get":
                    r = client.get(url, query, **extra)
                else:
                    r = client.generic(
                        method.upper(),
                        url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query
                               else ""),
                        json.dumps(body or {}),
                        content_type="application/json",
                        **extra,
                    )
                transaction.set_rollback(True)
            case = f"{method.upper()} {path} with {broken} broken ({r.status_code})"
            if r.status_code < 400:
                continue  # the value was acceptable after all (e.g. any text is a reason)
            payload = r.json()
            if r.status_code == 403:
                problems.append(f"{case}: refused for permission, not input: {payload}")
                continue
            # 409 is about the subject's state (already held, already delivered), not an input
            if r.status_code in (400, 404, 413, 422):
                refusals += 1
                got = str(payload.get("field") or "")
                if got.split(".")[0].split("[")[0] != broken:
                    problems.append(f"{case}: field={payload.get('field')!r}: {payload['detail']}")
    assert refusals > 100, refusals
    assert not problems, "\n".join(problems)


def test_every_operation_documents_the_429(client: Client, db: Any) -> None:
    spec = json.loads(client.get("/api/v1/openapi.json").content)
    for method, path, op in _operations(spec):
        assert "429" in op["responses"], (method, path)


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"keys": ["ceremonial"], "x": 1}, "policy.x"),
        ({"keys": [{"key": "tiers", "tiers": [{"name": "N\x00", "countries": ["CA"]}]}]},
         "policy"),
        ({"keys": ["ceremonial\x00"]}, "policy"),
    ],
)
def test_a_bad_call_policy_names_the_policy(
    client: Client, people: dict[str, User], token_for: Callable[[User], str],
    policy: dict[str, Any], field: str,
) -> None:
    """A place inside the policy is named from the body (``policy.x``); text the database
    cannot store (a NUL, here inside a tier's name) is a 422, not a server error."""
    from chancery.calls.models import CallSettings

    before = (CallSettings.objects.count(), Event.objects.count())
    r = client.put(
        "/api/v1/principals/president-elect/call-settings", json.dumps({"policy": policy}),
        content_type="application/json", **bearer(token_for(people["officer"])),
    )
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field, r.json()
    assert (CallSettings.objects.count(), Event.objects.count()) == before
