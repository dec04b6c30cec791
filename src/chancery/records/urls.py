"""The pages of records, one URL module per part (each owned by its part of the app)."""

from django.urls import include, path

urlpatterns = [
    path("", include("chancery.records.urls_search")),
    path("", include("chancery.records.urls_telcons")),
    path("", include("chancery.records.urls_readouts")),
    path("", include("chancery.records.urls_replies")),
]
