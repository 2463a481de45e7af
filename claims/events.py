"""Event types of claims, clusters and verdicts, and the projectors that apply them (one per
event type, live and on rebuild: see `dossiers.events`); also the projector of an article's
ClaimsExtracted, which replaces the article's claims."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, TextChoices

from claims.extraction.datelines import wire_named
from claims.extraction.kinds import UNCLASSIFIED_KIND
from claims.models import (
    Claim,
    ClaimCluster,
    Comment,
    Correction,
    CorrectionKind,
    Verdict,
    VerdictEvidence,
)
from dossiers.events import EventType, change_article, parse_time, read_articles
from dossiers.models import Article
from eventlog.registry import projector
from eventlog.state import ProjectionState, json_value


class ClaimStreamType(TextChoices):
    CLUSTER = "cluster"
    VERDICT = "verdict"
    CLAIM = "claim"  # what happens to a claim besides its article's extraction
    COMMENT = "comment"  # one stream per comment, naming its verdict or cluster


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
    # Analysts' corrections (claims/corrections.py): cluster ones on the cluster's stream,
    # claim ones on the claim's article's stream.
    CLUSTERS_MERGED = "ClustersMerged"
    CLAIM_MOVED = "ClaimMoved"
    CLAIM_LINK_REJECTED = "ClaimLinkRejected"
    CLAIM_LINK_CONFIRMED = "ClaimLinkConfirmed"
    CLUSTER_WORDING_PINNED = "ClusterWordingPinned"
    CLAIM_CORRECTED = "ClaimCorrected"
    CLAIM_MARKED_NOT_A_CLAIM = "ClaimMarkedNotAClaim"
    CLAIM_RESTORED = "ClaimRestored"
    CLAIM_ALREADY_REVIEWED = "ClaimAlreadyReviewed"
    COMMENT_ADDED = "CommentAdded"


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
# The state fields the cluster projectors put into the row as they are (`Projector.carries`):
# most of a re-clustering's events, which the rebuild need not decode.
CARRIED_CLUSTER_STATE = ("origins", "member_links", "contradictions")

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


def extracted_metadata(data: dict, *, title: str, author: str, kept: list[str]) -> dict:
    """What a ClaimsExtracted event changes of the article's metadata: not the fields the
    uploader gave (`kept`), and the title only when extraction found one. The wire is the
    dateline's agency, else one the byline names ("AP"): the article is that agency's copy.
    (Events written before the extractor read datelines have no wire or place.)"""
    values = {
        "title": data["title"] or title,
        "author": data["author"],
        "published_at": parse_time(data["published_at"]),
        "published_precision": data.get("published_precision") or "",
    }
    if "published_at" in kept:
        kept = [*kept, "published_precision"]
    changed = {name: value for name, value in values.items() if name not in kept}
    byline = changed.get("author", author)
    changed["wire"] = data.get("wire") or wire_named(byline) or ""
    changed["place"] = data.get("place", "")
    return changed


def _bulk_reason(event) -> str:
    """Claims' history rows keep the event's whole reason (the bulk writers never cut it)."""
    return event.metadata.get("reason") or event.type


def _claims_of_article(state: ProjectionState) -> dict[str, dict[str, dict]]:
    return state.index("claims of article")


def _claims_of_cluster(state: ProjectionState) -> dict[str, dict[str, dict]]:
    return state.index("claims of cluster")


def _index_claims(state: ProjectionState, claims: list[dict]) -> None:
    by_article, by_cluster = _claims_of_article(state), _claims_of_cluster(state)
    for claim in claims:
        by_article[str(claim["article_id"])][claim["id"]] = claim
        by_cluster[str(claim["cluster_id"])][claim["id"]] = claim


# --- ClaimsExtracted (an article event whose claims this app keeps) --------------------------


def read_articles_and_claims(state: ProjectionState, events: list) -> None:
    """The articles, their claims and the verdict evidence that cites those claims."""
    read_articles(state, events)
    articles = [event.stream_id for event in events]
    claims = state.load(Claim, Claim.objects.filter(article_id__in=articles))
    _index_claims(state, claims)
    state.load(VerdictEvidence, VerdictEvidence.objects.filter(claim__article_id__in=articles))
    _load_corrections(state, {state.get(Article, article)["dossier_id"] for article in articles})


@projector(EventType.CLAIMS_EXTRACTED, reads=read_articles_and_claims)
def claims_extracted(state: ProjectionState, event) -> None:
    data = event.data
    article = state.get(Article, event.stream_id)
    article = change_article(
        state,
        event,
        **extracted_metadata(
            data,
            title=article["title"],
            author=article["author"],
            kept=article["metadata_from_upload"],
        ),
        language=data["language"],
        body=data["body"],
        extractor_version=data["extractor_version"],
        status=Article.Status.DONE.value,
        # What the claim budget left out, if anything (ClaimsExtracted data since 2026.12).
        extraction_error=data.get("notice", ""),
    )
    _replace_article_claims(state, article, data["claims"], event)


def _replace_article_claims(state: ProjectionState, article: dict, claims: list[dict], event):
    """Make the article's claims exactly the claims given, keeping rows (and clusters) whose
    id recurs; evidence that cited a retired claim keeps its quote and loses the claim.
    Analysts' corrections of the article's claims are applied again (`_carry_corrections`)."""
    wanted = {claim["id"]: claim_values(claim) for claim in claims}
    _carry_corrections(state, article, wanted, event)
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


# --- clusters -------------------------------------------------------------------------------


def read_dossier_clusters(state: ProjectionState, events: list) -> None:
    """Every cluster and claim of the events' dossiers: a cluster event moves claims between
    clusters (a re-clustering appends thousands of these at once, `record_many`)."""
    dossiers = {event.data["dossier_id"] for event in events if "dossier_id" in event.data}
    dossiers |= {
        str(d)
        for d in ClaimCluster.objects.filter(
            id__in=[e.stream_id for e in events if "dossier_id" not in e.data]
        ).values_list("dossier_id", flat=True)
    }
    state.load(ClaimCluster, ClaimCluster.objects.filter(dossier_id__in=dossiers))
    _index_claims(state, state.load(Claim, Claim.objects.filter(dossier_id__in=dossiers)))


# Past this many claims named in one batch (a dossier's first clustering), loading the
# dossier's rows in one query beats an IN list of ids (PostgreSQL takes 65,535 parameters).
_NAMED_CLAIMS_LOADED_BY_ID = 5000


def read_reclustered_clusters(state: ProjectionState, events: list) -> None:
    """The clusters a re-clustering's events name, the claims now in them and the claims
    joining them. A re-clustering appends under the lock every team's appends share, and
    usually touches a few hundred of its dossier's thousands of rows: loading them all held
    other teams' writes for seconds (bench/bench_recluster_isolation.py)."""
    claim_ids = {claim_id for event in events for claim_id in event.data.get("claim_ids", ())}
    if len(claim_ids) > _NAMED_CLAIMS_LOADED_BY_ID:
        read_dossier_clusters(state, events)
        return
    cluster_ids = [str(event.stream_id) for event in events]
    state.load(ClaimCluster, ClaimCluster.objects.filter(id__in=cluster_ids))
    claims = Claim.objects.filter(Q(cluster_id__in=cluster_ids) | Q(id__in=claim_ids))
    _index_claims(state, state.load(Claim, claims))


