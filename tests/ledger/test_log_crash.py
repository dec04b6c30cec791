"""Killing the sequencer (or a writer) at any moment loses nothing that was acknowledged.

Real processes on a real database file: a writer commits events and records each one only after
its commit returned (the acknowledgement a client gets); two sequencers race to integrate them
in small batches and are killed with SIGKILL at random moments and restarted. At the end every
acknowledged event is in the log exactly once, the indexes are contiguous, and ``chancery
verify`` rebuilds the same tree and checkpoints from the rows.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

WRITER = """
import os, sys, django
django.setup()
from django.db import transaction
from chancery.ledger.kinds import declare
from chancery.ledger.services import record_event
declare("test.event", subject="record", public=["n", "reason"],
        description="A crash test's event.", declared_in="tests/ledger/test_log_crash.py")
acks = open(sys.argv[1], "a")
n = 0
while True:
    with transaction.atomic():
        event = record_event("record", n, "test.event", data={"n": n, "reason": f"why {n}"})
    acks.write(f"{event.pk}\\n")
    acks.flush()
    n += 1
"""

SEQUENCER = """
import django
django.setup()
from chancery.ledger.sequencer import run_forever
run_forever(interval=0.01)
"""

CHECK = """
import json, django
django.setup()
from chancery.ledger.models import Event, LogHead
head = LogHead.objects.get()
print(json.dumps({
    "size": head.size,
    "seqs": dict(Event.objects.values_list("id", "seq")),
}))
"""


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        CHANCERY_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="chancery.settings",
        CHANCERY_LOG_BATCH="7",  # many small batches: many moments to be killed in
    )
    return env


def _py(code: str, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=env, stderr=subprocess.DEVNULL
    )


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chancery.cli", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _cli("migrate", env=env).returncode == 0
    acks = tmp_path / "acks"
    rng = random.Random(20201123)
    writer = _py(WRITER, str(acks), env=env)
    try:
        for _ in range(8):
            # Two sequencers at once: they race for the head, one batch wins each time.
            sequencers = [_py(SEQUENCER, env=env), _py(SEQUENCER, env=env)]
            time.sleep(rng.uniform(0.3, 1.2))
            for sequencer in sequencers:
                sequencer.send_signal(signal.SIGKILL)
                sequencer.wait()
        # The writer dies too, mid-transaction perhaps: what it had not acknowledged may be lost.
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    finally:
        writer.kill()
    acknowledged = {int(line) for line in acks.read_text().split()}
    assert len(acknowledged) > 50

    integrated = _cli("log", "integrate", env=env)
    assert integrated.returncode == 0, integrated.stderr
    state = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    import json

    found = json.loads(state.stdout)
    seqs = {int(k): v for k, v in found["seqs"].items()}
    assert acknowledged <= set(seqs), "an acknowledged event is gone"
    assert all(seqs[pk] is not None for pk in acknowledged), "an acknowledged event is not logged"
    assert sorted(seqs.values()) == list(range(found["size"]))  # contiguous, each once

    verified = _cli("verify", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK" in verified.stdout
