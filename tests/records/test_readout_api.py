"""The read-out API: the staff's routes (draft, clear, embargo, link, publish: errors as clear
4xx, nothing half-written) and the public GETs with no authentication."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery import clock
from chancery.calls.models import CallRequest
from chancery.ledger.models import Read
from chancery.ledger.services import canonical_json, history
from chancery.records.models import Readout


@pytest.fixture
def api(client: Client, token_for: Callable[[User], str]) -> Callable[..., Any]:
    tokens: dict[int, str] = {}

    def _api(user: User | None, method: str, path: str, body: Any = None) -> Any:
        extra = {}
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = token_for(user)
            extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        fn = getattr(client, method.lower())
        if body is None:
            return fn(f"/api/v1{path}", **extra)
        return fn(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                  **extra)

    return _api


def test_the_whole_flow_through_the_api(
    api: Callable[..., Any], completed_call: CallRequest, people: dict[str, User]
) -> None:
    officer, staffer = people["officer"], people["staffer"]
    draft = {"call": completed_call.tracking, "title": "Read-out", "body": "They spoke."}
    assert api(None, "post", "/records/readouts", draft).status_code == 401
    assert api(people["translator"], "post", "/records/readouts", draft).status_code == 404
    assert api(people["liaison_fr"], "post", "/records/readouts", draft).status_code == 403
    bad = api(officer, "post", "/records/readouts", {**draft, "title": "a\nb"})
    assert bad.status_code == 422 and bad.json()["field"] == "title"
    assert not Readout.objects.exists()
    made = api(officer, "post", "/records/readouts", draft)
    assert made.status_code == 201, made.content
    out = made.json()
    tracking = out["tracking"]
    assert out["state"] == "draft" and "not cleared" in out["publication_refusal"]
    assert api(staffer, "post", f"/records/readouts/{tracking}/clear",
               {"version": 2}).status_code == 409
    assert api(officer, "post", f"/records/readouts/{tracking}/clear",
               {"version": 1}).status_code == 403
    cleared = api(staffer, "post", f"/records/readouts/{tracking}/clear", {"version": 1})
    assert cleared.status_code == 200 and cleared.json()["state"] == "cleared"
    assert Read.objects.filter(subject_type="readout", user=staffer, via="api").exists()
    until = (clock.now() + dt.timedelta(hours=2)).isoformat()
    api(officer, "post", f"/records/readouts/{tracking}/embargo", {"until": until, "note": "x"})
    refused = api(officer, "post", f"/records/readouts/{tracking}/publish")
    assert refused.status_code == 409 and "Embargoed until" in refused.json()["detail"]
    assert api(officer, "post", f"/records/readouts/{tracking}/link",
               {"url": "javascript:alert(1)"}).status_code == 422
    api(officer, "post", f"/records/readouts/{tracking}/embargo", {"until": None})
    ok = api(officer, "post", f"/records/readouts/{tracking}/publish")
    assert ok.status_code == 200 and ok.json()["state"] == "published"
    assert [e.kind for e in history("readout", Readout.objects.get().pk)] == [
        "readout.drafted", "readout.cleared", "readout.embargo", "readout.embargo",
        "readout.published"]
    listing = api(people["auditor"], "get", "/records/readouts?state=published").json()
    assert [r["tracking"] for r in listing] == [tracking]
    assert api(people["staffer_vp"], "get", f"/records/readouts/{tracking}").status_code == 404

    public = api(None, "get", "/readouts")
    assert public.status_code == 200
    [one] = public.json()
    assert hashlib.sha256(canonical_json(one["published"])).hexdigest() == one["digest"]
    assert api(None, "get", f"/readouts/{one['slug']}").json()["digest"] == one["digest"]
    assert api(None, "get", "/readouts/1999-01-01-nowhere").status_code == 404
