"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Every answer that is not a success is JSON of the form ``{"error": code, "detail": message}``
(plus ``field`` when one field is at fault), and the message says what is wrong and how to fix
it: a domain error from the services, a request body that is not a JSON object in UTF-8, a field
that does not validate, a missing or bad token.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

from chancery.accounts.auth import BearerToken, Session, explain_failure
from chancery.accounts.throttling import AnonThrottle, UserThrottle, describe_rate
from chancery.errors import ChanceryError


class BodyError(ValueError):
    """The request body cannot be read as a JSON object; the message says why."""

    status = 400
    code = "bad_request_body"
    field: str | None = None


class DuplicateKey(BodyError):
    """An object in the body gives the same name twice (JSON parsers disagree on which value
    wins, RFC 8259 §4, so the request is refused rather than one of them silently taken)."""

    status = 422
    code = "invalid_input"

    def __init__(self, field: str) -> None:
        name = field.rpartition(".")[2]
        where = f" (at {field})" if field != name else ""
        super().__init__(
            f"The request body gives the field {name!r} more than once{where}; send each "
            "field once."
        )
        self.field = field


def _reject_constant(name: str) -> Any:
    raise BodyError(f"The request body is not valid JSON: {name} is not a JSON value.")


class _Repeated(Exception):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Repeated
    return obj


class _Marked(dict[str, Any]):
    repeated: str | None = None


def _mark_repeated(pairs: list[tuple[str, Any]]) -> _Marked:
    obj = _Marked()
    for key, value in pairs:
        if key in obj and obj.repeated is None:
            obj.repeated = key
        obj[key] = value
    return obj


def _first_repeated(value: Any, path: str = "") -> str | None:
    """Where the first repeated name is, as a dotted path (``attachments.0.filename``)."""
    if isinstance(value, _Marked):
        if value.repeated is not None:
            return f"{path}{value.repeated}"
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, child in items:
        found = _first_repeated(child, f"{path}{key}.")
        if found is not None:
            return found
    return None


