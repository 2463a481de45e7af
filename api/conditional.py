"""ETag on reads and If-Match on writes of versioned records.

A versioned record's ETag is its stream version, `"7"`: the same value a write names in
If-Match, and the value the command checks against the event stream. Other responses get a
hash of their body, so If-None-Match saves a download either way.
"""

from __future__ import annotations

import hashlib
import re

from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from api.exceptions import BadRequest, PreconditionFailed, PreconditionRequired

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the version you read, e.g. "3": 428 without it, 412 if stale.',
)

_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def version_etag(version: int) -> str:
    return f'"{int(version)}"'


def _tags(header: str) -> list[tuple[bool, str]]:
    return [(bool(weak), value) for weak, value in _TAG.findall(header)]


# What If-Match may hold: the ETags this API gives, "3", one or several.
_VERSION_TAGS = re.compile(r'"[0-9]+"(?:\s*,\s*"[0-9]+")*')


def expected_version(request: Request, current_version: int) -> int:
    """The version the client's If-Match names; 428 if absent, 400 if it is not a list of
    this API's ETags, 412 if it names no current version.

    The command re-checks the returned version under a lock, so a write that races another
    still fails with 412 rather than overwriting it.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    if not _VERSION_TAGS.fullmatch(header):
        raise BadRequest(
            f'If-Match must be the ETag you read, e.g. "3"; got {header[:40]!r}',
            code="invalid_if_match",
        )
    for weak, value in _tags(header):
        if not weak and value.isdigit() and int(value) == current_version:
            return current_version
    failed = PreconditionFailed()
    failed.details = {"current_etag": version_etag(current_version)}
    raise failed


def add_etag(request: Request, response: Response) -> Response:
    """Give a successful read an ETag (a body hash unless the view set a version tag) and
    answer a matching If-None-Match with 304."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if getattr(response, "streaming", False):  # no body to hash before it is sent
        return response

    def finish(rendered):
        if not rendered.has_header("ETag"):
            rendered["ETag"] = f'"{hashlib.sha256(rendered.content).hexdigest()[:32]}"'
        wanted = request.headers.get("If-None-Match", "")
        if wanted and _matches_weakly(wanted, rendered["ETag"]):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = rendered["ETag"]
            return not_modified
        return None

    response.add_post_render_callback(finish)
    return response


def _matches_weakly(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    return any(value == etag.strip('"') for _, value in _tags(header))