def _set_cluster_state(state: ProjectionState, cluster: dict, event, *, new: bool) -> None:
    data = event.data
    for name in CLUSTER_STATE_FIELDS:
        cluster[name] = data[name] if name in data else CLUSTER_STATE_DEFAULTS[name]()
    cluster.update(is_active=True, updated_at=event.recorded_at, version=event.stream_version)
    if not new:
        state.save(ClaimCluster, cluster, event)
    # The claims whose cluster is this one (the index holds every claim by its cluster), so
    # the ones joining are found without reading each wanted claim's row.
    claims, current = state.rows[Claim], _claims_of_cluster(state)[cluster["id"]]
    wanted = set(data["claim_ids"])
    leaving = [claim for claim_id, claim in current.items() if claim_id not in wanted]
    joining = [claims[i] for i in data["claim_ids"] if i not in current and i in claims]
    _assign(state, leaving, None, event)
    _assign(state, joining, cluster, event)


def _assign(state: ProjectionState, claims: list[dict], cluster: dict | None, event) -> None:
    by_cluster = _claims_of_cluster(state)
    for claim in claims:
        by_cluster[str(claim["cluster_id"])].pop(claim["id"], None)
        claim["cluster_id"] = cluster["id"] if cluster else None
        by_cluster[str(claim["cluster_id"])][claim["id"]] = claim
        state.save(Claim, claim, event, reason=_bulk_reason(event))


