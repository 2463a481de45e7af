"""On PostgreSQL, a stored `search_vector` column, generated from the searched text, with a GIN
index, on articles, claims, clusters and verdicts (`claims.search`).

Generated columns the models do not declare: the database computes them on every insert and
update, the ORM's and the rebuild's COPY alike, so the index is always in step with the rows
(`replay_events` included) and no projector or query ever builds it. SQLite has no full-text
search: `claims.search` falls back to plain matching there, and this migration does nothing.
"""

from django.db import migrations

# Weight A for what names the thing (title, claim text), B for the rest.
VECTORS = {
    "dossiers_article": "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'B')",
    "claims_claim": "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(speaker, '') || ' ' || coalesce(cited_source, '')), 'B')",
    "claims_claimcluster": "to_tsvector('english', coalesce(canonical_text, ''))",
    "claims_verdict": "to_tsvector('english', coalesce(rationale, ''))",
}


# Ranking reads a whole vector per match: an article's, body included, is kilobytes, so
# articles are ranked by this one of their title alone.
TITLE_VECTOR = "to_tsvector('english', coalesce(title, ''))"


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search ON {table} USING gin (search_vector)")
    schema_editor.execute(
        "ALTER TABLE dossiers_article ADD COLUMN title_vector tsvector "
        f"GENERATED ALWAYS AS ({TITLE_VECTOR}) STORED"
    )


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE dossiers_article DROP COLUMN title_vector")
    for table in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_analyst_corrections_and_reviewed_snapshot"),
        ("dossiers", "0009_users_who_appear_in_the_log_are_protected"),
    ]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
