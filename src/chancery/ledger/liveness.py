"""Heartbeats: when each background process last ran, and whether it has gone silent.

The worker records ``worker`` after every pass (``ledger/background.py`` registers the recorder
with ``chancery.worker``), the sequencer thread records ``sequencer`` on every tick
(``sequencer.run_forever``). :func:`record` writes one row per name (one UPDATE once the row
exists) and never raises: a heartbeat that cannot be written is logged, and the pass goes on.

:func:`processes` reads the state of every process (the two Chancery runs, plus any other name
that has recorded a heartbeat) for ``chancery status``, ``/readyz`` and the pages' panel;
:func:`checkpoint` reads the age of the log's signed checkpoint (or of its latest stamp).

A process is *silent* when its last heartbeat is older than its allowed silence:
``CHANCERY_SILENT_AFTER`` seconds when set, else five of its intervals and at least a minute.
A process that has never recorded a heartbeat is reported as never run, which is a failure too.
The sequencer is a thread of the worker's process, so the two can stop independently (a pass
that hangs stops the worker's heartbeat while the sequencer keeps ticking).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from chancery import clock
from chancery.ledger.models import Heartbeat, LogHead
from chancery.outages import DATABASE
from chancery.worker import registered_steps

log = logging.getLogger(__name__)

WORKER = "worker"
SEQUENCER = "sequencer"

MIN_SILENCE = 60.0
"""The allowed silence is never under a minute unless CHANCERY_SILENT_AFTER says so."""
SILENCE_INTERVALS = 5


@dataclass(frozen=True)
class Known:
    """A process Chancery runs: what to call it and what stops while it is stopped."""

    label: str
    setting: str
    stops: str
    remedy: str


KNOWN: dict[str, Known] = {
    WORKER: Known(
        label="the worker",
        setting="CHANCERY_WORKER_INTERVAL",
        stops="holds do not lapse, nothing is escalated, messages a support policy no longer "
        "holds are not released, and no escalation mail is sent",
        remedy="Check that chancery worker is running, and restart it.",
    ),
    SEQUENCER: Known(
        label="the sequencer",
        setting="CHANCERY_LOG_INTERVAL",
        stops="nothing new enters the public log, and senders get no proofs for their "
        "messages",
        remedy="It is a thread of chancery worker: restart the worker.",
    ),
}


# --------------------------------------------------------------------------- recording


@cache
def _identity() -> tuple[str, str, int]:
    try:
        version = metadata.version("chancery")
    except metadata.PackageNotFoundError:
        version = ""
    return version, socket.gethostname(), os.getpid()


def record(name: str, *, interval: float, summary: dict[str, Any]) -> bool:
    """Record that ``name`` ran now, promising to run again every ``interval`` seconds, and
    what this run did. One statement (an UPDATE; an INSERT the first time). Never raises:
    returns False (and logs why) when the heartbeat could not be written."""
    version, host, _ = _identity()
    values = {
        "at": clock.wall(),
        "interval": float(interval),
        "version": version[:64],
        "host": host[:255],
        "pid": os.getpid(),  # not cached: a forked process is another process
        "summary": summary,
    }
    try:
        if connection.in_atomic_block:  # a failed write must not break the caller's transaction
            with transaction.atomic():
                _write(name, values)
        else:
            _write(name, values)
    except Exception as exc:  # noqa: BLE001 - a heartbeat must never make a pass fail
        if not DATABASE.failed(exc, f"recording the {name} heartbeat"):  # else logged once
            log.exception("could not record the %s heartbeat", name)
        return False
    return True


def _write(name: str, values: dict[str, Any]) -> None:
    if Heartbeat.objects.filter(name=name).update(**values):
        return
    try:
        with transaction.atomic():
            Heartbeat.objects.create(name=name, **values)
    except IntegrityError:  # another process of the same name made the row first
        Heartbeat.objects.filter(name=name).update(**values)


def record_pass(summary_done: dict[str, int], error: BaseException | None, interval: float) -> bool:
    """The worker's heartbeat after a pass: what each step did, and the error if it raised."""
    summary: dict[str, Any] = {"done": dict(summary_done)}
    if error is not None:
        summary["error"] = f"{type(error).__name__}: {error}"[:500]
    return record(WORKER, interval=interval, summary=summary)


