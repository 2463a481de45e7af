"""Analysts correct the machine: merge clusters, move or split a claim out, say two claims are
(not) the same, pin a cluster's wording, correct a claim's speaker, cited source or kind, and
mark a sentence as not a claim. Each is one event (projected in `claims.events`, kept as a
`Correction` row); re-clustering (`claims.reclustering`) and re-extraction honour them.

Cluster corrections are appended to the cluster's stream, claim corrections to the claim's
article's stream: `expected_version` is that stream's version (the API's If-Match).
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from claims.commands import flag_verdicts_of_cluster
from claims.events import CORRECTABLE_FIELDS, ClaimEventType, ClaimStreamType
from claims.models import Claim, ClaimCluster, ClaimKind, CorrectionKind, Verdict
from dossiers.commands import QueuedWork
from dossiers.events import StreamType
from dossiers.models import Article, Role
from dossiers.permissions import require_role
from eventlog.context import Actor, Context
from eventlog.on_commit import queue_on_commit
from eventlog.store import ConcurrencyError, lock_appends, record

User = AbstractBaseUser
MAX_WORDING = 2000


class CorrectionError(ValueError):
    """A correction that does not apply (a claim of another dossier, a cluster into itself)."""


def _locked_cluster(cluster: ClaimCluster, actor: User | Actor, expected_version: int):
    lock_appends()  # before the row lock: see lock_appends
    current = (
        ClaimCluster.objects.select_for_update().select_related("dossier__team").get(id=cluster.id)
    )
    require_role(actor, current.dossier.team, Role.ANALYST)
    if current.version != int(expected_version):
        raise ConcurrencyError(
            ClaimStreamType.CLUSTER, current.id, int(expected_version), current.version
        )
    return current


def _locked_article(claim: Claim, actor: User | Actor, expected_version: int) -> Article:
    lock_appends()
    article = (
        Article.objects.select_for_update().select_related("dossier__team").get(id=claim.article_id)
    )
    require_role(actor, article.dossier.team, Role.ANALYST)
    if article.version != int(expected_version):
        raise ConcurrencyError(
            StreamType.ARTICLE, article.id, int(expected_version), article.version
        )
    return article


def _append_to_cluster(
    cluster: ClaimCluster, event_type: str, data: dict, actor: User | Actor, reason: str
) -> None:
    record(
        stream_type=ClaimStreamType.CLUSTER,
        stream_id=cluster.id,
        expected_version=cluster.version,
        event_type=event_type,
        data={"dossier_id": str(cluster.dossier_id), **data},
        context=Context.of(actor, reason),
        team_id=cluster.dossier.team_id,
    )
    queue_on_commit(QueuedWork.RECLUSTER_DOSSIER, cluster.dossier_id)


def _flag_verdicts(cluster_ids, reason: str, actor: User | Actor) -> None:
    """A verdict on a cluster an analyst changed is flagged: its reviewer sees what changed."""
    for cluster_id in dict.fromkeys(cluster_ids):
        flag_verdicts_of_cluster(cluster_id=cluster_id, reasons=[reason], actor=actor)


def _same_dossier(cluster: ClaimCluster, *claims: Claim) -> None:
    if any(claim.dossier_id != cluster.dossier_id for claim in claims):
        raise CorrectionError("the claims must belong to the cluster's dossier")


def _member_ids(cluster_id, *, besides: Claim | None = None) -> list[str]:
    members = Claim.objects.filter(cluster_id=cluster_id).order_by("id")
    if besides is not None:
        members = members.exclude(id=besides.id)
    return [str(i) for i in members.values_list("id", flat=True)]


def _claim_cluster(claim: Claim) -> ClaimCluster:
    claim.refresh_from_db()
    if claim.cluster_id is None:
        raise CorrectionError("this claim is in no cluster (marked not a claim, or not clustered)")
    return claim.cluster


@transaction.atomic
def merge_clusters(
    *,
    target: ClaimCluster,
    sources: list[ClaimCluster],
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
) -> ClaimCluster:
    """The sources' claims join `target`, and re-clustering keeps them together."""
    current = _locked_cluster(target, actor, expected_version)
    ids = {str(source.id) for source in sources} - {str(current.id)}
    found = list(ClaimCluster.objects.filter(id__in=ids, dossier_id=current.dossier_id))
    if not ids or len(found) != len(ids) or not all(c.is_active for c in [current, *found]):
        raise CorrectionError("merge active clusters of the target's dossier into another one")
    if Verdict.objects.filter(cluster__in=found).exists():
        raise CorrectionError("a cluster with a verdict can only be merged into, not away")
    source_ids = sorted(ids)
    members = _member_ids(current.id) + [m for s in source_ids for m in _member_ids(s)]
    _append_to_cluster(
        current,
        ClaimEventType.CLUSTERS_MERGED,
        {"source_cluster_ids": source_ids, "claim_ids": members},
        actor,
        reason or "clusters merged",
    )
    _flag_verdicts([current.id], f"an analyst merged {len(source_ids)} cluster(s) into it", actor)
    return ClaimCluster.objects.get(id=current.id)