@projector(
    ClaimEventType.CLUSTER_FORMED, reads=read_reclustered_clusters, carries=CARRIED_CLUSTER_STATE
)
def cluster_formed(state: ProjectionState, event) -> None:
    cluster = {
        "id": str(event.stream_id),
        "dossier_id": event.data["dossier_id"],
        "created_at": event.recorded_at,
    }
    _set_cluster_state(state, cluster, event, new=True)
    state.insert(ClaimCluster, event, **cluster)


@projector(
    ClaimEventType.CLUSTER_UPDATED, reads=read_reclustered_clusters, carries=CARRIED_CLUSTER_STATE
)
def cluster_updated(state: ProjectionState, event) -> None:
    _set_cluster_state(state, state.get(ClaimCluster, event.stream_id), event, new=False)


@projector(ClaimEventType.CLUSTER_DISSOLVED, reads=read_reclustered_clusters)
def cluster_dissolved(state: ProjectionState, event) -> None:
    cluster = state.get(ClaimCluster, event.stream_id)
    _assign(state, list(_claims_of_cluster(state)[cluster["id"]].values()), None, event)
    cluster.update(
        is_active=False,
        article_count=0,
        independent_origin_count=0,
        updated_at=event.recorded_at,
        version=event.stream_version,
    )
    state.save(ClaimCluster, cluster, event)


# --- verdicts -------------------------------------------------------------------------------

MAX_EVIDENCE = 1000


def evidence_id(event, index: int) -> int:
    """Derived from the event, so a replay gives every evidence row the id it had live."""
    return event.position * MAX_EVIDENCE + index


def read_verdicts(state: ProjectionState, events: list) -> None:
    verdicts = [event.stream_id for event in events]
    state.load(Verdict, Verdict.objects.filter(id__in=verdicts))
    state.load(VerdictEvidence, VerdictEvidence.objects.filter(verdict_id__in=verdicts))


@projector(ClaimEventType.VERDICT_DRAFTED, ClaimEventType.VERDICT_REVISED)
def verdict_drafted(state: ProjectionState, event) -> None:
    """A first revision, or a new revision superseding a published one (content copied)."""
    data = event.data
    verdict = {
        "id": str(event.stream_id),
        "cluster_id": data["cluster_id"],
        "dossier_id": data["dossier_id"],
        "revision": data["revision"],
        "supersedes_id": data["supersedes_id"],
        "reuses_id": data.get("reuses_id"),  # VerdictDrafted data since issue 17
        "status": Verdict.Status.DRAFT.value,
        "author_id": data["author_id"],
        "created_at": event.recorded_at,
    }
    _set_verdict_content(state, verdict, data, event, new=True)


@projector(ClaimEventType.VERDICT_FLAGGED_FOR_REVIEW, reads=read_verdicts)
def verdict_flagged_for_review(state: ProjectionState, event) -> None:
    verdict = state.get(Verdict, event.stream_id)
    verdict["needs_review"] = True
    verdict["review_flags"] = [
        *verdict["review_flags"],
        {"at": event.recorded_at.isoformat(), "reasons": event.data["reasons"]},
    ]
    verdict.update(updated_at=event.recorded_at, version=event.stream_version)
    state.save(Verdict, verdict, event)


