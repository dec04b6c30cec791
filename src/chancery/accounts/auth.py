"""Authentication for the API: bearer tokens, or the web UI's session (with its CSRF check).

Tokens are 256-bit random secrets, stored as their SHA-256 and looked up by that digest; no slow
password hash runs per request (a slow hash protects low-entropy passwords, which a 256-bit random
token is not). The lookup by digest is an indexed equality on a value an attacker cannot choose.

A request that carries an ``Authorization`` header is judged by that header alone: a bad token is
a 401, never a fall-back to a session cookie sent alongside it. A request without a session
cookie is not a session request, so a missing token is a 401 naming the fix, not a CSRF failure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from chancery.accounts.models import ApiToken, hash_token
from chancery.errors import Forbidden

MAX_TOKEN_CHARS = 100


def user_for_token(secret: str) -> Any:
    if not secret.startswith(ApiToken.PREFIX) or len(secret) > MAX_TOKEN_CHARS:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


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
