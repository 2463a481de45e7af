"""Event types of claims, clusters and verdicts, and the projections that apply them."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, TextChoices

from claims.extraction.kinds import UNCLASSIFIED_KIND
from claims.models import Claim, ClaimCluster, Verdict, VerdictEvidence
from dossiers.models import Article
from eventlog.bulk import create_with_history, update_with_history
from eventlog.models import Event
from eventlog.rebuild import ReplayState
from eventlog.registry import projection, replays
from eventlog.store import history_user, save_projection, stamp_history


class ClaimStreamType(TextChoices):
    CLUSTER = "cluster"
    VERDICT = "verdict"


class ClaimEventType(TextChoices):
    CLUSTER_FORMED = "ClusterFormed"
    CLUSTER_UPDATED = "ClusterUpdated"
    CLUSTER_DISSOLVED = "ClusterDissolved"
    VERDICT_DRAFTED = "VerdictDrafted"
    VERDICT_FLAGGED_FOR_REVIEW = "VerdictFlaggedForReview"
    VERDICT_EDITED = "VerdictEdited"
    VERDICT_SUBMITTED = "VerdictSubmitted"
    VERDICT_APPROVED = "VerdictApproved"
    VERDICT_CHANGES_REQUESTED = "VerdictChangesRequested"
    VERDICT_PUBLISHED = "VerdictPublished"
    VERDICT_REVISED = "VerdictRevised"


CLAIM_FIELDS = (
    "ordinal",
    "text",
    "start",
    "end",
    "speaker",
    "cue",
    "cited_source",
    "entities",
    "quantities",
    "dates",
    "checkworthiness",
    "kind",
    "extractor_version",
)
# Claim fields added after the first ClaimsExtracted events were written: older events lack
# them. A claim extracted before kinds existed stays "factual", as the migration made it, so
# replay gives the rows the live projection holds whatever the classifier later becomes.
CLAIM_FIELD_DEFAULTS = {"kind": UNCLASSIFIED_KIND.value}

# A cluster's state as its Formed and Updated events carry it (besides dossier and claim ids).
CLUSTER_STATE_FIELDS = (
    "canonical_text",
    "article_count",
    "independent_origin_count",
    "origin",
    "origins",
    "supporting_article_count",
    "contradicting_article_count",
    "member_links",
    "contradictions",
)
# State fields added after the first cluster events were written: older events lack them.
CLUSTER_STATE_DEFAULTS = {"member_links": dict, "contradictions": list}

# What a verdict's content events carry besides evidence (VerdictDrafted, VerdictEdited).
VERDICT_CONTENT_FIELDS = (
    "rating",
    "confidence",
    "source_reliability",
    "information_credibility",
    "rationale",
)


def claim_values(claim: dict) -> dict:
    """The CLAIM_FIELDS of one claim of a ClaimsExtracted event, old events' gaps filled."""
    return {
        name: claim[name] if name in claim else CLAIM_FIELD_DEFAULTS[name] for name in CLAIM_FIELDS
    }


def replace_claims_of_articles(changes: list[tuple[Article, list[dict], Event]]) -> None:
    """Make each article's claims exactly the claims given, keeping rows (and clusters) whose
    id recurs. New claims of every article go in one bulk insert (a worker stores a batch)."""
    existing: dict[str, dict[str, Claim]] = defaultdict(dict)
    for claim in Claim.objects.filter(article__in=[article for article, _, _ in changes]):
        existing[str(claim.article_id)][str(claim.id)] = claim
    new = []
    for article, claims, event in changes:
        wanted = {claim["id"]: claim_values(claim) for claim in claims}
        _replace_existing_claims(existing[str(article.id)], wanted, event)
        for claim_id in wanted.keys() - existing[str(article.id)].keys():
            claim = Claim(
                id=claim_id,
                article=article,
                dossier_id=article.dossier_id,
                **wanted[claim_id],
            )
            _stamp_bulk_history(claim, event)
            new.append(claim)
    create_with_history(new)


def _replace_existing_claims(existing: dict[str, Claim], wanted: dict[str, dict], event) -> None:
    """Delete the claims no longer extracted and update the ones extracted again (a re-run)."""
    for stale_id in existing.keys() - wanted.keys():
        stale = existing[stale_id]
        stamp_history(stale, event)
        stale.delete()
    # Ordinals are unique per article: park kept rows out of the way before renumbering.
    kept = [existing[i] for i in existing.keys() & wanted.keys()]
    if not kept:
        return
    for claim in kept:
        for name in CLAIM_FIELDS:
            setattr(claim, name, wanted[str(claim.id)][name])
        _stamp_bulk_history(claim, event)
    Claim.objects.filter(id__in=[c.id for c in kept]).update(ordinal=F("ordinal") + 1_000_000)
    update_with_history(kept, list(CLAIM_FIELDS))


