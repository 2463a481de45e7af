"""Replaying the log rebuilds every verdict revision, its evidence and its history exactly."""

import pytest

from claims.commands import (
    EvidenceInput,
    approve_verdict,
    draft_verdict,
    edit_verdict,
    flag_verdicts_of_cluster,
    publish_verdict,
    request_changes,
    revise_verdict,
    submit_verdict,
)
from claims.events import ClaimEventType
from claims.models import EvidenceRelation, Verdict
from eventlog.context import SYSTEM
from eventlog.models import Event
from eventlog.rebuild import replay_all
from tests.claims.workbench import busiest_cluster, small_dossier
from tests.dossiers.test_replay import projection_snapshot

pytestmark = pytest.mark.django_db(transaction=True)

VERDICT_EVENTS = {t for t in ClaimEventType if t.startswith("Verdict")}


def run_the_whole_workflow() -> None:
    dossier, analyst, reviewer = small_dossier()
    cluster = busiest_cluster(dossier)
    claims = list(cluster.claims.all())
    verdict = draft_verdict(
        cluster=cluster,
        actor=analyst,
        rating="mixed",
        evidence=[EvidenceInput(relation=EvidenceRelation.SUPPORTS, claim=claims[0])],
    )
    verdict = edit_verdict(
        verdict=verdict,
        actor=analyst,
        expected_version=verdict.version,
        rating="mostly_true",
        confidence=80,
        source_reliability="B",
        information_credibility=2,
        rationale="Three outlets, one origin.",
        evidence=[EvidenceInput(relation=EvidenceRelation.CONTEXT, claim=c) for c in claims],
    )
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = request_changes(
        verdict=verdict, actor=reviewer, expected_version=verdict.version, reason="add sources"
    )
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    flag_verdicts_of_cluster(cluster_id=cluster.id, reasons=["1 claim(s) joined"], actor=SYSTEM)
    verdict.refresh_from_db()
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    verdict = publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    revise_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version, reason="new")


def claims_snapshot() -> dict[str, list]:
    """Every claims-app row and history row (evidence ids included: they derive from events)."""
    return {k: v for k, v in projection_snapshot().items() if k.startswith("claims.")}


def test_replay_rebuilds_the_verdict_workflow_exactly():
    run_the_whole_workflow()
    logged = set(Event.objects.values_list("type", flat=True))
    assert logged >= VERDICT_EVENTS, f"not exercised: {VERDICT_EVENTS - logged}"
    assert Verdict.objects.count() == 2
    before = claims_snapshot()
    assert before["claims.HistoricalVerdict"] and before["claims.HistoricalVerdictEvidence"]

    replay_all()

    assert claims_snapshot() == before
