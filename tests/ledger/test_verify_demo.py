"""The demo world, as ``chancery demo`` loads it, passes ``chancery verify``: its steps are
logged in order of time, every row matches its events, every lifecycle is one the rules allow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

INTEGRATE = """
import sys
from chancery.bootstrap import setup
setup(sys.argv[1])
from chancery.ledger import sequencer
sequencer.integrate_all()
"""


def test_the_demo_world_verifies(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHANCERY_DATA_DIR")}
    cli = [sys.executable, "-m", "chancery.cli"]
    data = str(tmp_path / "demo")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)

    loaded = run(*cli, "demo", "--no-serve", "--data-dir", data)
    assert loaded.returncode == 0, loaded.stderr
    integrated = run(sys.executable, "-c", INTEGRATE, data)
    assert integrated.returncode == 0, integrated.stderr
    verified = run(*cli, "verify", "--data-dir", data)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK: the database and the log agree." in verified.stdout
    assert "message" in verified.stdout and "principal" in verified.stdout
