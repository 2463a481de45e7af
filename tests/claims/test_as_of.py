"""Time travel: `dossier_as_of` answers "what did we believe then?" from the history tables."""

from datetime import timedelta

import pytest

from claims.commands import (
    EvidenceInput,
    approve_verdict,
    draft_verdict,
    edit_verdict,
    publish_verdict,
    revise_verdict,
    submit_verdict,
)
from claims.models import EvidenceRelation
from claims.selectors import dossier_as_of, dossier_timeline
from eventlog.models import Event
from tests.claims.workbench import busiest_cluster, small_dossier

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)


def last_event(stream_id) -> Event:
    return Event.objects.filter(stream_id=stream_id).order_by("position").last()


def first_event_of_type(event_type: str) -> Event:
    return Event.objects.filter(type=event_type).order_by("position").first()


def test_before_and_after_a_verdict_edit_the_old_and_the_new_state():
    dossier, analyst, _ = small_dossier()
    cluster = busiest_cluster(dossier)
    first, second = cluster.claims.all()[:2]
    verdict = draft_verdict(
        cluster=cluster,
        actor=analyst,
        rating="unproven",
        rationale="Waiting for a second source.",
        evidence=[EvidenceInput(relation=EvidenceRelation.CONTEXT, claim=first)],
    )
    verdict = edit_verdict(
        verdict=verdict,
        actor=analyst,
        expected_version=verdict.version,
        rating="false",
        confidence=85,
        source_reliability="B",
        information_credibility=5,
        rationale="The ministry denied it.",
        evidence=[EvidenceInput(relation=EvidenceRelation.REFUTES, claim=second)],
    )
    edited_at = last_event(verdict.id).recorded_at

    before = dossier_as_of(dossier, edited_at - TICK)
    after = dossier_as_of(dossier, edited_at)

    (then,) = before.verdicts
    (now,) = after.verdicts
    assert (then.rating, then.rationale) == ("unproven", "Waiting for a second source.")
    assert (now.rating, now.rationale) == ("false", "The ministry denied it.")
    assert [(e.claim_id, e.relation) for e in before.evidence] == [(first.id, "context")]
    assert [(e.claim_id, e.relation) for e in after.evidence] == [(second.id, "refutes")]
    assert before.cluster(cluster.id).current_verdict.rating == "unproven"


def test_articles_claims_and_clusters_appear_when_they_were_recorded():
    dossier, _, _ = small_dossier()
    created = last_event(dossier.id).recorded_at
    extracted = first_event_of_type("ClaimsExtracted").recorded_at
    clustered = first_event_of_type("ClusterFormed").recorded_at

    assert dossier_as_of(dossier, created - TICK).dossier is None
    at_creation = dossier_as_of(dossier, created)
    assert at_creation.dossier.title == dossier.title and at_creation.articles == []

    before_extraction = dossier_as_of(dossier, extracted - TICK)
    assert before_extraction.articles and before_extraction.claims == []
    assert {a.status for a in before_extraction.articles} <= {"pending", "running"}

    before_clustering = dossier_as_of(dossier, clustered - TICK)
    assert before_clustering.claims and before_clustering.clusters == []

    today = dossier_as_of(dossier, Event.objects.last().recorded_at)
    assert {a.status for a in today.articles} == {"done"}
    assert {c.cluster.id for c in today.clusters} == set(
        dossier.clusters.filter(is_active=True).values_list("id", flat=True)
    )
    members = today.cluster(busiest_cluster(dossier).id).claims
    assert sorted(c.id for c in members) == sorted(
        busiest_cluster(dossier).claims.values_list("id", flat=True)
    )


def test_a_published_verdict_is_what_we_believed_until_its_revision():
    dossier, analyst, reviewer = small_dossier()
    cluster = busiest_cluster(dossier)
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="true", rationale="Confirmed.")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    verdict = publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    revision = revise_verdict(
        verdict=verdict, actor=analyst, expected_version=verdict.version, reason="retraction"
    )
    revised_at = last_event(revision.id).recorded_at

    before = dossier_as_of(dossier, revised_at - TICK).cluster(cluster.id)
    after = dossier_as_of(dossier, revised_at).cluster(cluster.id)

    assert [(v.revision, v.status) for v in before.verdicts] == [(1, "published")]
    assert [(v.revision, v.status) for v in after.verdicts] == [(2, "draft"), (1, "published")]
    assert after.current_verdict.supersedes_id == verdict.id


def test_the_timeline_orders_articles_by_publication_and_events_by_record_time():
    dossier, analyst, _ = small_dossier()
    draft_verdict(cluster=busiest_cluster(dossier), actor=analyst, rating="mixed")
    timeline = dossier_timeline(dossier)

    dates = [a.published_at or a.uploaded_at for a in timeline.articles]
    assert len(dates) == 3 and dates == sorted(dates)
    events = list(timeline.events)
    assert [e.recorded_at for e in events] == sorted(e.recorded_at for e in events)
    types = {e.type for e in events}
    assert {"DossierCreated", "ArticleUploaded", "ClaimsExtracted", "VerdictDrafted"} <= types
    assert all(e.team_id == dossier.team_id for e in events)
