"""Triggers that queue every change of a message, hold, translation or attachment in
``ledger_changedrow``, for the worker's comparison with the log (``ledger/integrity.py``).

A message's INSERT is not watched: it is intake's hot path, and a message inserted without its
``message.received`` event is what ``chancery verify`` reports. Its holds, translations and
attachments queue the message too, so a deleted one still gets the message checked."""

from django.db import migrations

from chancery.ledger.triggers import Watch, operation

MESSAGE = ("correspondence_message", "message_id")


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0002_reads_to_ledger"),
        ("ledger", "0006_liveness"),
    ]

    operations = [
        operation([
            Watch("correspondence_message", ops=("UPDATE", "DELETE")),
            Watch("correspondence_hold", parent=MESSAGE),
            Watch("correspondence_translation", parent=MESSAGE),
            Watch("correspondence_attachment", ops=("UPDATE", "DELETE"), parent=MESSAGE),
        ]),
    ]
