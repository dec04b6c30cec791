"""Search counts at most 1,000 matches (issue 11 part 7): beyond, the page and the API say
"more than 1,000", pagination stops at the cap with a hint to narrow the search; results come
newest first on both databases; documents written with ``bulk_create`` are found (PostgreSQL
computes the stored ``vector`` column itself)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.records.models import SearchDoc
from chancery.records.search import query
from chancery.records.search.normalize import terms
from chancery.testing import body_of, client_for

pytestmark = pytest.mark.django_db

START = dt.datetime(2020, 11, 1, tzinfo=dt.UTC)


def _docs(n: int, text: str, first: int = 10_000) -> None:
    SearchDoc.objects.bulk_create(
        SearchDoc(doc_type="message", subject_id=first + i, date=START + dt.timedelta(minutes=i),
                  state="delivered", country="CA", language="en", title=f"M-{first + i}",
                  text=text, terms=terms(text))
        for i in range(n)
    )


def test_more_than_the_cap(people: dict[str, User]) -> None:
    _docs(query.COUNT_CAP + 5, "Warm congratulations on the election.")
    _docs(3, "A rare telegram of congratulations.", first=50_000)
    officer = people["officer"]
    page = query.search(officer, "congratulations")
    assert (page.total, page.capped, page.pages) == (1000, True, 50)
    assert page.total_text == "more than 1,000 results"
    dates = [r.date for r in page.results]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert page.results[0].title == f"M-{10_000 + query.COUNT_CAP + 4}"
    last = query.search(officer, "congratulations", page=99)  # pagination stops at the cap
    assert (last.page, len(last.results)) == (50, 20)
    rare = query.search(officer, "telegram")
    assert (rare.total, rare.capped, rare.total_text) == (3, False, "3 results")
    assert [r.title for r in rare.results] == ["M-50002", "M-50001", "M-50000"]
    assert query.match_ids("telegram", 10) == [
        d.pk for d in SearchDoc.objects.filter(title__in=["M-50002", "M-50001", "M-50000"])
        .order_by("-date")
    ]


def test_the_page_and_the_api_say_more_than(
    people: dict[str, User], token_for: Any
) -> None:
    _docs(query.COUNT_CAP + 1, "Warm congratulations on the election.")
    html = body_of(client_for(people["officer"]).get("/records/search/", {"q": "election"}))
    assert "More than 1,000 results for" in html
    assert 'class="notice capped"' in html and "narrow the search" in html
    assert "page 1 of 50" in html
    response = Client().get("/api/v1/records/search", {"q": "election"},
                            HTTP_AUTHORIZATION=f"Bearer {token_for(people['officer'])}")
    body = json.loads(response.content)
    assert (body["total"], body["capped"], body["pages"]) == (1000, True, 50)
    few = Client().get("/api/v1/records/search", {"q": "nothingmatches"},
                       HTTP_AUTHORIZATION=f"Bearer {token_for(people['officer'])}")
    assert json.loads(few.content)["capped"] is False
