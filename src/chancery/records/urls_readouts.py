"""The pages of read-outs: the staff's under ``records/readouts/``, the public's (no login)
under ``readouts/``."""

from django.urls import path

from chancery.records import feeds
from chancery.records import views_readouts as views

urlpatterns = [
    path("records/readouts/", views.readout_list, name="readout_list"),
    path("records/readouts/new/<str:call_tracking>/", views.readout_new, name="readout_new"),
    path("records/readouts/<str:tracking>/", views.readout_detail, name="readout_detail"),
    path("records/readouts/<str:tracking>/<str:action>/", views.readout_action,
         name="readout_action"),
    path("readouts/", views.public_list, name="readout_public_list"),
    path("readouts/feed.atom", feeds.readouts_feed, name="readout_feed"),
    path("readouts/index.json", views.public_index_json, name="readout_public_index"),
    path("readouts/<slug:slug>.json", views.public_json, name="readout_public_json"),
    path("readouts/<slug:slug>/", views.public_readout, name="readout_public"),
]