def _stamp_bulk_history(claim: Claim, event: Event) -> None:
    """As `stamp_history`, with the reason uncut: what simple-history's bulk helpers store."""
    claim._history_date = event.recorded_at
    claim._history_user = history_user(event)
    claim._change_reason = event.metadata.get("reason") or event.type


def apply_cluster_events(events: list[Event]) -> None:
    """The live projection of cluster events: the replay twins below, on the rows of the
    events' dossiers loaded into memory, then the changes written in bulk. A re-clustering
    appends thousands of these at once (`eventstore.record_many`)."""
    dossiers = {event.data["dossier_id"] for event in events if "dossier_id" in event.data}
    dossiers |= {
        str(d)
        for d in ClaimCluster.objects.filter(
            id__in=[e.stream_id for e in events if "dossier_id" not in e.data]
        ).values_list("dossier_id", flat=True)
    }
    state = ReplayState()
    state.load(ClaimCluster, ClaimCluster.objects.filter(dossier_id__in=dossiers))
    by_cluster = _claims_of_cluster(state)
    for claim in state.load(Claim, Claim.objects.filter(dossier_id__in=dossiers)):
        by_cluster[str(claim["cluster_id"])][claim["id"]] = claim
    for event in events:
        _REPLAY_CLUSTER[event.type](state, event)
    state.write_changes()


for _cluster_event_type in (
    ClaimEventType.CLUSTER_FORMED,
    ClaimEventType.CLUSTER_UPDATED,
    ClaimEventType.CLUSTER_DISSOLVED,
):
    projection(_cluster_event_type)(lambda event: apply_cluster_events([event]))


@projection(ClaimEventType.VERDICT_DRAFTED)
@projection(ClaimEventType.VERDICT_REVISED)
def verdict_drafted(event: Event) -> None:
    """A first revision, or a new revision superseding a published one (content copied)."""
    data = event.data
    verdict = Verdict(
        id=event.stream_id,
        cluster_id=data["cluster_id"],
        dossier_id=data["dossier_id"],
        revision=data["revision"],
        supersedes_id=data["supersedes_id"],
        status=Verdict.Status.DRAFT,
        author_id=data["author_id"],
        created_at=event.recorded_at,
    )
    apply_verdict_content(verdict, data, event)


@projection(ClaimEventType.VERDICT_FLAGGED_FOR_REVIEW)
def verdict_flagged_for_review(event: Event) -> None:
    verdict = Verdict.objects.get(id=event.stream_id)
    verdict.needs_review = True
    verdict.review_flags = [
        *verdict.review_flags,
        {"at": event.recorded_at.isoformat(), "reasons": event.data["reasons"]},
    ]
    verdict.updated_at = event.recorded_at
    save_projection(verdict, event)


@projection(ClaimEventType.VERDICT_EDITED)
def verdict_edited(event: Event) -> None:
    apply_verdict_content(Verdict.objects.get(id=event.stream_id), event.data, event)


def _set_verdict_status(event: Event, status: Verdict.Status, **fields) -> None:
    verdict = Verdict.objects.get(id=event.stream_id)
    verdict.status = status
    for name, value in fields.items():
        setattr(verdict, name, value)
    verdict.updated_at = event.recorded_at
    save_projection(verdict, event)


@projection(ClaimEventType.VERDICT_SUBMITTED)
def verdict_submitted(event: Event) -> None:
    _set_verdict_status(event, Verdict.Status.IN_REVIEW)


@projection(ClaimEventType.VERDICT_APPROVED)
def verdict_approved(event: Event) -> None:
    """Approval acknowledges earlier review flags; later flags show what changed since."""
    _set_verdict_status(
        event,
        Verdict.Status.APPROVED,
        reviewer_id=event.data["reviewer_id"],
        approved_at=event.recorded_at,
        needs_review=False,
    )


@projection(ClaimEventType.VERDICT_CHANGES_REQUESTED)
def verdict_changes_requested(event: Event) -> None:
    _set_verdict_status(
        event,
        Verdict.Status.CHANGES_REQUESTED,
        reviewer_id=event.data["reviewer_id"],
        approved_at=None,
    )


@projection(ClaimEventType.VERDICT_PUBLISHED)
def verdict_published(event: Event) -> None:
    _set_verdict_status(event, Verdict.Status.PUBLISHED, published_at=event.recorded_at)


MAX_EVIDENCE = 1000


