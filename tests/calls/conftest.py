"""What the calls tests share: the world and personas (tests/fixtures.py), an interpreter on the
roster, and a call request as a liaison submits it (``calls.services.requests.submit_call``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chancery.accounts.models import Role
from chancery.calls.models import Interpreter
from chancery.testing import make_user


@pytest.fixture
def interpreter(db: Any) -> Interpreter:
    """A French interpreter in New York, 07:00-22:00, four calls a day; signs in as
    ``interpreter.fr``. Made as by an installation from before ``interpreter.enrolled`` (no
    event), as the test world's principals are."""
    user = make_user("interpreter.fr", Role.INTERPRETER, display_name="Claire Fontaine")
    return Interpreter.objects.create(
        user=user, name="Claire Fontaine", languages=["fr"], time_zone="America/New_York",
        day_start=dt.time(7, 0), day_end=dt.time(22, 0), daily_cap=4,
    )
