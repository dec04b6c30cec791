"""Chancery's URLs with the baseline endpoint in front."""

from django.urls import URLPattern, URLResolver, path

from baseline_app.views import baseline
from chancery.urls import urlpatterns as chancery_urls

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/baseline", baseline, name="bench-baseline"),
    *chancery_urls,
]
