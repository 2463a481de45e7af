"""Analysts' corrections through the commands: each survives re-clustering, `reanalyze` and an
extractor upgrade (issue 14)."""

from __future__ import annotations

import dataclasses
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from claims import corrections
from claims.corrections import CorrectionError
from claims.models import Claim, ClaimCluster, Correction
from claims.reclustering import recluster_dossier
from claims.selectors import correction_counts
from dossiers.models import Role
from eventlog.context import SYSTEM
from eventlog.models import Event
from eventlog.store import ConcurrencyError
from tests.claims.corrections import (
    claim_saying,
    cluster_saying,
    every_reanalysis,
    together,
    upgrade_extractor,
)
from tests.claims.workbench import small_dossier
from tests.factories import member

pytestmark = pytest.mark.django_db

QUOTE, SHARE = "We will respond", "40 percent"


@pytest.fixture
def desk():
    dossier, analyst, reviewer = small_dossier()
    return dossier, analyst


def test_a_merge_is_never_undone_by_reanalysis(desk):
    dossier, analyst = desk
    twelve, thirteen = cluster_saying(dossier, "12 soldiers"), cluster_saying(dossier, "13 sold")
    merged = corrections.merge_clusters(
        target=twelve,
        sources=[thirteen],
        actor=analyst,
        expected_version=twelve.version,
        reason="same incident, the toll was revised",
    )
    assert merged.claims.count() == 2 and merged.article_count == 2
    assert not ClaimCluster.objects.get(id=thirteen.id).is_active
    claims = list(merged.claims.all())
    for step in every_reanalysis(dossier):
        assert together(*claims), step
        assert Claim.objects.get(id=claims[0].id).cluster_id == twelve.id, step
    event = Event.objects.get(type="ClustersMerged")
    assert event.metadata["actor_id"] == analyst.pk
    assert event.metadata["reason"] == "same incident, the toll was revised"
    assert Correction.objects.get().note == "same incident, the toll was revised"


def test_a_rejected_link_is_never_made_again_even_between_copies(desk):
    dossier, analyst = desk
    quote = cluster_saying(dossier, QUOTE)
    odd, *rest = quote.claims.order_by("id")
    corrections.reject_link(claim=odd, others=rest, actor=analyst, expected_version=quote.version)
    odd.refresh_from_db()
    assert odd.cluster_id not in (None, quote.id)
    assert together(*rest)
    for step in every_reanalysis(dossier):
        assert not together(odd, rest[0]) and not together(odd, rest[1]), step
        assert together(*rest), step


def test_a_moved_claim_stays_where_the_analyst_put_it(desk):
    dossier, analyst = desk
    quote, share = cluster_saying(dossier, QUOTE), cluster_saying(dossier, SHARE)
    moved = quote.claims.order_by("id").first()
    corrections.move_claim(
        claim=moved, to_cluster=share, actor=analyst, expected_version=quote.version
    )
    assert Claim.objects.get(id=moved.id).cluster_id == share.id
    for step in every_reanalysis(dossier):
        assert together(moved, *share.claims.exclude(id=moved.id)), step
        assert share.claims.count() == 4, step


def test_a_split_claim_keeps_a_cluster_of_its_own(desk):
    dossier, analyst = desk
    quote = cluster_saying(dossier, QUOTE)
    split, *rest = quote.claims.order_by("id")
    corrections.move_claim(
        claim=split, to_cluster=None, actor=analyst, expected_version=quote.version
    )
    split.refresh_from_db()
    alone = split.cluster
    assert alone.claims.count() == 1 and alone.id != quote.id
    for step in every_reanalysis(dossier):
        assert (
            Claim.objects.filter(cluster_id=Claim.objects.get(id=split.id).cluster_id).count() == 1
        ), step
        assert together(*rest), step


