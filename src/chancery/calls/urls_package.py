"""Placeholder until its part lands."""

urlpatterns: list = []
