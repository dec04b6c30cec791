from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chancery.accounts.roles import roles_of


def chancery(request: HttpRequest) -> dict[str, Any]:
    return {"roles": roles_of(getattr(request, "user", None))}
