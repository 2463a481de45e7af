"""Full-text search across the caller's teams (`claims.search`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from api.pagination import NumberedPagination
from api.serializers.search import SearchHitSerializer, SearchParametersSerializer
from api.views.base import TeamScopedViewSet
from claims.search import hits, search


class SearchPagination(NumberedPagination):
    page_size = 20


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
