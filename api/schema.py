"""OpenAPI: every operation documents the one error shape for the statuses it can return."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    details = serializers.DictField(help_text="Field errors and other specifics; may be empty.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_EVERY_OPERATION = ("400", "401", "403", "404", "405", "406", "429", "500")
_WRITES = ("409", "412", "413", "415", "422", "428")


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Any unique string of 1 to 255 printable characters (a UUID): a retry with the "
    "same key and the same request returns the first answer (`Idempotent-Replayed: true`) "
    "and changes nothing; the same key with another request is 422 "
    "`idempotency_key_reused`. Keys belong to you and are forgotten after 24 hours.",
)


class ClaimdeskSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = _EVERY_OPERATION + (_WRITES if self.method not in ("GET", "HEAD") else ())
        for status in statuses:
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    ErrorSerializer, status, direction=direction
                )
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified (If-None-Match matched)."})
        return responses
