"""The page of search (``records/views_search.py``)."""

from django.urls import path

from chancery.records import views_search

urlpatterns = [
    path("records/search/", views_search.search_page, name="records_search"),
]
