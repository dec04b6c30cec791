"""Django set-up for the command-line entry points (``chancery`` and the commands that run
outside it, like ``chancery-witness``): the data folder first, since the settings read it."""

from __future__ import annotations

import os
from pathlib import Path


def setup(data_dir: str | None) -> Path:
    """Point ``CHANCERY_DATA_DIR`` at ``data_dir`` (if given), create it, set Django up and
    return the folder."""
    if data_dir:
        os.environ["CHANCERY_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chancery.settings")
    path = Path(os.environ.get("CHANCERY_DATA_DIR", "chancery-data")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    return path
