"""Contradictions and link evidence through the API: per dossier, per cluster, per team."""

import pytest

from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.id}/contradictions/"


def test_the_dossier_lists_its_contradictions_with_both_claims(world):
    response = client_for(world.viewer).get(url(world.dossier))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) >= 1
    # The stand-in extractor stores figures, not dates: event 1's 13 soldiers and event 2's 14.
    item = next(i for i in body["results"] if i["kind"] == "numbers")
    assert item["reason"] in {"different figures: 13 vs 14", "different figures: 14 vs 13"}
    texts = " | ".join((item["claim"]["text"], item["other"]["text"]))
    assert "13 soldiers" in texts and "14 soldiers" in texts
    assert item["claim"]["cluster"] != item["other"]["cluster"]
    assert {item["claim"]["article"], item["other"]["article"]} <= {
        str(a.id) for a in world.articles
    }


def test_another_team_cannot_read_the_contradictions(world, other_world):
    response = client_for(other_world.analyst).get(url(world.dossier))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_cluster_shows_why_its_claims_are_linked_and_what_contradicts_them(world):
    client = client_for(world.viewer)
    clusters = client.get("/api/v1/clusters/", {"dossier": world.dossier.id}).json()["results"]
    shared = [c for c in clusters if c["article_count"] >= 2]
    assert shared
    for cluster in shared:
        claim_ids = {
            c["id"]
            for c in client.get("/api/v1/claims/", {"cluster": cluster["id"]}).json()["results"]
        }
        assert set(cluster["member_links"]) == claim_ids
        for link in cluster["member_links"].values():
            assert link["partner"] in claim_ids
    contradicted = [c for c in clusters if c["contradictions"]]
    assert contradicted
    assert contradicted[0]["contradicting_article_count"] >= 1
