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
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from api import tokens
from api.models import ApiToken

MAX_ENTRIES = 10_000  # a bound on memory when many tokens are presented; oldest go first


class _Entry(NamedTuple):
    """A cached lookup: a fresh User is built from these values per request, so nothing one
    request sets on request.user leaks into another."""

    fresh_until: float
    user_id: int
    database: str
    names: tuple[str, ...]
    values: tuple
    grant: tokens.TokenGrant | None  # None for a legacy (unscoped) token

    def user(self):
        return get_user_model().from_db(self.database, self.names, self.values)


_lock = threading.Lock()
_entries: dict[bytes, _Entry] = {}


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _forget(matches) -> None:
    with _lock:
        for digest in [d for d, entry in _entries.items() if matches(entry)]:
            del _entries[digest]


def forget_user(user_id: int) -> None:
    _forget(lambda entry: entry.user_id == user_id)


def forget_token(key: str) -> None:
    with _lock:
        _entries.pop(_digest(key), None)


def _unexpired(grant: tokens.TokenGrant | None) -> bool:
    return grant is None or grant.expires_at > timezone.now()


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, for scoped tokens (`cd_…`, see `api.tokens`) and the
    legacy unscoped ones, with the lookup cached as the module says.

    For a scoped token `request.auth` is its `TokenGrant`, which the scope permission reads.
    """

    def authenticate_credentials(self, key: str):
        ttl = settings.API_TOKEN_CACHE_SECONDS
        digest = _digest(key)
        entry = _entries.get(digest) if ttl > 0 else None
        if entry is not None and entry.fresh_until > monotonic() and _unexpired(entry.grant):
            return entry.user(), entry.grant
        if tokens.is_scoped_token(key):
            user, auth = self._scoped(key)
            grant = auth
        else:
            user, auth = super().authenticate_credentials(key)
            grant = None
        if ttl > 0:
            names = tuple(field.attname for field in user._meta.concrete_fields)
            values = tuple(getattr(user, name) for name in names)
            with _lock:
                _entries.pop(digest, None)
                _entries[digest] = _Entry(
                    monotonic() + ttl, user.pk, user._state.db, names, values, grant
                )
                while len(_entries) > MAX_ENTRIES:
                    del _entries[next(iter(_entries))]
        return user, auth

    @staticmethod
    def _scoped(key: str):
        token = tokens.find_token(key)
        if token is None:
            raise AuthenticationFailed("invalid, revoked or expired token")
        if not token.user.is_active:
            raise AuthenticationFailed("user inactive or deleted")
        return token.user, tokens.grant_of(token)


@receiver(post_delete, sender=Token, dispatch_uid="api.authentication.token_deleted")
def _token_deleted(sender, instance: Token, **kwargs) -> None:
    forget_token(instance.key)


@receiver(post_save, sender=ApiToken, dispatch_uid="api.authentication.api_token_saved")
def _api_token_saved(sender, instance: ApiToken, **kwargs) -> None:
    """Revoked or rotated: this process stops accepting the old secret at once."""
    _forget(lambda entry: entry.grant is not None and entry.grant.token_id == instance.id)


def _user_changed(sender, instance, **kwargs) -> None:
    forget_user(instance.pk)


post_save.connect(
    _user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="api.authentication.user_saved"
)
post_delete.connect(
    _user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="api.authentication.user_del"
)
