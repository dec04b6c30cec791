from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from chancery.api import api
from chancery.web import health

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", health.healthz, name="healthz"),  # also answered by HealthMiddleware
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("log/", include("chancery.ledger.urls")),
    path("", include("chancery.web.urls")),
]
