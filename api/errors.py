"""One JSON error shape for every 4xx and 5xx the API returns.

    {"error": {"code": "not_found", "message": "…", "details": {…}}}

`code` is stable and machine-readable; `message` is for people; `details` carries field
errors and other specifics (an empty object when there are none).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from api.commands import DeliveryConflict, WebhookGone
from api.exceptions import BadRequest, Conflict, PayloadTooLarge, PreconditionFailed
from api.tokens import ScopeNotGranted
from claims.commands import WorkflowError
from dossiers.commands import BatchRejected, LastAdmin
from dossiers.metadata import MetadataInvalid
from dossiers.uploads import UploadRejected
from eventlog.store import ConcurrencyError

logger = logging.getLogger("api.errors")


# Codes callers can rely on, where DRF's default code is vaguer than we want.
_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
}

_UPLOAD_STATUS = {
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "dossier_archived": status.HTTP_409_CONFLICT,
    "source_archived": status.HTTP_409_CONFLICT,
}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    """Map domain and Django exceptions onto API exceptions; None means a server error."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "not found")
    if isinstance(exc, WebhookGone):
        return exceptions.NotFound(str(exc))
    if isinstance(exc, DeliveryConflict):
        return Conflict(str(exc), code=exc.code)
    if isinstance(exc, ScopeNotGranted):
        return exceptions.PermissionDenied(str(exc), code="insufficient_scope")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ConcurrencyError):
        failed = PreconditionFailed(str(exc))
        failed.details = {"expected_version": exc.expected, "current_version": exc.actual}
        return failed
    if isinstance(exc, UploadRejected):
        rejected = exceptions.APIException(str(exc), code=exc.code)
        rejected.status_code = _UPLOAD_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)
        return rejected
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return _bad_request(exc)
    return None


def _bad_request(exc: SuspiciousOperation) -> exceptions.APIException:
    """Django's refusals of a request it will not read (it answers them 400 itself)."""
    if isinstance(exc, TooManyFieldsSent):
        message = (
            f"the form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields; "
            "send fewer, or send JSON"
        )
        return BadRequest(message, code="too_many_fields")
    if isinstance(exc, TooManyFilesSent):
        message = f"the request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files"
        return BadRequest(message, code="too_many_files")
    if isinstance(exc, DisallowedHost):
        return BadRequest(
            "the Host header names no host this server serves", code="disallowed_host"
        )
    return exceptions.ParseError("the request is malformed")


def _code(exc: exceptions.APIException) -> str:
    for kind, code in _CODES.items():
        if isinstance(exc, kind):
            return code
    detail_code = getattr(exc.detail, "code", None)
    return str(detail_code or exc.default_code)


def _message_and_details(exc: exceptions.APIException) -> tuple[str, dict]:
    details = dict(getattr(exc, "details", {}) or {})
    if isinstance(exc.detail, dict):
        return f"the request is invalid: {_first_problem(exc.detail)}", {
            "fields": exc.detail,
            **details,
        }
    if isinstance(exc.detail, list):
        return "; ".join(str(item) for item in exc.detail), details
    return str(exc.detail), details


def _first_problem(fields: dict) -> str:
    """The first field error as "field: message", so the message alone says what to fix."""
    name, problems = next(iter(fields.items()))
    while isinstance(problems, dict | list) and problems:
        problems = next(iter(problems.values())) if isinstance(problems, dict) else problems[0]
    if name in ("non_field_errors", "detail"):
        return str(problems)
    return f"{name}: {problems}"


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes the one error shape.

    Unexpected exceptions are logged and reported through Django's `got_request_exception`
    signal, then answered with a 500 that reveals nothing internal.
    """
    api_exc = _as_api_exception(exc)
    set_rollback()
    if api_exc is None:
        request = context.get("request")
        logger.error("unhandled API error", exc_info=(type(exc), exc, exc.__traceback__))
        signals.got_request_exception.send(sender=None, request=request)
        return Response(
            error_body("server_error", "the server failed to answer; the error was logged"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    headers = {}
    if getattr(api_exc, "auth_header", None):
        headers["WWW-Authenticate"] = api_exc.auth_header
    message, details = _message_and_details(api_exc)
    wait = getattr(api_exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
        details["retry_after"] = int(wait)
    return Response(
        error_body(_code(api_exc), message, details), status=api_exc.status_code, headers=headers
    )


@contextlib.contextmanager
def command_errors() -> Iterator[None]:
    """Commands raise ValueError for input a user can fix: answer those with a 400/409.

    Only wrap the command call, so that a ValueError from a bug elsewhere stays a 500.
    """
    try:
        yield
    except (ConcurrencyError, UploadRejected):
        raise
    except MetadataInvalid as exc:
        raise exceptions.ValidationError({exc.field: [exc.message]}) from exc
    except BatchRejected as exc:
        problems = {str(index): [problem] for index, problem in exc.problems.items()}
        raise exceptions.ValidationError({"articles": problems}) from exc
    except WorkflowError as exc:
        raise Conflict(str(exc), code="workflow_conflict") from exc
    except LastAdmin as exc:
        raise Conflict(str(exc), code="last_admin") from exc
    except ValueError as exc:
        raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc


@csrf_exempt  # an unknown path is 404 whatever the method, never a CSRF refusal
def endpoint_not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown paths under /api/ answer in the error shape, not with an HTML page."""
    hint = ""
    if not request.path.endswith("/"):
        hint = f"; did you mean {request.path}/ ?"
    return JsonResponse(
        error_body("not_found", f"no API endpoint at {request.path}{hint}"), status=404
    )