@transaction.atomic
def move_claim(
    *,
    claim: Claim,
    to_cluster: ClaimCluster | None,
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
) -> Claim:
    """Move a claim to another cluster, or to a new one (`to_cluster=None`: a split).

    `expected_version` is the version of the cluster the claim leaves."""
    source = _locked_cluster(_claim_cluster(claim), actor, expected_version)
    if to_cluster is not None:
        if to_cluster.dossier_id != source.dossier_id or to_cluster.id == source.id:
            raise CorrectionError("move the claim to another cluster of its dossier")
        if not to_cluster.is_active:
            raise CorrectionError("that cluster is empty; move the claim to a new one instead")
    to_id = str(to_cluster.id) if to_cluster else str(uuid.uuid4())
    _append_to_cluster(
        source,
        ClaimEventType.CLAIM_MOVED,
        {
            "claim_id": str(claim.id),
            "to_cluster_id": to_id,
            "new_cluster": to_cluster is None,
            "together_ids": _member_ids(to_cluster.id) if to_cluster else [],
            "apart_ids": _member_ids(source.id, besides=claim),
        },
        actor,
        reason or ("claim moved" if to_cluster else "claim split into a new cluster"),
    )
    _flag_verdicts([source.id, to_id], "an analyst moved a claim between clusters", actor)
    return Claim.objects.get(id=claim.id)


@transaction.atomic
def reject_link(
    *,
    claim: Claim,
    others: list[Claim],
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
) -> Claim:
    """ "Not the same claim": `claim` never again shares a cluster with `others`; if it shares
    one now, it leaves for a new cluster. `expected_version`: the claim's cluster's version."""
    cluster = _locked_cluster(_claim_cluster(claim), actor, expected_version)
    others = [other for other in others if other.id != claim.id]
    if not others:
        raise CorrectionError("name the claims this one is not the same as")
    _same_dossier(cluster, *others)
    together = any(other.cluster_id == cluster.id for other in others)
    new_cluster_id = str(uuid.uuid4()) if together else None
    _append_to_cluster(
        cluster,
        ClaimEventType.CLAIM_LINK_REJECTED,
        {
            "claim_id": str(claim.id),
            "other_claim_ids": sorted(str(other.id) for other in others),
            "new_cluster_id": new_cluster_id,
        },
        actor,
        reason or "not the same claim",
    )
    if together:
        _flag_verdicts([cluster.id], "an analyst said a member is not the same claim", actor)
    return Claim.objects.get(id=claim.id)


@transaction.atomic
def confirm_link(
    *, claim: Claim, other: Claim, actor: User | Actor, expected_version: int, reason: str = ""
) -> Claim:
    """Same claim: the two always share a cluster (`claim` joins `other`'s if need be)."""
    cluster = _locked_cluster(_claim_cluster(claim), actor, expected_version)
    _same_dossier(cluster, other)
    if other.id == claim.id or other.not_a_claim:
        raise CorrectionError("confirm a link to another claim")
    _append_to_cluster(
        cluster,
        ClaimEventType.CLAIM_LINK_CONFIRMED,
        {"claim_id": str(claim.id), "other_claim_id": str(other.id)},
        actor,
        reason or "same claim",
    )
    if other.cluster_id and other.cluster_id != cluster.id:
        _flag_verdicts(
            [cluster.id, other.cluster_id], "an analyst moved a claim between clusters", actor
        )
    return Claim.objects.get(id=claim.id)


