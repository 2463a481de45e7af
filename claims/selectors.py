"""Reads of claims, clusters and verdicts that respect team membership."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from claims.events import ClaimEventType, ClaimStreamType
from claims.extraction.origins import (
    ARTICLE_ORIGIN_PREFIX,
    SentenceAttribution,
    contextual_cited_sources,
)
from claims.models import (
    CHECKWORTHY_KINDS,
    Claim,
    ClaimCluster,
    Comment,
    Correction,
    CorrectionKind,
    EvidenceRelation,
    Verdict,
    VerdictEvidence,
)
from dossiers.events import StreamType
from dossiers.models import Article, Dossier, Role
from dossiers.selectors import team_ids_for
from eventlog.models import Event


def claims_for(user) -> QuerySet[Claim]:
    return Claim.objects.filter(dossier__team_id__in=team_ids_for(user))


def live_claims(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """The claims whose article is not archived: what claim lists show unless asked for the
    archived ones (as article lists leave archived articles out)."""
    return claims.filter(article__archived=False)


def clusters_for(user) -> QuerySet[ClaimCluster]:
    return ClaimCluster.objects.filter(dossier__team_id__in=team_ids_for(user))


def verdicts_for(user) -> QuerySet[Verdict]:
    return Verdict.objects.filter(dossier__team_id__in=team_ids_for(user))


def corrections_for(user) -> QuerySet[Correction]:
    return Correction.objects.filter(dossier__team_id__in=team_ids_for(user))


def cited_sources_in_context(article_ids) -> dict:
    """Claim id -> the source the claim reached its article through, read in the article's
    context as origin counting reads it (`origins.sources_in_article`)."""
    rows = list(
        Claim.objects.filter(article_id__in=article_ids)
        .order_by("article_id", "ordinal")
        .values_list("id", "article_id", "speaker", "cue", "cited_source")
    )
    wires = dict(
        Article.objects.filter(id__in=article_ids).exclude(wire="").values_list("id", "wire")
    )
    sources = contextual_cited_sources(
        [
            (article, SentenceAttribution(speaker, cue, cited))
            for _, article, speaker, cue, cited in rows
        ],
        wires,
    )
    return {row[0]: source for row, source in zip(rows, sources, strict=True)}


# --- time travel ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSnapshot:
    cluster: ClaimCluster
    claims: list[Claim]
    verdicts: list[Verdict]  # revisions that existed then, newest first

    @property
    def current_verdict(self) -> Verdict | None:
        return self.verdicts[0] if self.verdicts else None


@dataclass(frozen=True)
class DossierSnapshot:
    """A dossier as it stood at `when`, rebuilt from the history tables.

    Rows are unsaved model instances carrying the field values of that moment. Article bodies
    are not versioned (history excludes them), so snapshot articles have no body.
    """

    when: datetime
    dossier: Dossier | None  # None: the dossier did not exist yet
    articles: list[Article]
    claims: list[Claim]
    clusters: list[ClusterSnapshot]
    verdicts: list[Verdict]
    evidence: list[VerdictEvidence]

    def cluster(self, cluster_id) -> ClusterSnapshot | None:
        return next((c for c in self.clusters if str(c.cluster.id) == str(cluster_id)), None)


def _records_as_of(model, when: datetime, **filters) -> QuerySet:
    """The history records holding the last state, at or before `when`, of each row whose
    state then matches `filters` (deleted rows left out): one query, to order and read a
    chunk at a time. The last state is the latest (history_date, history_id), so that two
    changes stamped with the same time resolve to the one written last."""
    history = model.history.filter(history_date__lte=when)
    last = (
        history.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return history.filter(**filters).filter(history_id=Subquery(last)).exclude(history_type="-")


# Articles in the order the story was told: by publication date, an undated one at its
# upload time (the timeline's order, and the snapshot's).
STORY_ORDER = (Coalesce("published_at", "uploaded_at"), "uploaded_at", "id")

# How a snapshot orders each kind of row.
SNAPSHOT_ORDER = {
    Dossier: ("id",),
    Article: STORY_ORDER,
    Claim: ("article_id", "ordinal", "id"),
    ClaimCluster: ("-article_count", "created_at", "id"),
    Verdict: ("cluster_id", "-revision", "id"),  # each cluster's newest revision first
    VerdictEvidence: ("id",),
}


SNAPSHOT_CHUNK = 500  # rows read, and related rows looked up, at a time


def snapshot_chunks(model, when: datetime, **filters) -> Iterator[list]:
    """The rows of `model` matching `filters` as they stood at `when` (unsaved instances),
    in the snapshot's order, SNAPSHOT_CHUNK at a time: read through one cursor, never all
    at once."""
    records = _records_as_of(model, when, **filters).order_by(*SNAPSHOT_ORDER[model])
    chunk: list = []
    for record in records.iterator(chunk_size=SNAPSHOT_CHUNK):
        chunk.append(record.instance)
        if len(chunk) == SNAPSHOT_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rows_then(model, when: datetime, **filters) -> list:
    """What `snapshot_chunks` gives, in one list."""
    return [row for chunk in snapshot_chunks(model, when, **filters) for row in chunk]


def evidence_as_of(verdict: Verdict, when: datetime) -> list[VerdictEvidence]:
    return _rows_then(VerdictEvidence, when, verdict_id=verdict.id)


def cluster_members_as_of(cluster: ClaimCluster, when: datetime) -> list[Claim]:
    return _rows_then(Claim, when, dossier_id=cluster.dossier_id, cluster_id=cluster.id)


def clusters_then(clusters: list[ClaimCluster], when: datetime) -> list[ClusterSnapshot]:
    """Each cluster with its member claims and its verdict revisions at `when`."""
    ids = [cluster.id for cluster in clusters]
    claims: dict = defaultdict(list)
    for claim in _rows_then(Claim, when, cluster_id__in=ids):
        claims[claim.cluster_id].append(claim)
    verdicts: dict = defaultdict(list)
    for verdict in _rows_then(Verdict, when, cluster_id__in=ids):
        verdicts[verdict.cluster_id].append(verdict)
    return [ClusterSnapshot(c, claims[c.id], verdicts[c.id]) for c in clusters]


def evidence_then(verdicts: list[Verdict], when: datetime) -> list[VerdictEvidence]:
    return _rows_then(VerdictEvidence, when, verdict_id__in=[verdict.id for verdict in verdicts])


def dossier_as_of(dossier: Dossier, when: datetime) -> DossierSnapshot:
    """What the team knew and believed about `dossier` at `when`, whole in memory (the API
    streams it instead: `snapshot_chunks`)."""
    verdicts = _rows_then(Verdict, when, dossier_id=dossier.id)
    return DossierSnapshot(
        when=when,
        dossier=next(iter(_rows_then(Dossier, when, id=dossier.id)), None),
        articles=_rows_then(Article, when, dossier_id=dossier.id),
        claims=_rows_then(Claim, when, dossier_id=dossier.id),
        clusters=clusters_then(
            _rows_then(ClaimCluster, when, dossier_id=dossier.id, is_active=True), when
        ),
        verdicts=verdicts,
        evidence=evidence_then(verdicts, when),
    )


# --- timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeline:
    articles: list[Article]  # by publication date; undated ones at their upload time
    events: QuerySet[Event]  # by record date


def dossier_events(dossier: Dossier) -> QuerySet[Event]:
    """Every event of the dossier's own stream and of its articles, clusters, verdicts,
    claims and comments (a claim's and a comment's events name the dossier: the claim may
    since have been retired)."""
    streams = (
        Q(stream_type=StreamType.DOSSIER, stream_id=dossier.id)
        | Q(stream_type=StreamType.ARTICLE, stream_id__in=dossier.articles.values("id"))
        | Q(stream_type=ClaimStreamType.CLUSTER, stream_id__in=dossier.clusters.values("id"))
        | Q(stream_type=ClaimStreamType.VERDICT, stream_id__in=dossier.verdicts.values("id"))
        | Q(
            stream_type__in=[ClaimStreamType.CLAIM, ClaimStreamType.COMMENT],
            data__dossier_id=str(dossier.id),
        )
    )
    return Event.objects.filter(streams, team_id=dossier.team_id).order_by(
        "recorded_at", "position"
    )


def dossier_timeline(dossier: Dossier) -> Timeline:
    articles = Article.objects.filter(dossier=dossier).order_by(*STORY_ORDER)
    return Timeline(
        articles=list(articles.select_related("source")), events=dossier_events(dossier)
    )


# --- review --------------------------------------------------------------------------------


def current_verdicts(queryset: QuerySet[Verdict]) -> QuerySet[Verdict]:
    """Only the latest revision of each cluster's verdict (no later revision supersedes it)."""
    return queryset.filter(superseded_by__isnull=True)


