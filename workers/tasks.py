"""Celery tasks: thin wrappers that load, call pure pipeline code and store through commands.

Pipeline: upload -> extract_article -> recluster_dossier -> (flags affected verdicts, matches
claims to verdicts the team already published).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from claims.extraction import EXTRACTOR_VERSION
from claims.reclustering import recluster_dossier as recluster_claims
from claims.reviewed import match_reviewed_claims
from dossiers.commands import request_extraction, score_question_stances
from dossiers.models import Article, Dossier
from eventlog.context import SYSTEM, current_correlation_id
from eventlog.store import ConcurrencyError
from workers.dispatch import (
    dossier_extraction_started,
    enqueue_dossier_extraction,
    enqueue_extraction,
    enqueue_reclustering,
    reclustering_started,
)
from workers.pipeline import extract_waiting, run_extraction

logger = logging.getLogger(__name__)

# Transient: the database restarted or another worker wrote the same stream first.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConcurrencyError)
RETRY_TRANSIENT_ERRORS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY_TRANSIENT_ERRORS)
def extract_article(article_id: str) -> str:
    token = current_correlation_id.set(f"article:{article_id}")
    try:
        article = run_extraction(article_id)
    finally:
        current_correlation_id.reset(token)
    if article is None:
        return "missing"
    # A failed article re-clusters too: it may have held back other articles' re-clustering.
    # While others of the dossier are in flight, the last of them to finish asks instead
    # (checked after this article's commit, so of two finishing at once one sees the other
    # done): a burst then queues one re-clustering, not one per article.
    finished = article.status in (Article.Status.DONE, Article.Status.FAILED)
    if finished and not extraction_in_flight(article.dossier):
        enqueue_reclustering(article.dossier_id)
    return article.status


@shared_task(**RETRY_TRANSIENT_ERRORS)
def extract_dossier(dossier_id: str) -> int:
    """Extract the dossier's articles waiting for it, batch by batch (what uploads queue).

    A sweep stops after a quarter of the task time limit and queues the next one, so a
    steady stream of uploads never runs a task into its limit.
    """
    dossier_extraction_started(dossier_id)
    token = current_correlation_id.set(f"dossier:{dossier_id}")
    try:
        count, more = extract_waiting(dossier_id, seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT / 4)
    finally:
        current_correlation_id.reset(token)
    dossier = Dossier.objects.filter(id=dossier_id).first()
    if more:
        enqueue_dossier_extraction(dossier_id)
    elif dossier is not None and not extraction_in_flight(dossier):
        enqueue_reclustering(dossier_id)
    return count


@shared_task(**RETRY_TRANSIENT_ERRORS)
def recluster_dossier(dossier_id: str) -> int:
    """Re-cluster the dossier's claims, flag verdicts whose evidence changed, and match the
    claims to the team's verdicts in other dossiers (already reviewed)."""
    dossier = Dossier.objects.filter(id=dossier_id).first()
    reclustering_started(dossier_id)
    if dossier is None or extraction_in_flight(dossier):
        return 0
    token = current_correlation_id.set(f"dossier:{dossier_id}")
    try:
        changed = recluster_claims(dossier=dossier, actor=SYSTEM)
        match_reviewed_claims(dossier=dossier, actor=SYSTEM)
        # Extraction scores each article's question stance; one whose scoring was lost (a
        # retry found it extracted already) or that predates stances is scored here.
        score_question_stances(
            dossier=dossier,
            articles=list(dossier.articles.filter(status=Article.Status.DONE, question_stance="")),
            reason="question stance scored after re-clustering",
        )
        return changed
    finally:
        current_correlation_id.reset(token)


def extraction_in_flight(dossier: Dossier) -> bool:
    """True while another article of the dossier is being extracted: it re-clusters when done.

    Without this, a burst of N uploads re-clusters all the dossier's claims N times. Articles
    stuck past the re-queue deadline do not hold re-clustering back.
    """
    recent = timezone.now() - timedelta(seconds=settings.ARTICLE_REQUEUE_AFTER_SECONDS)
    return Article.objects.filter(
        dossier=dossier,
        status__in=(Article.Status.PENDING, Article.Status.RUNNING),
        status_changed_at__gte=recent,
    ).exists()


@shared_task
def reanalyze_outdated_articles() -> int:
    """Re-extract articles that an older extractor version processed (after a deploy);
    archived ones are passed by."""
    outdated = Article.objects.filter(status=Article.Status.DONE, archived=False).exclude(
        extractor_version=EXTRACTOR_VERSION
    )
    count = 0
    for article in outdated.select_related("dossier__team")[:500]:
        request_extraction(article=article, actor=SYSTEM, reason="extractor version changed")
        count += 1
    return count


@shared_task
def requeue_stale_articles() -> int:
    """Re-enqueue articles left pending (broker was down) or running (worker died)."""
    now = timezone.now()
    pending_deadline = now - timedelta(seconds=settings.ARTICLE_REQUEUE_AFTER_SECONDS)
    running_deadline = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 2)
    stale = Article.objects.filter(
        status=Article.Status.PENDING, status_changed_at__lt=pending_deadline
    ) | Article.objects.filter(
        status=Article.Status.RUNNING, status_changed_at__lt=running_deadline
    )
    count = 0
    for article_id in stale.values_list("id", flat=True).iterator():
        count += enqueue_extraction(article_id)
    if count:
        logger.info("re-enqueued %d stale articles", count)
    return count
