"""The worker's registry of periodic steps (chancery.worker): order, results, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chancery import worker
from chancery.ledger import background


@pytest.fixture
def extra_steps() -> Iterator[list[str]]:
    ran: list[str] = []
    yield ran
    for name in ("toy.first", "toy.last"):
        worker._STEPS.pop(name, None)


def test_registered_steps_run_in_order_and_report_their_counts(
    db: Any, extra_steps: list[str]
) -> None:
    def last() -> int:
        extra_steps.append("last")
        return 0

    def first() -> int:
        extra_steps.append("first")
        return 3

    worker.register_step("toy.last", last, order=background.LAST - 1)
    worker.register_step("toy.first", first, order=-1)
    names = [s.name for s in worker.registered_steps()]
    # The log integration ends every pass that records events; only the search indexer, which
    # follows the log and records none, comes after it.
    assert names[0] == "toy.first"
    assert names[-3:] == ["toy.last", background.LOG_STEP, "indexed"]
    # the correspondence app registered its steps from its AppConfig.ready()
    assert {"gated", "expired", "escalated", "mailed", "detected"} <= set(names)

    result = worker.run_once()
    assert extra_steps == ["first", "last"]
    assert result["toy.first"] == 3 and result["toy.last"] == 0
    assert list(result)[-2:] == [background.LOG_STEP, "indexed"]
    assert bool(result)
    assert result == worker.PassResult({"toy.first": 3})  # zero counts compare as nothing done
    assert "toy.first=3" in str(result)


def test_an_idle_pass_is_falsy_and_names_are_checked(db: Any, extra_steps: list[str]) -> None:
    result = worker.run_once()
    assert not result and result.expired == 0
    with pytest.raises(AttributeError):
        _ = result.no_such_step
    with pytest.raises(ValueError, match="already registered"):
        worker.register_step(background.LOG_STEP, lambda: 0, order=1)
    worker.register_step("toy.first", lambda: 1, order=1)
    worker.register_step("toy.first", worker._STEPS["toy.first"].fn, order=1)  # ready() twice
    with pytest.raises(ValueError, match="already registered"):
        worker.register_step("toy.first", len, order=1)  # type: ignore[arg-type]
