"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from chancery.accounts.auth import BearerToken
from chancery.errors import ChanceryError

api = NinjaAPI(
    title="Chancery API",
    version="1",
    description=(
        "Foreign correspondence to a principal, from intake to acknowledged delivery, with no "
        "silent withholding. Authenticate with `Authorization: Bearer <token>` "
        "(`chancery token create USERNAME`)."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ChanceryError)
def chancery_error(request: HttpRequest, exc: ChanceryError) -> HttpResponse:
    payload = {"error": exc.code, "detail": exc.message}
    if exc.field:
        payload["field"] = exc.field
    return api.create_response(request, payload, status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload"))
        problems.append(f"{loc or 'body'}: {err.get('msg', 'invalid')}")
    return api.create_response(
        request,
        {"error": "invalid_input", "detail": "; ".join(problems) or "invalid request", "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "error": "unauthenticated",
            "detail": "Send 'Authorization: Bearer <token>' with a valid token "
            "(chancery token create USERNAME), or log in.",
        },
        status=401,
    )


from chancery.correspondence.api import router as correspondence_router  # noqa: E402
from chancery.directory.api import router as directory_router  # noqa: E402

api.add_router("/", correspondence_router)
api.add_router("/", directory_router)
