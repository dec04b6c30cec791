"""Bearer-token authentication for the API.

Tokens are 256-bit random secrets, stored as their SHA-256 and looked up by that digest; no slow
password hash runs per request (a slow hash protects low-entropy passwords, which a 256-bit random
token is not). The lookup by digest is an indexed equality on a value an attacker cannot choose.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from chancery.accounts.models import ApiToken, hash_token


def user_for_token(secret: str) -> Any:
    if not secret.startswith(ApiToken.PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    return token.user if token else None


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user
