"""Every read is an event of the log (``ledger/reads.py``): the triggers that queue each UPDATE
and DELETE of a read row in ``ledger_changedrow`` for the worker's integrity step (INSERT is not
watched: the application inserts a row per read; ``chancery verify`` finds a row inserted
without its event), and, when the database already holds reads recorded before they were
logged, one ``read.baseline`` event naming the last such id, so that verify does not take
them for rows written behind the application.

The baseline is recorded with the ledger's own ``record_event`` (the current models): it runs
only on a database that has reads and no baseline yet."""

from django.db import migrations

from chancery.ledger.triggers import Watch, operation


def baseline(apps, schema_editor):  # type: ignore[no-untyped-def]
    Read = apps.get_model("ledger", "Read")
    Event = apps.get_model("ledger", "Event")
    if Event.objects.filter(subject_type="read").exists():
        return
    last = Read.objects.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        return
    from django.db import transaction

    from chancery.ledger.services import record_event

    with transaction.atomic():
        record_event(
            "read", 0, "read.baseline", data={"upto": last, "count": Read.objects.count()}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_liveness"),
    ]

    operations = [
        operation([Watch("ledger_read", ops=("UPDATE", "DELETE"))]),
        migrations.RunPython(baseline, migrations.RunPython.noop),
    ]
