"""Every change to clusters and verdicts: validate, append events, project."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q

from claims.events import (
    CLUSTER_STATE_FIELDS,
    MAX_EVIDENCE,
    ClaimEventType,
    ClaimStreamType,
)
from claims.extraction.candidates import candidate_articles
from claims.extraction.clustering import ClusterItem, cluster_claims, when_keys
from claims.extraction.origins import (
    OriginEvidence,
    SentenceAttribution,
    contextual_cited_sources,
    independent_origins,
    is_named,
)
from claims.models import (
    Claim,
    ClaimCluster,
    EvidenceRelation,
    InformationCredibility,
    Rating,
    Verdict,
)
from dossiers.events import EventType, StreamType
from dossiers.models import Article, Dossier, Role, SourceReliability
from dossiers.permissions import require_role
from eventlog.context import Actor, Context
from eventlog.models import Event
from eventlog.store import (
    ConcurrencyError,
    NewEvent,
    last_position,
    lock_appends,
    record,
    record_many,
)

User = AbstractBaseUser
STANCE_BATCH = 2000  # (claim, body) pairs classified at once


def _context(actor: User | None, reason: str = "") -> Context:
    return Context(actor=Actor.of(actor), reason=reason)


# --- clustering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ClaimRow:
    id: str
    article_id: str
    text: str
    quantities: tuple
    dates: tuple[str, ...]
    cluster_id: str | None
    speaker: str
    cited_in_context: str | None  # see origins.sources_in_article
    article_source: str | None


def _claim_rows(dossier: Dossier) -> list[_ClaimRow]:
    rows = list(
        Claim.objects.filter(dossier=dossier)
        .order_by("article_id", "ordinal")
        .values_list(
            "id",
            "article_id",
            "text",
            "quantities",
            "dates",
            "cluster_id",
            "speaker",
            "cue",
            "cited_source",
            "article__source__name",
        )
    )
    wires = dict(Article.objects.filter(dossier=dossier).exclude(wire="").values_list("id", "wire"))
    cited_in_context = contextual_cited_sources(
        [
            (aid, SentenceAttribution(speaker, cue, cited))
            for _, aid, _, _, _, _, speaker, cue, cited, _ in rows
        ],
        wires,
    )
    return [
        _ClaimRow(
            id=str(cid),
            article_id=str(aid),
            text=text,
            quantities=tuple(
                q["value"] for q in quantities if isinstance(q, dict) and "value" in q
            ),
            dates=when_keys(dates),
            cluster_id=str(cluster) if cluster else None,
            speaker=speaker,
            cited_in_context=cited,
            article_source=source,
        )
        for (cid, aid, text, quantities, dates, cluster, speaker, _, _, source), cited in zip(
            rows, cited_in_context, strict=True
        )
    ]


def recluster_dossier(*, dossier: Dossier, actor: User | None = None) -> int:
    """Cluster the dossier's claims; keep cluster ids stable; flag verdicts whose cluster changed.

    Returns the number of clusters formed, updated or dissolved. The clustering (seconds for
    a large dossier) runs on what the log held at its start, outside the append lock; the
    lock is held only to append its events, after checking that nothing the clustering read
    has changed since. If something has, ConcurrencyError: the task tries again.
    """
    read_up_to = last_position()
    events, flags = _plan_reclustering(dossier)
    with transaction.atomic():
        lock_appends()  # before the row lock: see lock_appends
        Dossier.objects.select_for_update().filter(id=dossier.id).first()
        _refuse_if_clustering_input_changed(dossier, read_up_to)
        # One batch: a first re-clustering of a large dossier forms thousands of clusters.
        record_many(events, context=_context(actor, "re-clustering"), team_id=dossier.team_id)
        for cluster_id, reasons in flags:
            flag_verdicts_of_cluster(cluster_id=cluster_id, reasons=reasons, actor=actor)
    return len(events)


# What a re-clustering reads of the log: its dossier's claims, clusters and verdicts.
_CLUSTERING_INPUTS = (
    EventType.CLAIMS_EXTRACTED,
    ClaimEventType.CLUSTER_FORMED,
    ClaimEventType.CLUSTER_UPDATED,
    ClaimEventType.CLUSTER_DISSOLVED,
    ClaimEventType.VERDICT_DRAFTED,
    ClaimEventType.VERDICT_REVISED,
)


def _refuse_if_clustering_input_changed(dossier: Dossier, read_up_to: int) -> None:
    """ConcurrencyError if an event after `read_up_to` changed the dossier's claims,
    clusters or verdicts (the dossier stream's version cannot say: those events are on the
    articles', clusters' and verdicts' streams)."""
    changed = (
        Event.objects.filter(
            position__gt=read_up_to, team_id=dossier.team_id, type__in=_CLUSTERING_INPUTS
        )
        .filter(
            Q(stream_id__in=Article.objects.filter(dossier=dossier).values("id"))
            | Q(stream_id__in=ClaimCluster.objects.filter(dossier=dossier).values("id"))
            | Q(data__dossier_id=str(dossier.id))
        )
        .aggregate(latest=Max("position"))["latest"]
    )
    if changed is not None:
        raise ConcurrencyError(StreamType.DOSSIER, dossier.id, read_up_to, changed)


def _plan_reclustering(dossier: Dossier) -> tuple[list[NewEvent], list[tuple[uuid.UUID, list]]]:
    """The cluster events of a re-clustering and the verdicts to flag (reads only)."""
    rows = _claim_rows(dossier)
    by_id = {row.id: row for row in rows}
    members_before: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.cluster_id:
            members_before[row.cluster_id].append(row.id)
    verdict_keys = {
        str(key)
        for key in Verdict.objects.filter(dossier=dossier).values_list("cluster_id", flat=True)
    }
    result = cluster_claims(
        [
            ClusterItem(
                claim_key=row.id,
                article_key=row.article_id,
                text=row.text,
                quantities=row.quantities,
                dates=row.dates,
                source=row.cited_in_context or (row.speaker if is_named(row.speaker) else None),
                previous_cluster=row.cluster_id,
            )
            for row in rows
        ],
        anchored_keys=verdict_keys,
    )
    existing = {str(c.id): c for c in ClaimCluster.objects.filter(dossier=dossier)}
    contradicting = _contradicting_articles(dossier, result, by_id, verdict_keys)
    contradictions = _contradictions_by_claim(result)
    events: list[NewEvent] = []
    flags: list[tuple[uuid.UUID, list[str]]] = []
    for key, cluster in result.clusters.items():
        members = [by_id[claim_key] for claim_key in cluster.claim_keys]
        found = sorted(
            (item for m in cluster.claim_keys for item in contradictions.get(m, ())),
            key=lambda item: (item["claim_id"], item["other_claim_id"]),
        )
        contradicting_articles = contradicting.get(key, set()) | {
            by_id[item["other_claim_id"]].article_id for item in found
        }
        state = _cluster_state(dossier, cluster, members, len(contradicting_articles))
        state["member_links"] = {
            claim_key: result.links[claim_key].as_dict()
            for claim_key in sorted(cluster.claim_keys)
            if claim_key in result.links
        }
        state["contradictions"] = found
        current = existing.pop(key, None)
        if current is None:
            events.append(_cluster_event(uuid.uuid4(), 0, ClaimEventType.CLUSTER_FORMED, state))
            continue
        before = _stored_state(current, sorted(members_before.get(key, [])))
        if before == state and current.is_active:
            continue
        events.append(
            _cluster_event(current.id, current.version, ClaimEventType.CLUSTER_UPDATED, state)
        )
        reasons = _review_reasons(before, state)
        if key in verdict_keys and reasons:
            flags.append((current.id, reasons))
    for key, cluster in existing.items():
        if not cluster.is_active:
            continue
        events.append(
            _cluster_event(cluster.id, cluster.version, ClaimEventType.CLUSTER_DISSOLVED, {})
        )
        if key in verdict_keys:
            flags.append((cluster.id, ["the cluster lost all its claims"]))
    return events, flags


def _contradictions_by_claim(result) -> dict[str, list[dict]]:
    """Each claim -> the contradictions it takes part in, seen from its side."""
    by_claim: dict[str, list[dict]] = defaultdict(list)
    for found in result.contradictions:
        for mine, other in ((found.a, found.b), (found.b, found.a)):
            by_claim[mine].append(
                {
                    "claim_id": mine,
                    "other_claim_id": other,
                    "kind": found.kind,
                    "reason": found.reason,
                }
            )
    return by_claim


def _cluster_state(dossier: Dossier, cluster, members: list[_ClaimRow], contradicting: int) -> dict:
    origins = independent_origins(
        [
            OriginEvidence(
                article_key=m.article_id,
                article_source=m.article_source,
                speaker=m.speaker or None,
                cited_source=m.cited_in_context,
            )
            for m in members
        ]
    )
    return {
        "dossier_id": str(dossier.id),
        "canonical_text": cluster.canonical_text,
        "claim_ids": sorted(cluster.claim_keys),
        "article_count": cluster.article_count,
        "independent_origin_count": origins.count,
        "origin": origins.primary or "",
        "origins": list(origins.origins),
        "supporting_article_count": cluster.article_count,
        "contradicting_article_count": contradicting,
    }


def _stored_state(cluster: ClaimCluster, claim_ids: list[str]) -> dict:
    return {
        "dossier_id": str(cluster.dossier_id),
        "claim_ids": claim_ids,
        **{name: getattr(cluster, name) for name in CLUSTER_STATE_FIELDS},
    }


def _review_reasons(before: dict, after: dict) -> list[str]:
    """What changed in a cluster that may affect a verdict on it."""
    reasons = []
    gained = len(set(after["claim_ids"]) - set(before["claim_ids"]))
    lost = len(set(before["claim_ids"]) - set(after["claim_ids"]))
    if gained:
        reasons.append(f"{gained} claim(s) joined the cluster")
    if lost:
        reasons.append(f"{lost} claim(s) left the cluster")
    if after["independent_origin_count"] != before["independent_origin_count"]:
        reasons.append(
            "independent origins: "
            f"{before['independent_origin_count']} → {after['independent_origin_count']}"
        )
    if after["contradicting_article_count"] > before["contradicting_article_count"]:
        reasons.append("a contradicting article was added")
    known = {(c["claim_id"], c["other_claim_id"]) for c in before.get("contradictions", ())}
    for found in after.get("contradictions", ()):
        if (found["claim_id"], found["other_claim_id"]) not in known:
            reasons.append(f"a claim contradicts a member ({found['reason']})")
    return reasons


def _contradicting_articles(
    dossier: Dossier, result, by_id: dict[str, _ClaimRow], verdict_keys: set[str]
) -> dict[str, set[str]]:
    """For clusters that matter (several articles, or a verdict): which other articles disagree.

    Only the articles likely to discuss a cluster's claim are classified
    (`candidates.candidate_articles`), in batches sorted by article so each body is profiled
    once per batch: memory stays bounded in a dossier of thousands of articles.
    """
    from claims.extraction.stance import classify_stance  # loads the model on first use

    bodies = {
        str(article_id): body
        for article_id, body in Article.objects.filter(
            dossier=dossier, status=Article.Status.DONE
        ).values_list("id", "body")
        if body
    }
    clusters = {
        key: cluster
        for key, cluster in result.clusters.items()
        if cluster.article_count >= 2 or key in verdict_keys
    }
    candidates = candidate_articles(
        {key: cluster.canonical_text for key, cluster in clusters.items()},
        bodies,
        {
            key: {by_id[claim_key].article_id for claim_key in cluster.claim_keys}
            for key, cluster in clusters.items()
        },
    )
    pairs = sorted(
        (article_id, key) for key, articles in candidates.items() for article_id in articles
    )
    contradicting: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(pairs), STANCE_BATCH):
        batch = pairs[start : start + STANCE_BATCH]
        stances = classify_stance(
            [(clusters[key].canonical_text, bodies[article_id]) for article_id, key in batch]
        )
        for (article_id, key), stance in zip(batch, stances, strict=True):
            if stance == "disagree":
                contradicting[key].add(article_id)
    return contradicting


