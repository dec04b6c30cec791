"""What the records tests share: the world and personas (tests/fixtures.py, with
``people["records"]``, the records officer), and calls as the calls app leaves them: placed at a
time (``scheduled_call``), and connected then completed through the calls services
(``completed_call``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chancery import clock
from chancery.calls.models import CallRequest
from chancery.calls.services.requests import complete_call, record_attempt
from tests.calls.placed import place


def _start() -> dt.datetime:
    """A time just before the test clock's now: the call can connect and end at once."""
    return (clock.now() - dt.timedelta(minutes=40)).replace(second=0, microsecond=0)


@pytest.fixture
def scheduled_call(world: dict[str, Any], people: dict[str, Any]) -> CallRequest:
    """France's call with the President-elect, scheduled 40 minutes ago, not yet connected."""
    return place(world, people, at=_start(), minutes=15)


@pytest.fixture
def completed_call(scheduled_call: CallRequest, people: dict[str, Any]) -> CallRequest:
    """That call connected and completed (``completed_at`` is now) by the watch officer."""
    record_attempt(scheduled_call, by=people["officer"], outcome="connected")
    return complete_call(scheduled_call, by=people["officer"], minutes=15)


def index_now(**kwargs: Any) -> int:
    """What the worker does after a change: the sequencer integrates the new events, then the
    search indexer (which follows the log's order) indexes the subjects they touched."""
    from chancery.ledger import sequencer
    from chancery.records.search import index

    sequencer.integrate_all()
    return index.index_pending(**kwargs)
