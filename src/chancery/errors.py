"""Domain errors. Each carries a message for the person who made the request, saying what is
wrong and how to fix it; the API and the web views turn them into 4xx answers."""

from __future__ import annotations


class ChanceryError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ChanceryError):
    status = 422
    code = "invalid_input"


class NotFound(ChanceryError):
    status = 404
    code = "not_found"


class Forbidden(ChanceryError):
    status = 403
    code = "forbidden"


class Conflict(ChanceryError):
    status = 409
    code = "conflict"


class TooLarge(ChanceryError):
    status = 413
    code = "too_large"
