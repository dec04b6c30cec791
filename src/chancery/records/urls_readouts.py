"""The pages of readouts (being written)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
