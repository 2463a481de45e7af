"""A delivery's event is the eventlog app's Event now (the same table: no database change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0003_idempotency_on_every_post'),
        ('eventlog', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='webhookdelivery',
                    name='event',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='eventlog.event'),
                ),
            ],
            database_operations=[],
        ),
    ]
