"""Every change to verdicts: validate, append events, project (re-clustering: `claims.reclustering`)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from claims.events import (
    MAX_EVIDENCE,
    ClaimEventType,
    ClaimStreamType,
)
from claims.models import (
    Claim,
    ClaimCluster,
    Comment,
    EvidenceRelation,
    InformationCredibility,
    Rating,
    Verdict,
)
from dossiers.models import Article, Role, SourceReliability
from dossiers.permissions import require_person, require_role
from eventlog.context import Actor, Context
from eventlog.models import Event
from eventlog.store import (
    ConcurrencyError,
    lock_appends,
    record,
)

User = AbstractBaseUser


# --- verdicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    relation: EvidenceRelation
    claim: Claim | None = None
    article: Article | None = None
    note: str = ""
    quote: str = ""  # kept when a re-extraction retired the claim it quoted


def _evidence_data(cluster: ClaimCluster, evidence: list[EvidenceInput]) -> list[dict]:
    if len(evidence) > MAX_EVIDENCE:
        raise ValueError(f"a verdict can cite at most {MAX_EVIDENCE} pieces of evidence")
    items = []
    for item in evidence:
        article = item.article or (item.claim.article if item.claim else None)
        if article is None:
            raise ValueError("evidence must name a claim or an article")
        if article.dossier_id != cluster.dossier_id:
            raise ValueError("evidence must come from the verdict's dossier")
        items.append(
            {
                "article_id": str(article.id),
                "claim_id": str(item.claim.id) if item.claim else None,
                "quote": item.claim.text if item.claim else item.quote,
                "relation": str(EvidenceRelation(item.relation)),
                "note": item.note[:500],
            }
        )
    return items


# Control characters (other than tab and newlines) and lone surrogates have no place in a
# rationale: they break JSON consumers and terminals, so they are dropped on the way in.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def verdict_content(
    *,
    rating: Rating | str,
    confidence: int,
    source_reliability: SourceReliability | str,
    information_credibility: InformationCredibility | int,
    rationale: str,
) -> dict:
    """Validate verdict content; raises ValueError with a message a user can act on."""
    if not 0 <= int(confidence) <= 100:
        raise ValueError("confidence must be between 0 and 100")
    return {
        "rating": str(Rating(rating)),
        "confidence": int(confidence),
        "source_reliability": str(SourceReliability(source_reliability)),
        "information_credibility": int(InformationCredibility(int(information_credibility))),
        "rationale": _CONTROL_CHARACTERS.sub("", rationale),
    }


@transaction.atomic
def draft_verdict(
    *,
    cluster: ClaimCluster,
    actor: User,
    rating: Rating | str,
    confidence: int = 50,
    source_reliability: SourceReliability | str = SourceReliability.F,
    information_credibility: InformationCredibility | int = InformationCredibility.CANNOT_BE_JUDGED,
    rationale: str = "",
    evidence: list[EvidenceInput] | None = None,
    reuses: Verdict | None = None,
) -> Verdict:
    """Start the first revision of a verdict on a cluster (citing `reuses`, if given)."""
    require_role(actor, cluster.dossier.team, Role.ANALYST)
    require_person(actor, "draft a verdict")
    if Verdict.objects.filter(cluster=cluster).exists():
        raise ValueError("this cluster already has a verdict; revise it instead")
    verdict_id = uuid.uuid4()
    record(
        stream_type=ClaimStreamType.VERDICT,
        stream_id=verdict_id,
        expected_version=0,
        event_type=ClaimEventType.VERDICT_DRAFTED,
        data={
            "cluster_id": str(cluster.id),
            "dossier_id": str(cluster.dossier_id),
            "revision": 1,
            "supersedes_id": None,
            "reuses_id": str(reuses.id) if reuses else None,
            "author_id": actor.pk,
            **verdict_content(
                rating=rating,
                confidence=confidence,
                source_reliability=source_reliability,
                information_credibility=information_credibility,
                rationale=rationale,
            ),
            "evidence": _evidence_data(cluster, evidence or []),
        },
        context=Context.of(actor),
        team_id=cluster.dossier.team_id,
    )
    return Verdict.objects.get(id=verdict_id)


def reuse_verdict(*, verdict: Verdict, cluster: ClaimCluster, actor: User) -> Verdict:
    """Already reviewed: a draft verdict on `cluster` that cites the team's approved or
    published `verdict` on the same fact and starts from its rating, grades and rationale.
    It goes through review like any other draft; evidence is the cluster's own to add."""
    if verdict.status not in (Verdict.Status.APPROVED, Verdict.Status.PUBLISHED):
        raise WorkflowError("only an approved or published verdict can be reused")
    if verdict.dossier.team_id != cluster.dossier.team_id:
        raise PermissionDenied("a verdict can be reused only in its own team's dossiers")
    if verdict.cluster_id == cluster.id:
        raise ValueError("this verdict is already the cluster's own")
    cited = f"Reuses the {verdict.get_status_display().lower()} verdict on “{verdict.cluster}” "
    return draft_verdict(
        cluster=cluster,
        actor=actor,
        rating=verdict.rating,
        confidence=verdict.confidence,
        source_reliability=verdict.source_reliability,
        information_credibility=verdict.information_credibility,
        rationale=f"{cited}(dossier “{verdict.dossier}”).\n\n{verdict.rationale}".strip(),
        reuses=verdict,
    )


