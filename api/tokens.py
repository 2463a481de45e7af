"""Scoped API tokens: issue, rotate, revoke, and find the one a request presents.

A token reads `cd_<8 characters>_<secret>`; only its SHA-256 digest is stored, so a leaked
database does not leak working tokens. (Saving a token row drops it from the authentication
cache, see `api.authentication`.) Scopes narrow what a token may do below its user's
roles: `read` (every GET), `write` (what analysts do), `review` (what reviewers do: approve,
request changes, publish) and `admin` (team administration: webhooks). A request made with a
token needs both the scope and the role.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from dossiers.models import Role

TOKEN_PREFIX = "cd_"
SCOPES = ("read", "write", "review", "admin")
DEFAULT_SCOPES = ("read",)
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=730)
LAST_USED_PRECISION = timedelta(minutes=1)  # last_used_at is written at most this often

_SCOPE_OF_ROLE = {
    Role.VIEWER: "read",
    Role.ANALYST: "write",
    Role.REVIEWER: "review",
    Role.ADMIN: "admin",
}


def scope_for(role: Role) -> str:
    """The scope a token needs for an action that needs `role` in the team."""
    return _SCOPE_OF_ROLE[Role(role)]


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_scoped_token(key: str) -> bool:
    return key.startswith(TOKEN_PREFIX)


@dataclass(frozen=True)
class TokenGrant:
    """What a request authenticated with a scoped token may do (`request.auth`)."""

    token_id: object
    scopes: frozenset[str]
    expires_at: datetime

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def _new_key() -> tuple[str, str]:
    """(the token, its display prefix)."""
    prefix = TOKEN_PREFIX + secrets.token_urlsafe(6)[:8]
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


class ScopeNotGranted(Exception):
    """A token tried to issue or manage a token with scopes it does not have itself."""


def _checked_scopes(scopes, granted_by: TokenGrant | None) -> list[str]:
    scopes = sorted(set(scopes or DEFAULT_SCOPES), key=SCOPES.index)
    if granted_by is not None and not set(scopes) <= granted_by.scopes:
        missing = ", ".join(sorted(set(scopes) - granted_by.scopes))
        raise ScopeNotGranted(f"a token cannot grant or manage scopes it lacks: {missing}")
    return scopes


def issue_token(
    *,
    user,
    name: str,
    scopes=DEFAULT_SCOPES,
    lifetime: timedelta = DEFAULT_LIFETIME,
    granted_by: TokenGrant | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token, which is never shown again.

    `granted_by` is the grant of the token the request came with, if any: a token may only
    issue tokens with a subset of its own scopes, so a leaked read token cannot mint more."""
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValueError(f"a token lives between 1 and {MAX_LIFETIME.days} days")
    key, prefix = _new_key()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_digest=digest(key),
        scopes=_checked_scopes(scopes, granted_by),
        created_at=now,
        expires_at=now + lifetime,
    )
    return token, key


def _check_may_manage(token: ApiToken, granted_by: TokenGrant | None) -> None:
    _checked_scopes(token.scopes, granted_by)


@transaction.atomic
def rotate_token(*, token: ApiToken, granted_by: TokenGrant | None = None) -> tuple[ApiToken, str]:
    """A new secret for the same token (name, scopes, expiry); the old secret stops at once."""
    token = ApiToken.objects.select_for_update().get(id=token.id)
    _check_may_manage(token, granted_by)
    if token.revoked_at is not None or token.expires_at <= timezone.now():
        raise ValueError("a revoked or expired token cannot be rotated: issue a new one")
    key, prefix = _new_key()
    token.key_digest, token.prefix, token.rotated_at = digest(key), prefix, timezone.now()
    token.save(update_fields=["key_digest", "prefix", "rotated_at"])
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken, granted_by: TokenGrant | None = None) -> ApiToken:
    """Stop the token working; the row stays, listed as revoked. Revoking twice is a no-op."""
    token = ApiToken.objects.select_for_update().get(id=token.id)
    _check_may_manage(token, granted_by)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_token(key: str) -> ApiToken | None:
    """The live token `key` presents, or None (unknown, revoked or expired)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_digest=digest(key), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(id=token.id).update(last_used_at=now)
            token.last_used_at = now
    return token


def grant_of(token: ApiToken) -> TokenGrant:
    return TokenGrant(token.id, frozenset(token.scopes), token.expires_at)
