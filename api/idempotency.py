"""`Idempotency-Key` on uploads: a retried request gets the first request's response.

The key row is written in the same transaction as the upload, so either both exist or
neither does. Two concurrent requests with one key serialise on the key's unique index: the
second waits for the first to commit, then answers with the first's response.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.exceptions import Conflict, Unprocessable
from api.models import IdempotencyKey
from dossiers.models import Team

HEADER = "Idempotency-Key"
LIFETIME = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"


def key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise ValidationError({HEADER: ["use 1 to 255 printable characters, e.g. a UUID"]})
    return key


def fingerprint(**request_parts) -> str:
    """What the request asked for, so a key reused for a different request is refused."""
    text = json.dumps(request_parts, sort_keys=True, cls=JSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()


def earlier_response(*, user, key: str, request_fingerprint: str) -> Response | None:
    """The stored response for this key, or None if the key is new (or expired)."""
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - LIFETIME
    ).delete()
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is None:
        return None
    if stored.request_fingerprint != request_fingerprint:
        raise Unprocessable(
            f"the {HEADER} {key!r} was used for a different request; use a new key",
            code="idempotency_key_reused",
        )
    headers = {REPLAYED_HEADER: "true"}
    if stored.response_location:
        headers["Location"] = stored.response_location
    return Response(stored.response_body, status=stored.response_status, headers=headers)


def remember(
    *, user, team: Team, key: str, request_fingerprint: str, response: Response
) -> Response:
    """Store `response` under the key; if a concurrent request stored one first, return that."""
    body = json.loads(json.dumps(response.data, cls=JSONEncoder))
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                team=team,
                user=user,
                key=key,
                request_fingerprint=request_fingerprint,
                response_status=response.status_code,
                response_body=body,
                response_location=response.headers.get("Location", ""),
            )
    except IntegrityError:
        earlier = earlier_response(user=user, key=key, request_fingerprint=request_fingerprint)
        if earlier is None:
            raise Conflict(
                f"another request with this {HEADER} is in progress; retry shortly",
                code="idempotency_key_in_use",
            ) from None
        return earlier
    return response