class JsonObjectParser(Parser):
    """Reads the body as a JSON object encoded in UTF-8, and says exactly what is wrong if not."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        raw = request.body
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start : exc.start + 4]
            raise BodyError(
                f"The request body is not valid UTF-8 (byte {exc.start}: {bad!r}); send JSON "
                "encoded as UTF-8."
            ) from None
        if text.startswith("\ufeff"):
            text = text[1:]  # a UTF-8 byte order mark is tolerated (RFC 8259 §8.1)
        try:
            data = json.loads(
                text, parse_constant=_reject_constant, object_pairs_hook=_unique_object
            )
        except _Repeated:
            marked = json.loads(text, object_pairs_hook=_mark_repeated)
            raise DuplicateKey(_first_repeated(marked) or "body") from None
        except json.JSONDecodeError as exc:
            hint = ""
            if exc.msg.startswith("Expecting property name enclosed in double quotes"):
                hint = " (JSON needs double quotes around names and strings, and no trailing comma)"
            raise BodyError(
                f"The request body is not valid JSON: {exc.msg}{hint} at line {exc.lineno} "
                f"column {exc.colno} (character {exc.pos})."
            ) from None
        except RecursionError:
            raise BodyError(
                "The request body is not usable JSON: it is nested too deeply."
            ) from None
        if not isinstance(data, dict):
            kind = {list: "an array", str: "a string", bool: "a boolean", int: "a number",
                    float: "a number", type(None): "null"}.get(type(data), type(data).__name__)
            raise BodyError(
                f"The request body must be a JSON object ({{\"field\": value, ...}}), not {kind}."
            )
        return data


api = NinjaAPI(
    title="Chancery API",
    version="1",
    description=(
        "Foreign correspondence to a principal, from intake to acknowledged delivery, with no "
        "silent withholding. Authenticate with `Authorization: Bearer <token>` "
        "(`chancery token create USERNAME`). Errors are JSON: "
        '`{"error": code, "detail": "what is wrong and how to fix it", "field": name}`.'
    ),
    auth=[BearerToken(), Session()],
    parser=JsonObjectParser(),
    urls_namespace="api",
    # Per user, and per address without credentials (settings.CHANCERY_API_RATE_*).
    throttle=[UserThrottle(), AnonThrottle()],
)


def error_response(
    request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    payload: dict[str, Any] = {"error": code, "detail": detail}
    payload.update({k: v for k, v in extra.items() if v is not None})
    return api.create_response(request, payload, status=status)


@api.exception_handler(ChanceryError)
def chancery_error(request: HttpRequest, exc: ChanceryError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, field=exc.field)


_SOURCES = ("body", "path", "query", "header", "cookie", "form", "file")
#: What the endpoints call their JSON body parameter (ninja puts it in each error's location).
_BODY_PARAMS = frozenset({"payload"})


def _where(loc: Any) -> str:
    """The field a pydantic error location points at, as the client names it: a parameter
    (``hold_id``, ``Idempotency-Key``) or a dotted path in the body (``attachments.0.filename``);
    the source and the body's parameter name are dropped, a field called "body" is kept."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        if parts[0] == "body" and len(parts) > 1 and parts[1] in _BODY_PARAMS:
            parts = parts[2:]
        else:
            parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = list(exc.errors)
    if (
        not request.body
        and request.method in ("POST", "PUT", "PATCH")
        and any(tuple(e.get("loc", ())) == ("body", "payload") for e in errors)
    ):
        return error_response(
            request, 422, "invalid_input",
            "The request body is empty; send a JSON object (see /api/v1/docs for its fields).",
        )
    problems = []
    fields = []
    for err in errors:
        where = _where(err.get("loc", ()))
        fields.append(where)
        problems.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    # The first field at fault (each one is in ``errors``, and in the detail).
    named = [f for f in fields if f]
    return error_response(
        request, 422, "invalid_input", "; ".join(problems) or "invalid request",
        field=named[0] if named else None,
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, "unauthenticated", explain_failure(request))
    response["WWW-Authenticate"] = 'Bearer realm="chancery"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BodyError):
        return error_response(request, cause.status, cause.code, str(cause), field=cause.field)
    if isinstance(cause, Exception) and exc.status_code == 400:
        # any other parse failure (ninja wraps it as "Cannot parse request body")
        return error_response(
            request, 400, "bad_request_body",
            f"The request body cannot be read as a JSON object: {cause}",
        )
    codes = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "throttled"}
    return error_response(
        request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message)
    )


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    from django.conf import settings

    if getattr(request, "auth", None) is not None:
        limit, who = settings.CHANCERY_API_RATE_USER, "for your account"
    else:
        limit, who = settings.CHANCERY_API_RATE_ANON, "from your address without credentials"
    wait = math.ceil(exc.wait) if exc.wait is not None else None
    retry = f"; retry in {wait} s (Retry-After)" if wait is not None else ""
    response = error_response(
        request, 429, "throttled",
        f"Too many requests: the limit is {describe_rate(limit)} {who}{retry}.",
    )
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request, 413, "too_large",
        f"The request body is larger than the limit of {limit:,} bytes; send fewer or smaller "
        "attachments.",
    )


from chancery.calls.api import router as calls_router  # noqa: E402
from chancery.calls.api_interpreters import router as interpreters_router  # noqa: E402
from chancery.calls.api_schedule import router as schedule_router  # noqa: E402
from chancery.correspondence.api import router as correspondence_router  # noqa: E402
from chancery.directory.api import router as directory_router  # noqa: E402
from chancery.records.api_readouts import router as readouts_router  # noqa: E402
from chancery.records.api_replies import router as replies_router  # noqa: E402
from chancery.records.api_search import router as search_router  # noqa: E402
from chancery.records.api_telcons import router as telcons_router  # noqa: E402

api.add_router("/", correspondence_router)
api.add_router("/", directory_router)
api.add_router("/", calls_router)
api.add_router("/", schedule_router)
api.add_router("/", interpreters_router)
api.add_router("/", telcons_router)
api.add_router("/", readouts_router)
api.add_router("/", replies_router)
api.add_router("/", search_router)

# Last: any other path under /api/v1/ is a JSON 404 that points to the documentation, not
# Django's HTML page (and not a redirect that would drop a POST body).
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], "/{path:rest}",
    auth=None, include_in_schema=False,
)
def no_such_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    hint = ""
    if request.path.endswith("/"):
        hint = f" (API paths have no trailing slash: try {request.path.rstrip('/')})"
    return error_response(
        request, 404, "not_found",
        f"No API endpoint {request.method} {request.path}{hint}; the endpoints are listed at "
        "/api/v1/docs and /api/v1/openapi.json.",
    )


api.add_router("/", fallback)
