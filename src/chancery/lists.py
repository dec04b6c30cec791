"""One list component for every app's lists: sort by column, filter, page.

Built on django-tables2 (columns, sorting by ``?sort=``, paging by ``?page=``) and django-filter
(``FilterSet`` over the query string); the shell's templates draw them (``web/_list.html``: the
table region, ``web/_table.html``: the table and its pager). An app's page does::

    context = list_context(request, MessageTable, MessageFilter(request.GET, queryset=qs))
    return render_list(request, "correspondence/message_list.html", context)

and its template includes ``{% include "web/_list.html" %}`` where the table goes. Sorting and
paging links are htmx-boosted inside the table region: they fetch the same URL and swap only the
region (the view answers an htmx request aimed at the region with the region alone) and push the
URL, so the back button and a reload keep the sort and the page; without JavaScript they are plain
links. The filter form is a plain GET form of the page.

A new domain's list (calls, records) is a ``Table`` subclass and, if it filters, a
``django_filters.FilterSet``; nothing else.
"""

from __future__ import annotations

from typing import Any

import django_filters
import django_tables2 as tables
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig
from django_tables2.utils import OrderByTuple

from chancery.pages import is_htmx

PER_PAGE = 50


class Table(tables.Table):
    """The base of every list's table: the site's table style, the shared template, a row's
    ``class`` and attributes from ``row_class(record)`` and ``row_data(record)``."""

    list_id = "list"
    """The id of the swapped region (one list per page; set another for a second list)."""

    class Meta:
        template_name = "web/_table.html"
        attrs = {"class": "data"}
        empty_text = "Nothing matches."

    def row_class(self, record: Any) -> str:
        return ""

    def row_data(self, record: Any) -> dict[str, str]:
        """``data-*`` attributes of the row (without the prefix)."""
        return {}


def list_context(
    request: HttpRequest,
    table_class: type[Table],
    data: Any,
    *,
    filterset: django_filters.FilterSet | None = None,
    per_page: int = PER_PAGE,
    **table_kwargs: Any,
) -> dict[str, Any]:
    """The table (filtered by ``filterset`` if given, else over ``data``), sorted and paged from
    the query string, for ``web/_list.html``. A filter value that is not valid (a stale
    bookmark) is ignored, as django-filter does, and the rest still apply."""
    rows = filterset.qs if filterset is not None else data
    table = table_class(rows, request=request, **table_kwargs)
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    if table.prefixed_order_by_field not in request.GET and len(table.order_by or ()) > 1:
        # Ordered by the queryset's own ordering ("-received_at", "-id"): several columns match
        # it, but the page shows one sort, the first. (The rows keep the queryset's order:
        # this sets what is drawn, not the data's ordering.)
        table._order_by = OrderByTuple(table.order_by[:1])
    return {"table": table, "filter": filterset, "list_id": table.list_id}


def wants_region(request: HttpRequest, list_id: str) -> bool:
    """An htmx request (sort, page) for the list region alone."""
    return is_htmx(request) and getattr(request.htmx, "target", None) == list_id  # type: ignore[attr-defined]


def render_list(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or the list region alone for the htmx request that asked for it."""
    if wants_region(request, context["list_id"]):
        return render(request, "web/_list.html", context, status=status)
    return render(request, template, context, status=status)
