"""Re-clustering a dossier's claims: clusters with stable ids, their origins and
contradictions, and review flags on verdicts whose cluster changed."""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, Q

from claims.commands import flag_verdicts_of_cluster
from claims.events import CLUSTER_STATE_FIELDS, ClaimEventType, ClaimStreamType
from claims.extraction.candidates import candidate_articles
from claims.extraction.clustering import ClusterItem, cluster_claims, when_keys
from claims.extraction.origins import (
    OriginEvidence,
    SentenceAttribution,
    contextual_cited_sources,
    independent_origins,
    is_named,
)
from claims.models import Claim, ClaimCluster, Correction, CorrectionKind, Verdict
from dossiers.events import EventType, StreamType
from dossiers.models import Article, Dossier
from eventlog.context import Actor, Context
from eventlog.models import Event
from eventlog.store import ConcurrencyError, NewEvent, last_position, lock_appends, record_many

logger = logging.getLogger(__name__)

User = AbstractBaseUser
STANCE_BATCH = 2000  # (claim, body) pairs classified at once


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
    archived: bool  # its article is archived: clustered with nothing, it leaves its cluster


def _claim_rows(dossier: Dossier) -> list[_ClaimRow]:
    rows = list(
        Claim.objects.filter(dossier=dossier, not_a_claim=False)
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
            "article__archived",
        )
    )
    wires = dict(Article.objects.filter(dossier=dossier).exclude(wire="").values_list("id", "wire"))
    cited_in_context = contextual_cited_sources(
        [
            (aid, SentenceAttribution(speaker, cue, cited))
            for _, aid, _, _, _, _, speaker, cue, cited, _, _ in rows
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
            archived=archived,
        )
        for (
            (cid, aid, text, quantities, dates, cluster, speaker, _, _, source, archived),
            cited,
        ) in zip(rows, cited_in_context, strict=True)
    ]


def recluster_dossier(*, dossier: Dossier, actor: User | Actor) -> int:
    """Cluster the dossier's claims; keep cluster ids stable; flag verdicts whose cluster changed.

    Returns the number of clusters formed, updated or dissolved. The clustering (seconds for
    a large dossier) runs on what the log held at its start, outside the append lock; the
    lock is held only to append its events, after checking that nothing the clustering read
    has changed since. If something has, ConcurrencyError: the task tries again.
    """
    read_up_to = last_position()
    planning = time.perf_counter()
    events, flags = _plan_reclustering(dossier)
    appending = time.perf_counter()
    with transaction.atomic():
        lock_appends()  # before the row lock: see lock_appends
        locked = time.perf_counter()
        Dossier.objects.select_for_update().filter(id=dossier.id).first()
        _refuse_if_clustering_input_changed(dossier, read_up_to)
        # One batch: a first re-clustering of a large dossier forms thousands of clusters.
        record_many(events, context=Context.of(actor, "re-clustering"), team_id=dossier.team_id)
        for cluster_id, reasons in flags:
            flag_verdicts_of_cluster(cluster_id=cluster_id, reasons=reasons, actor=actor)
    done = time.perf_counter()
    # What operators (and bench/bench_recluster_isolation.py) read: how long other teams'
    # appends could have waited on this one.
    logger.info(
        "re-clustered dossier %s: planned in %.1f s without the append lock; %d events "
        "appended in %.0f ms holding it",
        dossier.id, appending - planning, len(events), (done - locked) * 1000,
    )  # fmt: skip
    return len(events)


# What a re-clustering reads of the log: its dossier's claims, clusters and verdicts.
_CLUSTERING_INPUTS = (
    EventType.CLAIMS_EXTRACTED,
    ClaimEventType.CLUSTER_FORMED,
    ClaimEventType.CLUSTER_UPDATED,
    ClaimEventType.CLUSTER_DISSOLVED,
    ClaimEventType.VERDICT_DRAFTED,
    ClaimEventType.VERDICT_REVISED,
    ClaimEventType.CLUSTERS_MERGED,
    ClaimEventType.CLAIM_MOVED,
    ClaimEventType.CLAIM_LINK_REJECTED,
    ClaimEventType.CLAIM_LINK_CONFIRMED,
    ClaimEventType.CLUSTER_WORDING_PINNED,
    ClaimEventType.CLAIM_CORRECTED,
    ClaimEventType.CLAIM_MARKED_NOT_A_CLAIM,
    ClaimEventType.CLAIM_RESTORED,
    EventType.ARTICLE_ARCHIVED,
    EventType.ARTICLE_UNARCHIVED,
)


@dataclass(frozen=True)
class AnalystConstraints:
    """What analysts' corrections ask of a re-clustering."""

    must_link: list[tuple[str, str]]
    cannot_link: list[tuple[str, str]]
    pinned: dict[str, str]  # cluster id -> its wording


def analyst_constraints(dossier: Dossier) -> AnalystConstraints:
    """Must-link and cannot-link pairs from the dossier's corrections, the latest word on a
    pair winning (a link rejected, then confirmed, is confirmed), and pinned wordings."""
    pairs: dict[tuple[str, str], bool] = {}
    pinned: dict[str, str] = {}
    for correction in Correction.objects.filter(dossier=dossier).order_by("id"):
        if correction.kind == CorrectionKind.PIN_WORDING:
            pinned[str(correction.cluster_id)] = correction.value["text"]
        if correction.claim_id is None:
            continue
        subject = str(correction.claim_id)
        for together, refs in ((True, correction.together), (False, correction.apart)):
            for ref in refs:
                if ref["id"] != subject:
                    pairs[tuple(sorted((subject, ref["id"])))] = together
    return AnalystConstraints(
        must_link=sorted(pair for pair, together in pairs.items() if together),
        cannot_link=sorted(pair for pair, together in pairs.items() if not together),
        pinned=pinned,
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
    constraints = analyst_constraints(dossier)
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
            if not row.archived
        ],
        anchored_keys=verdict_keys | constraints.pinned.keys(),
        must_link=constraints.must_link,
        cannot_link=constraints.cannot_link,
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
        state["canonical_text"] = constraints.pinned.get(key, state["canonical_text"])
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
    if after["canonical_text"] != before["canonical_text"]:
        reasons.append("the cluster's wording changed")
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
            dossier=dossier, status=Article.Status.DONE, archived=False
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
