"""The event log's model moves here from the dossiers app; its table (dossiers_event) and rows
stay where they are: only Django's idea of which app owns them changes. Its content type moves
too, so the permissions granted on it (and the admin's log entries) carry over."""

from django.db import migrations, models


def move_content_type(apps, schema_editor, source="dossiers", target="eventlog"):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label=target, model="event").exists():
        content_types.objects.filter(app_label=source, model="event").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="eventlog", target="dossiers")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('dossiers', '0007_question_stance'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Event',
                    fields=[
                        ('position', models.BigAutoField(primary_key=True, serialize=False)),
                        ('stream_type', models.CharField(max_length=32)),
                        ('stream_id', models.UUIDField()),
                        ('stream_version', models.PositiveIntegerField()),
                        ('type', models.CharField(db_index=True, max_length=64)),
                        ('data', models.JSONField(default=dict)),
                        ('metadata', models.JSONField(default=dict)),
                        ('team_id', models.UUIDField(db_index=True, help_text='Owning team, for feeds.', null=True)),
                        ('recorded_at', models.DateTimeField(db_index=True)),
                    ],
                    options={
                        'db_table': 'dossiers_event',
                        'ordering': ['position'],
                        'constraints': [models.UniqueConstraint(fields=('stream_type', 'stream_id', 'stream_version'), name='unique_stream_version')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
