"""The records home page (``/records/``): what is owed a record and where records stand, with
the search box. Thin: the figures come from ``records.services.overview``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chancery.accounts.roles import INTERNAL_ROLES, require_role
from chancery.pages import web_view
from chancery.records.services.overview import overview


@web_view
@require_GET
def records_home(request: HttpRequest) -> HttpResponseBase:
    require_role(request.user, *INTERNAL_ROLES, action="see the records")
    return render(request, "records/home.html", {
        "o": overview(request.user), "nav_active": "records",
    })
