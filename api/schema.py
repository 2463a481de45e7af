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


def _fields_parameter(names: list[str]) -> OpenApiParameter:
    return OpenApiParameter(
        "fields",
        {"type": "array", "items": {"type": "string", "enum": names}, "minItems": 1},
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description="Answer with only these fields of each row, comma-separated "
        "(`?fields=id,text`); an unknown field is 400.",
    )


class ClaimdeskSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_KEY)
        names = getattr(self.view, "list_field_names", None)
        if self.method == "GET" and getattr(self.view, "action", None) == "list" and names:
            parameters.append(_fields_parameter(names()))
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


def rows_of_selectable_lists(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: a list that takes `?fields=` may answer rows without any given
    field, so its page's rows are a copy of the record's schema with none required
    (`ClaimRow` for `Claim`); single records keep their required fields."""
    schemas = result.get("components", {}).get("schemas", {})
    for item in result.get("paths", {}).values():
        operation = item.get("get")
        if not operation or not any(
            parameter["name"] == "fields" for parameter in operation.get("parameters", [])
        ):
            continue
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]
        page_schema = schemas.get(page.get("$ref", "").rsplit("/", 1)[-1])
        if page_schema is None:
            continue
        items = page_schema["properties"]["results"]["items"]
        record = items.get("$ref", "").rsplit("/", 1)[-1]
        if record not in schemas or record.endswith("Row"):
            continue
        row = {key: value for key, value in schemas[record].items() if key != "required"}
        row["description"] = f"A {record} row: with `?fields=`, only the fields named."
        schemas[f"{record}Row"] = row
        items["$ref"] = f"#/components/schemas/{record}Row"
    return result


_RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the current window.",
    "X-RateLimit-Remaining": "Requests left in the current window.",
    "X-RateLimit-Reset": "Unix time the current window ends.",
}


def rate_limit_and_replay_headers(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: every response carries the rate-limit headers (absent only
    while the cache is unreachable), a 429 `Retry-After`, and a POST's answer
    `Idempotent-Replayed` when it is a replay."""
    integer = {"type": "integer", "minimum": 0}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete", "head"):
                continue
            for status, response in operation.get("responses", {}).items():
                headers = response.setdefault("headers", {})
                for name, description in _RATE_LIMIT_HEADERS.items():
                    headers[name] = {"schema": integer, "description": description}
                if status == "429":
                    headers["Retry-After"] = {
                        "schema": {"type": "integer", "minimum": 1},
                        "required": True,
                        "description": "Seconds to wait before the next request.",
                    }
                if method == "post" and status.startswith("2"):
                    headers["Idempotent-Replayed"] = {
                        "schema": {"type": "string", "enum": ["true"]},
                        "description": "Present when this is the stored answer to an "
                        "earlier request with the same Idempotency-Key.",
                    }
    return result


# What the server accepts, stated so that a client (or a fuzzer) generating values from the
# schema only sends what is accepted: a header value of printable ASCII, an entity tag of a
# version, and no empty query values (a filter given empty is 400, "leave it out" instead;
# an empty `search` is no search and an empty `cursor` the first page).
_HEADER_SCHEMAS = {
    "Idempotency-Key": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
    "If-Match": {"type": "string", "pattern": '^"[0-9]+"( *, *"[0-9]+")*$'},
}


def strict_parameters(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: header patterns and non-empty query strings (see above)."""
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete", "head"):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter["in"] == "header" and parameter["name"] in _HEADER_SCHEMAS:
                    parameter["schema"] = dict(_HEADER_SCHEMAS[parameter["name"]])
                elif (
                    parameter["in"] == "query"
                    and schema.get("type") == "string"
                    and "enum" not in schema
                    and "format" not in schema
                    and parameter["name"] not in ("search", "cursor")
                ):
                    schema.setdefault("minLength", 1)
    return result