def evidence_id(event: Event, index: int) -> int:
    """Derived from the event, so a replay gives every evidence row the id it had live."""
    return event.position * MAX_EVIDENCE + index


def apply_verdict_content(verdict: Verdict, data: dict, event: Event) -> None:
    """Set rating, grades, rationale and evidence from an event that carries content."""
    for name in VERDICT_CONTENT_FIELDS:
        setattr(verdict, name, data[name])
    verdict.updated_at = event.recorded_at
    save_projection(verdict, event)
    for stale in VerdictEvidence.objects.filter(verdict=verdict):
        stamp_history(stale, event)  # the deletion's history row carries the event's time
        stale.delete()
    for index, item in enumerate(data["evidence"]):
        evidence = VerdictEvidence(
            id=evidence_id(event, index),
            verdict=verdict,
            article_id=item["article_id"],
            claim_id=item["claim_id"],
            quote=item["quote"],
            relation=item["relation"],
            note=item["note"],
        )
        stamp_history(evidence, event)
        evidence.save()


# --- replay twins (dossiers/replay.py): the same rows, made in memory ----------------------


def _bulk_reason(event) -> str:
    """The reason simple-history's bulk helpers get above (not cut to the column's length)."""
    return event.metadata.get("reason") or event.type


def _claims_of_article(state: ReplayState) -> dict[str, dict[str, dict]]:
    return state.index("claims of article")


def _claims_of_cluster(state: ReplayState) -> dict[str, dict[str, dict]]:
    return state.index("claims of cluster")


def replay_article_claims(state: ReplayState, article: dict, claims: list[dict], event) -> None:
    """replace_claims_of_articles for one article, in memory."""
    wanted = {claim["id"]: claim_values(claim) for claim in claims}
    existing = _claims_of_article(state)[article["id"]]
    for stale_id in existing.keys() - wanted.keys():
        stale = existing.pop(stale_id)
        _claims_of_cluster(state)[str(stale["cluster_id"])].pop(stale_id, None)
        for evidence in state.where(VerdictEvidence, claim_id=stale_id):
            evidence["claim_id"] = None  # on_delete=SET_NULL: an UPDATE, no history row
        state.delete(Claim, stale, event)
    for claim_id in existing.keys() & wanted.keys():
        claim = existing[claim_id]
        claim.update(wanted[claim_id])
        state.save(Claim, claim, event, reason=_bulk_reason(event))
    for claim_id in wanted.keys() - existing.keys():
        existing[claim_id] = state.insert(
            Claim,
            event,
            reason=_bulk_reason(event),
            id=claim_id,
            article_id=article["id"],
            dossier_id=article["dossier_id"],
            cluster_id=None,
            **wanted[claim_id],
        )


def _replay_cluster_state(state: ReplayState, cluster: dict, event, *, new: bool) -> None:
    data = event.data
    for name in CLUSTER_STATE_FIELDS:
        cluster[name] = data[name] if name in data else CLUSTER_STATE_DEFAULTS[name]()
    cluster.update(is_active=True, updated_at=event.recorded_at, version=event.stream_version)
    if not new:
        state.save(ClaimCluster, cluster, event)
    claims = state.rows[Claim]
    members = [claims[i] for i in data["claim_ids"] if i in claims]
    wanted = set(data["claim_ids"])
    leaving = [c for i, c in _claims_of_cluster(state)[cluster["id"]].items() if i not in wanted]
    _replay_assign(state, leaving, None, event)
    _replay_assign(state, [c for c in members if c["cluster_id"] != cluster["id"]], cluster, event)


def _replay_assign(state: ReplayState, claims: list[dict], cluster: dict | None, event) -> None:
    by_cluster = _claims_of_cluster(state)
    for claim in claims:
        by_cluster[str(claim["cluster_id"])].pop(claim["id"], None)
        claim["cluster_id"] = cluster["id"] if cluster else None
        by_cluster[str(claim["cluster_id"])][claim["id"]] = claim
        state.save(Claim, claim, event, reason=_bulk_reason(event))


@replays(ClaimEventType.CLUSTER_FORMED)
def replay_cluster_formed(state: ReplayState, event) -> None:
    cluster = {
        "id": str(event.stream_id),
        "dossier_id": event.data["dossier_id"],
        "created_at": event.recorded_at,
    }
    _replay_cluster_state(state, cluster, event, new=True)
    state.insert(ClaimCluster, event, **cluster)


@replays(ClaimEventType.CLUSTER_UPDATED)
def replay_cluster_updated(state: ReplayState, event) -> None:
    _replay_cluster_state(state, state.get(ClaimCluster, event.stream_id), event, new=False)