@projector(ClaimEventType.VERDICT_EDITED, reads=read_verdicts)
def verdict_edited(state: ProjectionState, event) -> None:
    verdict = state.get(Verdict, event.stream_id)
    _set_verdict_content(state, verdict, event.data, event, new=False)


def _set_verdict_status(state: ProjectionState, event, status: Verdict.Status, **fields) -> None:
    verdict = state.get(Verdict, event.stream_id)
    verdict.update(
        fields, status=status.value, updated_at=event.recorded_at, version=event.stream_version
    )
    state.save(Verdict, verdict, event)


@projector(ClaimEventType.VERDICT_SUBMITTED, reads=read_verdicts)
def verdict_submitted(state: ProjectionState, event) -> None:
    """The snapshot of what is reviewed (VerdictSubmitted data since issue 14)."""
    _set_verdict_status(
        state, event, Verdict.Status.IN_REVIEW, reviewed=event.data.get("reviewed", {})
    )


@projector(ClaimEventType.VERDICT_APPROVED, reads=read_verdicts)
def verdict_approved(state: ProjectionState, event) -> None:
    """Approval acknowledges earlier review flags; later flags show what changed since."""
    _set_verdict_status(
        state,
        event,
        Verdict.Status.APPROVED,
        reviewer_id=event.data["reviewer_id"],
        approved_at=event.recorded_at,
        needs_review=False,
    )


@projector(ClaimEventType.VERDICT_CHANGES_REQUESTED, reads=read_verdicts)
def verdict_changes_requested(state: ProjectionState, event) -> None:
    _set_verdict_status(
        state,
        event,
        Verdict.Status.CHANGES_REQUESTED,
        reviewer_id=event.data["reviewer_id"],
        approved_at=None,
    )


@projector(ClaimEventType.VERDICT_PUBLISHED, reads=read_verdicts)
def verdict_published(state: ProjectionState, event) -> None:
    _set_verdict_status(state, event, Verdict.Status.PUBLISHED, published_at=event.recorded_at)


def _set_verdict_content(state: ProjectionState, verdict: dict, data: dict, event, *, new: bool):
    """Rating, grades, rationale and evidence from an event that carries content."""
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


# --- analysts' corrections ----------------------------------------------------------------


def _corrections_of_dossier(state: ProjectionState) -> dict[str, dict[int, dict]]:
    return state.index("corrections of dossier")


def _load_corrections(state: ProjectionState, dossiers) -> None:
    index = _corrections_of_dossier(state)
    for row in state.load(Correction, Correction.objects.filter(dossier_id__in=dossiers)):
        index[row["dossier_id"]][row["id"]] = row


def _ref(claim: dict) -> dict:
    """How a correction names a claim: by id, and by article and text should the id change."""
    return {"id": claim["id"], "article_id": claim["article_id"], "text": claim["text"]}


def _insert_correction(
    state: ProjectionState,
    event,
    kind: CorrectionKind,
    *,
    cluster_id: str | None = None,
    claim: dict | None = None,
    together: Sequence[dict] = (),
    apart: Sequence[dict] = (),
    value: dict | None = None,
) -> None:
    row = state.insert(
        Correction,
        event,
        id=event.position,
        dossier_id=event.data["dossier_id"],
        kind=kind.value,
        cluster_id=cluster_id,
        claim_id=claim["id"] if claim else None,
        article_id=claim["article_id"] if claim else None,
        claim_text=claim["text"] if claim else "",
        together=[_ref(c) for c in together],
        apart=[_ref(c) for c in apart],
        value=value or {},
        lost=[],
        actor_id=event.metadata.get("actor_id"),
        note=event.metadata.get("reason") or "",
        created_at=event.recorded_at,
    )
    _corrections_of_dossier(state)[row["dossier_id"]][row["id"]] = row


def _claims(state: ProjectionState, ids) -> list[dict]:
    claims = state.rows[Claim]
    return [claims[i] for i in ids if i in claims]


