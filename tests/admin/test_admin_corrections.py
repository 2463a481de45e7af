"""Correcting the machine from the admin (issue 14): a cluster page's member actions, merging
from the page and from the list, a claim's page; each through the commands, scoped by team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimCluster, Correction
from tests.claims.corrections import cluster_saying

pytestmark = pytest.mark.django_db


def correct_url(cluster, action: str) -> str:
    return reverse("admin:claims_claimcluster_correct", args=[cluster.pk, action])


def test_a_cluster_page_offers_each_member_not_the_same_claim_and_move_to(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    html = page.content.decode()
    assert html.count("Not the same claim") == desk.cluster.claims.count()
    assert html.count(">Move to…</button>") == desk.cluster.claims.count()
    assert 'id="merge-clusters"' in html and 'id="pin-wording"' in html


def test_not_the_same_claim_takes_the_member_out(client, desk):
    client.force_login(desk.analyst)
    claim = desk.cluster.claims.order_by("id").first()
    response = client.post(
        correct_url(desk.cluster, "reject"),
        {"claim": claim.pk, "version": desk.cluster.version},
        follow=True,
    )
    assert "never put it with these claims again" in response.content.decode()
    claim.refresh_from_db()
    assert claim.cluster_id != desk.cluster.pk
    correction = Correction.objects.get()
    assert correction.kind == "reject_link" and correction.actor_id == desk.analyst.pk
    assert len(correction.apart) == desk.cluster.claims.count()


def test_move_to_another_cluster_and_merge_from_the_page(client, desk):
    client.force_login(desk.analyst)
    claim = desk.cluster.claims.order_by("id").first()
    client.post(
        correct_url(desk.cluster, "move"),
        {"claim": claim.pk, "to_cluster": desk.open_cluster.pk, "version": desk.cluster.version},
    )
    assert Claim.objects.get(id=claim.id).cluster_id == desk.open_cluster.pk
    desk.cluster.refresh_from_db()
    source = cluster_saying(desk.dossier, "14 soldiers")
    client.post(
        correct_url(desk.cluster, "merge"),
        {"sources": [source.pk], "version": desk.cluster.version, "reason": "same toll"},
    )
    assert not ClaimCluster.objects.get(id=source.id).is_active
    assert Correction.objects.filter(kind="merge", note="same toll").exists()
    # The merged-away cluster's page says it is retired, rather than showing an empty cluster.
    retired = client.get(reverse("admin:claims_claimcluster_change", args=[source.pk]))
    assert "This cluster was retired" in retired.content.decode()
    assert 'id="merge-clusters"' not in retired.content.decode()  # no longer worked on
    assert 'id="draft-verdict"' not in retired.content.decode()
    live = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    assert "This cluster was retired" not in live.content.decode()


def test_a_stale_page_is_refused_and_nothing_changes(client, desk):
    client.force_login(desk.analyst)
    claim = desk.cluster.claims.first()
    response = client.post(
        correct_url(desk.cluster, "reject"),
        {"claim": claim.pk, "version": desk.cluster.version - 1},
        follow=True,
    )
    assert "Someone changed this record" in response.content.decode()
    assert not Correction.objects.exists()


def test_clusters_are_merged_from_the_list_into_the_one_with_the_verdict(client, desk):
    client.force_login(desk.analyst)
    others = list(
        ClaimCluster.objects.filter(dossier=desk.dossier, is_active=True).exclude(
            id=desk.cluster.id
        )[:2]
    )
    response = client.post(
        reverse("admin:claims_claimcluster_changelist"),
        {
            "action": "merge_selected",
            "_selected_action": [desk.cluster.pk, *(c.pk for c in others)],
        },
        follow=True,
    )
    assert "Merged 2 cluster(s)" in response.content.decode()
    assert all(not ClaimCluster.objects.get(id=c.id).is_active for c in others)
    assert ClaimCluster.objects.get(id=desk.cluster.id).is_active

    # The list shows active clusters unless asked for the retired ones (or all).
    listing = reverse("admin:claims_claimcluster_changelist")

    def listed(**query) -> set[str]:
        html = client.get(listing, query).content.decode()
        return {str(c.pk) for c in (desk.cluster, *others) if f"/{c.pk}/change/" in html}

    assert listed() == {str(desk.cluster.pk)}
    assert listed(state="retired") == {str(c.pk) for c in others}
    assert listed(state="all") == {str(c.pk) for c in (desk.cluster, *others)}


def test_a_viewer_and_another_team_cannot_correct(client, desk, other_desk):
    viewer = desk.viewer()
    client.force_login(viewer)
    page = client.get(reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]))
    assert "Not the same claim" not in page.content.decode()
    client.post(correct_url(desk.cluster, "pin"), {"text": "x", "version": desk.cluster.version})
    client.force_login(other_desk.analyst)
    foreign = client.post(
        correct_url(desk.cluster, "pin"), {"text": "x", "version": desk.cluster.version}
    )
    assert foreign.status_code == 404
    assert not Correction.objects.exists()


def test_an_article_page_links_each_claim_to_its_correction_page(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:dossiers_article_change", args=[desk.article.pk]))
    url = reverse("admin:claims_claim_change", args=[desk.claim.pk])
    assert url in page.content.decode()
    claim_page = client.get(url).content.decode()
    assert 'id="correct-speaker"' in claim_page and 'id="mark-claim"' in claim_page
    client.post(
        reverse("admin:claims_claim_correct", args=[desk.claim.pk]),
        {"field": "speaker", "value": "Reuters", "version": desk.article.version},
    )
    desk.claim.refresh_from_db()
    assert desk.claim.speaker == "Reuters" and desk.claim.corrected_fields == ["speaker"]
    client.post(
        reverse("admin:claims_claim_correct", args=[desk.claim.pk]),
        {"mark": "not_a_claim", "version": desk.claim.article.version},
    )
    desk.claim.refresh_from_db()
    assert desk.claim.not_a_claim and desk.claim.cluster_id is None


def test_the_corrections_list_shows_a_teams_corrections_only(client, desk, other_desk):
    client.force_login(desk.analyst)
    client.post(
        correct_url(desk.cluster, "pin"),
        {"text": "Pinned words", "version": desk.cluster.version, "reason": "clearer"},
    )
    listing = client.get(reverse("admin:claims_correction_changelist"), {"kind": "pin_wording"})
    assert listing.status_code == 200 and "clearer" in listing.content.decode()
    client.force_login(other_desk.analyst)
    theirs = client.get(reverse("admin:claims_correction_changelist"))
    assert "clearer" not in theirs.content.decode()
