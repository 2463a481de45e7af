"""The article page: check-worthy claims marked, a toggle for the rest, a card per claim;
origins by name everywhere."""

import json
import re

import pytest
from django.urls import reverse

from claims.models import CHECKWORTHY_KINDS, ClaimCluster

pytestmark = pytest.mark.django_db


def test_claim_cards_carry_speaker_cited_source_cluster_and_verdict(client, desk):
    client.force_login(desk.analyst)
    page = client.get(reverse("admin:dossiers_article_change", args=[desk.article.pk]))
    html = page.content.decode()
    cards = json.loads(
        re.search(
            r'<script id="claim-cards" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    card = cards[str(desk.claim.pk)]
    assert card["speaker"] == (desk.claim.speaker or "unattributed")
    assert card["cited_source"] == (desk.claim.cited_source or "none")
    assert card["cluster"]["url"] == reverse(
        "admin:claims_claimcluster_change", args=[desk.cluster.pk]
    )
    assert card["verdict"]["url"] == reverse("admin:claims_verdict_change", args=[desk.verdict.pk])
    assert "Mostly true" in card["verdict"]["text"]
    marked = re.findall(r'<mark class="claim"[^>]*data-kind="(\w+)"', html)
    assert marked and set(marked) <= set(CHECKWORTHY_KINDS)
    assert 'id="show-all-claims"' in html


def test_an_articles_own_word_is_named_by_its_outlet_not_its_key(client, desk):
    key = f"article:{desk.article.pk}"
    ClaimCluster.objects.filter(pk=desk.cluster.pk).update(origin=key)
    client.force_login(desk.analyst)
    expected = desk.article.source.name if desk.article.source_id else desk.article.title
    for url in (
        reverse("admin:claims_claimcluster_change", args=[desk.cluster.pk]),
        reverse("admin:claims_claimcluster_changelist"),
    ):
        html = client.get(url).content.decode()
        assert key not in html, url
        assert expected in html, url
