"""``chancery log export DIR``: the log as static files, for any static file host.

The same paths as ``/log/`` serves (``checkpoint``, ``key``, ``tile/...``). Full tiles already in
DIR are immutable and left alone, so running the export again (from cron, say) writes only what
is new. Every file is written to a temporary name and renamed, and the checkpoint is written
last, so a reader never sees a checkpoint whose tiles are not there yet.
"""

from __future__ import annotations

import os
from pathlib import Path

from chancery.ledger import tiles
from chancery.ledger.keys import witness_signer
from chancery.ledger.models import ENTRIES_LEVEL
from chancery.ledger.sequencer import ensure_head, served, stored_tile


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def export(directory: Path) -> tuple[int, int]:
    """Write the current tree; returns (size, tiles written)."""
    head = ensure_head()
    written = 0
    for ref in tiles.tiles_for_size(head.size):
        target = directory / ref.path
        if not ref.is_partial and target.exists():
            continue
        level = ENTRIES_LEVEL if ref.level is None else ref.level
        _write(target, stored_tile(level, ref.index, ref.width))
        written += 1
    _write(directory / "key", (head.vkey + "\n").encode())
    _write(directory / "timestamp-key", (witness_signer().vkey + "\n").encode())
    _write(directory / "checkpoint", served(head).encode())
    return head.size, written
