from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from chancery.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("log/", include("chancery.ledger.urls")),
    path("", include("chancery.web.urls")),
]