def _cluster_event(cluster_id, version: int, event_type: str, data: dict) -> NewEvent:
    return NewEvent(
        stream_type=ClaimStreamType.CLUSTER,
        stream_id=cluster_id,
        expected_version=version,
        event_type=event_type,
        data=data,
    )


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
) -> Verdict:
    """Start the first revision of a verdict on a cluster."""
    require_role(actor, cluster.dossier.team, Role.ANALYST)
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
        context=_context(actor),
        team_id=cluster.dossier.team_id,
    )
    return Verdict.objects.get(id=verdict_id)


# A verdict is flagged once someone has put it forward as a conclusion. A draft is still being
# written against the live cluster: flagging it would only move its version under its author
# (every upload into the cluster turned the author's next save into a 412) and pile up flags
# nobody acknowledges.
_FLAGGABLE = (Verdict.Status.IN_REVIEW, Verdict.Status.APPROVED, Verdict.Status.PUBLISHED)


@transaction.atomic
def flag_verdicts_of_cluster(*, cluster_id, reasons: list[str], actor: User | None) -> int:
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
        context=_context(actor, "; ".join(reasons)),
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


def _current_verdict(verdict: Verdict, actor: User | None, minimum: Role, expected_version: int):
    """Lock and reload the verdict, then check role and version before anything else.

    A stale caller gets ConcurrencyError even when the status moved on too: reloading is the
    fix either way, and the message says so.
    """
    lock_appends()  # before the row lock: see lock_appends
    current = Verdict.objects.select_for_update().select_related("dossier__team").get(id=verdict.id)
    require_role(actor, current.dossier.team, minimum)
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


