"""gzip for API responses (with `Accept-Encoding: gzip`), and only for them.

Django's GZipMiddleware, limited to /api/: the admin's HTML pages carry CSRF tokens next to
reflected input, the case where compression leaks secrets (BREACH), while API clients
authenticate with a token header. Django already pads each gzip stream with random bytes.

Django weakens a strong ETag on a compressed response (`W/"3"`). A record's version tag is
what a client sends back in `If-Match`, which only takes strong tags, so version tags stay
as they are: they name the record's version, whatever the encoding of the bytes.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

API_PREFIX = "/api/"
_VERSION_TAG = re.compile(r'^"\d+"$')


class ApiGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not request.path_info.startswith(API_PREFIX) or not settings.API_GZIP:
            return response
        etag = response.get("ETag")
        response = super().process_response(request, response)
        if etag and _VERSION_TAG.match(etag):
            response["ETag"] = etag
        return response
