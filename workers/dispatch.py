"""Publish work to the broker without ever failing the write that asked for it.

The article is already stored `pending` when this runs (after commit). If the broker is
down, publishing fails fast and `requeue_stale_articles` picks the article up later.
"""

from __future__ import annotations

import logging
import uuid

logger = logging.getLogger(__name__)


def enqueue_extraction(article_id: uuid.UUID | str) -> bool:
    from workers.tasks import extract_article

    try:
        extract_article.delay(str(article_id))
    except Exception:  # the broker's errors vary by transport; none may fail the upload
        logger.warning("could not enqueue extraction of %s; it stays pending", article_id)
        return False
    return True


def enqueue_reclustering(dossier_id: uuid.UUID | str) -> bool:
    from workers.tasks import recluster_dossier

    try:
        recluster_dossier.delay(str(dossier_id))
    except Exception:
        logger.warning("could not enqueue re-clustering of dossier %s", dossier_id)
        return False
    return True
