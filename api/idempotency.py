"""`Idempotency-Key` on every POST: a retried request gets the first request's response.

`TeamScopedViewSet` wraps the POST handler of a request that carries the header
(`replaying`). The key row is written first, in the same transaction as the write it
guards, and completed with the response before commit: either both exist or neither does,
and a request that fails (any 4xx or 5xx) leaves no key behind, so it can be sent again
with the same key. Two concurrent requests with one key serialise on the key's unique
index: the second waits for the first to commit, then answers with the first's response.

The request is fingerprinted by method, path and parsed body (a file by its content's
hash), so the same key with a different request is refused (422
`idempotency_key_reused`) rather than answered with a response to something else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.exceptions import Conflict, Unprocessable
from api.models import IdempotencyKey

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


def request_fingerprint(request: Request) -> str:
    return fingerprint(
        method=request.method, path=request.get_full_path(), body=_comparable(request.data)
    )


def _comparable(data):
    """The parsed body as plain JSON values; a file part by its name and content hash (a
    multipart retry has another boundary, so the raw bytes differ while the request is the
    same)."""
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "sha256": digest.hexdigest()}
    if hasattr(data, "lists"):  # a QueryDict: form and multipart bodies
        return {name: [_comparable(value) for value in values] for name, values in data.lists()}
    if isinstance(data, dict):
        return {str(name): _comparable(value) for name, value in data.items()}
    if isinstance(data, list | tuple):
        return [_comparable(value) for value in data]
    return data


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
    if stored.response_etag:
        headers["ETag"] = stored.response_etag
    return Response(stored.response_body, status=stored.response_status, headers=headers)


class _KeyTaken(Exception):
    """Another request stored this key first: roll this one's work back and replay."""


def replaying(post: Callable[..., Response], *, key: str) -> Callable[..., Response]:
    """`post`, made safe to retry with `key` (see the module docstring)."""

    def handler(request: Request, *args, **kwargs) -> Response:
        wanted = request_fingerprint(request)
        try:
            with transaction.atomic():
                earlier = earlier_response(user=request.user, key=key, request_fingerprint=wanted)
                if earlier is not None:
                    return earlier
                row = _claim(user=request.user, key=key, request_fingerprint=wanted)
                response = post(request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    _complete(row, response)
                else:
                    row.delete()
                return response
        except _KeyTaken:
            earlier = earlier_response(user=request.user, key=key, request_fingerprint=wanted)
            if earlier is None:
                raise Conflict(
                    f"another request with this {HEADER} is in progress; retry shortly",
                    code="idempotency_key_in_use",
                ) from None
            return earlier

    return handler


def _claim(*, user, key: str, request_fingerprint: str) -> IdempotencyKey:
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_fingerprint=request_fingerprint,
                response_status=0,
                response_body={},
            )
    except IntegrityError:
        raise _KeyTaken() from None


def _complete(row: IdempotencyKey, response: Response) -> None:
    row.response_status = response.status_code
    body = {} if response.data is None else response.data
    row.response_body = json.loads(json.dumps(body, cls=JSONEncoder))
    row.response_location = response.headers.get("Location", "")
    row.response_etag = response.headers.get("ETag", "")
    row.save(
        update_fields=[
            "response_status",
            "response_body",
            "response_location",
            "response_etag",
        ]
    )
