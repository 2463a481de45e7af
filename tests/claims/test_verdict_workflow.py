"""The verdict workflow: who may move a verdict where, with what version, and what the log keeps."""

import pytest
from django.core.exceptions import PermissionDenied

from claims.commands import (
    EvidenceInput,
    WorkflowError,
    approve_verdict,
    draft_verdict,
    edit_verdict,
    flag_verdicts_of_cluster,
    publish_verdict,
    request_changes,
    revise_verdict,
    submit_verdict,
)
from claims.events import ClaimEventType, ClaimStreamType
from claims.models import ClaimCluster, EvidenceRelation, Verdict
from claims.selectors import changes_since_approval, verdicts_needing_review
from dossiers.models import Role
from eventlog.context import SYSTEM
from eventlog.models import Event
from eventlog.store import ConcurrencyError
from tests.claims.workbench import busiest_cluster, small_dossier
from tests.factories import DossierFactory, member

pytestmark = pytest.mark.django_db

CONTENT = {
    "rating": "mostly_false",
    "confidence": 70,
    "source_reliability": "C",
    "information_credibility": 4,
    "rationale": "Only **one** outlet stands behind the figure.",
}


@pytest.fixture
def desk():
    dossier, analyst, reviewer = small_dossier()
    cluster = busiest_cluster(dossier)
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="unproven")
    return dossier, analyst, reviewer, verdict


def verdict_events(verdict: Verdict) -> list[Event]:
    return list(
        Event.objects.filter(stream_type=ClaimStreamType.VERDICT, stream_id=verdict.id).order_by(
            "stream_version"
        )
    )


def publish(verdict: Verdict, analyst, reviewer) -> Verdict:
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    return publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)


def test_a_verdict_is_named_in_words_an_analyst_reads(desk):
    """Admin titles, breadcrumbs and the change log name a verdict by str(): labels, not codes."""
    _, analyst, _, verdict = desk
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)

    assert str(verdict) == "Unproven (rev 1, In review)"


def test_every_transition_is_in_the_event_log_with_actor_time_and_reason(desk):
    _, analyst, reviewer, verdict = desk
    claim = verdict.cluster.claims.first()
    verdict = edit_verdict(
        verdict=verdict,
        actor=analyst,
        expected_version=verdict.version,
        evidence=[EvidenceInput(relation=EvidenceRelation.SUPPORTS, claim=claim)],
        reason="first assessment",
        **CONTENT,
    )
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = request_changes(
        verdict=verdict, actor=reviewer, expected_version=verdict.version, reason="cite the origin"
    )
    assert verdict.status == Verdict.Status.CHANGES_REQUESTED
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    verdict = publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    revision = revise_verdict(
        verdict=verdict, actor=analyst, expected_version=verdict.version, reason="new report"
    )

    log = [(e.type, e.metadata["actor"], e.metadata["reason"]) for e in verdict_events(verdict)]
    assert log == [
        ("VerdictDrafted", analyst.username, ""),
        ("VerdictEdited", analyst.username, "first assessment"),
        ("VerdictSubmitted", analyst.username, "submitted for review"),
        ("VerdictChangesRequested", reviewer.username, "cite the origin"),
        ("VerdictSubmitted", analyst.username, "submitted for review"),
        ("VerdictApproved", reviewer.username, "approved"),
        ("VerdictPublished", reviewer.username, "published"),
    ]
    revised = verdict_events(revision)
    assert [(e.type, e.metadata["actor"], e.metadata["reason"]) for e in revised] == [
        ("VerdictRevised", analyst.username, "new report")
    ]
    assert revised[0].data["supersedes_id"] == str(verdict.id)
    assert all(e.recorded_at for e in verdict_events(verdict))
    assert verdict.status == Verdict.Status.PUBLISHED
    assert verdict.reviewer == reviewer and verdict.approved_at and verdict.published_at
    assert verdict.evidence.get().claim == claim


def test_the_author_cannot_approve_their_own_verdict_even_as_a_reviewer(desk):
    dossier, _, reviewer, _ = desk
    cluster = ClaimCluster.objects.filter(dossier=dossier, verdicts__isnull=True).first()
    own = draft_verdict(cluster=cluster, actor=reviewer, rating="true")
    own = submit_verdict(verdict=own, actor=reviewer, expected_version=own.version)
    before = len(verdict_events(own))

    with pytest.raises(PermissionDenied, match="four-eyes"):
        approve_verdict(verdict=own, actor=reviewer, expected_version=own.version)

    own.refresh_from_db()
    assert own.status == Verdict.Status.IN_REVIEW
    assert len(verdict_events(own)) == before


