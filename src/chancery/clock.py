"""The one clock every rule reads.

All deadlines (hold lapse, hold maximum, delivery target) are computed from ``now()``. In
production the offset is 0. ``chancery demo`` sets ``CHANCERY_CLOCK_OFFSET`` so that the demo
world runs on 23 November 2020 with time still flowing; tests move the clock with ``travel``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_extra = dt.timedelta(0)


def now() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.CHANCERY_CLOCK_OFFSET) + _extra


@contextmanager
def travel(delta: dt.timedelta) -> Iterator[None]:
    """Move this process's clock forward by ``delta`` (tests and simulations)."""
    global _extra
    before = _extra
    _extra = _extra + delta
    try:
        yield
    finally:
        _extra = before


def wall() -> dt.datetime:
    """The machine's clock (moved by ``travel`` in tests, but not by the demo's offset): the
    clock of facts about processes rather than the world, such as heartbeats and the log's
    stamps, which an outside monitor or ``chancery status`` run from a shell compares with its
    own clock. In production it reads the same as :func:`now`."""
    return timezone.now() + _extra


def offset_to(moment: dt.datetime) -> float:
    """Seconds to add to the real clock so that ``now()`` reads ``moment`` right now."""
    return (moment - timezone.now()).total_seconds()
