"""The extraction stage: lease articles, run the pure extractor, store through commands.

Articles are extracted in batches of up to EXTRACTION_BATCH_SIZE of one dossier: a batch is
marked running with one append and stored with one more, where one article at a time cost
two transactions and some 27 queries each (more than the extraction itself). Uploads queue
a sweep of their dossier (`extract_waiting`); a task naming one article (a retry, the
re-queue of a stale one) takes waiting articles of its dossier along.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.db import connection

from claims.extraction import EXTRACTOR_VERSION, extract_article
from claims.extraction.pipeline import ExtractionBudget, ExtractionBudgetExceeded
from dossiers import commands
from dossiers.commands import ExtractionResult
from dossiers.models import Article
from workers.leases import leased

logger = logging.getLogger(__name__)

_CLAIM_NAMESPACE = uuid.UUID("5b0f2c1e-8d5e-4f3a-9d57-2f4f6c1f0a11")


def claim_id(article_id: uuid.UUID, start: int, end: int, text: str) -> str:
    """Same article, span and text give the same id, so reruns never duplicate claims."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(_CLAIM_NAMESPACE, f"{article_id}:{start}:{end}:{digest}"))


def is_current(article: Article) -> bool:
    return article.status == Article.Status.DONE and article.extractor_version == EXTRACTOR_VERSION


def run_extraction(article_id: uuid.UUID | str, *, force: bool = False) -> Article | None:
    """Extract one article (and others of its dossier waiting). Returns the article as it is
    now, or None when it no longer exists.

    An article already extracted by this extractor version is left alone unless `force`
    (re-analysis on request), and so is one another worker is extracting right now; either
    way the claim ids are deterministic, so nothing doubles.
    """
    article = _article(article_id)
    if article is None:
        logger.info("article %s is gone; nothing to extract", article_id)
        return None
    if is_current(article) and not force:
        return article

    def needs_extraction(candidate: Article) -> bool:
        if candidate.id == article.id:
            return force or not is_current(candidate)
        return _waiting(candidate)

    others = _waiting_in_dossier(article.dossier_id, limit=settings.EXTRACTION_BATCH_SIZE)
    candidates = [article.id, *[i for i in others if i != article.id]]
    with _leased_batch(candidates[: settings.EXTRACTION_BATCH_SIZE], needs_extraction) as batch:
        if batch and batch[0].id == article.id:  # else another worker is extracting it
            _extract(batch)
    return _article(article.id)


def extract_waiting(dossier_id: uuid.UUID | str, *, seconds: float) -> tuple[int, bool]:
    """Extract the dossier's waiting articles batch by batch, for about `seconds`.

    Returns how many were extracted and whether some still wait (the caller queues another
    sweep rather than run past its task's time limit). Articles other workers hold are
    theirs to finish.
    """
    deadline = time.monotonic() + seconds
    count = 0
    while ids := _waiting_in_dossier(dossier_id, limit=settings.EXTRACTION_BATCH_SIZE):
        with _leased_batch(ids, _waiting) as batch:
            if not batch:
                break
            _extract(batch)
        count += len(batch)
        if time.monotonic() > deadline:
            return count, bool(_waiting_in_dossier(dossier_id, limit=1))
    return count, False


@contextlib.contextmanager
def _leased_batch(ids: list, needs_extraction) -> Iterator[list[Article]]:
    """The articles of `ids` (in that order) this worker leased and that still need
    extraction once leased: another worker may have finished one in the meantime."""
    with leased(ids) as lease:
        found = Article.objects.select_related("dossier__team").in_bulk(lease.article_ids)
        batch = [found[i] for i in lease.article_ids if i in found and needs_extraction(found[i])]
        lease.keep_only(article.id for article in batch)
        yield batch


def _article(article_id) -> Article | None:
    return Article.objects.select_related("dossier__team").filter(id=article_id).first()


def _waiting_statuses() -> list[str]:
    """Pending articles, and on PostgreSQL running ones: their lease tells a live worker's
    article (leased) from one a dead worker left (free)."""
    if connection.vendor == "postgresql":
        return [Article.Status.PENDING, Article.Status.RUNNING]
    return [Article.Status.PENDING]


def _waiting(article: Article) -> bool:
    return article.status in _waiting_statuses()


def _waiting_in_dossier(dossier_id, *, limit: int) -> list[uuid.UUID]:
    return list(
        Article.objects.filter(dossier_id=dossier_id, status__in=_waiting_statuses())
        .order_by("status", "status_changed_at")  # pending before running
        .values_list("id", flat=True)[:limit]
    )


def _extract(batch: list[Article]) -> None:
    """Mark the batch running, extract each article, store results and failures."""
    results, failures = [], []
    budget = extraction_budget()
    for article in commands.start_extractions(articles=batch):
        try:
            extracted = extract_article(
                article.raw_upload, content_type=article.content_type, budget=budget
            )
        except ExtractionBudgetExceeded as exc:
            logger.warning("extraction of article %s stopped: %s", article.id, exc)
            failures.append((article, str(exc)))
            continue
        except Exception as exc:
            logger.exception("extraction of article %s failed", article.id)
            failures.append((article, readable_error(exc)))
            continue
        ids = [claim_id(article.id, c.start, c.end, c.text) for c in extracted.claims]
        results.append(ExtractionResult(article=article, extracted=extracted, claim_ids=ids))
    stored = commands.record_extraction_results(
        results=results, extractor_version=EXTRACTOR_VERSION
    )
    if stored:
        commands.score_question_stances(dossier=stored[0].dossier, articles=stored)
    for article, error in failures:
        commands.record_extraction_failure(article=article, error=error)


def extraction_budget() -> ExtractionBudget:
    """What one article may cost a worker (EXTRACTION_MAX_* settings)."""
    return ExtractionBudget(
        seconds=settings.EXTRACTION_MAX_SECONDS or None,
        max_claims=settings.EXTRACTION_MAX_CLAIMS or None,
        paragraph_chars=settings.EXTRACTION_MAX_PARAGRAPH_CHARS,
    )


def readable_error(exc: BaseException) -> str:
    message = str(exc).strip() or "no message"
    return f"{type(exc).__name__}: {message}"[:2000]
