"""The background worker: one pass runs every app's registered periodic steps, in order.

Each app registers its steps at start-up (``register_step`` from its ``AppConfig.ready()``; the
correspondence app's are in ``correspondence/worker.py``, the ledger's log integration, last in
every pass, in ``ledger/background.py``), so this module knows no app. ``chancery worker`` runs
``run_once`` every CHANCERY_WORKER_INTERVAL seconds, and every registered loop (the ledger's
sequencer, which keeps log batches at most CHANCERY_LOG_INTERVAL apart however long a pass
takes) in a thread of its own; ``chancery worker --once`` runs one pass.

After every pass of ``chancery worker``, each function registered with ``register_after_pass``
is called with the pass's result, the exception if the pass raised, and the interval (the
ledger's heartbeat recorder, ``ledger/background.py``); such a function failing is logged and
never stops the worker.

A step is a function of no arguments that returns how many things it did (an int; 0 when there
was nothing to do). Each step claims its rows inside short transactions with conditional
updates, so several workers (or a worker restarted half-way) never act twice on one row.

Why a registry and not the Django Tasks API: these steps are periodic sweeps over rows the
database already holds ("every hold past its expiry"), not jobs someone enqueues; Django's Tasks
API (and its backport) enqueues and runs one-off tasks and has no periodic schedule, so it would
still need this loop to enqueue the sweeps, plus a task table and a dependency.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from chancery.outages import DATABASE

log = logging.getLogger(__name__)

Step = Callable[[], int]
Loop = Callable[[threading.Event], None]
"""A loop runs in its own thread until the event is set (then returns promptly)."""
AfterPass = Callable[["PassResult", BaseException | None, float], object]
"""Called after each pass of ``run_forever``: (what it did, its exception or None, interval)."""


@dataclass(frozen=True)
class RegisteredStep:
    """One periodic step."""

    name: str
    fn: Step
    order: int


_STEPS: dict[str, RegisteredStep] = {}
_LOOPS: dict[str, Loop] = {}
_AFTER_PASS: dict[str, AfterPass] = {}


def register_step(name: str, fn: Step, *, order: int) -> None:
    """Add a step to every worker pass; lower ``order`` runs first (ties: by name). The name
    is the key of the step's count in the pass result. Registering the same name again
    replaces the step (``ready()`` may run twice in tests); a name taken by a different
    function is refused."""
    current = _STEPS.get(name)
    if current is not None and current.fn is not fn and _qualname(current.fn) != _qualname(fn):
        raise ValueError(f"a worker step named {name!r} is already registered ({current.fn!r})")
    _STEPS[name] = RegisteredStep(name=name, fn=fn, order=order)


def register_loop(name: str, fn: Loop) -> None:
    """Run ``fn(stop)`` in a thread of its own beside the passes of ``chancery worker``."""
    _LOOPS[name] = fn


def register_after_pass(name: str, fn: AfterPass) -> None:
    """Call ``fn(result, error, interval)`` after every pass of ``run_forever`` (registering
    the same name again replaces it)."""
    _AFTER_PASS[name] = fn


def _qualname(fn: Any) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


def registered_steps() -> list[RegisteredStep]:
    """The steps in the order a pass runs them."""
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))


class PassResult(dict[str, int]):
    """What one pass did: each step's name -> its count. Truthy when any step did something;
    a step's count is also an attribute (``result.expired``; 0 for a registered step the pass
    did not run). Two results are equal when they did the same (a count of 0 equals no count),
    so an idle pass equals ``PassResult()``."""

    def __getattr__(self, name: str) -> int:
        if name in self:
            return self[name]
        if name in _STEPS:
            return 0
        raise AttributeError(name)

    def __bool__(self) -> bool:
        return any(self.values())

    def done(self) -> dict[str, int]:
        return {k: v for k, v in self.items() if v}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PassResult):
            return self.done() == other.done()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return "PassResult(" + ", ".join(f"{k}={v}" for k, v in self.items()) + ")"


def run_step(step: RegisteredStep) -> int:
    """Run one step and return its count (the one place a step runs: heartbeats go here)."""
    return int(step.fn())


def run_once(result: PassResult | None = None) -> PassResult:
    """One pass: every registered step in order. A given ``result`` is filled step by step,
    so that what a pass did before a step raised is known to the caller."""
    result = PassResult() if result is None else result
    for step in registered_steps():
        result[step.name] = run_step(step)
    return result


def run_forever(interval: float | None = None, *, max_passes: int | None = None) -> None:
    interval = interval if interval is not None else settings.CHANCERY_WORKER_INTERVAL
    stop = threading.Event()
    threads = [
        threading.Thread(target=fn, args=(stop,), name=name, daemon=True)
        for name, fn in sorted(_LOOPS.items())
    ]
    for thread in threads:
        thread.start()
    try:
        _loop(interval, max_passes)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)


def _loop(interval: float, max_passes: int | None) -> None:
    passes = 0
    while max_passes is None or passes < max_passes:
        close_old_connections()
        result, error = PassResult(), None
        try:
            run_once(result)
            if result:
                log.warning("worker pass: %s", result)
        except Exception as exc:  # noqa: BLE001 - keep the worker alive; the next pass retries
            # A lost database is logged once per outage (chancery.outages), not every pass.
            if not DATABASE.failed(exc, "in the worker's pass", "retrying every pass"):
                log.exception("worker pass failed")
            error = exc
        else:
            DATABASE.reached()
        _after_pass(result, error, interval)
        passes += 1
        time.sleep(interval)


def _after_pass(result: PassResult, error: BaseException | None, interval: float) -> None:
    for name, fn in list(_AFTER_PASS.items()):
        try:
            fn(result, error, interval)
        except Exception:  # noqa: BLE001 - a heartbeat must never stop the worker
            log.exception("after-pass hook %s failed", name)