def test_the_author_cannot_publish_their_own_verdict_after_someone_else_approved_it(desk):
    dossier, _, reviewer, _ = desk
    author = member(dossier.team, Role.REVIEWER)
    cluster = ClaimCluster.objects.filter(dossier=dossier, verdicts__isnull=True).first()
    own = draft_verdict(cluster=cluster, actor=author, rating="true")
    own = submit_verdict(verdict=own, actor=author, expected_version=own.version)
    own = approve_verdict(verdict=own, actor=reviewer, expected_version=own.version)
    before = len(verdict_events(own))

    with pytest.raises(PermissionDenied, match="four-eyes.*publish"):
        publish_verdict(verdict=own, actor=author, expected_version=own.version)

    own.refresh_from_db()
    assert own.status == Verdict.Status.APPROVED
    assert len(verdict_events(own)) == before
    published = publish_verdict(verdict=own, actor=reviewer, expected_version=own.version)
    assert published.status == Verdict.Status.PUBLISHED


def test_a_reviewer_who_edited_the_draft_cannot_approve_it(desk):
    _, analyst, reviewer, verdict = desk
    verdict = edit_verdict(
        verdict=verdict, actor=reviewer, expected_version=verdict.version, **CONTENT
    )
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)


def test_a_stale_edit_is_refused_and_the_first_edit_survives(desk):
    _, analyst, reviewer, verdict = desk
    opened_at = verdict.version
    edit_verdict(verdict=verdict, actor=analyst, expected_version=opened_at, **CONTENT)

    with pytest.raises(ConcurrencyError) as refused:
        edit_verdict(
            verdict=verdict,
            actor=reviewer,
            expected_version=opened_at,
            **{**CONTENT, "rating": "true", "rationale": "overwrites the analyst"},
        )

    assert (refused.value.expected, refused.value.actual) == (opened_at, opened_at + 1)
    verdict.refresh_from_db()
    assert (verdict.rating, verdict.rationale) == (CONTENT["rating"], CONTENT["rationale"])


def test_a_stale_transition_is_refused(desk):
    _, analyst, reviewer, verdict = desk
    stale = verdict.version
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=stale)
    with pytest.raises(ConcurrencyError):
        approve_verdict(verdict=verdict, actor=reviewer, expected_version=stale)
    verdict.refresh_from_db()
    assert verdict.status == Verdict.Status.IN_REVIEW


def test_an_edit_that_changes_nothing_appends_no_event(desk):
    _, analyst, _, verdict = desk
    verdict = edit_verdict(
        verdict=verdict, actor=analyst, expected_version=verdict.version, **CONTENT
    )
    count = len(verdict_events(verdict))
    again = edit_verdict(
        verdict=verdict, actor=analyst, expected_version=verdict.version, **CONTENT
    )
    assert again.version == verdict.version
    assert len(verdict_events(verdict)) == count


@pytest.mark.parametrize("command", [approve_verdict, publish_verdict])
def test_analysts_cannot_approve_or_publish(desk, command):
    dossier, analyst, _, verdict = desk
    other_analyst = member(dossier.team, Role.ANALYST)
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    with pytest.raises(PermissionDenied):
        command(verdict=verdict, actor=other_analyst, expected_version=verdict.version)


def test_viewers_read_but_cannot_draft_edit_or_submit(desk):
    dossier, _, _, verdict = desk
    viewer = member(dossier.team, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        edit_verdict(verdict=verdict, actor=viewer, expected_version=verdict.version, **CONTENT)
    with pytest.raises(PermissionDenied):
        submit_verdict(verdict=verdict, actor=viewer, expected_version=verdict.version)
    with pytest.raises(PermissionDenied):
        draft_verdict(cluster=verdict.cluster, actor=viewer, rating="true")


def test_members_of_another_team_cannot_touch_the_verdict(desk):
    _, analyst, _, verdict = desk
    outsider = member(DossierFactory().team, Role.ADMIN)
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    with pytest.raises(PermissionDenied):
        approve_verdict(verdict=verdict, actor=outsider, expected_version=verdict.version)


def test_transitions_the_status_does_not_allow_raise_workflow_errors(desk):
    _, analyst, reviewer, verdict = desk
    with pytest.raises(WorkflowError, match="publish"):
        publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    with pytest.raises(WorkflowError):
        approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    with pytest.raises(WorkflowError):
        revise_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version, reason="x")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    with pytest.raises(WorkflowError, match="edit"):
        edit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version, **CONTENT)
    with pytest.raises(WorkflowError, match="reason"):
        request_changes(
            verdict=verdict, actor=reviewer, expected_version=verdict.version, reason=" "
        )
    assert issubclass(WorkflowError, ValueError)


