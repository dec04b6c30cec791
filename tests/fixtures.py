"""Personas and a small directory, shared by every test (enabled from conftest.py): pytest
fixtures over ``chancery.testing`` (the one copy the benchmarks use too).

The personas are the people of MISSION.md (see ``chancery.testing.build_people``). Tests drive
the same service functions and endpoints these people use.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from chancery.correspondence import services
from chancery.correspondence.models import Message
from chancery.directory.models import Office, Principal
from chancery.testing import build_people, build_world, issue_token, set_policy

__all__ = ["gated", "people", "submit", "token_for", "world"]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return build_world()


@pytest.fixture
def gated(world: dict[str, Any]) -> Principal:
    """The president-elect with the support policy 'delivery waits for ascertainment'."""
    return set_policy(world["pe"], Principal.Status.ASCERTAINED)


@pytest.fixture
def people(world: dict[str, Any]) -> dict[str, User]:
    return build_people(world)


@pytest.fixture
def submit(world: dict[str, Any], people: dict[str, User]) -> Any:
    """``submit(body=..., by=..., office=..., principal=...)`` -> Message (defaults: Canada)."""

    def _submit(
        body: str = "Félicitations et meilleurs vœux. Congratulations and best wishes.",
        *,
        by: User | None = None,
        office: Office | None = None,
        principal: str = "president-elect",
        **kw: Any,
    ) -> Message:
        message, _ = services.submit_message(
            services.Submission(
                principal=principal,
                sender_office=(office or world["pm_ca"]).pk,
                body=body,
                **kw,
            ),
            by=by or people["liaison_ca"],
        )
        return message

    return _submit


@pytest.fixture
def token_for(db: Any) -> Any:
    """``token_for(user)`` -> a bearer secret for the API."""

    return issue_token
