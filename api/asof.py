"""`?as_of=<ISO datetime>`: read a record as it stood at a moment, from simple-history."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Model
from django.http import Http404
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    datetime,
    description="Read the record as it stood at this moment (ISO 8601; UTC if no offset).",
)
AS_OF_REQUIRED = OpenApiParameter(
    "as_of",
    datetime,
    required=True,
    description="The moment to read the dossier at (ISO 8601; UTC if no offset).",
)


def as_of(request: Request) -> datetime | None:
    """The `as_of` moment, or None when the parameter is absent; `as_of=` is refused."""
    raw = request.query_params.get("as_of")
    if raw is None:
        return None
    invalid = ValidationError({"as_of": ["use an ISO 8601 date-time, e.g. 2015-06-02T12:00:00Z"]})
    try:
        when = parse_datetime(raw)
    except ValueError:
        raise invalid from None
    if when is None:
        raise invalid
    try:
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise invalid from None


def record_as_of(instance: Model, when: datetime) -> Model:
    """The instance's state at `when`; 404 if it did not exist yet."""
    try:
        return instance.history.as_of(when)
    except instance.DoesNotExist:
        raise Http404(
            f"this {instance._meta.verbose_name} did not exist at {when.isoformat()}"
        ) from None
