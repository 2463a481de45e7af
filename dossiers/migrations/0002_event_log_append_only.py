"""The event log's append-only trigger: now made by the eventlog app (its migration 0002).

Kept, empty, because the dossiers migrations after it name it as their parent.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = []
