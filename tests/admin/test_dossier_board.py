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
