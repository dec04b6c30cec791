"""The log's public read interface: C2SP tlog-tiles under ``/log/``, plus the verifier keys.

Everything here is public and read-only (no login, no cookies needed). Tiles are immutable once
served: a full tile never changes and a partial tile ``.p/W`` is a prefix of every later version
of that tile, so both are cached for a year. The checkpoint changes with every batch and is
served with ``no-cache``: the log's signed note, then its stamp (a timestamped cosignature
by this installation's witness key, renewed even when the log is idle), then any witnesses'
cosignatures. ``/log/key`` serves the log's verifier key; ``/log/timestamp-key`` the stamp's.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from chancery.ledger import keys, tiles
from chancery.ledger.models import ENTRIES_LEVEL
from chancery.ledger.sequencer import current_head, served, stored_tile

IMMUTABLE = "public, max-age=31536000, immutable"
NOT_YET = (
    "The log has no checkpoint yet: the sequencer (part of `chancery worker`) signs the first "
    "one when it starts.\n"
)


def _text(body: str, status: int = 200, cache: str = "no-cache") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def checkpoint(request: HttpRequest) -> HttpResponse:
    head = current_head()
    if head is None:
        return _text(NOT_YET, status=404)
    return _text(served(head))


@require_safe
def key(request: HttpRequest) -> HttpResponse:
    head = current_head()
    if head is None:
        return _text(NOT_YET, status=404)
    response = _text(head.vkey + "\n", cache="public, max-age=300")
    # One key per line stays what scripts read (`curl .../log/key`); the timestamp key is named
    # in a header and served next to it.
    response["Link"] = f'<{reverse("log:timestamp-key")}>; rel="timestamp-key"'
    return response


@require_safe
def timestamp_key(request: HttpRequest) -> HttpResponse:
    """The verifier key (cosignature/v1) of the checkpoint's stamp: give it to ``chancery
    monitor --stamp-key`` to check the stamp's time and how old the served checkpoint is."""
    head = current_head()
    if head is None:
        return _text(NOT_YET, status=404)
    return _text(keys.witness_signer().vkey + "\n", cache="public, max-age=300")


@require_safe
def tile(request: HttpRequest, path: str) -> HttpResponse:
    try:
        ref = tiles.parse_tile_path(path)
    except tiles.TileError as exc:
        return _text(f"{exc}\n", status=404)
    head = current_head()
    size = head.size if head else 0
    level = ENTRIES_LEVEL if ref.level is None else ref.level
    # Only tiles of the current tree: a wider partial tile than the checkpoint covers is not
    # served even if a batch being committed right now has written it.
    expected = tiles.tile_width(0 if ref.level is None else ref.level, ref.index, size)
    if ref.width > expected:
        return _text(
            f"tile {path} is beyond the current tree (size {size}); fetch the checkpoint first\n",
            status=404,
        )
    try:
        data = stored_tile(level, ref.index, ref.width)
    except tiles.TileError as exc:
        return _text(f"{exc}\n", status=404)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    response["Access-Control-Allow-Origin"] = "*"
    return response