def _carry_corrections(state: ProjectionState, article: dict, wanted: dict[str, dict], event):
    """Re-point corrections of the article's claims at the re-extracted claims of the same
    text (report the ones whose text is gone in `lost`), then apply the claim corrections,
    oldest first, to the values extraction gives the article's claims."""
    by_text: dict[str, str] = {}
    for claim_id, values in sorted(wanted.items(), key=lambda item: item[1]["ordinal"]):
        by_text.setdefault(values["text"], claim_id)
        values.update(not_a_claim=False, corrected_fields=[])
    corrections = _corrections_of_dossier(state)[article["dossier_id"]]
    for correction in sorted(corrections.values(), key=lambda row: row["id"]):
        if _rebind(correction, article["id"], wanted, by_text):
            state.save(Correction, correction, event)
        values = wanted.get(correction["claim_id"]) if correction["claim_id"] else None
        if values is not None:
            _apply_claim_correction(values, correction["kind"], correction["value"])


def _rebind(correction: dict, article_id: str, wanted: dict, by_text: dict[str, str]) -> bool:
    """True if a re-extraction of `article_id` changed a claim the correction names."""
    lost, changed = list(correction["lost"]), False
    subject = correction["claim_id"]
    if correction["article_id"] == article_id and subject is not None and subject not in wanted:
        found = by_text.get(correction["claim_text"])
        if found is None:
            lost.append({"id": subject, "article_id": article_id, "text": correction["claim_text"]})
        correction["claim_id"], changed = found, True
    for name in ("together", "apart"):
        kept = []
        for ref in correction[name]:
            if ref["article_id"] != article_id or ref["id"] in wanted:
                kept.append(ref)
                continue
            changed = True
            if ref["text"] in by_text:
                kept.append({**ref, "id": by_text[ref["text"]]})
            else:
                lost.append(ref)
        correction[name] = kept
    correction["lost"] = lost
    return changed


def _apply_claim_correction(claim: dict, kind: str, value: dict) -> None:
    if kind in (CorrectionKind.NOT_A_CLAIM, CorrectionKind.RESTORE_CLAIM):
        claim["not_a_claim"] = kind == CorrectionKind.NOT_A_CLAIM
    elif kind in CORRECTABLE_FIELDS:
        claim[kind] = value["value"]
        claim["corrected_fields"] = sorted({*claim["corrected_fields"], kind})


# What an analyst may correct of a claim: the correction kind is the field's name.
CORRECTABLE_FIELDS = (CorrectionKind.SPEAKER, CorrectionKind.CITED_SOURCE, CorrectionKind.KIND)


def _recount(state: ProjectionState, cluster: dict, event) -> None:
    """A cluster's article counts after an analyst moved claims in or out; an emptied cluster
    is inactive. Origins and contradictions wait for the re-clustering the command queues."""
    members = _claims_of_cluster(state)[cluster["id"]]
    articles = len({claim["article_id"] for claim in members.values()})
    cluster.update(
        article_count=articles,
        supporting_article_count=articles,
        member_links={k: v for k, v in json_value(cluster["member_links"]).items() if k in members},
        is_active=bool(members),
        updated_at=event.recorded_at,
    )
    if not members:
        cluster.update(independent_origin_count=0, contradictions=[])


def _bump(cluster: dict, event) -> None:
    cluster.update(version=event.stream_version, updated_at=event.recorded_at)


def _move_claim(state: ProjectionState, claim: dict, to_cluster_id: str, event) -> None:
    """Move a claim to a cluster, forming it (a singleton, no events of its own yet) if new."""
    clusters = state.rows[ClaimCluster]
    if to_cluster_id not in clusters:
        state.insert(
            ClaimCluster,
            event,
            id=to_cluster_id,
            dossier_id=claim["dossier_id"],
            canonical_text=claim["text"],
            created_at=event.recorded_at,
            updated_at=event.recorded_at,
        )
    source = clusters.get(str(claim["cluster_id"]))
    target = clusters[to_cluster_id]
    _assign(state, [claim], target, event)
    for cluster in (source, target):
        if cluster is not None:
            _recount(state, cluster, event)