# A verdict is flagged once someone has put it forward as a conclusion. A draft is still being
# written against the live cluster: flagging it would only move its version under its author
# (every upload into the cluster turned the author's next save into a 412) and pile up flags
# nobody acknowledges.
_FLAGGABLE = (Verdict.Status.IN_REVIEW, Verdict.Status.APPROVED, Verdict.Status.PUBLISHED)


@transaction.atomic
def flag_verdicts_of_cluster(*, cluster_id, reasons: list[str], actor: User | Actor) -> int:
    """Flag the cluster's current verdict revision for review, saying what changed."""
    verdict = Verdict.objects.filter(cluster_id=cluster_id).order_by("-revision").first()
    if verdict is None or verdict.status not in _FLAGGABLE:
        return 0
    record(
        stream_type=ClaimStreamType.VERDICT,
        stream_id=verdict.id,
        expected_version=verdict.version,
        event_type=ClaimEventType.VERDICT_FLAGGED_FOR_REVIEW,
        data={"reasons": reasons},
        context=Context.of(actor, "; ".join(reasons)),
        team_id=verdict.dossier.team_id,
    )
    return 1


# --- verdict workflow ----------------------------------------------------------------------
#
# draft -> in_review -> approved | changes_requested -> published; a published verdict is
# never edited: revising it starts a new draft revision that supersedes it.


class WorkflowError(ValueError):
    """A transition the verdict's status does not allow, or a missing required reason."""


_EDITABLE = (Verdict.Status.DRAFT, Verdict.Status.CHANGES_REQUESTED)


def _current_verdict(verdict: Verdict, actor: User | Actor, minimum: Role, expected_version: int):
    """Lock and reload the verdict, then check role and version before anything else.

    A stale caller gets ConcurrencyError even when the status moved on too: reloading is the
    fix either way, and the message says so.
    """
    lock_appends()  # before the row lock: see lock_appends
    current = Verdict.objects.select_for_update().select_related("dossier__team").get(id=verdict.id)
    require_role(actor, current.dossier.team, minimum)
    require_person(actor, "take part in a verdict's review")
    if current.version != int(expected_version):
        raise ConcurrencyError(
            ClaimStreamType.VERDICT, current.id, int(expected_version), current.version
        )
    return current


def _require_status(verdict: Verdict, allowed: tuple[Verdict.Status, ...], action: str) -> None:
    if verdict.status not in allowed:
        names = " or ".join(str(Verdict.Status(s).label).lower() for s in allowed)
        raise WorkflowError(
            f"cannot {action} a verdict that is {verdict.get_status_display().lower()}; "
            f"it must be {names}"
        )


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(f"a reason is required to {action}")
    return reason


def _require_second_pair_of_eyes(verdict: Verdict, actor: User | Actor, action: str) -> None:
    """The approver or publisher must be neither the author nor anyone who edited this
    revision."""
    edited = Event.objects.filter(
        stream_type=ClaimStreamType.VERDICT,
        stream_id=verdict.id,
        type=ClaimEventType.VERDICT_EDITED,
        metadata__actor_id=actor.pk,
    ).exists()
    if verdict.author_id == actor.pk or edited:
        raise PermissionDenied(
            f"four-eyes rule: you wrote this verdict, so someone else must {action} it"
        )


def _append_verdict_event(
    verdict: Verdict, event_type: str, data: dict, actor: User | Actor, reason: str = ""
) -> Verdict:
    record(
        stream_type=ClaimStreamType.VERDICT,
        stream_id=verdict.id,
        expected_version=verdict.version,
        event_type=event_type,
        data=data,
        context=Context.of(actor, reason),
        team_id=verdict.dossier.team_id,
    )
    return Verdict.objects.get(id=verdict.id)


