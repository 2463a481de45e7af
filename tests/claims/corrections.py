"""A small dossier's clusters by what they say, and the re-analyses corrections must survive."""

from __future__ import annotations

from unittest import mock

from claims.models import Claim, ClaimCluster
from claims.reclustering import recluster_dossier
from dossiers.commands import request_reanalysis
from dossiers.models import Dossier
from eventlog.context import SYSTEM
from tests.claims.workbench import extract_and_cluster


def cluster_saying(dossier: Dossier, words: str) -> ClaimCluster:
    return ClaimCluster.objects.get(dossier=dossier, is_active=True, canonical_text__contains=words)


def claim_saying(dossier: Dossier, words: str) -> Claim:
    return Claim.objects.filter(dossier=dossier, text__contains=words).order_by("id").first()


def together(*claims: Claim) -> bool:
    clusters = {Claim.objects.get(id=claim.id).cluster_id for claim in claims}
    return len(clusters) == 1 and None not in clusters


def reanalyze(dossier: Dossier) -> None:
    """What `manage.py reanalyze` queues, run as the workers would."""
    request_reanalysis(dossier=dossier, actor=SYSTEM)
    extract_and_cluster(dossier)


def upgrade_extractor(dossier: Dossier) -> None:
    """Extract every article again with a newer extractor version."""
    with mock.patch("workers.pipeline.EXTRACTOR_VERSION", "9999.1"):
        extract_and_cluster(dossier)


def every_reanalysis(dossier: Dossier):
    """Re-clustering, `reanalyze`, an extractor upgrade: yields after each."""
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    yield "re-clustering"
    reanalyze(dossier)
    yield "reanalyze"
    upgrade_extractor(dossier)
    yield "extractor upgrade"
