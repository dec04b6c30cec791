"""Authentication for the API: bearer tokens, or the web UI's session (with its CSRF check).

Tokens are 256-bit random secrets, stored as their SHA-256 and looked up by that digest; no slow
password hash runs per request (a slow hash protects low-entropy passwords, which a 256-bit random
token is not). The lookup by digest is an indexed equality on a value an attacker cannot choose.

A request that carries an ``Authorization`` header is judged by that header alone: a bad token is
a 401, never a fall-back to a session cookie sent alongside it. A request without a session
cookie is not a session request, so a missing token is a 401 naming the fix, not a CSRF failure.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import m2m_changed, post_save
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from chancery.accounts.models import ApiToken, Profile, hash_token
from chancery.accounts.roles import roles_of
from chancery.errors import Forbidden

MAX_TOKEN_CHARS = 100


def user_for_token(secret: str) -> Any:
    if not secret.startswith(ApiToken.PREFIX) or len(secret) > MAX_TOKEN_CHARS:
        return None
    digest = hash_token(secret)
    ttl = float(getattr(settings, "CHANCERY_IDENTITY_CACHE_SECONDS", 10.0))
    hit = _identities.get(digest) if ttl > 0 else None
    if hit is not None and hit[0] > time.monotonic():
        if _still_valid(digest):  # revocation and deactivation apply at once
            return copy.copy(hit[1])
        _identities.pop(digest, None)
        return None
    token = (
        # The profile (a liaison's mission) comes in the same query: profile_of() reads it on
        # every submission.
        ApiToken.objects.select_related("user__profile__mission", "user__profile__principal")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    user = token.user
    try:
        user._chancery_profile = user.profile  # type: ignore[attr-defined]
    except Profile.DoesNotExist:
        pass  # profile_of() makes one when it is first needed
    if ttl > 0:
        roles_of(user)  # kept with the user: roles and profile are at most ttl seconds old
        _identities[digest] = (time.monotonic() + ttl, user)
        return copy.copy(user)
    return user


def _still_valid(digest: str) -> bool:
    """One indexed look-up without the ORM's query building: is the token still good?"""
    user_table = connection.ops.quote_name(get_user_model()._meta.db_table)
    token_table = connection.ops.quote_name(ApiToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {token_table} t JOIN {user_table} u ON u.id = t.user_id "  # noqa: S608
            "WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active",
            [digest],
        )
        return cursor.fetchone() is not None


def forget_identities(**_kwargs: Any) -> None:
    """A change to roles, profiles or tokens in this process applies at once."""
    _identities.clear()


_identities: dict[str, tuple[float, Any]] = {}
post_save.connect(forget_identities, sender=Profile, dispatch_uid="chancery-identities-profile")
post_save.connect(forget_identities, sender=ApiToken, dispatch_uid="chancery-identities-token")
post_save.connect(
    forget_identities, sender=settings.AUTH_USER_MODEL, dispatch_uid="chancery-identities-user"
)
m2m_changed.connect(forget_identities, dispatch_uid="chancery-identities-groups")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The logged-in web user, for the UI's own calls; unsafe methods need the CSRF token."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            return super()._get_key(request)
        except Exception:  # ninja raises HttpError(403, "CSRF check Failed")
            raise Forbidden(
                "CSRF check failed: a request made with the web session must send the CSRF token "
                "(X-CSRFToken header). API clients should send 'Authorization: Bearer <token>' "
                "instead (chancery token create USERNAME)."
            ) from None


def explain_failure(request: HttpRequest) -> str:
    """Why authentication failed, in words that say how to fix it (for the 401 answer)."""
    header = request.headers.get("Authorization", "")
    create = "create one with 'chancery token create USERNAME'"
    if not header.strip():
        return (
            "No credentials: send 'Authorization: Bearer <token>' ("
            + create
            + "), or log in to the web UI."
        )
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return (
            "The Authorization header must use the Bearer scheme ('Bearer <token>'), "
            f"not {scheme[:20]!r}."
        )
    token = token.strip()
    if not token:
        return "The Authorization header says 'Bearer' but carries no token."
    if not token.startswith(ApiToken.PREFIX) or len(token) > MAX_TOKEN_CHARS:
        return (
            f"That is not a Chancery API token (they start with {ApiToken.PREFIX!r}); {create}."
        )
    known = ApiToken.objects.filter(digest=hash_token(token)).select_related("user").first()
    if known is None:
        return "The bearer token is unknown: check that it was copied whole, or " + create + "."
    if known.revoked_at is not None:
        return (
            f"The bearer token {known.prefix}… was revoked on "
            f"{known.revoked_at:%Y-%m-%d %H:%M %Z}; {create}."
        )
    if not known.user.is_active:
        return "The bearer token belongs to a deactivated account."
    return "The bearer token was not accepted; " + create + "."
