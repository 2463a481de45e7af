"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the event log.

TRUNCATE is left alone: it is an operator's tool (and the test runner's), not a write path.
The trigger was first made by the dossiers app's migration 0002, when the log lived there: on
a database that ran it, this one replaces the function and the trigger with the same ones.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION claimdesk_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on dossiers_event is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS dossiers_event_append_only ON dossiers_event;
CREATE TRIGGER dossiers_event_append_only
    BEFORE UPDATE OR DELETE ON dossiers_event
    FOR EACH ROW EXECUTE FUNCTION claimdesk_refuse_event_change();
"""

DROP = """
DROP TRIGGER IF EXISTS dossiers_event_append_only ON dossiers_event;
DROP FUNCTION IF EXISTS claimdesk_refuse_event_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: keep RAISE's %


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
