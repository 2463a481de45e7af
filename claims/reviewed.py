"""Already reviewed: claims of a dossier matched, by the clustering's matcher, to claims the
team's approved or published verdicts in its other dossiers cover (issue 17).

A match is an event (ClaimAlreadyReviewed on the claim's stream), so the claim's history and
as-of reads show when the link appeared. Matching reads outside the append lock, like
re-clustering; the projector keeps each verdict once, so a second run adds nothing.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from claims.events import ClaimEventType, ClaimStreamType
from claims.extraction.clustering import ClusterItem, cluster_claims, when_keys
from claims.models import Claim, Verdict
from dossiers.models import Dossier
from eventlog.context import Actor, Context
from eventlog.models import Event
from eventlog.store import NewEvent, lock_appends, record_many

User = AbstractBaseUser
REVIEWED = (Verdict.Status.APPROVED, Verdict.Status.PUBLISHED)
_COLUMNS = ("id", "article_id", "text", "quantities", "dates")


def reviewed_verdicts(team_id, *, outside=None) -> dict[str, Verdict]:
    """Cluster id -> its newest approved or published revision, for the team's clusters (not
    those of the dossier `outside`)."""
    verdicts = Verdict.objects.filter(dossier__team_id=team_id, status__in=REVIEWED)
    if outside is not None:
        verdicts = verdicts.exclude(dossier_id=outside)
    newest: dict[str, Verdict] = {}
    for verdict in verdicts.order_by("cluster_id", "revision"):
        newest[str(verdict.cluster_id)] = verdict
    return newest


def match_reviewed_claims(*, dossier: Dossier, actor: User | Actor) -> int:
    """Append ClaimAlreadyReviewed for the dossier's claims newly matched; returns how many."""
    planned = _plan_matches(dossier)
    if not planned:
        return 0
    with transaction.atomic():
        lock_appends()
        versions = dict(
            Event.objects.filter(stream_type=ClaimStreamType.CLAIM, stream_id__in=planned)
            .values_list("stream_id")
            .annotate(v=Max("stream_version"))
        )
        events = [
            NewEvent(
                stream_type=ClaimStreamType.CLAIM,
                stream_id=claim_id,
                expected_version=versions.get(claim_id, 0),
                event_type=ClaimEventType.CLAIM_ALREADY_REVIEWED,
                data={"dossier_id": str(dossier.id), "matches": matches},
            )
            for claim_id, matches in planned.items()
        ]
        record_many(events, context=Context.of(actor, "already reviewed"), team_id=dossier.team_id)
    return len(events)


def _plan_matches(dossier: Dossier) -> dict:
    """Claim id -> the matches to record: the reviewed claims clustered with it."""
    verdicts = reviewed_verdicts(dossier.team_id, outside=dossier.id)
    if not verdicts:
        return {}
    reviewed = {
        str(row[0]): (row, str(row[-1]))
        for row in Claim.objects.filter(cluster_id__in=verdicts, not_a_claim=False).values_list(
            *_COLUMNS, "cluster_id"
        )
    }
    ours = {
        str(row[0]): (row, {match["verdict_id"] for match in row[-1]})
        for row in Claim.objects.filter(
            dossier=dossier, not_a_claim=False, article__archived=False
        ).values_list(*_COLUMNS, "reviewed_matches")
    }
    result = cluster_claims(
        [_item(row) for row, _ in reviewed.values()] + [_item(row) for row, _ in ours.values()]
    )
    planned: dict = defaultdict(list)
    for cluster in result.clusters.values():
        covered = sorted(key for key in cluster.claim_keys if key in reviewed)
        for key in sorted(key for key in cluster.claim_keys if key in ours):
            known = ours[key][1]
            for reviewed_key in covered:
                verdict = verdicts[reviewed[reviewed_key][1]]
                if str(verdict.id) in known:
                    continue
                known.add(str(verdict.id))
                planned[Claim._meta.pk.to_python(key)].append(
                    {
                        "verdict_id": str(verdict.id),
                        "verdict_dossier_id": str(verdict.dossier_id),
                        "reviewed_claim_id": reviewed_key,
                        "rating": verdict.rating,
                    }
                )
    return dict(planned)


def _item(row) -> ClusterItem:
    claim_id, article_id, text, quantities, dates = row[:5]
    return ClusterItem(
        claim_key=str(claim_id),
        article_key=str(article_id),
        text=text,
        quantities=tuple(q["value"] for q in quantities if isinstance(q, dict) and "value" in q),
        dates=when_keys(dates),
    )


def already_reviewed(claims) -> list[dict]:
    """The verdicts matched to any of `claims` (rows with `id` and `reviewed_matches`), with
    their rating and status now: one entry per verdict, first match first."""
    found: dict[str, dict] = {}
    for claim in claims:
        for match in claim.reviewed_matches:
            entry = found.setdefault(
                match["verdict_id"], {"matched_at": match["matched_at"], "claims": []}
            )
            entry["matched_at"] = min(entry["matched_at"], match["matched_at"])
            entry["claims"].append(str(claim.id))
    verdicts = Verdict.objects.filter(id__in=found).select_related("cluster", "dossier")
    return sorted(
        (
            {
                "verdict": verdict,
                "claim_reviewed": verdict.cluster.canonical_text,
                **found[str(verdict.id)],
            }
            for verdict in verdicts
        ),
        key=lambda entry: entry["matched_at"],
    )
