"""The search page: a GET form (bookmarkable: every filter is in the address), the results with
highlighted snippets of the original text and links to each record's page; htmx swaps the
results in place (without JavaScript the form reloads the page). Thin: ``records.search.query``
scopes the results to what the user may read and cleans the filters (a bad date, type or state
is a 422 shown beside the form, nothing else)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chancery.directory.access import principals
from chancery.errors import ChanceryError
from chancery.pages import is_htmx, signed_in
from chancery.records.models import SearchDoc
from chancery.records.search.query import STATES, search

PARAMS = ("q", "principal", "country", "date_from", "date_to")


def _page_url(request: HttpRequest, page: int) -> str:
    pairs = [
        (key, value) for key, values in request.GET.lists() for value in values
        if key != "page" and value
    ]
    return "?" + urlencode([*pairs, ("page", str(page))])


def _page(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@signed_in
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form = {k: request.GET.get(k, "").strip() for k in PARAMS}
    types = request.GET.getlist("type")
    states = request.GET.getlist("state")
    context: dict[str, Any] = {
        "form": form, "types": types, "states": states,
        "type_choices": SearchDoc.Type.choices, "state_choices": STATES,
        "principals": principals(), "result": None, "error": None,
    }
    status = 200
    if form["q"]:
        try:
            result = search(
                request.user, form["q"], principal=form["principal"] or None,
                country=form["country"] or None, date_from=form["date_from"] or None,
                date_to=form["date_to"] or None, types=types, states=states,
                page=_page(request.GET.get("page")), per_page=20, via="web",
            )
        except ChanceryError as exc:
            context["error"], status = exc, exc.status
        else:
            context["result"] = result
            context["page_links"] = [(n, _page_url(request, n)) for n in result.page_numbers]
            if result.has_previous:
                context["previous_url"] = _page_url(request, result.page - 1)
            if result.has_next:
                context["next_url"] = _page_url(request, result.page + 1)
    template = "records/search_results.html" if is_htmx(request) else "records/search.html"
    return render(request, template, context, status=status)
