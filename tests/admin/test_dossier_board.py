"""The dossier page's board: counts, the clusters that matter ranked by spread, open verdicts."""

import re

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimCluster

pytestmark = pytest.mark.django_db


def test_the_board_counts_and_ranks_clusters_by_independent_origins(client, desk):
    client.force_login(desk.analyst)
    html = client.get(
        reverse("admin:dossiers_dossier_change", args=[desk.dossier.pk])
    ).content.decode()
    counts = html.split('id="board-counts"')[1].split("</p>")[0]
    claims = Claim.objects.filter(dossier=desk.dossier).count()
    assert f"<strong>{claims}</strong> claim" in counts
    table = html.split('id="top-clusters"')[1].split("</table>")[0]
    shown = re.findall(r"/admin/claims/claimcluster/([0-9a-f-]{36})/change/", table)
    clusters = {str(c.pk): c for c in ClaimCluster.objects.filter(dossier=desk.dossier)}
    spread = [(clusters[pk].independent_origin_count, clusters[pk].article_count) for pk in shown]
    assert spread and spread == sorted(spread, reverse=True)
    assert "article:" not in table
    open_verdicts = html.split('id="open-verdicts"')[1].split("</table>")[0]
    assert reverse("admin:claims_verdict_change", args=[desk.verdict.pk]) in open_verdicts


def board_clusters(client, desk, **filters) -> set[str]:
    query = {f"board-{name}": value for name, value in filters.items()}
    url = reverse("admin:dossiers_dossier_change", args=[desk.dossier.pk])
    html = client.get(url, query).content.decode()
    table = html.split('id="top-clusters"')[1].split("</table>")[0]
    return set(re.findall(r"/admin/claims/claimcluster/([0-9a-f-]{36})/change/", table))


def test_the_board_filters_the_ranked_clusters(client, desk):
    client.force_login(desk.analyst)
    assert board_clusters(client, desk, verdict="open") == {str(desk.cluster.pk)}
    assert str(desk.cluster.pk) not in board_clusters(client, desk, verdict="none")
    assert board_clusters(client, desk, verdict="published") == set()
    shared = board_clusters(client, desk, shared="on")
    assert shared and all(ClaimCluster.objects.get(pk=pk).article_count > 1 for pk in shared)
    word = desk.cluster.canonical_text.split()[-1].strip(".,\"'")
    assert str(desk.cluster.pk) in board_clusters(client, desk, words=word.upper())


def test_the_board_says_what_people_did_lately_in_words(client, desk):
    client.force_login(desk.reviewer)
    html = client.get(reverse("admin:dossiers_dossier_change", args=[desk.dossier.pk]))
    activity = html.content.decode().split('id="recent-activity"')[1].split("</ul>")[0]
    assert f"<strong>{desk.analyst.username}</strong>" in activity
    assert "drafted “Mostly true” on" in activity
    assert "<strong>system</strong>" not in activity  # extraction and clustering left out