def test_a_revision_needs_a_reason(desk):
    _, analyst, reviewer, verdict = desk
    verdict = publish(verdict, analyst, reviewer)
    with pytest.raises(WorkflowError, match="reason"):
        revise_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version, reason="")


def test_a_revision_keeps_the_published_one_intact(desk):
    _, analyst, reviewer, verdict = desk
    verdict = edit_verdict(
        verdict=verdict, actor=analyst, expected_version=verdict.version, **CONTENT
    )
    published = publish(verdict, analyst, reviewer)
    frozen = Verdict.objects.values().get(id=published.id)
    frozen_evidence = list(published.evidence.values("claim_id", "relation", "quote"))

    revision = revise_verdict(
        verdict=published, actor=analyst, expected_version=published.version, reason="new facts"
    )
    revision = edit_verdict(
        verdict=revision,
        actor=analyst,
        expected_version=revision.version,
        **{**CONTENT, "rating": "false", "rationale": "Moscow denied it."},
    )
    publish(revision, analyst, reviewer)

    assert Verdict.objects.values().get(id=published.id) == frozen
    assert list(published.evidence.values("claim_id", "relation", "quote")) == frozen_evidence
    revision.refresh_from_db()
    assert (revision.revision, revision.supersedes_id) == (2, published.id)
    assert (revision.rating, revision.status) == ("false", Verdict.Status.PUBLISHED)
    with pytest.raises(WorkflowError, match="already been revised"):
        revise_verdict(
            verdict=published, actor=analyst, expected_version=published.version, reason="again"
        )


def test_a_revision_starts_as_a_draft_with_the_published_content(desk):
    _, analyst, reviewer, verdict = desk
    verdict = edit_verdict(
        verdict=verdict, actor=analyst, expected_version=verdict.version, **CONTENT
    )
    published = publish(verdict, analyst, reviewer)
    revision = revise_verdict(
        verdict=published, actor=reviewer, expected_version=published.version, reason="typo"
    )
    assert revision.status == Verdict.Status.DRAFT and revision.author == reviewer
    assert (revision.rating, revision.rationale) == (published.rating, published.rationale)
    assert revision.reviewer is None and revision.published_at is None


def test_a_flag_after_approval_blocks_publishing_and_says_what_changed(desk):
    _, analyst, reviewer, verdict = desk
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    flag_verdicts_of_cluster(
        cluster_id=verdict.cluster_id, reasons=["a contradicting article was added"], actor=SYSTEM
    )
    verdict.refresh_from_db()
    assert verdict in verdicts_needing_review(reviewer)
    assert [f["reasons"] for f in changes_since_approval(verdict)] == [
        ["a contradicting article was added"]
    ]

    with pytest.raises(WorkflowError, match="flagged"):
        publish_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)

    verdict = request_changes(
        verdict=verdict, actor=reviewer, expected_version=verdict.version, reason="re-check"
    )
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    verdict = approve_verdict(verdict=verdict, actor=reviewer, expected_version=verdict.version)
    assert not verdict.needs_review
    assert changes_since_approval(verdict) == []
    assert verdict not in verdicts_needing_review(reviewer)
    approved = Event.objects.filter(stream_id=verdict.id, type=ClaimEventType.VERDICT_APPROVED)
    assert approved.last().data["acknowledged_flags"] == 1


def test_a_draft_is_not_flagged_under_its_author_but_a_verdict_in_review_is(desk):
    _, analyst, _, verdict = desk
    flagged = flag_verdicts_of_cluster(
        cluster_id=verdict.cluster_id, reasons=["1 claim(s) joined the cluster"], actor=SYSTEM
    )
    verdict.refresh_from_db()
    assert flagged == 0 and not verdict.needs_review
    assert (
        edit_verdict(
            verdict=verdict, actor=analyst, expected_version=verdict.version, **CONTENT
        ).rating
        == CONTENT["rating"]
    )  # the author's version did not move

    verdict.refresh_from_db()
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    assert (
        flag_verdicts_of_cluster(
            cluster_id=verdict.cluster_id, reasons=["1 claim(s) joined the cluster"], actor=SYSTEM
        )
        == 1
    )
    verdict.refresh_from_db()
    assert verdict.needs_review
