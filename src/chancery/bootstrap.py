"""Django set-up for the command-line entry points (``chancery`` and the commands that run
outside it, like ``chancery-witness``): the data folder first, since the settings read it."""

from __future__ import annotations

import json
import os
from pathlib import Path

DEMO_STATE = "demo.json"
"""The file a demo's data folder keeps its clock in (``chancery.demo.runner``)."""


def setup(data_dir: str | None) -> Path:
    """Point ``CHANCERY_DATA_DIR`` at ``data_dir`` (if given), create it, set Django up and
    return the folder."""
    if data_dir:
        os.environ["CHANCERY_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancery.settings")
    path = Path(os.environ.get("CHANCERY_DATA_DIR", "chancery-data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    demo_state = path / DEMO_STATE
    if "CHANCERY_CLOCK_OFFSET" not in os.environ and demo_state.exists():
        # A demo's data folder keeps the demo's clock (November 2020, ``demo/runner.py``):
        # every command on it (status, principal status, calls schedule, worker) reads the
        # world's time as the demo's server and worker do, so its events fit in the log.
        offset = json.loads(demo_state.read_text())["clock_offset"]
        os.environ["CHANCERY_CLOCK_OFFSET"] = repr(float(offset))
    import django

    django.setup()
    return path