def record_tick(integrated: int, interval: float) -> bool:
    """The sequencer's heartbeat after a tick: how many entries it integrated and the log's
    size after it (read by primary key)."""
    try:
        size = LogHead.objects.filter(pk=1).values_list("size", flat=True).first()
    except Exception:  # noqa: BLE001 - the heartbeat's own write below reports a dead database
        size = None
    return record(SEQUENCER, interval=interval, summary={"integrated": integrated, "size": size})


# --------------------------------------------------------------------------- reading


def allowed_silence(interval: float) -> float:
    """Seconds a process that runs every ``interval`` seconds may go without a heartbeat."""
    configured = float(getattr(settings, "CHANCERY_SILENT_AFTER", 0.0) or 0.0)
    if configured > 0:
        return configured
    return max(SILENCE_INTERVALS * interval, MIN_SILENCE)


@dataclass(frozen=True)
class ProcessState:
    name: str
    label: str
    last_run: dt.datetime | None
    age: float | None
    """Seconds since the last heartbeat (None: never ran)."""
    interval: float
    allowed_silence: float
    silent: bool
    summary: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    host: str = ""
    pid: int | None = None
    stops: str = ""
    """What does not happen while it is stopped (empty for a process Chancery does not know)."""
    remedy: str = ""
    """What an operator should do (empty for a process Chancery does not know)."""

    @property
    def never_ran(self) -> bool:
        return self.last_run is None

    @property
    def ok(self) -> bool:
        return not self.silent and not self.never_ran

    @property
    def did(self) -> str:
        """What its last run did, in words."""
        return describe(self.name, self.summary)

    @property
    def headline(self) -> str:
        """'The worker has not run for 14 minutes (it runs every 2 s).', or when it is fine
        'The worker ran 1 s ago (it runs every 2 s).'"""
        every = f"it runs every {seconds(self.interval)}"
        name = self.label[:1].upper() + self.label[1:]
        if self.never_ran:
            return f"{name} has never run ({every} once started)."
        assert self.age is not None
        if self.silent:
            return f"{name} has not run for {seconds(self.age)} ({every})."
        return f"{name} ran {seconds(self.age)} ago ({every})."

    @property
    def consequence(self) -> str:
        """'While it is stopped, holds do not lapse and ...' (empty when it is fine)."""
        if self.ok or not self.stops:
            return ""
        return f"While it is stopped, {self.stops}."

    def as_json(self, *, public: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "age_seconds": round(self.age, 3) if self.age is not None else None,
            "interval_seconds": self.interval,
            "allowed_silence_seconds": self.allowed_silence,
            "silent": self.silent,
            "never_ran": self.never_ran,
            "ok": self.ok,
        }
        if not public:
            out.update(summary=self.summary, version=self.version, host=self.host, pid=self.pid)
        if not self.ok:
            out["message"] = " ".join(p for p in (self.headline, self.consequence) if p)
        return out


def _state(name: str, beat: Heartbeat | None, now: dt.datetime) -> ProcessState:
    known = KNOWN.get(name)
    if beat is None:
        interval = float(getattr(settings, known.setting)) if known else 0.0
        return ProcessState(
            name=name, label=known.label if known else name, last_run=None, age=None,
            interval=interval, allowed_silence=allowed_silence(interval), silent=True,
            stops=known.stops if known else "", remedy=known.remedy if known else "",
        )
    age = max((now - beat.at).total_seconds(), 0.0)
    silence = allowed_silence(beat.interval)
    return ProcessState(
        name=name,
        label=known.label if known else name,
        last_run=beat.at,
        age=age,
        interval=beat.interval,
        allowed_silence=silence,
        silent=age > silence,
        summary=beat.summary if isinstance(beat.summary, dict) else {},
        version=beat.version,
        host=beat.host,
        pid=beat.pid,
        stops=known.stops if known else "",
        remedy=known.remedy if known else "",
    )


def processes(now: dt.datetime | None = None) -> list[ProcessState]:
    """Every background process: the worker and the sequencer first (reported as never run
    when they have no heartbeat), then any other name that has recorded one."""
    now = now or clock.wall()
    beats = {b.name: b for b in Heartbeat.objects.all()}
    names = [*KNOWN, *sorted(set(beats) - set(KNOWN))]
    states = [_state(name, beats.get(name), now) for name in names]
    worker = next(s for s in states if s.name == WORKER)
    sequencer = next(s for s in states if s.name == SEQUENCER)
    if not sequencer.ok and worker.ok:
        # The worker's own pass still integrates the log, once per pass.
        states[states.index(sequencer)] = _with_stops(
            sequencer,
            f"new events enter the public log only with the worker's passes (every "
            f"{seconds(worker.interval)}), not every {seconds(sequencer.interval)}, and the "
            "log's checkpoint is not renewed while nothing arrives",
        )
    return states


