"""Token authentication with a short in-process cache of token -> user.

Looking the token up costs a query on every API request (a fifth of a claims page's time,
see bench/bench_api.py). The cache keeps, per process, the user row behind a token digest
for at most `API_TOKEN_CACHE_SECONDS` (default 10; 0 turns it off). Deleting a token, or
saving or deleting its user (deactivation, superuser change), drops the entry at once in the
process that made the change; other processes (gunicorn workers) stop accepting a revoked
token or an inactive user within that many seconds. Team access is not cached: the team
scoping subquery reads memberships on every request.
"""

from __future__ import annotations

import hashlib
import threading
from time import monotonic

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

MAX_ENTRIES = 10_000  # a bound on memory when many tokens are presented; oldest go first

_lock = threading.Lock()
# digest -> (expires at, user id, database, field names, values): a fresh User is built per
# request, so nothing one request sets on request.user leaks into another.
_entries: dict[bytes, tuple[float, int, str, tuple[str, ...], tuple]] = {}


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def forget_user(user_id: int) -> None:
    with _lock:
        for digest in [d for d, entry in _entries.items() if entry[1] == user_id]:
            del _entries[digest]


def forget_token(key: str) -> None:
    with _lock:
        _entries.pop(_digest(key), None)


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>`, with the lookup cached as the module says."""

    def authenticate_credentials(self, key: str):
        ttl = settings.API_TOKEN_CACHE_SECONDS
        if ttl <= 0:
            return super().authenticate_credentials(key)
        digest = _digest(key)
        entry = _entries.get(digest)
        if entry is not None and entry[0] > monotonic():
            _, _, database, names, values = entry
            return get_user_model().from_db(database, names, values), None
        user, token = super().authenticate_credentials(key)
        names = tuple(field.attname for field in user._meta.concrete_fields)
        values = tuple(getattr(user, name) for name in names)
        with _lock:
            _entries.pop(digest, None)
            _entries[digest] = (monotonic() + ttl, user.pk, user._state.db, names, values)
            while len(_entries) > MAX_ENTRIES:
                del _entries[next(iter(_entries))]
        return user, token


@receiver(post_delete, sender=Token, dispatch_uid="api.authentication.token_deleted")
def _token_deleted(sender, instance: Token, **kwargs) -> None:
    forget_token(instance.key)


def _user_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.pk)


post_save.connect(
    _user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="api.authentication.user_saved"
)
post_delete.connect(
    _user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="api.authentication.user_del"
)
