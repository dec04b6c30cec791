"""The API of search: ``GET /records/search``, a thin wrapper over ``records.search.query``
(the same parameters as the page; results only from what the caller may read; 422 for a bad
date, type or state)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from chancery.errors import InvalidInput
from chancery.records.search.query import STATES, TYPES, search
from chancery.schemas import ErrorOut

router = Router(tags=["records"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                          422: ErrorOut, 429: ErrorOut}


class SearchResultOut(Schema):
    type: str
    id: int
    title: str
    date: dt.datetime
    state: str
    country: str
    language: str
    snippet: str
    url: str


class SearchPageOut(Schema):
    q: str
    total: int
    capped: bool = Field(description=(
        "True when more than `total` (1,000) records match: only the newest 1,000 are counted "
        "and can be paged through; narrow the search to see the rest"))
    page: int
    pages: int
    per_page: int
    results: list[SearchResultOut]


PARAMS = {"types": "type", "states": "state"}
"""The search service's arguments whose query parameter has another name."""

TYPE_PARAM = Query(None, description=f"Any of {', '.join(TYPES)} (repeat the parameter)")
STATE_PARAM = Query(None, description=f"Any of {', '.join(STATES)} (repeat the parameter)")


@router.get("/records/search", response={200: SearchPageOut, **ERRORS},
            summary="Search the records you may read")
def search_records(
    request: HttpRequest,
    q: str = Query(..., max_length=500, description="Words in any script; all must match"),
    principal: str | None = Query(None, max_length=100, description="Principal slug"),
    country: str | None = Query(
        None, max_length=16, description="ISO 3166 alpha-2, or an organisation's slug"
    ),
    date_from: str | None = Query(None, max_length=10, description="YYYY-MM-DD, inclusive"),
    date_to: str | None = Query(None, max_length=10, description="YYYY-MM-DD, inclusive"),
    type: list[str] | None = TYPE_PARAM,  # noqa: A002 (the parameter's public name)
    state: list[str] | None = STATE_PARAM,
    page: int = Query(1, ge=1, le=10**6),
    per_page: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    """Full-text search over messages, translations, telcons, read-out versions and replies,
    each type scoped by its own access rule; newest first. At most 1,000 results are counted
    (``capped`` beyond). The ``snippet`` is HTML
    (escaped text with ``<mark>`` around the matches)."""
    try:
        result = search(
            request.user, q, principal=principal, country=country, date_from=date_from,
            date_to=date_to, types=type, states=state, page=page, per_page=per_page, via="api",
        )
    except InvalidInput as exc:
        if exc.field in PARAMS:  # the service's argument, named as the caller wrote it
            raise InvalidInput(exc.message, field=PARAMS[exc.field]) from None
        raise
    return {
        "q": result.q, "total": result.total, "capped": result.capped, "page": result.page,
        "pages": result.pages,
        "per_page": result.per_page,
        "results": [
            {"type": r.doc_type, "id": r.subject_id, "title": r.title, "date": r.date,
             "state": r.state, "country": r.country, "language": r.language,
             "snippet": str(r.snippet), "url": r.url}
            for r in result.results
        ],
    }
