"""Which worker is extracting which article: a PostgreSQL session-level advisory lock per
article, held from before the article is marked running until its result is stored.

The lock dies with the worker's database connection, so a `running` article whose lock is
free was left by a worker that died: the next task of its dossier takes it over at once
instead of waiting for the re-queue deadline. A task whose article is locked leaves it to
the worker holding it. SQLite (development: tasks run in-process, one at a time) has no such
locks; there every lease is granted.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator

from django.db import DatabaseError, connection


def lock_key(article_id: uuid.UUID | str) -> int:
    """A signed 64-bit key from the article id (advisory locks take a bigint)."""
    return int.from_bytes(uuid.UUID(str(article_id)).bytes[:8], "big", signed=True)


class Lease:
    """The articles this worker may extract, until released."""

    def __init__(self, article_ids: list) -> None:
        self._keys = {lock_key(article_id): article_id for article_id in article_ids}
        granted = _try_lock(list(self._keys))
        self._keys = {key: self._keys[key] for key in self._keys if key in granted}

    @property
    def article_ids(self) -> list:
        return list(self._keys.values())

    def keep_only(self, article_ids: Iterable) -> None:
        """Release the articles that turned out not to need extraction."""
        keep = {lock_key(article_id) for article_id in article_ids}
        _unlock([key for key in self._keys if key not in keep])
        self._keys = {key: value for key, value in self._keys.items() if key in keep}

    def release(self) -> None:
        _unlock(list(self._keys))
        self._keys = {}


@contextlib.contextmanager
def leased(article_ids: list) -> Iterator[Lease]:
    """Lease what can be leased of `article_ids` (in that order); release it all after."""
    lease = Lease(article_ids)
    try:
        yield lease
    finally:
        lease.release()


def _try_lock(keys: list[int]) -> set[int]:
    if connection.vendor != "postgresql":
        return set(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k FROM unnest(%s::bigint[]) AS k WHERE pg_try_advisory_lock(k)", [keys]
        )
        return {row[0] for row in cursor.fetchall()}


def _unlock(keys: list[int]) -> None:
    if not keys or connection.vendor != "postgresql":
        return
    # A lost connection has already dropped its locks: nothing is left to release.
    with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(k) FROM unnest(%s::bigint[]) AS k", [keys])
