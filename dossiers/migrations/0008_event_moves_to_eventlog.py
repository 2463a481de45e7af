"""The Event model belongs to the eventlog app now (its table stays: no database change)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0007_question_stance'),
        ('eventlog', '0001_initial'),
        ('api', '0004_event_in_eventlog'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Event')],
            database_operations=[],
        ),
    ]
