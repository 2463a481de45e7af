"""Re-clustering stores why each claim is in its cluster and which claims contradict it; a
contradiction reaching a verdict's cluster flags the verdict for review."""

import pytest

from claims.commands import draft_verdict, submit_verdict
from claims.models import Claim, ClaimCluster
from claims.reclustering import recluster_dossier
from dossiers.models import Role
from eventlog.context import SYSTEM
from tests.factories import DossierFactory, member, upload
from workers.pipeline import run_extraction

pytestmark = pytest.mark.django_db

REPORT = (
    "Port strike ends\n\n"
    "Dock workers in Rotterdam ended their strike on {day} after the port authority agreed "
    "to a 6 percent raise for all crews. "
    "The union said the harbour would reopen to container ships within two days.\n"
)
DENIAL = (
    "Port authority speaks\n\n"
    "The port authority has not agreed to a raise for the dock workers in Rotterdam, "
    "its spokesman said. Talks on working hours continue next week.\n"
)
ASSERTION = (
    "Deal in Rotterdam\n\n"
    "The port authority has agreed to a raise for the dock workers in Rotterdam, "
    "the union said. Ships are expected back at the quays soon.\n"
)


@pytest.fixture
def team_desk():
    dossier = DossierFactory()
    return dossier, member(dossier.team, Role.ANALYST)


def add(dossier, analyst, text: str) -> None:
    """Upload and extract at once (the worker's on-commit queueing never fires here)."""
    run_extraction(upload(dossier, text, actor=analyst).id)


def cluster_of(dossier, fragment: str) -> ClaimCluster:
    return Claim.objects.filter(dossier=dossier, text__contains=fragment).first().cluster


def test_every_member_of_a_shared_cluster_stores_its_link(team_desk):
    dossier, analyst = team_desk
    add(dossier, analyst, REPORT.format(day="Friday"))
    add(dossier, analyst, REPORT.format(day="Friday").replace("Dock workers", "Dockers"))
    recluster_dossier(dossier=dossier, actor=SYSTEM)

    cluster = cluster_of(dossier, "Dockers in Rotterdam")
    members = {str(c.id) for c in cluster.claims.all()}
    assert cluster.article_count == 2
    assert set(cluster.member_links) == members
    for claim_id, link in cluster.member_links.items():
        assert link["partner"] in members - {claim_id}
        assert 0 < link["score"] <= 1
        assert "Rotterdam" in link["shared_terms"] and len(link["shared_terms"]) >= 3
        assert 6.0 in link["shared_quantities"]


def test_a_report_on_another_day_is_a_contradiction_counted_on_both_clusters(team_desk):
    dossier, analyst = team_desk
    add(dossier, analyst, REPORT.format(day="Friday"))
    add(dossier, analyst, REPORT.format(day="Saturday"))
    recluster_dossier(dossier=dossier, actor=SYSTEM)

    friday, saturday = (
        Claim.objects.get(dossier=dossier, text__contains=f"strike on {day}")
        for day in ("Friday", "Saturday")
    )
    assert friday.cluster_id != saturday.cluster_id
    (found,) = friday.cluster.contradictions
    assert found["claim_id"] == str(friday.id)
    assert found["other_claim_id"] == str(saturday.id)
    assert found["kind"] == "dates" and "Friday" in found["reason"]
    assert saturday.cluster.contradictions[0]["other_claim_id"] == str(friday.id)
    assert friday.cluster.contradicting_article_count == 1


def test_a_denial_reaching_a_verdicts_cluster_flags_the_verdict(team_desk):
    dossier, analyst = team_desk
    add(dossier, analyst, ASSERTION)
    add(dossier, analyst, ASSERTION.replace("the union said", "a union leader said"))
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    cluster = cluster_of(dossier, "has agreed to a raise")
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="mostly_true")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    assert not verdict.needs_review

    add(dossier, analyst, DENIAL)
    recluster_dossier(dossier=dossier, actor=SYSTEM)

    cluster.refresh_from_db()
    denial = Claim.objects.get(dossier=dossier, text__contains="has not agreed")
    assert denial.cluster_id != cluster.id
    assert {c["other_claim_id"] for c in cluster.contradictions} == {str(denial.id)}
    assert all(c["kind"] == "denial" for c in cluster.contradictions)
    verdict.refresh_from_db()
    assert verdict.needs_review
    assert "contradicts" in repr(verdict.review_flags)
