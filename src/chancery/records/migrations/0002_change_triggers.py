"""Triggers that queue every change of a telcon (its versions, reviews and distribution list), a
read-out (its versions) and a reply in ``ledger_changedrow``, for the worker's comparison with
the log (``ledger/integrity.py``; ``records/checks_*.py`` map the tables to subjects).

The subjects' own INSERTs are not watched (as for messages and calls: a row inserted without its
first event is what ``chancery verify`` reports); their dependent rows are."""

from django.db import migrations

from chancery.ledger.triggers import Watch, operation

TELCON = ("records_telcon", "telcon_id")
READOUT = ("records_readout", "readout_id")


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("ledger", "0006_liveness"),
    ]

    operations = [
        operation([
            Watch("records_telcon", ops=("UPDATE", "DELETE")),
            Watch("records_telconversion", parent=TELCON),
            Watch("records_telconreview", parent=TELCON),
            Watch("records_telconrecipient", parent=TELCON),
            Watch("records_readout", ops=("UPDATE", "DELETE")),
            Watch("records_readoutversion", parent=READOUT),
            Watch("records_reply", ops=("UPDATE", "DELETE")),
        ]),
    ]