def _require_second_pair_of_eyes(verdict: Verdict, actor: User | None, action: str) -> None:
    """The approver or publisher must be neither the author nor anyone who edited this
    revision."""
    if actor is None:
        return
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
    verdict: Verdict, event_type: str, data: dict, actor: User | None, reason: str = ""
) -> Verdict:
    record(
        stream_type=ClaimStreamType.VERDICT,
        stream_id=verdict.id,
        expected_version=verdict.version,
        event_type=event_type,
        data=data,
        context=_context(actor, reason),
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
    actor: User | None,
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


@transaction.atomic
def submit_verdict(
    *, verdict: Verdict, actor: User | None, expected_version: int, reason: str = ""
) -> Verdict:
    """Hand a draft to the reviewers."""
    current = _current_verdict(verdict, actor, Role.ANALYST, expected_version)
    _require_status(current, _EDITABLE, "submit")
    return _append_verdict_event(
        current,
        ClaimEventType.VERDICT_SUBMITTED,
        {},
        actor,
        reason.strip() or "submitted for review",
    )


@transaction.atomic
def approve_verdict(
    *, verdict: Verdict, actor: User | None, expected_version: int, reason: str = ""
) -> Verdict:
    """Approve a verdict in review. Approval acknowledges any earlier re-analysis flags."""
    current = _current_verdict(verdict, actor, Role.REVIEWER, expected_version)
    _require_status(current, (Verdict.Status.IN_REVIEW,), "approve")
    _require_second_pair_of_eyes(current, actor, "approve")
    return _append_verdict_event(
        current,
        ClaimEventType.VERDICT_APPROVED,
        {
            "reviewer_id": actor.pk if actor else None,
            "acknowledged_flags": len(current.review_flags) if current.needs_review else 0,
        },
        actor,
        reason.strip() or "approved",
    )


@transaction.atomic
def request_changes(
    *, verdict: Verdict, actor: User | None, expected_version: int, reason: str
) -> Verdict:
    """Send a verdict back to its author. Also withdraws an approval not yet published."""
    current = _current_verdict(verdict, actor, Role.REVIEWER, expected_version)
    _require_status(current, (Verdict.Status.IN_REVIEW, Verdict.Status.APPROVED), "send back")
    reason = _require_reason(reason, "request changes")
    return _append_verdict_event(
        current,
        ClaimEventType.VERDICT_CHANGES_REQUESTED,
        {"reviewer_id": actor.pk if actor else None, "reason": reason},
        actor,
        reason,
    )


@transaction.atomic
def publish_verdict(
    *, verdict: Verdict, actor: User | None, expected_version: int, reason: str = ""
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
    *, verdict: Verdict, actor: User | None, expected_version: int, reason: str
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
            "author_id": actor.pk,
            "reason": reason,
            **_content_of(current),
        },
        context=_context(actor, reason),
        team_id=current.dossier.team_id,
    )
    return Verdict.objects.get(id=revision_id)
