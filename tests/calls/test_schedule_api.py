"""The scheduling API: call settings, solves queued (202) and polled, an officer's move."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.calls.models import CallSettings, Interpreter, ScheduleRun
from chancery.calls.services import scheduling
from chancery.ledger.models import Event
from tests.calls.test_scheduling import approve, day

NY = ZoneInfo("America/New_York")


@pytest.fixture
def api(client: Client, token_for: Any) -> Any:
    tokens: dict[int, str] = {}

    def _api(user: User, method: str, path: str, body: Any = None) -> Any:
        if user.pk not in tokens:
            tokens[user.pk] = token_for(user)
        fn = getattr(client, method.lower())
        extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        if body is None:
            return fn(f"/api/v1{path}", **extra)
        return fn(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                  **extra)

    return _api


def test_settings_over_http(api: Any, world: dict[str, Any], people: dict[str, User]) -> None:
    path = "/principals/president-elect/call-settings"
    r = api(people["staffer"], "GET", path)
    assert r.status_code == 200 and r.json()["saved"] is False
    assert r.json()["day_start"] == "08:00"
    assert api(people["liaison_ca"], "GET", path).status_code == 403
    assert api(people["staffer"], "PUT", path, {"daily_cap": 3}).status_code == 403

    r = api(people["officer"], "PUT", path, {"note_takers": 1})
    assert r.status_code == 422 and r.json()["field"] == "note_takers"
    assert "two" in r.json()["detail"]
    r = api(people["officer"], "PUT", path, {"policy": {"keys": ["astrology"]}})
    assert r.status_code == 422, r.json()
    r = api(people["officer"], "PUT", path, {"day_start": "19:00", "day_end": "09:00"})
    assert r.status_code == 422 and r.json()["field"] == "day_end"
    assert api(people["officer"], "PUT", path, {}).status_code == 422
    assert not CallSettings.objects.exists()

    r = api(people["officer"], "PUT", path, {"day_start": "09:00", "daily_cap": 4})
    assert r.status_code == 200, r.json()
    assert r.json()["saved"] and r.json()["day_start"] == "09:00" and r.json()["daily_cap"] == 4
    assert Event.objects.filter(kind="calls.settings").count() == 1
    assert api(people["officer"], "GET", "/principals/nobody/call-settings").status_code == 404


def test_solve_over_http(api: Any, world: dict[str, Any], people: dict[str, User],
                         interpreter: Interpreter) -> None:
    ca = approve(people, world["pm_ca"])
    path = "/principals/president-elect/schedule"
    assert api(people["liaison_ca"], "POST", path, {"days": 3}).status_code == 403
    r = api(people["officer"], "POST", path, {"days": 0})
    assert r.status_code == 422 and r.json()["field"] == "days"
    r = api(people["officer"], "POST", path, {"days": 3, "time_limit": 1})
    assert r.status_code == 202, r.json()
    run = r.json()
    assert run["state"] == "queued" and run["days"] == 3
    again = api(people["protocol"], "POST", path, {"days": 5})
    assert again.status_code == 202 and again.json()["id"] == run["id"]
    assert ScheduleRun.objects.count() == 1

    assert scheduling.run_pending() == 1
    r = api(people["staffer"], "GET", f"/schedule-runs/{run['id']}")
    assert r.status_code == 200
    done = r.json()
    assert done["state"] == "done" and done["progress"]["phase"] == "done"
    assert done["result"]["placed"][0]["call"] == ca.tracking
    assert api(people["staffer_vp"], "GET", f"/schedule-runs/{run['id']}").status_code == 404
    assert api(people["officer"], "GET", "/schedule-runs/999").status_code == 404


def test_move_over_http(api: Any, world: dict[str, Any], people: dict[str, User]) -> None:
    ca = approve(people, world["pm_ca"])
    pe = world["pe"]
    when = dt.datetime.combine(day(1, pe), dt.time(10, 0), NY)
    path = f"/calls/{ca.tracking}/move"
    r = api(people["staffer"], "POST", path, {"start": when.isoformat()})
    assert r.status_code == 403
    r = api(people["officer"], "POST", path, {"start": when.replace(tzinfo=None).isoformat()})
    assert r.status_code == 422 and "offset" in r.json()["detail"]
    late = dt.datetime.combine(day(1, pe), dt.time(22, 0), NY)
    r = api(people["officer"], "POST", path, {"start": late.isoformat()})
    assert r.status_code == 422 and "principal's hours" in r.json()["detail"]
    ca.refresh_from_db()
    assert ca.start is None and ca.sequence == 0

    r = api(people["officer"], "POST", path, {"start": when.isoformat()})
    assert r.status_code == 200, r.json()
    out = r.json()
    assert out["fixed"] and out["sequence"] == 1 and out["state"] == "scheduled"
    assert dt.datetime.fromisoformat(out["start"]) == when
    assert out["run"] == ScheduleRun.objects.get().pk
    assert api(people["officer"], "POST", "/calls/CALL-2020-999999/move",
               {"start": when.isoformat()}).status_code == 404
