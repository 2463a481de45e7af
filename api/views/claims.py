"""Claims and clusters: read-only, since extraction and clustering write them."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from api.asof import AS_OF_PARAMETER, as_of, record_as_of
from api.claim_pages import claim_page
from api.filtersets import ClaimFilter, ClusterFilter, FilterBackend
from api.pagination import KeysetPagination
from api.serializers.claims import ClaimSerializer, ClusterSerializer
from api.views.base import TeamScopedViewSet
from claims.models import Claim
from claims.selectors import claims_for, cluster_members_as_of, clusters_for


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TeamScopedViewSet):
    """Statements extracted from articles, with their span in the article body."""

    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    filter_backends = [FilterBackend, SearchFilter]  # the cursor orders the list
    search_fields = ["text", "speaker", "cited_source"]
    pagination_class = KeysetPagination
    cursor_orderings = {
        "id": ("id",),
        "-checkworthiness": ("-checkworthiness", "id"),
        "checkworthiness": ("checkworthiness", "id"),
    }

    def get_queryset(self):
        return claims_for(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        """Rows as named tuples of the serialised columns (building model instances was a
        fifth of the page's time); unfiltered pages come from precompiled SQL."""
        columns = ClaimSerializer.columns
        if request.query_params.keys().isdisjoint(self._filter_parameters()):
            paginator = self.paginator

            def fetch(after, limit):
                return claim_page(
                    request.user, columns, paginator.keys, paginator.after, after, limit
                )

            page = paginator.paginate_rows(fetch, Claim, request, self)
        else:
            rows = self.filter_queryset(self.get_queryset()).values_list(*columns, named=True)
            page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _filter_parameters(self) -> set[str]:
        return {*self.filterset_class.base_filters, SearchFilter.search_param}

    def team_of(self, obj):
        return obj.dossier.team


class ClusterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TeamScopedViewSet):
    """The same claim across articles, with independent-origin counts.
    `?as_of=` reads a cluster as it stood at a moment."""

    serializer_class = ClusterSerializer
    filterset_class = ClusterFilter
    search_fields = ["canonical_text", "origin"]
    ordering_fields = ["article_count", "independent_origin_count", "created_at", "updated_at"]

    def get_queryset(self):
        members = Claim.objects.only("id", "cluster_id", "reviewed_matches")
        return clusters_for(self.request.user).prefetch_related(Prefetch("claims", members))

    def team_of(self, obj):
        return obj.dossier.team

    @extend_schema(parameters=[AS_OF_PARAMETER])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        cluster = self.get_object()
        when = as_of(request)
        if when is not None:
            cluster = record_as_of(cluster, when)
            cluster.members_then = cluster_members_as_of(cluster, when)
        return self.versioned_response(cluster, ClusterSerializer(cluster).data)