def _stored_evidence(verdict: Verdict) -> list[dict]:
    return [
        {
            "article_id": str(item.article_id),
            "claim_id": str(item.claim_id) if item.claim_id else None,
            "quote": item.quote,
            "relation": item.relation,
            "note": item.note,
        }
        for item in verdict.evidence.order_by("id")
    ]


def _content_of(verdict: Verdict) -> dict:
    return {
        "rating": verdict.rating,
        "confidence": verdict.confidence,
        "source_reliability": verdict.source_reliability,
        "information_credibility": verdict.information_credibility,
        "rationale": verdict.rationale,
        "evidence": _stored_evidence(verdict),
    }


@transaction.atomic
def edit_verdict(
    *,
    verdict: Verdict,
    actor: User | Actor,
    expected_version: int,
    rating: Rating | str,
    confidence: int,
    source_reliability: SourceReliability | str,
    information_credibility: InformationCredibility | int,
    rationale: str,
    evidence: list[EvidenceInput] | None = None,
    reason: str = "",
) -> Verdict:
    """Change a draft's content. `evidence=None` keeps the evidence as it is.

    An edit that changes nothing appends no event.
    """
    current = _current_verdict(verdict, actor, Role.ANALYST, expected_version)
    _require_status(current, _EDITABLE, "edit")
    content = verdict_content(
        rating=rating,
        confidence=confidence,
        source_reliability=source_reliability,
        information_credibility=information_credibility,
        rationale=rationale,
    )
    content["evidence"] = (
        _stored_evidence(current) if evidence is None else _evidence_data(current.cluster, evidence)
    )
    if content == _content_of(current):
        return current
    return _append_verdict_event(
        current, ClaimEventType.VERDICT_EDITED, content, actor, reason.strip() or "edited"
    )


def reviewed_snapshot(cluster: ClaimCluster) -> dict:
    """The cluster as a verdict submitted on it reviews it: approval, publication and
    ClaimReview read this, not the live cluster, which re-analysis and analysts may change."""
    return {
        "claim_text": cluster.canonical_text,
        "claim_ids": sorted(str(i) for i in cluster.claims.values_list("id", flat=True)),
        "independent_origin_count": cluster.independent_origin_count,
        "origin": cluster.origin,
        "contradictions": len(cluster.contradictions),
    }


def reviewed_changes(verdict: Verdict) -> list[str]:
    """How the verdict's cluster differs now from the snapshot it was submitted with."""
    reviewed = verdict.reviewed
    if not reviewed:
        return []
    now = reviewed_snapshot(verdict.cluster)
    changes = []
    if now["claim_text"] != reviewed["claim_text"]:
        changes.append(f"wording: “{reviewed['claim_text']}” → “{now['claim_text']}”")
    joined = len(set(now["claim_ids"]) - set(reviewed["claim_ids"]))
    left = len(set(reviewed["claim_ids"]) - set(now["claim_ids"]))
    if joined or left:
        changes.append(f"members: {joined} joined, {left} left")
    if now["independent_origin_count"] != reviewed["independent_origin_count"]:
        changes.append(
            "independent origins: "
            f"{reviewed['independent_origin_count']} → {now['independent_origin_count']}"
        )
    if now["contradictions"] > reviewed["contradictions"]:
        changes.append(f"contradictions: {reviewed['contradictions']} → {now['contradictions']}")
    return changes


@transaction.atomic
def submit_verdict(
    *, verdict: Verdict, actor: User | Actor, expected_version: int, reason: str = ""
) -> Verdict:
    """Hand a draft to the reviewers."""
    current = _current_verdict(verdict, actor, Role.ANALYST, expected_version)
    _require_status(current, _EDITABLE, "submit")
    return _append_verdict_event(
        current,
        ClaimEventType.VERDICT_SUBMITTED,
        {"reviewed": reviewed_snapshot(current.cluster)},
        actor,
        reason.strip() or "submitted for review",
    )


@transaction.atomic
def approve_verdict(
    *, verdict: Verdict, actor: User | Actor, expected_version: int, reason: str = ""
) -> Verdict:
    """Approve a verdict in review. Approval acknowledges any earlier re-analysis flags."""
    current = _current_verdict(verdict, actor, Role.REVIEWER, expected_version)
    _require_status(current, (Verdict.Status.IN_REVIEW,), "approve")
    _require_second_pair_of_eyes(current, actor, "approve")
    return _append_verdict_event(
        current,
        ClaimEventType.VERDICT_APPROVED,
        {
            "reviewer_id": Actor.of(actor).user_id,
            "acknowledged_flags": len(current.review_flags) if current.needs_review else 0,
        },
        actor,
        reason.strip() or "approved",
    )


