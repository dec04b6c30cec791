"""Two workers at once never publish a read-out twice: each claims it under its row lock and
re-checks the rule (real threads, real database connections, both databases)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection

from chancery.calls.models import CallRequest
from chancery.ledger.models import Event
from chancery.records.models import ReadoutVersion
from chancery.records.services import readouts as services

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_publish_once(completed_call: CallRequest, people: dict[str, User]) -> None:
    v = services.draft_readout(completed_call, by=people["officer"], title="T", body="Said.")
    services.clear_readout(v.readout, by=people["staffer"], version=1)
    counts: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        try:
            barrier.wait()
            counts.append(services.publish_due())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    published: Any = Event.objects.filter(kind="readout.published")
    assert not errors, errors
    assert published.count() == 1, counts
    assert sum(counts) == 1, counts
    assert ReadoutVersion.objects.filter(published_at__isnull=False).count() == 1
