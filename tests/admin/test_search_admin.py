"""The admin's search page and the already-reviewed panels (issue 17), through the test
client as an analyst uses them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimCluster, Verdict
from claims.reviewed import match_reviewed_claims
from dossiers.demo import staff_group
from eventlog.context import SYSTEM
from tests.api.conftest import build_world
from tests.api.test_already_reviewed import matched_claims, publish, restated_in_new_dossier

pytestmark = pytest.mark.django_db
SEARCH = reverse("admin:claims_search")


@pytest.fixture
def world():
    world = build_world("Newsroom")
    for user in (world.analyst, world.reviewer, world.viewer):
        user.groups.add(staff_group())
    return world


def logged_in(client, user):
    client.force_login(user)
    return client


def test_the_search_page_finds_the_teams_work_only(client, world):
    rivals = build_world("Rivals")
    page = logged_in(client, world.viewer).get(SEARCH, {"q": "soldiers killed"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>" in html.lower()
    ours = Claim.objects.filter(dossier=world.dossier, text__contains="soldiers were killed")
    assert reverse("admin:claims_claim_change", args=[ours.first().pk]) in html
    foreign = Claim.objects.filter(dossier=rivals.dossier).values_list("pk", flat=True)
    assert all(str(pk) not in html for pk in foreign)
    assert world.dossier.title in html


def test_the_dossier_page_links_to_the_search(client, world):
    page = logged_in(client, world.viewer).get(
        reverse("admin:dossiers_dossier_change", args=[world.dossier.pk])
    )
    assert f'href="{SEARCH}"' in page.content.decode()


def test_filters_and_bad_input_are_answered_on_the_page(client, world):
    client = logged_in(client, world.viewer)
    page = client.get(SEARCH, {"q": "soldiers", "since": "2016-02-30"})
    assert page.status_code == 200 and "search-results" not in page.content.decode()
    assert "Enter a valid date" in page.content.decode()
    nothing = client.get(SEARCH, {"q": "zebra crossing"}).content.decode()
    assert "Nothing found" in nothing
    assert (
        "search-results" in client.get(SEARCH, {"q": "soldiers", "type": "claim"}).content.decode()
    )


def test_the_search_page_needs_a_login(client):
    assert client.get(SEARCH, {"q": "soldiers"}).status_code == 302


def test_cluster_and_claim_pages_show_already_reviewed_and_reuse_drafts_a_verdict(client, world):
    published = publish(world.verdict, world.analyst, world.reviewer)
    dossier = restated_in_new_dossier(world)
    match_reviewed_claims(dossier=dossier, actor=SYSTEM)
    claim = matched_claims(dossier)[0]
    client = logged_in(client, world.analyst)
    verdict_page = reverse("admin:claims_verdict_change", args=[published.pk])

    cluster_html = client.get(
        reverse("admin:claims_claimcluster_change", args=[claim.cluster_id])
    ).content.decode()
    claim_html = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()

    for html in (cluster_html, claim_html):
        assert "Already reviewed" in html and "Mostly true" in html and verdict_page in html
    assert "Reuse this verdict" in cluster_html
    response = client.post(
        reverse("admin:claims_claimcluster_reuse", args=[claim.cluster_id]),
        {"verdict": str(published.pk)},
    )
    draft = Verdict.objects.get(cluster_id=claim.cluster_id)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_verdict_change", args=[draft.pk])
    assert (draft.reuses_id, draft.status) == (published.pk, "draft")


def test_a_viewer_cannot_reuse_and_a_foreign_verdict_is_not_found(client, world):
    published = publish(world.verdict, world.analyst, world.reviewer)
    dossier = restated_in_new_dossier(world)
    cluster = ClaimCluster.objects.filter(dossier=dossier).first()
    url = reverse("admin:claims_claimcluster_reuse", args=[cluster.pk])
    logged_in(client, world.viewer).post(url, {"verdict": str(published.pk)})
    assert not Verdict.objects.filter(cluster=cluster).exists()
    rivals = build_world("Rivals")
    foreign = publish(rivals.verdict, rivals.analyst, rivals.reviewer)
    answer = logged_in(client, world.analyst).post(url, {"verdict": str(foreign.pk)})
    assert answer.status_code == 404
    assert logged_in(client, world.analyst).post(url, {"verdict": "nonsense"}).status_code == 404