@transaction.atomic
def request_changes(
    *, verdict: Verdict, actor: User | Actor, expected_version: int, reason: str
) -> Verdict:
    """Send a verdict back to its author. Also withdraws an approval not yet published."""
    current = _current_verdict(verdict, actor, Role.REVIEWER, expected_version)
    _require_status(current, (Verdict.Status.IN_REVIEW, Verdict.Status.APPROVED), "send back")
    reason = _require_reason(reason, "request changes")
    return _append_verdict_event(
        current,
        ClaimEventType.VERDICT_CHANGES_REQUESTED,
        {"reviewer_id": Actor.of(actor).user_id, "reason": reason},
        actor,
        reason,
    )


@transaction.atomic
def publish_verdict(
    *, verdict: Verdict, actor: User | Actor, expected_version: int, reason: str = ""
) -> Verdict:
    """Publish an approved verdict, unless re-analysis flagged it after approval.

    Like approval, never by the verdict's author or an editor of this revision (four-eyes).
    """
    current = _current_verdict(verdict, actor, Role.REVIEWER, expected_version)
    _require_status(current, (Verdict.Status.APPROVED,), "publish")
    _require_second_pair_of_eyes(current, actor, "publish")
    if current.needs_review:
        raise WorkflowError(
            "re-analysis flagged this verdict after it was approved; "
            "request changes and review it again before publishing"
        )
    return _append_verdict_event(
        current, ClaimEventType.VERDICT_PUBLISHED, {}, actor, reason.strip() or "published"
    )


@transaction.atomic
def revise_verdict(
    *, verdict: Verdict, actor: User | Actor, expected_version: int, reason: str
) -> Verdict:
    """Start a new draft revision of a published verdict; the published one stays as it is."""
    current = _current_verdict(verdict, actor, Role.ANALYST, expected_version)
    _require_status(current, (Verdict.Status.PUBLISHED,), "revise")
    reason = _require_reason(reason, "revise a published verdict")
    if Verdict.objects.filter(supersedes=current).exists():
        raise WorkflowError("this revision has already been revised; revise the latest one")
    if actor is None:
        raise WorkflowError("a revision needs an author")
    revision_id = uuid.uuid4()
    record(
        stream_type=ClaimStreamType.VERDICT,
        stream_id=revision_id,
        expected_version=0,
        event_type=ClaimEventType.VERDICT_REVISED,
        data={
            "cluster_id": str(current.cluster_id),
            "dossier_id": str(current.dossier_id),
            "revision": current.revision + 1,
            "supersedes_id": str(current.id),
            "reuses_id": str(current.reuses_id) if current.reuses_id else None,
            "author_id": actor.pk,
            "reason": reason,
            **_content_of(current),
        },
        context=Context.of(actor, reason),
        team_id=current.dossier.team_id,
    )
    return Verdict.objects.get(id=revision_id)


# --- comments ------------------------------------------------------------------------------

MAX_COMMENT_LENGTH = 5000


@transaction.atomic
def add_comment(*, target: Verdict | ClaimCluster, actor: User, body: str) -> Comment:
    """Comment on a verdict or a cluster: analysts, reviewers and admins of its team.

    The body is Markdown, rendered sanitised like a rationale.
    """
    require_role(actor, target.dossier.team, Role.ANALYST)
    require_person(actor, "comment")
    body = _CONTROL_CHARACTERS.sub("", body or "").strip()
    if not body:
        raise ValueError("a comment needs some text")
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValueError(f"a comment is at most {MAX_COMMENT_LENGTH} characters")
    on_verdict = isinstance(target, Verdict)
    comment_id = uuid.uuid4()
    record(
        stream_type=ClaimStreamType.COMMENT,
        stream_id=comment_id,
        expected_version=0,
        event_type=ClaimEventType.COMMENT_ADDED,
        data={
            "dossier_id": str(target.dossier_id),
            "verdict_id": str(target.id) if on_verdict else None,
            "cluster_id": None if on_verdict else str(target.id),
            "author_id": actor.pk,
            "body": body,
        },
        context=Context.of(actor),
        team_id=target.dossier.team_id,
    )
    return Comment.objects.get(id=comment_id)
