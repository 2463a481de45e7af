"""Already reviewed (issue 17): a claim in a new dossier that restates the claim of a verdict
the team approved or published elsewhere shows the match, as an event; the verdict can be
reused through the normal review workflow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from claims.commands import (
    approve_verdict,
    draft_verdict,
    publish_verdict,
    reuse_verdict,
    submit_verdict,
)
from claims.events import ClaimEventType
from claims.models import Claim, ClaimCluster, Verdict
from claims.reviewed import match_reviewed_claims
from claims.selectors import dossier_events
from dossiers.models import Role
from eventlog.context import SYSTEM
from eventlog.models import Event
from tests.api.conftest import analyse, client_for, error_of, store_extraction
from tests.dossiers.test_replay import projection_snapshot
from tests.factories import DossierFactory, article_text, member, upload
from workers.tasks import recluster_dossier as recluster_task

ELECTION = "Turnout in the election rose to 64 percent across the northern districts.\n"


def publish(verdict: Verdict, analyst, reviewer) -> Verdict:
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    return publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)


def restated_in_new_dossier(world, text: str | None = None):
    """A second dossier of the world's team whose article restates the first one's facts."""
    dossier = DossierFactory(team=world.team, title="Follow-up")
    analyse(
        dossier, [text or article_text(1).replace("Officials report", "Reports of")], world.analyst
    )
    return dossier


def matched_claims(dossier) -> list[Claim]:
    return list(Claim.objects.filter(dossier=dossier).exclude(reviewed_matches=[]))


@pytest.fixture
def published(world) -> Verdict:
    return publish(world.verdict, world.analyst, world.reviewer)


@pytest.mark.django_db
def test_a_claim_restating_a_published_verdicts_claim_shows_the_match(world, published):
    dossier = restated_in_new_dossier(world)
    assert match_reviewed_claims(dossier=dossier, actor=SYSTEM) >= 1

    matched = matched_claims(dossier)
    assert matched
    (match,) = matched[0].reviewed_matches
    assert match["verdict_id"] == str(published.id) and match["rating"] == "mostly_true"
    assert match["reviewed_claim_id"] in {str(c.id) for c in published.cluster.claims.all()}
    client = client_for(world.viewer)
    claim = client.get(f"/api/v1/claims/{matched[0].id}/").json()
    assert claim["reviewed_matches"][0]["verdict_id"] == str(published.id)
    cluster = client.get(f"/api/v1/clusters/{matched[0].cluster_id}/").json()
    (reviewed,) = cluster["already_reviewed"]
    assert (reviewed["verdict"], reviewed["rating"], reviewed["status"]) == (
        str(published.id),
        "mostly_true",
        "published",
    )
    assert reviewed["url"].endswith(f"/api/v1/verdicts/{published.id}/")
    assert str(matched[0].id) in reviewed["claims"]


@pytest.mark.django_db
def test_the_match_is_an_event_and_as_of_shows_when_it_appeared(world, published):
    dossier = restated_in_new_dossier(world)
    before = Event.objects.latest("position").recorded_at
    match_reviewed_claims(dossier=dossier, actor=SYSTEM)
    claim = matched_claims(dossier)[0]

    event = Event.objects.get(type=ClaimEventType.CLAIM_ALREADY_REVIEWED, stream_id=claim.id)
    assert event.data["matches"][0]["verdict_id"] == str(published.id)
    assert event in dossier_events(dossier)  # on the dossier's timeline
    assert event not in dossier_events(world.dossier)
    assert claim.history.latest().history_change_reason == "already reviewed"
    client = client_for(world.viewer)
    url = f"/api/v1/clusters/{claim.cluster_id}/"
    then = client.get(url, {"as_of": before.isoformat()}).json()
    now = client.get(url, {"as_of": (event.recorded_at + timedelta(seconds=1)).isoformat()})
    assert then["already_reviewed"] == []
    assert [r["verdict"] for r in now.json()["already_reviewed"]] == [str(published.id)]


@pytest.mark.django_db
def test_matching_again_adds_nothing(world, published):
    dossier = restated_in_new_dossier(world)
    match_reviewed_claims(dossier=dossier, actor=SYSTEM)
    events = Event.objects.count()
    assert match_reviewed_claims(dossier=dossier, actor=SYSTEM) == 0
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_drafts_unrelated_claims_and_other_teams_verdicts_are_not_matched(world, other_world):
    publish(other_world.verdict, other_world.analyst, other_world.reviewer)
    dossier = restated_in_new_dossier(world)  # world's own verdict is still a draft
    assert match_reviewed_claims(dossier=dossier, actor=SYSTEM) == 0
    publish(world.verdict, world.analyst, world.reviewer)
    unrelated = restated_in_new_dossier(world, ELECTION * 2)
    assert match_reviewed_claims(dossier=unrelated, actor=SYSTEM) == 0
    assert match_reviewed_claims(dossier=dossier, actor=SYSTEM) >= 1
    verdicts = {m["verdict_id"] for c in matched_claims(dossier) for m in c.reviewed_matches}
    assert verdicts == {str(world.verdict.id)}


@pytest.mark.django_db
def test_the_worker_matches_once_extraction_is_reclustered(world, published):
    dossier = DossierFactory(team=world.team)
    store_extraction(upload(dossier, article_text(1), actor=world.analyst))
    recluster_task(str(dossier.id))
    assert matched_claims(dossier)


@pytest.mark.django_db
def test_reusing_a_verdict_drafts_one_that_cites_it_and_goes_through_review(world, published):
    dossier = restated_in_new_dossier(world)
    match_reviewed_claims(dossier=dossier, actor=SYSTEM)
    cluster = ClaimCluster.objects.get(id=matched_claims(dossier)[0].cluster_id)
    client = client_for(world.analyst)

    response = client.post(
        f"/api/v1/verdicts/{published.id}/reuse/", {"cluster": str(cluster.id)}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reuses"], body["status"], body["rating"]) == (
        str(published.id),
        "draft",
        published.rating,
    )
    assert (
        body["cluster"] == str(cluster.id) and "Reuses the published verdict" in body["rationale"]
    )
    draft = Verdict.objects.get(id=body["id"])
    assert publish(draft, world.analyst, world.reviewer).status == "published"
    again = client.post(
        f"/api/v1/verdicts/{published.id}/reuse/", {"cluster": str(cluster.id)}, format="json"
    )
    assert again.status_code == 400  # the cluster has its verdict now: revise that one


@pytest.mark.django_db
def test_only_approved_or_published_verdicts_of_the_team_can_be_reused(world, other_world):
    dossier = restated_in_new_dossier(world)
    cluster = ClaimCluster.objects.filter(dossier=dossier).first()
    client = client_for(world.analyst)
    draft = client.post(
        f"/api/v1/verdicts/{world.verdict.id}/reuse/", {"cluster": str(cluster.id)}, format="json"
    )
    assert draft.status_code == 409 and error_of(draft)["code"] == "workflow_conflict"
    publish(other_world.verdict, other_world.analyst, other_world.reviewer)
    theirs = client.post(
        f"/api/v1/verdicts/{other_world.verdict.id}/reuse/",
        {"cluster": str(cluster.id)},
        format="json",
    )
    assert theirs.status_code == 404
    assert not Verdict.objects.filter(cluster=cluster).exists()


@pytest.mark.django_db(transaction=True)
def test_matches_and_reuse_are_rebuilt_by_replay():
    """With the real pipeline: uploads commit, extraction and re-clustering run and match."""
    first = DossierFactory()
    analyst, reviewer = member(first.team, Role.ANALYST), member(first.team, Role.REVIEWER)
    for n in (1, 2):
        upload(first, article_text(n), actor=analyst)
    cluster = ClaimCluster.objects.filter(dossier=first).order_by("-article_count").first()
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="false")
    published = publish(verdict, analyst, reviewer)
    second = DossierFactory(team=first.team)
    upload(second, article_text(1), actor=analyst)
    claim = matched_claims(second)[0]
    reuse_verdict(verdict=published, cluster=claim.cluster, actor=analyst)
    before = projection_snapshot()
    assert any(row["reuses_id"] for row in before["claims.Verdict"])

    call_command("replay_events")

    assert projection_snapshot() == before
