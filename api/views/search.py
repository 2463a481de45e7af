"""Full-text search across the caller's teams (`claims.search`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import NumberedPagination, page_number
from api.serializers.search import SearchHitSerializer, SearchParametersSerializer
from api.views.base import TeamScopedViewSet
from claims.search import hits, search


class SearchPagination(NumberedPagination):
    """Numbered pages of `SearchResults`, each fetched with its total in one query."""

    page_size = 20

    def paginate_queryset(self, results, request: Request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        number = page_number(raw)
        if number is None:
            raise ValidationError({"page": ["a whole number from 1 is required"]})
        self.request = request
        self.page = results.page(number, self.get_page_size(request))
        if number > 1 and not self.page.object_list:
            raise NotFound("there is no such page of results")
        return list(self.page)


class SearchViewSet(mixins.ListModelMixin, TeamScopedViewSet):
    """Articles, claims and verdicts matching `q`, best first (ranked on PostgreSQL), each
    with a highlighted snippet; only the caller's teams' work."""

    serializer_class = SearchHitSerializer
    pagination_class = SearchPagination
    filter_backends = []

    @extend_schema(parameters=[SearchParametersSerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        parameters = SearchParametersSerializer(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        wanted = parameters.validated_data["request"]
        page = self.paginate_queryset(search(request.user, wanted))
        data = self.get_serializer(hits(page, wanted), many=True).data
        return self.get_paginated_response(data)
