from django.urls import URLPattern, path, re_path

from chancery.ledger import views, witness

app_name = "log"

urlpatterns: list[URLPattern] = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("timestamp-key", views.timestamp_key, name="timestamp-key"),
    re_path(r"^(?P<path>tile/.+)$", views.tile, name="tile"),
    # C2SP tlog-witness: we witness the logs of CHANCERY_WITNESS_LOGS (ledger/witness.py).
    path("witness/add-checkpoint", witness.add_checkpoint, name="witness-add-checkpoint"),
    path("witness/key", witness.witness_key, name="witness-key"),
]
