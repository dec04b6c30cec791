"""The search page (/records/search/) and API (GET /api/v1/records/search): the same search,
scoped to the caller, with highlighted snippets of the original text (dir="auto"), links to each
record's page, htmx swapping the results, 422 for a bad filter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from chancery.correspondence import services as messages
from chancery.correspondence.models import Message
from chancery.demo.world import MESSAGES
from chancery.ledger.models import Read
from chancery.testing import body_of, client_for
from tests.records.conftest import index_now

pytestmark = pytest.mark.django_db

ARABIC = next(m for m in MESSAGES if m["language"] == "ar")


@pytest.fixture
def arabic(submit: Any, people: dict[str, User]) -> Message:
    m = submit(body=ARABIC["body"], subject=ARABIC["subject"], language="ar")
    messages.deliver(m, by=people["officer"])
    index_now()
    return m


def test_the_page_shows_highlighted_results(arabic: Message, people: dict[str, User]) -> None:
    response = client_for(people["staffer"]).get("/records/search/", {"q": "التهنئة"})
    html = body_of(response)
    assert response.status_code == 200
    assert "1 result for" in html
    assert '<p class="snippet" dir="auto" lang="ar">' in html
    assert "<mark>التهنئة</mark>" in html
    assert f'href="/messages/{arabic.tracking}/"' in html
    assert Read.objects.filter(subject_id=arabic.pk, via="web", part="snippet").exists()


def test_the_page_is_scoped_bookmarkable_and_swapped_by_htmx(
    arabic: Message, people: dict[str, User]
) -> None:
    html = body_of(client_for(people["staffer_vp"]).get("/records/search/?q=التهنئة"))
    assert "0 results" in html and "<mark>" not in html
    c = client_for(people["officer"])
    html = body_of(c.get("/records/search/?q=التهنئة&type=message&state=delivered&country=CA"))
    assert "1 result" in html and 'value="message" checked' in html
    partial = c.get("/records/search/?q=التهنئة", HTTP_HX_REQUEST="true")
    text = body_of(partial)
    assert text.startswith('<section id="search-results"') and "<mark>التهنئة</mark>" in text
    empty = body_of(c.get("/records/search/"))
    assert 'id="search-form"' in empty and "result for" not in empty


def test_a_bad_filter_is_422_beside_the_form(arabic: Message, people: dict[str, User]) -> None:
    response = client_for(people["officer"]).get(
        "/records/search/", {"q": "التهنئة", "date_from": "2020-02-30"}
    )
    assert response.status_code == 422
    assert "YYYY-MM-DD" in body_of(response) and 'id="search-form"' in body_of(response)
    assert not Read.objects.exists()


def test_the_page_needs_a_login() -> None:
    response = Client().get("/records/search/?q=x")
    assert response.status_code == 302 and "login" in response["Location"]


def test_pages_of_results(submit: Any, people: dict[str, User]) -> None:
    for i in range(23):
        submit(body=f"Glückwünsche Nummer {i}.", language="de")
    index_now()
    c = client_for(people["officer"])
    html = body_of(c.get("/records/search/?q=gl%C3%BCckw%C3%BCnsche&page=2"))
    assert "page 2 of 2" in html and html.count('class="search-result"') == 3
    assert 'rel="prev"' in html and "page=1" in html


def api(client: Client, token: str, **params: Any) -> Any:
    return client.get("/api/v1/records/search", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api(arabic: Message, people: dict[str, User], token_for: Any) -> None:
    c = Client()
    response = api(c, token_for(people["staffer"]), q="التهنئة", type="message")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert (body["total"], body["page"], body["pages"]) == (1, 1, 1)
    (r,) = body["results"]
    assert (r["type"], r["id"], r["country"], r["state"]) == ("message", arabic.pk, "CA",
                                                               "delivered")
    assert "<mark>التهنئة</mark>" in r["snippet"] and r["url"] == f"/messages/{arabic.tracking}/"
    assert Read.objects.filter(subject_id=arabic.pk, via="api", part="snippet").exists()
    # Another principal's office, another country's liaison: nothing.
    for who in ("staffer_vp", "liaison_fr"):
        body = json.loads(api(c, token_for(people[who]), q="التهنئة").content)
        assert body["total"] == 0 and body["results"] == [], who


@pytest.mark.parametrize(
    "params",
    [{"date_from": "11/09/2020"}, {"type": "memo"}, {"state": "lost"}, {"per_page": 0},
     {"date_from": "2020-11-10", "date_to": "2020-11-01"}],
)
def test_the_api_refuses_bad_filters(
    arabic: Message, people: dict[str, User], token_for: Any, params: dict[str, Any]
) -> None:
    response = api(Client(), token_for(people["officer"]), q="التهنئة", **params)
    assert response.status_code == 422, response.content
    assert not Read.objects.exists()


def test_the_api_needs_a_token() -> None:
    assert Client().get("/api/v1/records/search?q=x").status_code == 401
