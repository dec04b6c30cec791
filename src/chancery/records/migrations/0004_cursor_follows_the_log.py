"""The search indexer follows the log's indexes (``Event.seq``), not event ids: it starts
again from the beginning of the log (``rebuild`` or the next passes re-index everything)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_search_index"),
    ]

    operations = [
        migrations.RemoveField(model_name="searchcursor", name="last_event_id"),
        migrations.AddField(
            model_name="searchcursor", name="last_seq", field=models.BigIntegerField(default=-1),
        ),
    ]
