"""The one error shape for what Django answers under /api/ before or around a view.

DRF's exception handler shapes the errors of API views. Django itself answers some requests
without reaching one: a Host header outside ALLOWED_HOSTS (400), a CSRF refusal (403), an
exception in a middleware (500). Those come as HTML; this middleware, the outermost, answers
them in the error shape instead, and refuses over-long URLs with a 414 of its own.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse

from api.errors import error_body

API_PREFIX = "/api/"
security_logger = logging.getLogger("django.security.DisallowedHost")

# Codes for statuses Django answers by itself; the rest take their HTTP reason phrase.
_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    414: "uri_too_long",
    500: "server_error",
}
# Headers of the original answer that still hold for the reshaped one.
_KEPT_HEADERS = (
    "Allow",
    "Retry-After",
    "WWW-Authenticate",
    "X-Request-ID",
    "Vary",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)


def max_url_length() -> int:
    return int(getattr(settings, "API_MAX_URL_LENGTH", 4096))


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


def _error_response(status: int, message: str, code: str | None = None) -> JsonResponse:
    code = code or _CODES.get(status) or _phrase(status).lower().replace(" ", "_")
    return JsonResponse(error_body(code, message), status=status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def _reshaped(response: HttpResponse) -> JsonResponse:
    status = response.status_code
    if status >= 500:
        message = "the server failed to answer; the error was logged"
    elif status == 403:
        # API views answer 403 in the shape themselves: an HTML one is Django's CSRF check.
        message = (
            "forbidden: a browser session must send Django's CSRF token on writes; "
            "integrations authenticate with `Authorization: Token <key>`"
        )
    else:
        message = f"the server refused the request: {_phrase(status)}"
    shaped = _error_response(status, message)
    for header in _KEPT_HEADERS:
        if header in response:
            shaped[header] = response[header]
    return shaped


class ApiErrorShapeMiddleware:
    """Put first in MIDDLEWARE: it must see what every other middleware answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return _reshaped(response)
        return response

    @staticmethod
    def _refusal(request: HttpRequest) -> JsonResponse | None:
        try:
            request.get_host()
        except DisallowedHost as exc:
            security_logger.error(str(exc))
            return _error_response(
                400, "the Host header names no host this server serves", "disallowed_host"
            )
        length = len(request.get_full_path())
        if length > max_url_length():
            return _error_response(
                414, f"the URL is {length:,} characters long; the limit is {max_url_length():,}"
            )
        return None
