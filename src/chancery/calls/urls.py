"""The pages of calls, one URL module per part (each owned by its part of the app)."""

from django.urls import include, path

urlpatterns = [
    # Literal prefixes first (/calls/interpreters/, /calls/my-assignments/, /calls/feeds/):
    # the staff pages' /calls/<tracking>/ would take them otherwise.
    path("", include("chancery.calls.urls_interpreters")),
    path("", include("chancery.calls.urls_requests")),
    path("", include("chancery.calls.urls_package")),
    path("", include("chancery.calls.urls_staff")),
]