def verdicts_needing_review(user) -> QuerySet[Verdict]:
    return current_verdicts(verdicts_for(user)).filter(needs_review=True)


def changes_since_approval(verdict: Verdict) -> list[dict]:
    """Re-analysis flags raised after the verdict was last approved (all of them if never)."""
    approved_at = verdict.approved_at
    return [
        flag
        for flag in verdict.review_flags
        if approved_at is None or datetime.fromisoformat(flag["at"]) > approved_at
    ]


@dataclass(frozen=True)
class EvidenceChange:
    """What one change of a verdict did to its evidence, each item as "Supports: “…”"."""

    removed: list[str]
    added: list[str]


def evidence_changes(verdict_id) -> dict[datetime, EvidenceChange]:
    """By the time of the change (a history row's date): the evidence a verdict's content
    events removed and added. Each of them replaces the rows whole, so an item kept is both
    deleted and inserted at that moment; only the difference is a change."""
    rows = VerdictEvidence.history.filter(verdict_id=verdict_id).order_by("history_id")
    by_moment: dict[datetime, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for row in rows:
        before, after = by_moment[row.history_date]
        label = f"{EvidenceRelation(row.relation).label}: “{row.quote}”"
        (before if row.history_type == "-" else after).append(label)
    changes = {}
    for moment, (before, after) in by_moment.items():
        removed = [label for label in before if label not in after]
        added = [label for label in after if label not in before]
        if removed or added:
            changes[moment] = EvidenceChange(removed, added)
    return changes


# --- contradictions and links --------------------------------------------------------------


@dataclass(frozen=True)
class ContradictionPair:
    """One contradiction, once, whichever cluster's state it was read from."""

    a: str  # claim id
    b: str  # claim id
    kind: str
    reason: str


def contradiction_pairs(clusters) -> list[ContradictionPair]:
    """The contradictions recorded on `clusters` (each is stored on both claims' clusters)."""
    seen: dict[frozenset[str], ContradictionPair] = {}
    for cluster in clusters:
        for item in cluster.contradictions:
            key = frozenset((item["claim_id"], item["other_claim_id"]))
            if key not in seen:
                a, b = sorted(key)
                seen[key] = ContradictionPair(a, b, item["kind"], item["reason"])
    return sorted(seen.values(), key=lambda pair: (pair.kind, pair.a, pair.b))


@dataclass(frozen=True)
class ContradictionView:
    kind: str
    reason: str
    claim: Claim
    other: Claim


def contradictions_in(dossier: Dossier, *, cluster: ClaimCluster | None = None):
    """The dossier's contradictions (or one cluster's) with both claims and their articles,
    for the admin and the API."""
    clusters = ClaimCluster.objects.filter(dossier=dossier, is_active=True).exclude(
        contradictions=[]
    )
    if cluster is not None:
        clusters = clusters.filter(id=cluster.id)
    pairs = contradiction_pairs(clusters.only("contradictions"))
    claims = Claim.objects.select_related("article__source", "cluster").in_bulk(
        {claim_id for pair in pairs for claim_id in (pair.a, pair.b)}
    )
    claims = {str(key): claim for key, claim in claims.items()}
    views = []
    for pair in pairs:
        if pair.a in claims and pair.b in claims:
            mine, other = claims[pair.a], claims[pair.b]
            if cluster is not None and other.cluster_id == cluster.id:
                mine, other = other, mine  # the cluster's own member first
            views.append(ContradictionView(pair.kind, pair.reason, mine, other))
    return views


def origin_names(origins) -> dict[str, str]:
    """Each origin as people call it: an article's own word (`article:<uuid>`, the key the
    origin tracing uses) becomes its outlet, else its title; named origins stay as they are."""
    origins = [o for o in origins if o]
    keys = {
        o.removeprefix(ARTICLE_ORIGIN_PREFIX)
        for o in origins
        if o.startswith(ARTICLE_ORIGIN_PREFIX)
    }
    articles = {}
    if keys:
        valid = [k for k in keys if _is_uuid(k)]
        for article in Article.objects.filter(pk__in=valid).select_related("source"):
            articles[str(article.pk)] = (
                article.source.name if article.source_id else article.title or "an article"
            )
    return {
        o: articles.get(o.removeprefix(ARTICLE_ORIGIN_PREFIX), "an unnamed article")
        if o.startswith(ARTICLE_ORIGIN_PREFIX)
        else o
        for o in origins
    }


def origin_name(origin: str) -> str:
    return origin_names([origin]).get(origin, "") if origin else ""


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def wrote_or_edited(verdict: Verdict, user) -> bool:
    """Whether the four-eyes rule keeps `user` from approving or publishing this revision."""
    return (
        verdict.author_id == user.pk
        or Event.objects.filter(
            stream_type=ClaimStreamType.VERDICT,
            stream_id=verdict.id,
            type=ClaimEventType.VERDICT_EDITED,
            metadata__actor_id=user.pk,
        ).exists()
    )


@dataclass(frozen=True)
class ReviewNote:
    """A reviewer's word on a verdict, read from the event log."""

    action: str
    reviewer: str
    reason: str
    at: datetime


def review_notes(verdict: Verdict) -> list[ReviewNote]:
    """Requests for changes (with their reasons) and approvals of this revision, newest first."""
    labels = {
        ClaimEventType.VERDICT_CHANGES_REQUESTED: "requested changes",
        ClaimEventType.VERDICT_APPROVED: "approved",
    }
    events = Event.objects.filter(
        stream_type=ClaimStreamType.VERDICT, stream_id=verdict.id, type__in=list(labels)
    ).order_by("-position")
    return [
        ReviewNote(
            action=labels[event.type],
            reviewer=event.metadata.get("actor", ""),
            reason=event.data.get("reason") or event.metadata.get("reason", ""),
            at=event.recorded_at,
        )
        for event in events
    ]


def verdict_queue(queryset: QuerySet[Verdict], user, queue: str) -> QuerySet[Verdict]:
    """The review queues: awaiting my review, my drafts, changes requested, flagged."""
    current = current_verdicts(queryset)
    if queue == "awaiting_me":
        return current.filter(
            status=Verdict.Status.IN_REVIEW,
            dossier__team_id__in=team_ids_for(user, Role.REVIEWER),
        ).exclude(author=user)
    if queue == "my_drafts":
        return current.filter(
            author=user,
            status__in=[Verdict.Status.DRAFT, Verdict.Status.CHANGES_REQUESTED],
        )
    if queue == "changes_requested":
        return current.filter(status=Verdict.Status.CHANGES_REQUESTED)
    if queue == "flagged":
        return current.filter(needs_review=True)
    return queryset


@dataclass(frozen=True)
class BoardCluster:
    cluster: ClaimCluster
    origin: str
    checkworthy_claims: int
    verdict: Verdict | None


@dataclass(frozen=True)
class BoardFilter:
    """Which of the dossier's clusters the board ranks (the filters on the dossier page)."""

    verdict: str = ""  # "" any, "none", "open" (not yet published) or "published"
    shared: bool = False  # reported by several articles
    contradicted: bool = False
    words: str = ""  # in the cluster's wording

    def apply(self, clusters: QuerySet[ClaimCluster]) -> QuerySet[ClaimCluster]:
        current = current_verdicts(Verdict.objects.all())
        if self.verdict == "none":
            clusters = clusters.filter(verdicts__isnull=True)
        elif self.verdict == "open":
            open_ = current.exclude(status=Verdict.Status.PUBLISHED)
            clusters = clusters.filter(id__in=open_.values("cluster_id"))
        elif self.verdict == "published":
            published = current.filter(status=Verdict.Status.PUBLISHED)
            clusters = clusters.filter(id__in=published.values("cluster_id"))
        if self.shared:
            clusters = clusters.filter(article_count__gt=1)
        if self.contradicted:
            clusters = clusters.exclude(contradictions=[])
        for word in self.words.split():
            clusters = clusters.filter(canonical_text__icontains=word)
        return clusters


@dataclass(frozen=True)
class DossierBoard:
    """The dossier at a glance: counts, the clusters that matter, and open verdicts."""

    counts: dict[str, int]
    top_clusters: list[BoardCluster]
    matching: int  # clusters the filter keeps, of which `top_clusters` are the first
    open_verdicts: list[Verdict]


def dossier_board(
    dossier: Dossier, board_filter: BoardFilter = BoardFilter(), *, shown: int = 10
) -> DossierBoard:
    """Clusters ranked by spread: independent origins, then articles, then contradictions,
    then how many of their claims are facts or figures; one-article clusters come last."""
    clusters = ClaimCluster.objects.filter(dossier=dossier, is_active=True)
    kept = board_filter.apply(clusters)
    ranked = list(
        kept.annotate(
            checkworthy=Count("claims", filter=Q(claims__kind__in=CHECKWORTHY_KINDS))
        ).order_by(
            "-independent_origin_count",
            "-article_count",
            "-contradicting_article_count",
            "-checkworthy",
        )[:shown]
    )
    names = origin_names(c.origin for c in ranked)
    latest: dict = {}
    for verdict in Verdict.objects.filter(cluster__in=ranked).order_by("-revision"):
        latest.setdefault(verdict.cluster_id, verdict)
    verdicts = current_verdicts(Verdict.objects.filter(dossier=dossier))
    counts = {
        "articles": dossier.articles.count(),
        "claims": Claim.objects.filter(dossier=dossier).count(),
        "checkworthy_claims": Claim.objects.filter(
            dossier=dossier, kind__in=CHECKWORTHY_KINDS
        ).count(),
        "clusters": clusters.count(),
        "shared_clusters": clusters.filter(article_count__gt=1).count(),
        "verdicts": verdicts.count(),
        "published": verdicts.filter(status=Verdict.Status.PUBLISHED).count(),
    }
    return DossierBoard(
        counts=counts,
        top_clusters=[
            BoardCluster(c, names.get(c.origin, ""), c.checkworthy, latest.get(c.id))
            for c in ranked
        ],
        matching=kept.count(),
        open_verdicts=list(
            verdicts.exclude(status=Verdict.Status.PUBLISHED)
            .select_related("cluster", "author")
            .order_by("status", "-updated_at")
        ),
    )


def comments_on(target: Verdict | ClaimCluster) -> list[Comment]:
    """The comments on a verdict or a cluster, oldest first (a conversation)."""
    on = {"verdict": target} if isinstance(target, Verdict) else {"cluster": target}
    return list(Comment.objects.filter(**on).select_related("author"))


# --- analysts' corrections ------------------------------------------------------------------


def claim_corrections(claim: Claim) -> list[Correction]:
    """The corrections of this claim, newest first."""
    return list(Correction.objects.filter(claim_id=claim.id).order_by("-id"))


def cluster_corrections(cluster: ClaimCluster) -> list[Correction]:
    """The corrections made on this cluster's page (or API resource), newest first."""
    return list(Correction.objects.filter(cluster_id=cluster.id).order_by("-id"))


def correction_counts(dossier_ids) -> dict[str, int]:
    """How often analysts corrected the machine, per kind (every kind, zeros included)."""
    counts = dict.fromkeys(CorrectionKind.values, 0)
    for kind in Correction.objects.filter(dossier_id__in=dossier_ids).values_list(
        "kind", flat=True
    ):
        counts[kind] += 1
    return counts
