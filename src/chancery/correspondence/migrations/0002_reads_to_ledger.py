"""The access audit moves to the ledger: every ContentRead becomes a ledger Read of subject type
"message" (same user, time, via, part), then ContentRead goes. Reversible."""

from django.db import migrations

BATCH = 2000


def to_ledger(apps, schema_editor):
    ContentRead = apps.get_model("correspondence", "ContentRead")
    Read = apps.get_model("ledger", "Read")
    batch = []
    for r in ContentRead.objects.order_by("id").iterator(chunk_size=BATCH):
        batch.append(Read(
            subject_type="message", subject_id=r.message_id, user_id=r.user_id, at=r.at,
            via=r.via, part=r.part,
        ))
        if len(batch) >= BATCH:
            Read.objects.bulk_create(batch)
            batch = []
    Read.objects.bulk_create(batch)


def back_from_ledger(apps, schema_editor):
    ContentRead = apps.get_model("correspondence", "ContentRead")
    Read = apps.get_model("ledger", "Read")
    batch = []
    for r in Read.objects.filter(subject_type="message").order_by("id").iterator(chunk_size=BATCH):
        batch.append(ContentRead(
            message_id=r.subject_id, user_id=r.user_id, at=r.at, via=r.via, part=r.part,
        ))
        if len(batch) >= BATCH:
            ContentRead.objects.bulk_create(batch)
            batch = []
    ContentRead.objects.bulk_create(batch)
    Read.objects.filter(subject_type="message").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("correspondence", "0001_initial"),
        ("ledger", "0005_read"),
    ]

    operations = [
        migrations.RunPython(to_ledger, back_from_ledger),
        migrations.DeleteModel(name="ContentRead"),
    ]
