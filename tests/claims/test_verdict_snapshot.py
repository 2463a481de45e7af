"""A verdict is pinned to what was reviewed: the cluster's wording, members and origins at
submission (issue 14)."""

from __future__ import annotations

import pytest

from claims import corrections
from claims.commands import (
    approve_verdict,
    draft_verdict,
    publish_verdict,
    reviewed_changes,
    submit_verdict,
)
from claims.models import Verdict
from claims.rendering import claimreview_jsonld
from tests.claims.corrections import cluster_saying
from tests.claims.workbench import extract_and_cluster, small_dossier
from tests.factories import article_text, upload

pytestmark = pytest.mark.django_db

LONG_WORDING = (
    "According to the observatory, the government controls 40 percent of the region, "
    "a share unchanged since the spring offensive"
)


def approved(cluster, analyst, reviewer) -> Verdict:
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="mostly_true")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    return approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)


@pytest.fixture
def desk():
    return small_dossier()


def test_submission_keeps_the_wording_members_and_origins_reviewed(desk):
    dossier, analyst, reviewer = desk
    share = cluster_saying(dossier, "40 percent")
    verdict = approved(share, analyst, reviewer)
    assert verdict.reviewed == {
        "claim_text": share.canonical_text,
        "claim_ids": sorted(str(i) for i in share.claims.values_list("id", flat=True)),
        "independent_origin_count": share.independent_origin_count,
        "origin": share.origin,
        "contradictions": len(share.contradictions),
    }
    assert reviewed_changes(verdict) == []


def test_a_published_review_keeps_its_claim_when_the_cluster_changes(desk):
    dossier, analyst, reviewer = desk
    share = cluster_saying(dossier, "40 percent")
    verdict = approved(share, analyst, reviewer)
    verdict = publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    reviewed = claimreview_jsonld(verdict)["claimReviewed"]
    assert reviewed == share.canonical_text

    share.refresh_from_db()
    corrections.pin_wording(
        cluster=share, text="Forty percent is held", actor=analyst, expected_version=share.version
    )
    other = cluster_saying(dossier, "We will respond")
    share.refresh_from_db()
    corrections.merge_clusters(
        target=share, sources=[other], actor=analyst, expected_version=share.version
    )

    verdict.refresh_from_db()
    assert claimreview_jsonld(verdict)["claimReviewed"] == reviewed
    assert verdict.needs_review
    reasons = [reason for flag in verdict.review_flags for reason in flag["reasons"]]
    assert "an analyst pinned the cluster's wording" in reasons
    assert "an analyst merged 1 cluster(s) into it" in reasons
    changes = reviewed_changes(verdict)
    assert changes[0] == f"wording: “{reviewed}” → “Forty percent is held”"
    assert changes[1] == "members: 3 joined, 0 left"


def test_an_approved_verdict_is_flagged_when_an_upload_joins_its_cluster(desk):
    dossier, analyst, reviewer = desk
    share = cluster_saying(dossier, "40 percent")
    verdict = approved(share, analyst, reviewer)
    upload(dossier, article_text(7), actor=analyst)
    extract_and_cluster(dossier)
    verdict.refresh_from_db()
    assert verdict.needs_review
    assert "members: 1 joined, 0 left" in reviewed_changes(verdict)
    with pytest.raises(ValueError, match="flagged"):
        publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)


def test_claim_reviewed_is_the_whole_wording_reviewed(desk):
    dossier, analyst, reviewer = desk
    share = cluster_saying(dossier, "40 percent")
    share = corrections.pin_wording(
        cluster=share, text=LONG_WORDING, actor=analyst, expected_version=share.version
    )
    verdict = approved(share, analyst, reviewer)
    verdict = publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    assert claimreview_jsonld(verdict)["claimReviewed"] == LONG_WORDING
    assert len(LONG_WORDING) > 75
