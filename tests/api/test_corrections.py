"""Analysts' corrections through the API: If-Match, Idempotency-Key, team scoping, the
schema (issue 14)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from claims.models import Claim, ClaimCluster, Correction
from eventlog.models import Event
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db

CORRECTION_PATHS = {
    "/api/v1/clusters/{id}/merge/",
    "/api/v1/clusters/{id}/move-claim/",
    "/api/v1/clusters/{id}/reject-link/",
    "/api/v1/clusters/{id}/confirm-link/",
    "/api/v1/clusters/{id}/pin-wording/",
    "/api/v1/claims/{id}/correct/",
    "/api/v1/claims/{id}/not-a-claim/",
    "/api/v1/claims/{id}/restore/",
}


def cluster_of(world, words: str) -> ClaimCluster:
    return ClaimCluster.objects.filter(
        dossier=world.dossier, is_active=True, canonical_text__contains=words
    ).first()


def post(client, path: str, body: dict, version=None, **headers):
    if version is not None:
        headers["HTTP_IF_MATCH"] = f'"{version}"'
    return client.post(path, body, format="json", **headers)


def test_a_merge_needs_the_clusters_current_version_and_replays_once(world):
    client = client_for(world.analyst)
    target, source = world.cluster, cluster_of(world, "14 soldiers")  # into the verdict's
    path = f"/api/v1/clusters/{target.id}/merge/"
    body = {"sources": [str(source.id)], "reason": "same remark"}

    assert post(client, path, body).status_code == 428
    stale = post(client, path, body, target.version + 1)
    assert stale.status_code == 412
    assert error_of(stale)["details"]["current_etag"] == f'"{target.version}"'

    first = post(client, path, body, target.version, HTTP_IDEMPOTENCY_KEY="merge-1")
    assert first.status_code == 200, first.content
    assert first["ETag"] == f'"{target.version + 1}"'
    again = post(client, path, body, target.version, HTTP_IDEMPOTENCY_KEY="merge-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Event.objects.filter(type="ClustersMerged").count() == 1
    assert Claim.objects.filter(cluster=target).count() == 4
    assert first.json()["article_count"] == 3


def test_a_member_is_split_off_or_rejected_only_from_its_own_cluster(world):
    client = client_for(world.analyst)
    quote, share = cluster_of(world, "We will respond"), cluster_of(world, "40 percent")
    odd, *rest = quote.claims.order_by("id")
    not_a_member = post(
        client,
        f"/api/v1/clusters/{share.id}/reject-link/",
        {"claim": str(odd.id), "others": [str(rest[0].id)]},
        share.version,
    )
    assert not_a_member.status_code == 400
    assert "not a member" in str(error_of(not_a_member)["details"])

    rejected = post(
        client,
        f"/api/v1/clusters/{quote.id}/reject-link/",
        {"claim": str(odd.id), "others": [str(c.id) for c in rest]},
        quote.version,
    )
    assert rejected.status_code == 200, rejected.content
    odd.refresh_from_db()
    assert odd.cluster_id != quote.id
    assert Correction.objects.get().kind == "reject_link"

    share_claim = share.claims.order_by("id").first()
    split = post(
        client,
        f"/api/v1/clusters/{share.id}/move-claim/",
        {"claim": str(share_claim.id), "to_cluster": None},
        share.version,
    )
    assert split.status_code == 200, split.content
    share_claim.refresh_from_db()
    assert share_claim.cluster.claims.count() == 1


def test_pinning_and_confirming_through_the_api(world):
    client = client_for(world.analyst)
    share = cluster_of(world, "40 percent")
    pinned = post(
        client, f"/api/v1/clusters/{share.id}/pin-wording/", {"text": "Forty"}, share.version
    )
    assert pinned.status_code == 200 and pinned.json()["canonical_text"] == "Forty"
    assert pinned.json()["wording_pinned"] is True
    feed = client_for(world.viewer).get("/api/v1/events/", {"types": "ClusterWordingPinned"})
    (event,) = feed.json()["results"]
    assert event["data"]["text"] == "Forty" and event["metadata"]["actor_id"] == world.analyst.pk
    fourteen = cluster_of(world, "14 soldiers").claims.get()
    member = share.claims.order_by("id").first()
    confirmed = post(
        client,
        f"/api/v1/clusters/{share.id}/confirm-link/",
        {"claim": str(member.id), "other": str(fourteen.id)},
        pinned.json()["version"],
    )
    assert confirmed.status_code == 200, confirmed.content
    member.refresh_from_db()
    assert member.cluster_id == fourteen.cluster_id


def test_a_claims_etag_is_its_articles_version_and_corrections_name_it(world):
    client = client_for(world.analyst)
    claim = cluster_of(world, "40 percent").claims.order_by("id").first()
    read = client.get(f"/api/v1/claims/{claim.id}/")
    assert read["ETag"] == f'"{claim.article.version}"'
    path = f"/api/v1/claims/{claim.id}/correct/"
    assert post(client, path, {"field": "speaker", "value": "SOHR"}).status_code == 428
    corrected = post(client, path, {"field": "speaker", "value": "SOHR"}, read["ETag"].strip('"'))
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["speaker"] == "SOHR"
    assert corrected.json()["corrected_fields"] == ["speaker"]
    bad_kind = post(
        client, path, {"field": "kind", "value": "gossip"}, corrected["ETag"].strip('"')
    )
    assert bad_kind.status_code == 400

    marked = post(
        client, f"/api/v1/claims/{claim.id}/not-a-claim/", {}, corrected["ETag"].strip('"')
    )
    assert marked.status_code == 200 and marked.json()["not_a_claim"] is True
    assert marked.json()["cluster"] is None
    restored = post(client, f"/api/v1/claims/{claim.id}/restore/", {}, marked["ETag"].strip('"'))
    assert restored.status_code == 200 and restored.json()["not_a_claim"] is False


def test_viewers_may_not_correct_and_other_teams_see_nothing(world, other_world):
    share = cluster_of(world, "40 percent")
    viewer = post(
        client_for(world.viewer),
        f"/api/v1/clusters/{share.id}/pin-wording/",
        {"text": "x"},
        share.version,
    )
    assert viewer.status_code == 403
    outsider = client_for(other_world.analyst)
    assert (
        post(
            outsider, f"/api/v1/clusters/{share.id}/pin-wording/", {"text": "x"}, share.version
        ).status_code
        == 404
    )
    theirs = cluster_of(other_world, "40 percent")
    foreign_source = post(
        outsider,
        f"/api/v1/clusters/{theirs.id}/merge/",
        {"sources": [str(share.id)]},
        theirs.version,
    )
    assert foreign_source.status_code == 400
    assert not Correction.objects.exists()


def test_every_correction_is_in_the_schema_with_if_match():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in CORRECTION_PATHS:
        operation = schema["paths"][path]["post"]
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "If-Match" in names, path
        assert "requestBody" in operation, path


def test_a_verdict_shows_how_its_cluster_changed_since_submission(world):
    from claims.commands import submit_verdict

    verdict = submit_verdict(
        verdict=world.verdict, actor=world.analyst, expected_version=world.verdict.version
    )
    client = client_for(world.viewer)
    path = f"/api/v1/verdicts/{verdict.id}/reviewed-changes/"
    before = client.get(path).json()
    assert before["changes"] == [] and before["reviewed"]["claim_text"]
    cluster = ClaimCluster.objects.get(id=verdict.cluster_id)
    post(
        client_for(world.analyst),
        f"/api/v1/clusters/{cluster.id}/pin-wording/",
        {"text": "Reworded"},
        cluster.version,
    )
    after = client.get(path).json()
    assert after["changes"] == [f"wording: “{before['reviewed']['claim_text']}” → “Reworded”"]
    assert after["reviewed"] == before["reviewed"]
