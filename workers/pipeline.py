"""The extraction stage: load an article, run the pure extractor, store through commands."""

from __future__ import annotations

import hashlib
import logging
import uuid

from claims.extraction import EXTRACTOR_VERSION, extract_article
from dossiers import commands
from dossiers.models import Article

logger = logging.getLogger(__name__)

_CLAIM_NAMESPACE = uuid.UUID("5b0f2c1e-8d5e-4f3a-9d57-2f4f6c1f0a11")


def claim_id(article_id: uuid.UUID, start: int, end: int, text: str) -> str:
    """Same article, span and text give the same id, so reruns never duplicate claims."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(_CLAIM_NAMESPACE, f"{article_id}:{start}:{end}:{digest}"))


def is_current(article: Article) -> bool:
    return article.status == Article.Status.DONE and article.extractor_version == EXTRACTOR_VERSION


def run_extraction(article_id: uuid.UUID | str, *, force: bool = False) -> Article | None:
    """Extract one article. Returns None when the article no longer exists.

    An article already extracted by this extractor version is left alone unless `force`
    (re-analysis on request); either way the claim ids are deterministic, so nothing doubles.
    """
    article = Article.objects.select_related("dossier__team").filter(id=article_id).first()
    if article is None:
        logger.info("article %s is gone; nothing to extract", article_id)
        return None
    if is_current(article) and not force:
        return article
    article = commands.start_extraction(article=article)
    try:
        extracted = extract_article(article.raw_upload, content_type=article.content_type)
    except Exception as exc:
        logger.exception("extraction of article %s failed", article.id)
        return commands.record_extraction_failure(article=article, error=readable_error(exc))
    ids = [claim_id(article.id, c.start, c.end, c.text) for c in extracted.claims]
    return commands.record_extraction_result(
        article=article, extracted=extracted, extractor_version=EXTRACTOR_VERSION, claim_ids=ids
    )


def readable_error(exc: BaseException) -> str:
    message = str(exc).strip() or "no message"
    return f"{type(exc).__name__}: {message}"[:2000]
