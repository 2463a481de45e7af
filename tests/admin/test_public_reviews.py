"""The public page of a published verdict: no login, its ClaimReview JSON-LD, no internal keys."""

import json
import re

import pytest
from django.urls import reverse

from claims.commands import approve_verdict, publish_verdict, submit_verdict
from claims.models import ClaimCluster

pytestmark = pytest.mark.django_db

# Google Search Central, "ClaimReview (Fact Check) structured data": required properties.
GOOGLE_REQUIRED = ["claimReviewed", "reviewRating", "url"]
GOOGLE_REQUIRED_RATING = ["alternateName"]


def published(desk):
    verdict = submit_verdict(
        verdict=desk.verdict, actor=desk.analyst, expected_version=desk.verdict.version
    )
    verdict = approve_verdict(
        verdict=verdict, actor=desk.reviewer, expected_version=verdict.version
    )
    return publish_verdict(verdict=verdict, actor=desk.reviewer, expected_version=verdict.version)


def embedded_claimreview(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


def test_a_published_verdict_has_a_public_page_with_valid_claimreview(client, desk):
    ClaimCluster.objects.filter(pk=desk.cluster.pk).update(
        origin=f"article:{desk.article.pk}"  # an article's own word, as origin tracing keys it
    )
    verdict = published(desk)
    url = reverse("public_review", args=[verdict.pk])
    response = client.get(url)  # anonymous
    assert response.status_code == 200
    html = response.content.decode()
    review = embedded_claimreview(html)

    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    for name in GOOGLE_REQUIRED:
        assert review.get(name), name
    for name in GOOGLE_REQUIRED_RATING:
        assert review["reviewRating"].get(name), name
    rating = review["reviewRating"]
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert review["claimReviewed"] == " ".join(verdict.reviewed["claim_text"].split())
    assert review["url"] == f"http://testserver{url}"
    assert "article:" not in html and "/admin/" not in json.dumps(review)
    assert review["itemReviewed"]["author"]["name"] in (
        desk.article.title,
        str(desk.article.source),
    )
    assert client.get(reverse("public_reviews")).content.decode().count(url) == 1


def test_a_draft_has_no_public_page(client, desk):
    assert client.get(reverse("public_review", args=[desk.verdict.pk])).status_code == 404
    assert (
        reverse("public_review", args=[desk.verdict.pk])
        not in client.get(reverse("public_reviews")).content.decode()
    )


def test_markup_in_the_rationale_cannot_break_out_of_the_json_ld(client, desk):
    from claims.commands import edit_verdict

    edit_verdict(
        verdict=desk.verdict,
        actor=desk.analyst,
        expected_version=desk.verdict.version,
        rating=desk.verdict.rating,
        confidence=desk.verdict.confidence,
        source_reliability=desk.verdict.source_reliability,
        information_credibility=desk.verdict.information_credibility,
        rationale="Says `</script><script>alert(1)</script>` and <b>bold</b>.",
    )
    desk.verdict.refresh_from_db()
    verdict = published(desk)
    html = client.get(reverse("public_review", args=[verdict.pk])).content.decode()
    assert "<script>alert(1)" not in html
    assert embedded_claimreview(html)["@type"] == "ClaimReview"
