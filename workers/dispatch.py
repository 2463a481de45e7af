"""Publish work to the broker without ever failing the write that asked for it.

The article is already stored `pending` when this runs (after commit). If the broker is
down, publishing fails fast and `requeue_stale_articles` picks the article up later.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import uuid

import redis
from django.conf import settings

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
    """Queue a re-clustering unless one for this dossier is queued and not yet started.

    The queued one reads the claims when it starts, so it covers this change too: a burst of
    N extractions re-clusters once instead of N times (each time over all the claims).
    """
    from workers.tasks import recluster_dossier

    if not _mark_reclustering_queued(dossier_id):
        return True
    try:
        recluster_dossier.delay(str(dossier_id))
    except Exception:
        logger.warning("could not enqueue re-clustering of dossier %s", dossier_id)
        reclustering_started(dossier_id)
        return False
    return True


def reclustering_started(dossier_id: uuid.UUID | str) -> None:
    """Called as a re-clustering starts: changes from now on need a new one."""
    client = _marks()
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            client.delete(_QUEUED_MARK.format(dossier_id))


_QUEUED_MARK = "claimdesk:reclustering-queued:{}"
# Longer than a queue should ever take to drain; a stale mark only delays one re-clustering.
_QUEUED_MARK_SECONDS = 600


def _mark_reclustering_queued(dossier_id: uuid.UUID | str) -> bool:
    """True if the caller should enqueue: no mark was set (or it cannot be known)."""
    client = _marks()
    if client is None:
        return True
    try:
        return bool(
            client.set(_QUEUED_MARK.format(dossier_id), "1", nx=True, ex=_QUEUED_MARK_SECONDS)
        )
    except redis.RedisError:
        return True


@functools.cache
def _marks() -> redis.Redis | None:
    """The broker's Redis, where the marks live; None without one (tasks run in-process)."""
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