def _save_clusters(state: ProjectionState, event, *clusters: dict | None) -> None:
    for cluster in dict.fromkeys(c["id"] for c in clusters if c is not None):
        state.save(ClaimCluster, state.get(ClaimCluster, cluster), event)


@projector(ClaimEventType.CLUSTERS_MERGED, reads=read_dossier_clusters)
def clusters_merged(state: ProjectionState, event) -> None:
    """The sources' claims join the event's cluster; the sources are left empty."""
    target = state.get(ClaimCluster, event.stream_id)
    sources = [state.get(ClaimCluster, i) for i in event.data["source_cluster_ids"]]
    for source in sources:
        _assign(state, list(_claims_of_cluster(state)[source["id"]].values()), target, event)
        _recount(state, source, event)
    _recount(state, target, event)
    _bump(target, event)
    _save_clusters(state, event, target, *sources)
    subject, *others = _claims(state, event.data["claim_ids"])
    _insert_correction(
        state,
        event,
        CorrectionKind.MERGE,
        cluster_id=target["id"],
        claim=subject,
        together=others,
        value={"source_cluster_ids": event.data["source_cluster_ids"]},
    )


@projector(ClaimEventType.CLAIM_MOVED, reads=read_dossier_clusters)
def claim_moved(state: ProjectionState, event) -> None:
    """A claim leaves the event's cluster for another one, or for a new one (a split)."""
    data = event.data
    source = state.get(ClaimCluster, event.stream_id)
    claim = state.get(Claim, data["claim_id"])
    _move_claim(state, claim, data["to_cluster_id"], event)
    _bump(source, event)
    _save_clusters(state, event, source, state.get(ClaimCluster, data["to_cluster_id"]))
    _insert_correction(
        state,
        event,
        CorrectionKind.SPLIT if data["new_cluster"] else CorrectionKind.MOVE,
        cluster_id=source["id"],
        claim=claim,
        together=_claims(state, data["together_ids"]),
        apart=_claims(state, data["apart_ids"]),
        value={"to_cluster_id": data["to_cluster_id"]},
    )


@projector(ClaimEventType.CLAIM_LINK_REJECTED, reads=read_dossier_clusters)
def claim_link_rejected(state: ProjectionState, event) -> None:
    """ "Not the same claim": the claim leaves for a new cluster if it shared one with them."""
    data = event.data
    cluster = state.get(ClaimCluster, event.stream_id)
    claim = state.get(Claim, data["claim_id"])
    if data["new_cluster_id"]:
        _move_claim(state, claim, data["new_cluster_id"], event)
    _bump(cluster, event)
    _save_clusters(state, event, cluster, state.rows[ClaimCluster].get(data["new_cluster_id"]))
    _insert_correction(
        state,
        event,
        CorrectionKind.REJECT_LINK,
        cluster_id=cluster["id"],
        claim=claim,
        apart=_claims(state, data["other_claim_ids"]),
    )


@projector(ClaimEventType.CLAIM_LINK_CONFIRMED, reads=read_dossier_clusters)
def claim_link_confirmed(state: ProjectionState, event) -> None:
    """Same claim: the claim joins the other's cluster if it is not there already."""
    data = event.data
    cluster = state.get(ClaimCluster, event.stream_id)
    claim, other = state.get(Claim, data["claim_id"]), state.get(Claim, data["other_claim_id"])
    joined = None
    if other["cluster_id"] and other["cluster_id"] != claim["cluster_id"]:
        joined = state.get(ClaimCluster, other["cluster_id"])
        _move_claim(state, claim, joined["id"], event)
    _bump(cluster, event)
    _save_clusters(state, event, cluster, joined)
    _insert_correction(
        state,
        event,
        CorrectionKind.CONFIRM_LINK,
        cluster_id=cluster["id"],
        claim=claim,
        together=[other],
    )


@projector(ClaimEventType.CLUSTER_WORDING_PINNED, reads=read_dossier_clusters)
def cluster_wording_pinned(state: ProjectionState, event) -> None:
    cluster = state.get(ClaimCluster, event.stream_id)
    was = cluster["canonical_text"]
    cluster.update(canonical_text=event.data["text"], wording_pinned=True)
    _bump(cluster, event)
    state.save(ClaimCluster, cluster, event)
    _insert_correction(
        state,
        event,
        CorrectionKind.PIN_WORDING,
        cluster_id=cluster["id"],
        value={"text": event.data["text"], "was": was},
    )


