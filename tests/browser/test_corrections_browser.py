"""In real headless Chromium (issue 14): an analyst splits a wrong cluster from its page and
merges two clusters from the cluster list; both survive the re-clustering they trigger.

Debian's Chromium through Playwright; nothing is downloaded. Tasks run eagerly (SQLite), so
the re-clustering each correction queues runs before the page answers. The screenshots are
the ones in docs/ANALYST_GUIDE.md.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, ClaimCluster
from tests.browser import test_workbench_e2e as e2e

chromium = e2e.chromium
seeds = e2e.seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_splits_a_wrong_cluster_and_merges_two_right_ones(chromium, seeds, live_server):
    dossier, cluster = seeds
    assert cluster.claims.count() >= 2, "the seed cluster has several members to split"
    wrong = cluster.claims.order_by("text").last()
    old_members = set(cluster.claims.exclude(id=wrong.id).values_list("id", flat=True))
    base = live_server.url
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    e2e.log_in(page, base, "analyst")

    # Split: the member goes to a cluster of its own.
    page.goto(base + reverse("admin:claims_claimcluster_change", args=[cluster.pk]))
    member = page.locator(f"#member-{wrong.pk}")
    member.locator("select[name=to_cluster]").select_option("new")
    member.locator(".move-claim button").click()
    page.wait_for_selector(".messagelist")
    e2e.shot(page, "correction-split")
    wrong.refresh_from_db()
    assert wrong.cluster_id not in (None, cluster.pk)
    split_off = wrong.cluster_id
    # Apart from every claim it shared the old cluster with; the re-clustering the split
    # queues may still give it company from other clusters that state the same thing.
    assert not Claim.objects.filter(cluster_id=split_off, id__in=old_members).exists()

    # Merge: two single-claim clusters of different articles, ticked on the cluster list.
    singles = [
        c
        for c in ClaimCluster.objects.filter(dossier=dossier, is_active=True, article_count=1)
        .exclude(id__in=[cluster.pk, split_off])
        .filter(verdicts=None)
        .order_by("canonical_text")
    ]
    first = singles[0]
    second = next(
        c for c in singles[1:] if c.claims.get().article_id != first.claims.get().article_id
    )
    together = {first.claims.get().id, second.claims.get().id}
    listing = f"?id__in={first.pk},{second.pk}"  # as a bookmarked filter would list them
    page.goto(base + reverse("admin:claims_claimcluster_changelist") + listing)
    assert page.locator("input[name=_selected_action]").count() == 2
    for chosen in (first, second):
        page.check(f"input[name=_selected_action][value='{chosen.pk}']")
    page.select_option("select[name=action]", "merge_selected")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    e2e.shot(page, "correction-merge")

    merged = {Claim.objects.get(id=claim_id).cluster_id for claim_id in together}
    assert len(merged) == 1 and None not in merged, "the two claims share one cluster now"
    page.goto(base + reverse("admin:claims_claimcluster_change", args=[merged.pop()]))
    assert page.locator("#member-claims tbody tr").count() == 2
    assert "merged" in page.inner_text("#cluster-corrections").lower()
    assert "kept here by an analyst's correction" in page.inner_text("#member-claims")
    e2e.shot(page, "correction-merged-cluster")
    wrong.refresh_from_db()
    assert wrong.cluster_id == split_off, "the split survived the merge's re-clustering"
    assert not cluster.claims.filter(id=wrong.id).exists()
