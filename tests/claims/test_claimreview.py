"""ClaimReview JSON-LD of a published seed verdict, the rating mapping, and rationale safety."""

from datetime import date

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from claims.commands import (
    EvidenceInput,
    approve_verdict,
    draft_verdict,
    publish_verdict,
    revise_verdict,
    submit_verdict,
)
from claims.models import EvidenceRelation, Rating
from claims.rendering import (
    BEST_RATING,
    CLAIMREVIEW_RATINGS,
    WORST_RATING,
    claimreview_jsonld,
    rationale_html,
    shorten,
)
from dossiers.models import Membership, Role
from tests.claims.workbench import hundred_officials_cluster, seed_dossier


def test_every_rating_has_a_distinct_claimreview_value_and_name():
    assert set(CLAIMREVIEW_RATINGS) == set(Rating)
    values = [CLAIMREVIEW_RATINGS[r].value for r in Rating]
    assert len(set(values)) == len(values)
    names = [CLAIMREVIEW_RATINGS[r].name for r in Rating]
    assert len(set(names)) == len(names)


def test_the_truth_scale_runs_from_false_to_true():
    graded = [Rating.FALSE, Rating.MOSTLY_FALSE, Rating.MIXED, Rating.MOSTLY_TRUE, Rating.TRUE]
    values = [CLAIMREVIEW_RATINGS[r].value for r in graded]
    assert values == sorted(values) and values[0] == WORST_RATING and values[-1] == BEST_RATING
    assert not WORST_RATING <= CLAIMREVIEW_RATINGS[Rating.UNPROVEN].value <= BEST_RATING


@given(st.text(min_size=0, max_size=400))
def test_a_shortened_rationale_never_exceeds_its_limit(text):
    short = shorten(text, 75)
    assert len(short) <= 75
    if len(" ".join(text.split())) <= 75:
        assert short == " ".join(text.split())


def test_the_rationale_renders_markdown_but_no_script():
    html = rationale_html(
        "**Denied** by [TASS](https://tass.com) <script>alert(1)</script>"
        '<img src=x onerror="alert(2)"> [bad](javascript:alert(3))'
    )
    assert "<strong>Denied</strong>" in html
    assert 'href="https://tass.com"' in html and "noopener" in html
    for dangerous in ("<script", "onerror", "javascript:", "<img"):
        assert dangerous not in html


@pytest.fixture
def published_seed_verdict(db):
    dossier = seed_dossier()
    cluster = hundred_officials_cluster(dossier)
    team = dossier.team
    analyst = Membership.objects.get(team=team, role=Role.ANALYST).user
    reviewer = Membership.objects.get(team=team, role=Role.REVIEWER).user
    claim = cluster.claims.first()
    verdict = draft_verdict(
        cluster=cluster,
        actor=analyst,
        rating="unproven",
        confidence=60,
        source_reliability="C",
        information_credibility=3,
        rationale="All reports trace back to **Asharq Al-Awsat**; Moscow did not confirm.",
        evidence=[EvidenceInput(relation=EvidenceRelation.CONTEXT, claim=claim)],
    )
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    return publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)


def test_a_published_seed_verdict_renders_a_complete_claimreview(published_seed_verdict):
    verdict = published_seed_verdict
    request = RequestFactory().get("/")
    review = claimreview_jsonld(verdict, request=request)

    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["url"].startswith("http://testserver/")
    # The wording reviewed, whole (it was cut at 75 characters before issue 14).
    assert review["claimReviewed"] == " ".join(verdict.reviewed["claim_text"].split())
    assert review["claimReviewed"] == " ".join(verdict.cluster.canonical_text.split())
    assert date.fromisoformat(review["datePublished"]) == verdict.published_at.date()
    assert review["author"] == {"@type": "Organization", "name": verdict.dossier.team.name}

    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["alternateName"] == "Unproven"
    assert rating["ratingValue"] == CLAIMREVIEW_RATINGS[Rating.UNPROVEN].value
    assert (rating["worstRating"], rating["bestRating"]) == (WORST_RATING, BEST_RATING)
    assert (
        "Asharq Al-Awsat" in rating["ratingExplanation"] and "**" not in rating["ratingExplanation"]
    )

    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    member_articles = {c.article for c in verdict.cluster.claims.select_related("article")}
    assert len(claim["appearance"]) == len(member_articles) == verdict.cluster.article_count
    for appearance in claim["appearance"]:
        assert appearance["@type"] == "CreativeWork"
        assert "url" not in appearance or appearance["url"].startswith("http")
        assert "/admin/" not in appearance.get("url", "")
    assert claim["firstAppearance"] == claim["appearance"][0]
    dated = [a for a in member_articles if a.published_at]
    if dated:
        earliest = min(dated, key=lambda a: a.published_at)
        assert claim["firstAppearance"]["headline"] == earliest.title


def test_a_verdict_that_is_not_published_has_no_claimreview(published_seed_verdict):
    draft = revise_verdict(
        verdict=published_seed_verdict,
        actor=published_seed_verdict.author,
        expected_version=published_seed_verdict.version,
        reason="Kremlin statement",
    )
    with pytest.raises(ValueError, match="published"):
        claimreview_jsonld(draft)
    assert claimreview_jsonld(published_seed_verdict)["reviewRating"]["alternateName"]
