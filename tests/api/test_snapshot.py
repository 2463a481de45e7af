"""The dossier snapshot (`GET /dossiers/{id}/snapshot/?as_of=`) is streamed: rows are read a
chunk at a time as the answer is written, never the whole dossier at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims import selectors
from claims.selectors import dossier_as_of
from tests.api.conftest import analyse, client_for, error_of, streamed
from tests.factories import article_text

pytestmark = pytest.mark.django_db


def snapshot_url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.id}/snapshot/"


def ids(rows) -> list[str]:
    return [str(row.id) for row in rows]


def test_the_snapshot_is_the_dossier_as_it_stood_then(world):
    moment = timezone.now()
    analyse(world.dossier, [article_text(30)], world.analyst)
    document = streamed(
        client_for(world.viewer).get(snapshot_url(world.dossier), {"as_of": moment})
    )

    then = dossier_as_of(world.dossier, moment)
    assert document["dossier"]["id"] == str(world.dossier.id)
    assert [a["id"] for a in document["articles"]] == ids(then.articles)
    assert [c["id"] for c in document["claims"]] == ids(then.claims)
    assert [v["id"] for v in document["verdicts"]] == ids(then.verdicts) == [str(world.verdict.id)]
    clusters = {c["id"]: c for c in document["clusters"]}
    assert list(clusters) == [str(entry.cluster.id) for entry in then.clusters]
    for entry in then.clusters:
        assert clusters[str(entry.cluster.id)]["claims"] == ids(entry.claims)
    assert clusters[str(world.cluster.id)]["verdict"] == str(world.verdict.id)
    assert len(document["articles"]) == len(world.articles)


def test_a_snapshot_before_the_dossier_existed_is_404_and_as_of_is_required(world):
    client = client_for(world.viewer)
    before = world.dossier.created_at - timedelta(days=1)
    missing = client.get(snapshot_url(world.dossier), {"as_of": before.isoformat()})
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    required = client.get(snapshot_url(world.dossier))
    assert required.status_code == 400 and "as_of" in error_of(required)["details"]["fields"]


def test_the_snapshot_reads_its_rows_a_chunk_at_a_time_as_it_is_written(world, monkeypatch):
    """Answering reads no claim yet; writing it reads the members and the evidence of one
    chunk of clusters and verdicts at a time; the document is the same whatever the chunk."""
    client = client_for(world.viewer)
    when = {"as_of": timezone.now().isoformat()}
    whole = streamed(client.get(snapshot_url(world.dossier), when))

    monkeypatch.setattr(selectors, "SNAPSHOT_CHUNK", 1)
    with CaptureQueriesContext(connection) as answering:
        response = client.get(snapshot_url(world.dossier), when)
    assert not [q for q in answering if "historicalclaim" in q["sql"]]
    with CaptureQueriesContext(connection) as writing:
        assert streamed(response) == whole

    def reads(table: str, column: str) -> int:
        return sum(f'"{table}"' in q["sql"] and f'"{column}" IN' in q["sql"] for q in writing)

    assert reads("claims_historicalclaim", "cluster_id") == len(whole["clusters"]) > 1
    assert reads("claims_historicalverdictevidence", "verdict_id") == len(whole["verdicts"])
