"""Reads of claims, clusters and verdicts that respect team membership."""

from __future__ import annotations

from django.db.models import QuerySet

from claims.models import Claim, ClaimCluster, Verdict
from dossiers.selectors import team_ids_for


def claims_for(user) -> QuerySet[Claim]:
    return Claim.objects.filter(dossier__team_id__in=team_ids_for(user))


def clusters_for(user) -> QuerySet[ClaimCluster]:
    return ClaimCluster.objects.filter(dossier__team_id__in=team_ids_for(user))


def verdicts_for(user) -> QuerySet[Verdict]:
    return Verdict.objects.filter(dossier__team_id__in=team_ids_for(user))
