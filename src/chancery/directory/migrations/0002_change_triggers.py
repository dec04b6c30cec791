"""Triggers that queue every change of a principal, a status change or an office in
``ledger_changedrow``, for the worker's comparison with the log (``ledger/integrity.py``).

A principal's INSERT is not watched (a new principal has no event to disagree with); a status
change queues its principal too, so a deleted one still gets the principal checked."""

from django.db import migrations

from chancery.ledger.triggers import Watch, operation


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("ledger", "0006_liveness"),
    ]

    operations = [
        operation([
            Watch("directory_principal", ops=("UPDATE", "DELETE")),
            Watch("directory_statuschange", parent=("directory_principal", "principal_id")),
            Watch("directory_office"),
        ]),
    ]
