"""Office.monarch (the monarch-first option of precedence). On SQLite adding the column rebuilds
``directory_office``, which drops its change triggers: they are created again here."""

from django.db import migrations, models

from chancery.ledger.triggers import Watch, recreate


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0002_change_triggers'),
    ]

    operations = [
        migrations.AddField(
            model_name='office',
            name='monarch',
            field=models.BooleanField(default=False, help_text='A hereditary head of state (precedence: monarch-first option)'),
        ),
        recreate([Watch("directory_office")]),
    ]
