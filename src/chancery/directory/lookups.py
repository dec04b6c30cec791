"""Per-process, short-lived cache of the directory rows every intake reads.

Every submission reads its principal (for the transition gate) and its sender office (for the
polity check, the event and the receipt); both change a few times a year, yet reading them costs
two queries per message. A process keeps them for ``CHANCERY_REFERENCE_CACHE_SECONDS`` (default
5; 0 turns the cache off). A save or delete of a directory row in this process empties the cache
at once; other processes see a change within that time, and the worker's ``sync_policy_gates()``
puts right a message that read a gate just before it changed (as it already does for the
unlocked read of the gate).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from chancery.directory.models import Country, Leader, Office, Organisation, Principal

_cache: dict[tuple[str, Any], tuple[float, Any]] = {}


def _cached(kind: str, key: Any, load: Callable[[], Any]) -> Any:
    ttl = float(getattr(settings, "CHANCERY_REFERENCE_CACHE_SECONDS", 5.0))
    if ttl <= 0:
        return load()
    now = time.monotonic()
    hit = _cache.get((kind, key))
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if value is not None:
        _cache[(kind, key)] = (now + ttl, value)
    return value


def principal_by_slug(slug: str) -> Principal | None:
    return _cached("principal", slug, lambda: Principal.objects.filter(slug=slug).first())


def office_by_pk(pk: int) -> Office | None:
    return _cached(
        "office", pk,
        lambda: Office.objects.select_related("leader", "country", "organisation")
        .filter(pk=pk)
        .first(),
    )


def clear(**_kwargs: Any) -> None:
    _cache.clear()


for _model in (Principal, Office, Leader, Country, Organisation):
    post_save.connect(clear, sender=_model, dispatch_uid=f"chancery-lookups-{_model.__name__}")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"chancery-lookups-d-{_model.__name__}")