@replays(ClaimEventType.CLUSTER_DISSOLVED)
def replay_cluster_dissolved(state: ReplayState, event) -> None:
    cluster = state.get(ClaimCluster, event.stream_id)
    _replay_assign(state, list(_claims_of_cluster(state)[cluster["id"]].values()), None, event)
    cluster.update(
        is_active=False,
        article_count=0,
        independent_origin_count=0,
        updated_at=event.recorded_at,
        version=event.stream_version,
    )
    state.save(ClaimCluster, cluster, event)


_REPLAY_CLUSTER = {
    ClaimEventType.CLUSTER_FORMED: replay_cluster_formed,
    ClaimEventType.CLUSTER_UPDATED: replay_cluster_updated,
    ClaimEventType.CLUSTER_DISSOLVED: replay_cluster_dissolved,
}


@replays(ClaimEventType.VERDICT_DRAFTED)
@replays(ClaimEventType.VERDICT_REVISED)
def replay_verdict_drafted(state: ReplayState, event) -> None:
    data = event.data
    verdict = {
        "id": str(event.stream_id),
        "cluster_id": data["cluster_id"],
        "dossier_id": data["dossier_id"],
        "revision": data["revision"],
        "supersedes_id": data["supersedes_id"],
        "status": Verdict.Status.DRAFT.value,
        "author_id": data["author_id"],
        "created_at": event.recorded_at,
    }
    _replay_verdict_content(state, verdict, data, event, new=True)


@replays(ClaimEventType.VERDICT_FLAGGED_FOR_REVIEW)
def replay_verdict_flagged_for_review(state: ReplayState, event) -> None:
    verdict = state.get(Verdict, event.stream_id)
    verdict["needs_review"] = True
    verdict["review_flags"] = [
        *verdict["review_flags"],
        {"at": event.recorded_at.isoformat(), "reasons": event.data["reasons"]},
    ]
    verdict.update(updated_at=event.recorded_at, version=event.stream_version)
    state.save(Verdict, verdict, event)


@replays(ClaimEventType.VERDICT_EDITED)
def replay_verdict_edited(state: ReplayState, event) -> None:
    verdict = state.get(Verdict, event.stream_id)
    _replay_verdict_content(state, verdict, event.data, event, new=False)


def _replay_verdict_status(state: ReplayState, event, status: Verdict.Status, **fields) -> None:
    verdict = state.get(Verdict, event.stream_id)
    verdict.update(
        fields, status=status.value, updated_at=event.recorded_at, version=event.stream_version
    )
    state.save(Verdict, verdict, event)


@replays(ClaimEventType.VERDICT_SUBMITTED)
def replay_verdict_submitted(state: ReplayState, event) -> None:
    _replay_verdict_status(state, event, Verdict.Status.IN_REVIEW)


@replays(ClaimEventType.VERDICT_APPROVED)
def replay_verdict_approved(state: ReplayState, event) -> None:
    _replay_verdict_status(
        state,
        event,
        Verdict.Status.APPROVED,
        reviewer_id=event.data["reviewer_id"],
        approved_at=event.recorded_at,
        needs_review=False,
    )


@replays(ClaimEventType.VERDICT_CHANGES_REQUESTED)
def replay_verdict_changes_requested(state: ReplayState, event) -> None:
    _replay_verdict_status(
        state,
        event,
        Verdict.Status.CHANGES_REQUESTED,
        reviewer_id=event.data["reviewer_id"],
        approved_at=None,
    )


@replays(ClaimEventType.VERDICT_PUBLISHED)
def replay_verdict_published(state: ReplayState, event) -> None:
    _replay_verdict_status(state, event, Verdict.Status.PUBLISHED, published_at=event.recorded_at)


def _replay_verdict_content(state: ReplayState, verdict: dict, data: dict, event, *, new: bool):
    """apply_verdict_content, in memory."""
    for name in VERDICT_CONTENT_FIELDS:
        verdict[name] = data[name]
    verdict.update(updated_at=event.recorded_at, version=event.stream_version)
    if new:
        state.insert(Verdict, event, **verdict)
    else:
        state.save(Verdict, verdict, event)
    for stale in state.where(VerdictEvidence, verdict_id=verdict["id"]):
        state.delete(VerdictEvidence, stale, event)
    for index, item in enumerate(data["evidence"]):
        state.insert(
            VerdictEvidence,
            event,
            id=evidence_id(event, index),
            verdict_id=verdict["id"],
            article_id=item["article_id"],
            claim_id=item["claim_id"],
            quote=item["quote"],
            relation=item["relation"],
            note=item["note"],
        )
