"""The pages of records, one URL module per part (each owned by its part of the app)."""

from django.urls import include, path

from chancery.records import views_home

urlpatterns = [
    path("records/", views_home.records_home, name="records_home"),
    path("", include("chancery.records.urls_search")),
    path("", include("chancery.records.urls_telcons")),
    path("", include("chancery.records.urls_readouts")),
    path("", include("chancery.records.urls_replies")),
]
