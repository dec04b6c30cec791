from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from chancery.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("log/", include("chancery.ledger.urls")),
    path("", include("chancery.web.urls")),
]

if settings.CHANCERY_BENCH_ENDPOINTS:
    # The baseline bench/intake.py compares the intake path with (off unless asked for).
    from chancery.benchmark.views import baseline

    urlpatterns.insert(0, path("bench/baseline", baseline, name="bench-baseline"))
