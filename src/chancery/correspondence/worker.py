"""The background worker: one pass does everything that must happen without a person.

``chancery worker`` runs ``run_once`` every CHANCERY_WORKER_INTERVAL seconds. Each step claims
its rows inside short transactions with conditional updates, so several workers (or a worker
restarted half-way) never act twice on one row.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections

from chancery.correspondence import language, services
from chancery.ledger import sequencer, witness

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    expired: int = 0
    escalated: int = 0
    mailed: int = 0
    detected: int = 0
    gated: int = 0
    logged: int = 0

    def __bool__(self) -> bool:
        return any(
            (self.expired, self.escalated, self.mailed, self.detected, self.gated, self.logged)
        )


def run_once() -> PassResult:
    """One pass, the withholding rules first: policy gates, expired holds, escalations, then the
    mail they produced, then language detection (the slowest, and the least urgent)."""
    result = PassResult()
    result.gated = services.sync_policy_gates()
    result.expired = len(services.expire_holds())
    result.escalated = len(services.escalate_overdue())
    result.mailed = services.send_pending_notifications()
    result.detected = language.detect_pending()
    # The events of this pass into the transparency log (the sequencer thread of run_forever
    # does this every CHANCERY_LOG_INTERVAL too; batches serialise on the log head).
    result.logged = sequencer.integrate_all()
    return result


def run_forever(interval: float | None = None, *, max_passes: int | None = None) -> None:
    interval = interval if interval is not None else settings.CHANCERY_WORKER_INTERVAL
    # The sequencer runs in its own thread so that log batches stay at most
    # CHANCERY_LOG_INTERVAL (≤ 1 s) apart however long a worker pass takes.
    stop = threading.Event()
    thread = threading.Thread(
        target=sequencer.run_forever,
        args=(stop,),
        kwargs={"after_batch": witness.submit_in_background},
        name="sequencer",
        daemon=True,
    )
    thread.start()
    try:
        _loop(interval, max_passes)
    finally:
        stop.set()
        thread.join(timeout=10)


def _loop(interval: float, max_passes: int | None) -> None:
    passes = 0
    while max_passes is None or passes < max_passes:
        close_old_connections()
        try:
            result = run_once()
            if result:
                log.warning("worker pass: %s", result)
        except Exception:  # noqa: BLE001 - keep the worker alive; the next pass retries
            log.exception("worker pass failed")
        passes += 1
        time.sleep(interval)