def test_a_confirmed_link_holds_claims_the_machine_keeps_apart(desk):
    dossier, analyst = desk
    twelve, thirteen = claim_saying(dossier, "12 soldiers"), claim_saying(dossier, "13 soldiers")
    assert not together(twelve, thirteen)  # different tolls: the machine never joins them
    corrections.confirm_link(
        claim=twelve, other=thirteen, actor=analyst, expected_version=twelve.cluster.version
    )
    for step in every_reanalysis(dossier):
        assert together(twelve, thirteen), step


def test_the_latest_word_on_a_link_wins(desk):
    dossier, analyst = desk
    twelve, thirteen = claim_saying(dossier, "12 soldiers"), claim_saying(dossier, "13 soldiers")
    corrections.confirm_link(
        claim=twelve, other=thirteen, actor=analyst, expected_version=twelve.cluster.version
    )
    twelve.refresh_from_db()
    corrections.reject_link(
        claim=twelve, others=[thirteen], actor=analyst, expected_version=twelve.cluster.version
    )
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    assert not together(twelve, thirteen)


def test_a_pinned_wording_survives_reanalysis(desk):
    dossier, analyst = desk
    share = cluster_saying(dossier, SHARE)
    wording = "The government controls 40% of the region (observatory)"
    corrections.pin_wording(
        cluster=share, text=wording, actor=analyst, expected_version=share.version
    )
    for step in every_reanalysis(dossier):
        share.refresh_from_db()
        assert (share.canonical_text, share.wording_pinned, share.is_active) == (
            wording,
            True,
            True,
        ), step


def test_a_corrected_speaker_and_kind_are_kept_on_reextraction_of_unchanged_text(desk):
    dossier, analyst = desk
    claim = claim_saying(dossier, SHARE)
    claim = corrections.correct_claim(
        claim=claim,
        field="speaker",
        value="Syrian Observatory for Human Rights",
        actor=analyst,
        expected_version=claim.article.version,
    )
    claim = corrections.correct_claim(
        claim=claim,
        field="kind",
        value="factual",
        actor=analyst,
        expected_version=claim.article.version,
    )
    claim = corrections.correct_claim(
        claim=claim,
        field="cited_source",
        value="SOHR",
        actor=analyst,
        expected_version=claim.article.version,
    )
    for step in every_reanalysis(dossier):
        claim.refresh_from_db()
        assert claim.speaker == "Syrian Observatory for Human Rights", step
        assert (claim.kind, claim.cited_source) == ("factual", "SOHR"), step
        assert claim.corrected_fields == ["cited_source", "kind", "speaker"], step
    untouched = claim_saying(dossier, SHARE.replace("40", "40")).article.claims.exclude(id=claim.id)
    assert all(c.corrected_fields == [] for c in untouched)


def test_not_a_claim_is_never_clustered_until_restored(desk):
    dossier, analyst = desk
    share = cluster_saying(dossier, SHARE)
    claim = share.claims.order_by("id").first()
    claim = corrections.mark_not_a_claim(
        claim=claim, actor=analyst, expected_version=claim.article.version
    )
    assert claim.not_a_claim and claim.cluster_id is None
    assert ClaimCluster.objects.get(id=share.id).article_count == 2
    for step in every_reanalysis(dossier):
        claim.refresh_from_db()
        assert claim.not_a_claim and claim.cluster_id is None, step
    claim = corrections.restore_claim(
        claim=claim, actor=analyst, expected_version=claim.article.version
    )
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    claim.refresh_from_db()
    assert not claim.not_a_claim and claim.cluster_id == share.id


def _reworded(words: str, new_words: str, *, shift: int = 0):
    """An extractor whose claims containing `words` say `new_words` instead (or start
    `shift` characters later: same text, another id)."""
    from workers.pipeline import extract_article as real

    def extract(*args, **kwargs):
        extracted = real(*args, **kwargs)
        claims = [
            dataclasses.replace(c, text=c.text.replace(words, new_words), start=c.start + shift)
            if words in c.text
            else c
            for c in extracted.claims
        ]
        return dataclasses.replace(extracted, claims=claims)

    return mock.patch("workers.pipeline.extract_article", extract)