def read_article_claims(state: ProjectionState, events: list) -> None:
    """The events' articles, their dossiers' claims and clusters (a claim marked not a claim
    leaves its cluster)."""
    read_articles(state, events)
    read_dossier_clusters(state, events)


def _correct_claim(state: ProjectionState, event, kind: CorrectionKind, value: dict) -> dict:
    """Apply a claim correction to the claim and record it; the article's version moves."""
    article = state.get(Article, event.stream_id)
    article.update(version=event.stream_version)
    state.save(Article, article, event)
    claim = state.get(Claim, event.data["claim_id"])
    _apply_claim_correction(claim, kind, value)
    _insert_correction(state, event, kind, claim=claim, value=value)
    return claim


@projector(ClaimEventType.CLAIM_CORRECTED, reads=read_article_claims)
def claim_corrected(state: ProjectionState, event) -> None:
    data = event.data
    claim = _correct_claim(
        state,
        event,
        CorrectionKind(data["field"]),
        {"value": data["value"], "was": data["was"]},
    )
    state.save(Claim, claim, event)


@projector(ClaimEventType.CLAIM_MARKED_NOT_A_CLAIM, reads=read_article_claims)
def claim_marked_not_a_claim(state: ProjectionState, event) -> None:
    """The claim leaves its cluster; re-clustering leaves it out."""
    claim = _correct_claim(state, event, CorrectionKind.NOT_A_CLAIM, {})
    cluster = state.rows[ClaimCluster].get(str(claim["cluster_id"]))
    _assign(state, [claim], None, event)
    if cluster is not None:
        _recount(state, cluster, event)
        state.save(ClaimCluster, cluster, event)


@projector(ClaimEventType.CLAIM_RESTORED, reads=read_article_claims)
def claim_restored(state: ProjectionState, event) -> None:
    """A claim again: the next re-clustering gives it a cluster."""
    state.save(Claim, _correct_claim(state, event, CorrectionKind.RESTORE_CLAIM, {}), event)


# --- already reviewed -------------------------------------------------------------------------

# What a claim's `reviewed_matches` entry keeps of a match in its ClaimAlreadyReviewed event.
MATCH_FIELDS = ("verdict_id", "verdict_dossier_id", "reviewed_claim_id", "rating")


def read_matched_claims(state: ProjectionState, events: list) -> None:
    state.load(Claim, Claim.objects.filter(id__in=[event.stream_id for event in events]))


@projector(ClaimEventType.CLAIM_ALREADY_REVIEWED, reads=read_matched_claims)
def claim_already_reviewed(state: ProjectionState, event) -> None:
    """The claim states facts the team already reviewed: keep those verdicts beside it (once
    each). A claim a re-extraction retired before the event was appended is gone."""
    claim = state.rows[Claim].get(str(event.stream_id))
    if claim is None:
        return
    known = {match["verdict_id"] for match in claim["reviewed_matches"]}
    new = [
        {
            **{name: match[name] for name in MATCH_FIELDS},
            "matched_at": event.recorded_at.isoformat(),
        }
        for match in event.data["matches"]
        if match["verdict_id"] not in known
    ]
    if new:
        claim["reviewed_matches"] = [*claim["reviewed_matches"], *new]
        state.save(Claim, claim, event, reason=_bulk_reason(event))


# --- comments ---------------------------------------------------------------------------------


@projector(ClaimEventType.COMMENT_ADDED)
def comment_added(state: ProjectionState, event) -> None:
    data = event.data
    state.insert(
        Comment,
        event,
        id=str(event.stream_id),
        dossier_id=data["dossier_id"],
        verdict_id=data["verdict_id"],
        cluster_id=data["cluster_id"],
        author_id=data["author_id"],
        body=data["body"],
        created_at=event.recorded_at,
    )