@transaction.atomic
def pin_wording(
    *,
    cluster: ClaimCluster,
    text: str,
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
) -> ClaimCluster:
    """The cluster is worded `text` from now on, whatever re-clustering would choose."""
    current = _locked_cluster(cluster, actor, expected_version)
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_WORDING:
        raise CorrectionError(f"the wording must be 1 to {MAX_WORDING} characters")
    _append_to_cluster(
        current,
        ClaimEventType.CLUSTER_WORDING_PINNED,
        {"text": text},
        actor,
        reason or "wording pinned",
    )
    _flag_verdicts([current.id], "an analyst pinned the cluster's wording", actor)
    return ClaimCluster.objects.get(id=current.id)


def _append_to_article(
    article: Article, claim: Claim, event_type: str, data: dict, actor, reason: str
) -> Claim:
    record(
        stream_type=StreamType.ARTICLE,
        stream_id=article.id,
        expected_version=article.version,
        event_type=event_type,
        data={"dossier_id": str(article.dossier_id), "claim_id": str(claim.id), **data},
        context=Context.of(actor, reason),
        team_id=article.dossier.team_id,
    )
    queue_on_commit(QueuedWork.RECLUSTER_DOSSIER, article.dossier_id)
    return Claim.objects.get(id=claim.id)


_FIELD_LENGTH = {name: Claim._meta.get_field(name).max_length for name in CORRECTABLE_FIELDS}


@transaction.atomic
def correct_claim(
    *,
    claim: Claim,
    field: str,
    value: str,
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
) -> Claim:
    """Correct a claim's speaker, cited source or kind; re-extraction keeps the correction.

    `expected_version` is the claim's article's version. A correction to the value the claim
    already has appends nothing."""
    article = _locked_article(claim, actor, expected_version)
    claim.refresh_from_db()
    if field not in CORRECTABLE_FIELDS:
        raise CorrectionError(f"a claim's {', '.join(CORRECTABLE_FIELDS)} can be corrected")
    value = " ".join((value or "").split())
    if field == CorrectionKind.KIND and value not in ClaimKind.values:
        raise CorrectionError(f"a kind is one of {', '.join(ClaimKind.values)}")
    if len(value) > _FIELD_LENGTH[field]:
        raise CorrectionError(f"a {field} is at most {_FIELD_LENGTH[field]} characters")
    was = getattr(claim, field)
    if value == was:
        return claim
    return _append_to_article(
        article,
        claim,
        ClaimEventType.CLAIM_CORRECTED,
        {"field": field, "value": value, "was": was},
        actor,
        reason or f"{field.replace('_', ' ')} corrected",
    )


@transaction.atomic
def mark_not_a_claim(
    *, claim: Claim, actor: User | Actor, expected_version: int, reason: str = ""
) -> Claim:
    """The sentence is not a claim: it leaves its cluster and re-clustering leaves it out."""
    article = _locked_article(claim, actor, expected_version)
    claim.refresh_from_db()
    if claim.not_a_claim:
        raise CorrectionError("this sentence is already marked not a claim")
    cluster_id = claim.cluster_id
    claim = _append_to_article(
        article,
        claim,
        ClaimEventType.CLAIM_MARKED_NOT_A_CLAIM,
        {},
        actor,
        reason or "not a claim",
    )
    if cluster_id:
        _flag_verdicts([cluster_id], "an analyst marked a member not a claim", actor)
    return claim


@transaction.atomic
def restore_claim(
    *, claim: Claim, actor: User | Actor, expected_version: int, reason: str = ""
) -> Claim:
    """Undo `mark_not_a_claim`: the next re-clustering gives the claim a cluster again."""
    article = _locked_article(claim, actor, expected_version)
    claim.refresh_from_db()
    if not claim.not_a_claim:
        raise CorrectionError("this claim is not marked not a claim")
    return _append_to_article(
        article,
        claim,
        ClaimEventType.CLAIM_RESTORED,
        {},
        actor,
        reason or "a claim after all",
    )
