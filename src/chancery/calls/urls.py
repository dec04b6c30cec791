"""The pages of calls, one URL module per part (each owned by its part of the app)."""

from django.urls import include, path

urlpatterns = [
    path("", include("chancery.calls.urls_requests")),
    path("", include("chancery.calls.urls_staff")),
    path("", include("chancery.calls.urls_interpreters")),
    path("", include("chancery.calls.urls_package")),
]