def _with_stops(state: ProcessState, stops: str) -> ProcessState:
    return replace(state, stops=stops)


@dataclass(frozen=True)
class CheckpointState:
    size: int
    signed_at: dt.datetime
    """The later of the checkpoint's signing and its latest stamp."""
    age: float
    stale_after: float
    stamped: bool
    """Whether ``signed_at`` is a stamp (a renewed timestamp over the same checkpoint)."""

    @property
    def stale(self) -> bool:
        return self.age > self.stale_after

    @property
    def headline(self) -> str:
        verb = "stamped" if self.stamped else "signed"
        if self.stale:
            return (
                f"The log's checkpoint was last {verb} {seconds(self.age)} ago (it is renewed at "
                f"least every {seconds(self.stale_after)} while the sequencer runs): the public "
                "log may have stopped."
            )
        return f"Log checkpoint {verb} {seconds(self.age)} ago."

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "signed_at": self.signed_at.isoformat(),
            "age_seconds": round(self.age, 3),
            "stale_after_seconds": self.stale_after,
            "stale": self.stale,
            "stamped": self.stamped,
        }


def checkpoint(now: dt.datetime | None = None) -> CheckpointState | None:
    """The log's checkpoint: its size and how long ago it was signed or stamped
    (``LogHead.stamped_at``; the checkpoint's own time before it was ever stamped); ``None``
    before the sequencer has signed the first one."""
    head = LogHead.objects.select_related("checkpoint").filter(pk=1).first()
    if head is None:
        return None
    # Stamps are on the machine's clock (``clock.wall``), checkpoints' own times on the world's
    # (``clock.now``: the demo runs in 2020); every checkpoint is stamped when it is signed, so
    # the unstamped case is only an installation from before stamps, until its first tick.
    if head.stamped_at is not None:
        signed_at, stamped = head.stamped_at, True
        now = now or clock.wall()
    else:
        signed_at, stamped = head.checkpoint.created_at, False
        now = clock.now() + ((now or clock.wall()) - clock.wall())
    return CheckpointState(
        size=head.size,
        signed_at=signed_at,
        age=max((now - signed_at).total_seconds(), 0.0),
        stale_after=float(settings.CHANCERY_LOG_STALE_AFTER),
        stamped=stamped,
    )


# --------------------------------------------------------------------------- words


def seconds(value: float) -> str:
    """'0.5 s', '2 s', '20 s', '14 minutes', '2 hours 5 minutes', '3 days 4 hours'."""
    if value < 10:
        return f"{value:.1f}".rstrip("0").rstrip(".") + " s"
    if value < 90:
        return f"{value:.0f} s"
    total = int(value)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _units((days, "day"), (hours, "hour"))
    if hours:
        return _units((hours, "hour"), (minutes, "minute"))
    return _units((minutes, "minute"))


def _units(*parts: tuple[int, str]) -> str:
    return " ".join(f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n)


def describe(name: str, summary: dict[str, Any]) -> str:
    """A heartbeat's summary in words: 'expired 2, logged 5', 'nothing to do',
    'integrated 3 entries, log size 120', plus the error of a failed pass."""
    if name == SEQUENCER and "integrated" in summary:
        size = summary.get("size")
        text = f"integrated {summary['integrated']} entries"
        return f"{text}, log size {size}" if size is not None else text
    done = summary.get("done")
    if isinstance(done, dict):
        # In the order a pass runs its steps (PostgreSQL's jsonb keeps no key order).
        order = {step.name: i for i, step in enumerate(registered_steps())}
        steps = sorted(done.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        text = ", ".join(f"{k} {v}" for k, v in steps) or "nothing to do"
    else:
        text = ", ".join(f"{k} {v}" for k, v in summary.items() if k != "error")
    error = summary.get("error")
    if error:
        text = f"{text}; the pass failed: {error}" if text else f"failed: {error}"
    return text
