"""Pagination: keyset cursors for the large lists, numbered pages for the small ones.

Keyset (a.k.a. seek) pagination filters on the last row's ordering values instead of
counting an offset, so page 2,000 costs what page 1 costs and rows inserted meanwhile never
shift a page: a client walking the list sees each row at most once.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 200
_MAX_POSITION = 2**63 - 1  # PostgreSQL bigint


def _page_size(request: Request, default: int) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({"page_size": ["a whole number is required"]}) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [f"must be between 1 and {MAX_PAGE_SIZE}"]})
    return size


def _page_size_parameter(default: int) -> dict:
    return {
        "name": "page_size",
        "required": False,
        "in": "query",
        "description": f"Results per page (default {default}, at most {MAX_PAGE_SIZE}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    }


def page_number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else None


class NumberedPagination(PageNumberPagination):
    """For lists of tens or hundreds of rows (teams, dossiers, sources, verdicts)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return _page_size(request, self.page_size)

    def paginate_queryset(self, queryset, request: Request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings and not page_number(raw):
            raise ValidationError({"page": ["a whole number from 1 is required"]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            _page_size_parameter(self.page_size),
        ]


class KeysetPagination(BasePagination):
    """Cursor pagination over the view's `cursor_orderings`, each ending in a unique key.

    `cursor_orderings` maps the public `?ordering=` names to the fields ordered by, e.g.
    `{"id": ("id",), "-checkworthiness": ("-checkworthiness", "id")}`; the first is the default.
    The cursor is the last row's values of those fields, opaque to clients.
    """

    page_size = 50

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        def fetch(after: list | None, limit: int) -> list:
            rows = queryset if after is None else queryset.filter(self.after(after))
            return list(rows.order_by(*self.keys)[:limit])

        return self.paginate_rows(fetch, queryset.model, request, view)

    def paginate_rows(self, fetch, model, request: Request, view) -> list:
        """The page `fetch(after values or None, limit)` returns; rows may be model
        instances or named tuples with the ordering fields."""
        self.request = request
        self.page_size_now = _page_size(request, self.page_size)
        self.keys = self._ordering(request, view)
        after = self._decode(request.query_params.get("cursor"), model)
        rows = fetch(after, self.page_size_now + 1)
        self.has_next = len(rows) > self.page_size_now
        rows = rows[: self.page_size_now]
        self.last_values = [self._value(rows[-1], key) for key in self.keys] if rows else None
        return rows

    def _ordering(self, request: Request, view) -> tuple[str, ...]:
        orderings = view.cursor_orderings
        name = request.query_params.get("ordering") or next(iter(orderings))
        if name not in orderings:
            raise ValidationError({"ordering": [f"choose one of: {', '.join(orderings)}"]})
        return orderings[name]

    def after(self, values: list) -> Q:
        """Rows strictly after `values` in the (mixed-direction) ordering of `self.keys`:
        (k1 > v1) or (k1 = v1 and ((k2 > v2) or ...))."""
        condition: Q | None = None
        for key, value in reversed(list(zip(self.keys, values, strict=True))):
            field = key.lstrip("-")
            beyond = Q(**{f"{field}__{'lt' if key.startswith('-') else 'gt'}": value})
            condition = beyond if condition is None else beyond | (Q(**{field: value}) & condition)
        return condition

    @staticmethod
    def _value(row: Any, key: str) -> Any:
        return getattr(row, key.lstrip("-"))

    def _decode(self, cursor: str | None, model) -> list | None:
        if not cursor:
            return None
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=="))
            if not isinstance(raw, list) or len(raw) != len(self.keys):
                raise ValueError("wrong shape")
            return [
                model._meta.get_field(key.lstrip("-")).to_python(value)
                for key, value in zip(self.keys, raw, strict=True)
            ]
        except (ValueError, TypeError, DjangoValidationError) as exc:
            raise ValidationError(
                {"cursor": ["not a cursor from this list; follow the `next` link as given"]}
            ) from exc

    @staticmethod
    def _encode(values: list) -> str:
        text = json.dumps(
            [
                value
                if isinstance(value, int | float)
                else str(value.isoformat() if hasattr(value, "isoformat") else value)
                for value in values
            ]
        )
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def get_next_link(self) -> str | None:
        if not self.has_next or self.last_values is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", self._encode(self.last_values))

    def get_paginated_response(self, data: list) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Opaque cursor from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "ordering",
                "required": False,
                "in": "query",
                "description": "Sort order; the first value is the default.",
                "schema": {"type": "string", "enum": list(view.cursor_orderings)},
            },
            _page_size_parameter(self.page_size),
        ]


class EventFeedPagination(BasePagination):
    """The event feed: `?after=<position>`, ascending by global position.

    Positions become visible in commit order (the event store serialises appends), so a
    client that resumes from the last position it processed misses nothing and sees
    nothing twice.
    """

    page_size = 100

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        self.request = request
        self.page_size_now = _page_size(request, self.page_size)
        self.after = _position(request.query_params.get("after"))
        rows = list(
            queryset.filter(position__gt=self.after).order_by("position")[: self.page_size_now]
        )
        self.full = len(rows) == self.page_size_now
        self.last_position = rows[-1].position if rows else self.after
        return rows

    def get_paginated_response(self, data: list) -> Response:
        next_link = None
        if self.full:
            url = self.request.build_absolute_uri()
            next_link = replace_query_param(url, "after", self.last_position)
        return Response({"next": next_link, "last_position": self.last_position, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "last_position", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "last_position": {
                    "type": "integer",
                    "description": "Resume with ?after= this value; no event is skipped.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "after",
                "required": False,
                "in": "query",
                "description": "Return events after this global position (default 0).",
                "schema": {"type": "integer", "minimum": 0, "maximum": _MAX_POSITION},
            },
            _page_size_parameter(self.page_size),
        ]


def _position(raw: str | None) -> int:
    if raw in (None, ""):
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > _MAX_POSITION:
        raise ValidationError({"after": ["a non-negative whole number is required"]})
    return int(raw)
