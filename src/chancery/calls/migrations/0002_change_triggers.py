"""Triggers that queue every change of a call request, its contact attempts, an interpreter and
a principal's call settings in ``ledger_changedrow``, for the worker's comparison with the log
(``ledger/integrity.py``; ``calls/checks.py`` maps the tables to subjects).

A call request's INSERT is not watched (intake's path, as for messages: a request inserted
without its ``call.requested`` event is what ``chancery verify`` reports)."""

from django.db import migrations

from chancery.ledger.triggers import Watch, operation

CALL = ("calls_callrequest", "call_id")


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0001_initial"),
        ("ledger", "0006_liveness"),
    ]

    operations = [
        operation([
            Watch("calls_callrequest", ops=("UPDATE", "DELETE")),
            Watch("calls_contactattempt", parent=CALL),
            Watch("calls_interpreter", ops=("UPDATE", "DELETE")),
            Watch("calls_callsettings", ops=("UPDATE", "DELETE")),
        ]),
    ]
