"""Triggers that queue every change of a principal's blocked time in ``ledger_changedrow``
(``calls/checks.py``: subject ``blocked_time``). INSERT is watched too: a blocked period inserted
behind the application's back changes every solve, and ``chancery verify`` reports it."""

from django.db import migrations

from chancery.ledger.triggers import Watch, operation


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0002_change_triggers"),
    ]

    operations = [
        operation([Watch("calls_blockedtime")]),
    ]
