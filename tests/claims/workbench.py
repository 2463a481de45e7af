"""Dossiers with extracted, clustered claims, built the way the product builds them:
upload -> `run_extraction` -> `recluster_dossier`, all through commands."""

from __future__ import annotations

import re

from claims.models import ClaimCluster
from claims.reclustering import recluster_dossier
from dossiers.demo import load_demo
from dossiers.models import Article, Dossier, Role
from eventlog.context import SYSTEM
from tests.factories import DossierFactory, article_text, member, upload
from workers.pipeline import run_extraction

HUNDRED_OFFICIALS = re.compile(r"\b100\b.*\b(officials|advisers|advisors|personnel|diplomat)", re.I)


def extract_and_cluster(dossier: Dossier) -> None:
    """Run the pipeline stages the worker would run after each upload commits."""
    for article_id in Article.objects.filter(dossier=dossier).values_list("id", flat=True):
        run_extraction(article_id)
    recluster_dossier(dossier=dossier, actor=SYSTEM)


def small_dossier():
    """A dossier where one fact is reported by three articles, plus an analyst and a reviewer."""
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    reviewer = member(dossier.team, Role.REVIEWER)
    for n in range(3):
        upload(dossier, article_text(n), actor=analyst)
    extract_and_cluster(dossier)
    return dossier, analyst, reviewer


def busiest_cluster(dossier: Dossier) -> ClaimCluster:
    cluster = ClaimCluster.objects.filter(dossier=dossier, is_active=True).first()
    assert cluster is not None, "extraction and clustering produced no cluster"
    return cluster


def seed_dossier() -> Dossier:
    """The demo dossier (five seed articles on Russia and Assad), extracted and clustered."""
    dossier = load_demo().dossier
    extract_and_cluster(dossier)
    return dossier


def hundred_officials_cluster(dossier: Dossier) -> ClaimCluster:
    """The cluster saying about 100 Russian officials/advisers left Syria."""
    candidates = [
        cluster
        for cluster in ClaimCluster.objects.filter(dossier=dossier, is_active=True)
        if HUNDRED_OFFICIALS.search(cluster.canonical_text)
        or any(
            HUNDRED_OFFICIALS.search(text) for text in cluster.claims.values_list("text", flat=True)
        )
    ]
    assert candidates, "no cluster about the 100 Russian officials in the seed dossier"
    return max(candidates, key=lambda c: (c.article_count, c.independent_origin_count))
