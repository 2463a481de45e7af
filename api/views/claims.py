"""Claims and clusters, which extraction and clustering write, and analysts correct
(issue 14): each correction names, in If-Match, the version it read: a cluster's for
cluster corrections, a claim's (its article's version, the claim's ETag) for claim ones."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from api.asof import AS_OF_PARAMETER, as_of, record_as_of
from api.claim_pages import claim_page
from api.conditional import IF_MATCH, expected_version, version_etag
from api.errors import command_errors
from api.filtersets import ClaimFilter, ClusterFilter, FilterBackend
from api.pagination import KeysetPagination
from api.serializers.claims import (
    ClaimCorrectionSerializer,
    ClaimMarkSerializer,
    ClaimSerializer,
    ClusterSerializer,
    ConfirmLinkSerializer,
    MergeClustersSerializer,
    MoveClaimSerializer,
    PinWordingSerializer,
    RejectLinkSerializer,
)
from api.views.base import TeamScopedViewSet
from claims import corrections
from claims.models import Claim, ClaimCluster
from claims.selectors import claims_for, cluster_members_as_of, clusters_for, live_claims


class ClaimViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TeamScopedViewSet):
    """Statements extracted from articles, with their span in the article body. The list
    leaves out the claims of archived articles unless `?archived=true`."""

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
        """As `unless_archived` for articles: a list leaves archived articles' claims out
        unless `?archived=` names which to list (the filter then applies it); a claim's own
        URL answers whatever its article's state."""
        claims = claims_for(self.request.user)
        if self.action == "list" and "archived" not in self.request.query_params:
            return live_claims(claims)
        return claims

    def list(self, request: Request, *args, **kwargs) -> Response:
        """Rows as named tuples of the serialised columns (building model instances was a
        fifth of the page's time); unfiltered pages come from precompiled SQL, which leaves
        archived articles' claims out as `get_queryset` does."""
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

    def get_serializer_class(self):
        return {
            "correct": ClaimCorrectionSerializer,
            "not_a_claim": ClaimMarkSerializer,
            "restore": ClaimMarkSerializer,
        }.get(self.action, ClaimSerializer)

    def _claim_response(self, claim: Claim) -> Response:
        """The claim, tagged with its article's version: what a claim correction's
        If-Match names."""
        claim = self.get_queryset().select_related("article").get(id=claim.id)
        return Response(
            ClaimSerializer(claim).data, headers={"ETag": version_etag(claim.article.version)}
        )

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self._claim_response(self.get_object())

    def _correct(self, request: Request, command, **extra) -> Response:
        claim = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, claim.article.version)
        data = dict(serializer.validated_data)
        with command_errors():
            claim = command(
                claim=claim,
                actor=request.user,
                expected_version=version,
                reason=data.pop("reason"),
                **data,
                **extra,
            )
        return self._claim_response(claim)

    @extend_schema(
        request=ClaimCorrectionSerializer,
        responses=ClaimSerializer,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk=None) -> Response:
        """Correct the claim's speaker, cited source or kind; re-extraction of unchanged
        text keeps the correction."""
        return self._correct(request, corrections.correct_claim)

    @extend_schema(request=ClaimMarkSerializer, responses=ClaimSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="not-a-claim", url_name="not-a-claim")
    def not_a_claim(self, request: Request, pk=None) -> Response:
        """The sentence is not a claim: it leaves its cluster and is never clustered again."""
        return self._correct(request, corrections.mark_not_a_claim)

    @extend_schema(request=ClaimMarkSerializer, responses=ClaimSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk=None) -> Response:
        """Undo "not a claim": the next re-clustering gives it a cluster again."""
        return self._correct(request, corrections.restore_claim)


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

    def get_serializer_class(self):
        return {
            "merge": MergeClustersSerializer,
            "move_claim": MoveClaimSerializer,
            "reject_link": RejectLinkSerializer,
            "confirm_link": ConfirmLinkSerializer,
            "pin_wording": PinWordingSerializer,
        }.get(self.action, ClusterSerializer)

    def _correct(self, request: Request, apply) -> Response:
        """Validate the body, check If-Match against the cluster, apply the correction."""
        cluster = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, cluster.version)
        data = dict(serializer.validated_data)
        claim = data.get("claim")
        if claim is not None and claim.cluster_id != cluster.id:
            raise ValidationError({"claim": ["not a member of this cluster"]})
        with command_errors():
            apply(cluster, version, data)
        cluster = self.get_queryset().get(id=cluster.id)
        return self.versioned_response(cluster, ClusterSerializer(cluster).data)

    def _by(self, data: dict, version: int) -> dict:
        return {"actor": self.request.user, "expected_version": version, "reason": data["reason"]}

    @extend_schema(
        request=MergeClustersSerializer, responses=ClusterSerializer, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk=None) -> Response:
        """Merge other clusters into this one; re-clustering never separates them again."""

        def apply(cluster: ClaimCluster, version: int, data: dict) -> None:
            corrections.merge_clusters(
                target=cluster, sources=data["sources"], **self._by(data, version)
            )

        return self._correct(request, apply)

    @extend_schema(request=MoveClaimSerializer, responses=ClusterSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="move-claim", url_name="move-claim")
    def move_claim(self, request: Request, pk=None) -> Response:
        """Move a member to another cluster, or to a new one of its own (a split)."""

        def apply(cluster: ClaimCluster, version: int, data: dict) -> None:
            corrections.move_claim(
                claim=data["claim"], to_cluster=data["to_cluster"], **self._by(data, version)
            )

        return self._correct(request, apply)

    @extend_schema(request=RejectLinkSerializer, responses=ClusterSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="reject-link", url_name="reject-link")
    def reject_link(self, request: Request, pk=None) -> Response:
        """ "Not the same claim": the member never again shares a cluster with `others`."""

        def apply(cluster: ClaimCluster, version: int, data: dict) -> None:
            corrections.reject_link(
                claim=data["claim"], others=data["others"], **self._by(data, version)
            )

        return self._correct(request, apply)

    @extend_schema(
        request=ConfirmLinkSerializer, responses=ClusterSerializer, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], url_path="confirm-link", url_name="confirm-link")
    def confirm_link(self, request: Request, pk=None) -> Response:
        """Same claim: the member and `other` always share a cluster."""

        def apply(cluster: ClaimCluster, version: int, data: dict) -> None:
            corrections.confirm_link(
                claim=data["claim"], other=data["other"], **self._by(data, version)
            )

        return self._correct(request, apply)

    @extend_schema(request=PinWordingSerializer, responses=ClusterSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="pin-wording", url_name="pin-wording")
    def pin_wording(self, request: Request, pk=None) -> Response:
        """Word the cluster `text` from now on, whatever re-clustering would choose."""

        def apply(cluster: ClaimCluster, version: int, data: dict) -> None:
            corrections.pin_wording(cluster=cluster, text=data["text"], **self._by(data, version))

        return self._correct(request, apply)
