"""The ledger's part in ``chancery worker`` (``chancery/worker.py``), registered from
``LedgerConfig.ready()``: the log integration as the last step of every pass (the events the
other steps recorded go into the log), and the sequencer loop in its own thread, which keeps log
batches at most CHANCERY_LOG_INTERVAL (≤ 1 s) apart however long a pass takes, and hands each
new checkpoint to the witnesses. Batches of both serialise on the log head."""

from __future__ import annotations

import threading

from chancery.ledger import sequencer, witness
from chancery.worker import register_loop, register_step

LOG_STEP = "logged"
LAST = 1_000_000


def _integrate() -> int:
    return sequencer.integrate_all()


def _sequencer(stop: threading.Event) -> None:
    sequencer.run_forever(stop, after_batch=witness.submit_in_background)


def register() -> None:
    register_step(LOG_STEP, _integrate, order=LAST)
    register_loop("sequencer", _sequencer)
