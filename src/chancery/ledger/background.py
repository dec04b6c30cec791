"""The ledger's part in ``chancery worker`` (``chancery/worker.py``), registered from
``LedgerConfig.ready()``: the log integration as the last step of every pass (the events the
other steps recorded go into the log), and the sequencer loop in its own thread, which keeps log
batches at most CHANCERY_LOG_INTERVAL (≤ 1 s) apart however long a pass takes, and hands each
new checkpoint to the witnesses. Batches of both serialise on the log head. After every pass the
worker's heartbeat is recorded (``ledger/liveness.py``); the sequencer records its own on
every tick."""

from __future__ import annotations

import threading

from chancery.ledger import liveness, sequencer, witness
from chancery.worker import PassResult, register_after_pass, register_loop, register_step

LOG_STEP = "logged"
LAST = 1_000_000


def _integrate() -> int:
    return sequencer.integrate_all()


def _sequencer(stop: threading.Event) -> None:
    sequencer.run_forever(stop, after_batch=witness.submit_in_background)


def _heartbeat(result: PassResult, error: BaseException | None, interval: float) -> None:
    liveness.record_pass(result.done(), error, interval)


def register() -> None:
    register_step(LOG_STEP, _integrate, order=LAST)
    register_loop("sequencer", _sequencer)
    register_after_pass("heartbeat", _heartbeat)
