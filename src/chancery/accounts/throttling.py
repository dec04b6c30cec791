"""Request rate limits: django-ninja's throttles for the API, and the web login's limit.

Both count in fixed windows through Django's cache framework: a key per client and window,
``cache.add`` then ``cache.incr``, so a check costs two cache operations whatever the rate (the
stock ``SimpleRateThrottle`` keeps a list of every request's time in the window and stores it
again on each request, which grows with the rate). The answer to a client over its limit says
when its window ends (``Retry-After``).

Rates are read from settings on every request (``CHANCERY_API_RATE_USER``,
``CHANCERY_API_RATE_ANON``, ``CHANCERY_LOGIN_RATE``), so a test or an operator's
``override_settings`` applies at once; None means no limit.

Where the counters live (settings.CACHES): the login limit uses the ``default`` cache, the
database, shared by every process and machine (a sign-in already costs a password hash). The API
throttle uses the ``throttle`` cache, by default each process's memory: a shared counter costs
about 0.5 ms of CPU per request on the database cache, a third of an intake's, so by default the
API limit applies per server process (N worker processes allow up to N times the rate);
``CHANCERY_API_THROTTLE_SHARED=1`` makes it exact across processes at that cost.
"""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

THROTTLE_CACHE = "throttle"


@lru_cache(maxsize=32)
def _parse(rate: str) -> tuple[int, int]:
    parsed = SimpleRateThrottle(rate)  # django-ninja's reading of "COUNT/PERIOD"
    assert parsed.num_requests is not None and parsed.duration is not None
    return parsed.num_requests, parsed.duration


def describe_rate(rate: str | None) -> str:
    """``"10/15min"`` -> ``"10 per 15 minutes"``, for messages."""
    if not rate:
        return "no limit"
    count, seconds = _parse(rate)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds % size == 0:
            n = seconds // size
            return f"{count} per {unit}" if n == 1 else f"{count} per {n} {unit}s"
    raise AssertionError(seconds)  # pragma: no cover (size 1 always divides)


class FixedWindowThrottle(SimpleRateThrottle):
    """A ninja throttle counting requests per client in fixed windows of the rate's period.

    ``setting`` names the Django setting holding the rate (``"120/min"``; None: no limit).
    Subclasses say who the client is (``get_cache_key``) and which cache counts.
    """

    setting = ""
    cache_alias = THROTTLE_CACHE
    prefix = "throttle"

    def __init__(self) -> None:  # the rate is read per request, not fixed at start
        self.rate = None

    @property
    def counters(self) -> BaseCache:  # type: ignore[override]
        return caches[self.cache_alias]

    def current_rate(self) -> tuple[int, int] | None:
        rate = getattr(settings, self.setting, None)
        return _parse(rate) if rate else None

    def allow_request(self, request: HttpRequest) -> bool:
        rate = self.current_rate()
        if rate is None:
            return True
        ident = self.get_cache_key(request)
        if ident is None:
            return True
        count, seconds = rate
        window = int(time.time() // seconds)
        key = f"{self.prefix}:{ident}:{seconds}:{window}"
        cache = self.counters
        # add() is a no-op when the key exists; incr() then counts this request.
        cache.add(key, 0, timeout=seconds + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=seconds + 1)
            used = 1
        return used <= count

    def wait(self) -> float | None:
        """Seconds until the current window ends (the Retry-After of a 429)."""
        rate = self.current_rate()
        if rate is None:
            return None
        seconds = rate[1]
        return seconds - (time.time() % seconds)

    def reset(self, request: HttpRequest) -> None:
        """Forget the client's count in the current window."""
        rate = self.current_rate()
        ident = self.get_cache_key(request)
        if rate is not None and ident is not None:
            window = int(time.time() // rate[1])
            self.counters.delete(f"{self.prefix}:{ident}:{rate[1]}:{window}")

    def get_cache_key(self, request: HttpRequest) -> str | None:
        raise NotImplementedError


class UserThrottle(FixedWindowThrottle):
    """API requests per authenticated user (a bearer token's owner or a web session's user):
    ``CHANCERY_API_RATE_USER``. Several tokens of one user share the user's limit."""

    setting = "CHANCERY_API_RATE_USER"
    prefix = "api-user"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        auth: Any = getattr(request, "auth", None)
        pk = getattr(auth, "pk", None)
        return None if pk is None else str(pk)


class AnonThrottle(FixedWindowThrottle):
    """API requests without credentials, per client address (``CHANCERY_API_RATE_ANON``): the
    endpoints open to anyone. Behind a proxy, set ``CHANCERY_NUM_PROXIES`` so the address is the
    client's and not the proxy's (or one a client wrote into X-Forwarded-For)."""

    setting = "CHANCERY_API_RATE_ANON"
    prefix = "api-anon"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if getattr(request, "auth", None) is not None:
            return None
        return self.get_ident(request) or "unknown"


class LoginThrottle(FixedWindowThrottle):
    """Sign-in attempts per username and client address (``CHANCERY_LOGIN_RATE``), counted in
    the shared ``default`` cache; a successful sign-in clears the count, so what is limited is
    failed attempts. Counted before the password is checked, so a burst of parallel guesses is
    counted as it arrives, not after each slow hash."""

    setting = "CHANCERY_LOGIN_RATE"
    cache_alias = "default"
    prefix = "login"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        username = str(request.POST.get("username", "")).strip().casefold()
        who = f"{username}\n{self.get_ident(request) or 'unknown'}"
        return hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()


def create_cache_tables(using: str = "default", **_kwargs: Any) -> None:
    """After every ``migrate``: the database cache's table (``createcachetable`` makes what is
    missing and leaves what exists)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