def test_a_correction_follows_its_text_to_a_new_claim_id(desk):
    dossier, analyst = desk
    claim = claim_saying(dossier, SHARE)
    corrections.correct_claim(
        claim=claim,
        field="speaker",
        value="SOHR",
        actor=analyst,
        expected_version=claim.article.version,
    )
    with _reworded(SHARE, SHARE, shift=1):
        upgrade_extractor(dossier)
    assert not Claim.objects.filter(id=claim.id).exists()
    moved = claim.article.claims.get(text=claim.text)
    assert moved.speaker == "SOHR"
    assert Correction.objects.get().claim_id == moved.id


def test_a_correction_whose_claim_is_gone_is_reported(desk):
    dossier, analyst = desk
    quote = cluster_saying(dossier, QUOTE)
    odd, *rest = quote.claims.order_by("id")
    corrections.reject_link(claim=odd, others=rest, actor=analyst, expected_version=quote.version)
    with _reworded(QUOTE, "We shall respond"):
        upgrade_extractor(dossier)
    correction = Correction.objects.get()
    assert correction.claim_id is None
    assert {ref["id"] for ref in correction.lost} == {str(c.id) for c in (odd, *rest)}
    assert correction.together == correction.apart == []


def test_corrections_need_an_analyst_and_the_current_version(desk):
    dossier, analyst = desk
    viewer = member(dossier.team, Role.VIEWER)
    share, quote = cluster_saying(dossier, SHARE), cluster_saying(dossier, QUOTE)
    with pytest.raises(PermissionDenied):
        corrections.merge_clusters(
            target=share, sources=[quote], actor=viewer, expected_version=share.version
        )
    with pytest.raises(ConcurrencyError):
        corrections.pin_wording(
            cluster=share, text="x", actor=analyst, expected_version=share.version + 1
        )
    with pytest.raises(CorrectionError):
        corrections.merge_clusters(
            target=share, sources=[share], actor=analyst, expected_version=share.version
        )
    claim = claim_saying(dossier, SHARE)
    with pytest.raises(CorrectionError):
        corrections.correct_claim(
            claim=claim,
            field="kind",
            value="gossip",
            actor=analyst,
            expected_version=claim.article.version,
        )
    assert not Correction.objects.exists()


def test_corrections_are_counted_per_kind(desk):
    dossier, analyst = desk
    claim = claim_saying(dossier, SHARE)
    corrections.correct_claim(
        claim=claim,
        field="speaker",
        value="SOHR",
        actor=analyst,
        expected_version=claim.article.version,
    )
    claim.refresh_from_db()
    corrections.mark_not_a_claim(claim=claim, actor=analyst, expected_version=claim.article.version)
    counts = correction_counts([dossier.id])
    assert counts["speaker"] == counts["not_a_claim"] == 1
    assert sum(counts.values()) == 2


def test_export_dossier_includes_the_corrections_and_their_counts(desk):
    import json
    from io import StringIO

    from django.core.management import call_command

    dossier, analyst = desk
    claim = claim_saying(dossier, SHARE)
    corrections.correct_claim(
        claim=claim,
        field="cited_source",
        value="SOHR",
        actor=analyst,
        expected_version=claim.article.version,
        reason="the observatory is SOHR",
    )
    out = StringIO()
    call_command("export_dossier", str(dossier.id), stdout=out)
    exported = json.loads(out.getvalue())["corrections"]
    assert exported["counts"]["cited_source"] == 1 and sum(exported["counts"].values()) == 1
    (item,) = exported["items"]
    assert item["claim_id"] == str(claim.id) and item["reason"] == "the observatory is SOHR"
    assert item["value"] == {"value": "SOHR", "was": claim.cited_source}
