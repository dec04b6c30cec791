"""The pages of search (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
