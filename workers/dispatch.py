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
from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)


def _task(name: str):
    """A task of `workers.tasks` by name: the tasks publish through this module, so it
    cannot import them (the workers app imports them as it starts, registering them)."""
    return current_app.tasks[f"workers.tasks.{name}"]


def enqueue_extraction(article_id: uuid.UUID | str) -> bool:
    try:
        _task("extract_article").delay(str(article_id))
    except Exception:  # the broker's errors vary by transport; none may fail the upload
        logger.warning("could not enqueue extraction of %s; it stays pending", article_id)
        return False
    return True


def enqueue_dossier_extraction(dossier_id: uuid.UUID | str) -> bool:
    """Queue a sweep of the dossier's waiting articles unless one is queued and not started.

    The queued sweep reads the waiting articles when it starts, so it takes this upload
    too: a burst of N uploads to a dossier is a few tasks, not N.
    """
    return _enqueue_once(_EXTRACTION_QUEUED, dossier_id, _task("extract_dossier"))


def enqueue_reclustering(dossier_id: uuid.UUID | str) -> bool:
    """Queue a re-clustering unless one for this dossier is queued and not yet started.

    The queued one reads the claims when it starts, so it covers this change too: a burst of
    N extractions re-clusters once instead of N times (each time over all the claims).
    """
    return _enqueue_once(_RECLUSTERING_QUEUED, dossier_id, _task("recluster_dossier"))


def dossier_extraction_started(dossier_id: uuid.UUID | str) -> None:
    """Called as a sweep starts: uploads from now on need a new one."""
    _clear_mark(_EXTRACTION_QUEUED, dossier_id)


def reclustering_started(dossier_id: uuid.UUID | str) -> None:
    """Called as a re-clustering starts: changes from now on need a new one."""
    _clear_mark(_RECLUSTERING_QUEUED, dossier_id)


_EXTRACTION_QUEUED = "claimdesk:extraction-queued:{}"
_RECLUSTERING_QUEUED = "claimdesk:reclustering-queued:{}"
# Longer than a queue should ever take to drain; a stale mark only delays work (articles left
# pending are re-queued by `requeue_stale_articles`).
_QUEUED_MARK_SECONDS = 600


def _enqueue_once(mark: str, dossier_id: uuid.UUID | str, task) -> bool:
    if not _mark_queued(mark, dossier_id):
        return True
    try:
        task.delay(str(dossier_id))
    except Exception:  # the broker's errors vary by transport; none may fail the caller
        logger.warning("could not enqueue %s of dossier %s", task.name, dossier_id)
        _clear_mark(mark, dossier_id)
        return False
    return True


def _mark_queued(mark: str, dossier_id: uuid.UUID | str) -> bool:
    """True if the caller should enqueue: no mark was set (or it cannot be known)."""
    client = _marks()
    if client is None:
        return True
    try:
        return bool(client.set(mark.format(dossier_id), "1", nx=True, ex=_QUEUED_MARK_SECONDS))
    except redis.RedisError:
        return True


def _clear_mark(mark: str, dossier_id: uuid.UUID | str) -> None:
    client = _marks()
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            client.delete(mark.format(dossier_id))


@functools.cache
def _marks() -> redis.Redis | None:
    """The broker's Redis, where the marks live; None without one (tasks run in-process)."""
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
