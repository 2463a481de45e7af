"""Teams, dossiers, sources and articles (with upload and upload status)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime

from django.db.models import Count, prefetch_related_objects
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import SearchFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.encoders import JSONEncoder

from api.asof import AS_OF_PARAMETER, AS_OF_REQUIRED, as_of, record_as_of
from api.conditional import IF_MATCH, expected_version
from api.errors import command_errors
from api.exceptions import Conflict
from api.filtersets import ArticleFilter, DossierFilter, FilterBackend, SourceFilter
from api.pagination import KeysetPagination
from api.parsers import BoundedJSONParser
from api.schema import ErrorSerializer
from api.serializers.claims import ContradictionSerializer, DossierSnapshotSerializer
from api.serializers.dossiers import (
    AnalysisProgressSerializer,
    ArticleBatchResultSerializer,
    ArticleBatchSerializer,
    ArticleDetailSerializer,
    ArticleMetadataSerializer,
    ArticleSerializer,
    ArticleStatusSerializer,
    ArticleUploadSerializer,
    ClaimFormSerializer,
    DossierCreateSerializer,
    DossierSerializer,
    DossierUpdateSerializer,
    QuestionStanceCorrectionSerializer,
    ReanalysisResultSerializer,
    ReanalysisSerializer,
    SourceCreateSerializer,
    SourceSerializer,
    SourceUpdateSerializer,
    UploadMetadataSerializer,
)
from api.views.base import TeamScopedViewSet
from claims.export import dossier_export_chunks, json_chunks
from claims.models import Claim, ClaimCluster, Verdict
from claims.selectors import clusters_then, contradictions_in, evidence_then, snapshot_chunks
from dossiers import commands
from dossiers.models import Article, Dossier, Role
from dossiers.selectors import (
    analysis_progress,
    articles_for,
    dossiers_for,
    sources_for,
)
from eventlog.store import ConcurrencyError


def versioned_edit(view, request: Request, command, name: str, answer) -> Response:
    """A `PATCH` of a versioned record through its command: the body first (400), then
    If-Match (428/400/412), then the command; the answer is the record with its new ETag."""
    record = view.get_object()
    serializer = view.get_serializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    version = expected_version(request, record.version)
    with command_errors():
        record = command(
            **{name: record},
            actor=request.user,
            expected_version=version,
            **serializer.validated_data,
        )
    return view.versioned_response(record, answer(record).data)


def unless_archived(view, queryset):
    """A list leaves archived records out unless `?archived=` names which to list (the
    filter then applies it); a record's own URL answers whatever its state."""
    if view.action == "list" and "archived" not in view.request.query_params:
        return queryset.filter(archived=False)
    return queryset


class DossierViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TeamScopedViewSet
):
    """Dossiers of your teams. `?as_of=` reads a dossier as it stood at a moment. `PATCH`
    edits it (If-Match); `{"status": "archived"}` archives it (team admins)."""

    filterset_class = DossierFilter
    search_fields = ["title", "question"]
    ordering_fields = ["created_at", "title"]

    def get_queryset(self):
        return dossiers_for(self.request.user).select_related("created_by")

    def get_serializer_class(self):
        return {
            "create": DossierCreateSerializer,
            "partial_update": DossierUpdateSerializer,
        }.get(self.action, DossierSerializer)

    def required_role(self) -> Role:
        """Closing, archiving or reopening is for team admins; other edits for analysts."""
        if self.action == "partial_update" and "status" in self.request.data:
            return Role.ADMIN
        return super().required_role()

    @extend_schema(
        request=DossierUpdateSerializer, responses=DossierSerializer, parameters=[IF_MATCH]
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Edit the title, question or tags, or change the status (archive, close, reopen)."""
        return versioned_edit(self, request, commands.update_dossier, "dossier", DossierSerializer)

    @extend_schema(parameters=[AS_OF_PARAMETER])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        dossier = self.get_object()
        when = as_of(request)
        if when is not None:
            dossier = record_as_of(dossier, when)
        return self.versioned_response(dossier, DossierSerializer(dossier).data)

    @extend_schema(request=DossierCreateSerializer, responses={201: DossierSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.require_role_in(data["team"])
        with command_errors():
            dossier = commands.create_dossier(
                team=data["team"],
                title=data["title"],
                question=data["question"],
                tags=data["tags"],
                actor=request.user,
            )
        location = reverse("api:dossier-detail", args=[dossier.id], request=request)
        return self.versioned_response(
            dossier, DossierSerializer(dossier).data, status.HTTP_201_CREATED, Location=location
        )

    @extend_schema(responses=AnalysisProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk=None) -> Response:
        """Articles by extraction status (follow a re-analysis here)."""
        return Response(AnalysisProgressSerializer(analysis_progress(self.get_object())).data)

    @extend_schema(
        request=ClaimFormSerializer, responses={200: DossierSerializer}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["post"], url_path="claim-form", url_name="claim-form")
    def claim_form(self, request: Request, pk=None) -> Response:
        """Change the proposition the question asks about (its claim form); every extracted
        article is scored again against it in the same transaction. Needs If-Match."""
        dossier = self.get_object()
        serializer = ClaimFormSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dossier.version = expected_version(request, dossier.version)
        with command_errors():
            dossier = commands.set_claim_form(
                dossier=dossier,
                claim_form=serializer.validated_data["claim_form"],
                actor=request.user,
                reason=serializer.validated_data["reason"],
            )
        return Response(DossierSerializer(dossier, context={"request": request}).data)

    @extend_schema(
        request=ReanalysisSerializer,
        responses={
            202: ReanalysisResultSerializer,
            409: OpenApiResponse(ErrorSerializer, "Nothing was queued; try again."),
        },
    )
    @action(detail=True, methods=["post"])
    def reanalyze(self, request: Request, pk=None) -> Response:
        """Queue the dossier's done and failed articles for extraction again, all or none;
        articles being extracted now finish and are counted in `running`. Verdicts stay
        attached to their clusters."""
        dossier = self.get_object()
        serializer = ReanalysisSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with command_errors():
                requested = commands.request_reanalysis(
                    dossier=dossier, actor=request.user, reason=serializer.validated_data["reason"]
                )
        except ConcurrencyError as exc:
            raise Conflict(
                "the dossier's articles changed while re-analysis was being queued; "
                "nothing was queued: try again"
            ) from exc
        result = {**asdict(requested), "progress": analysis_progress(dossier)}
        return Response(ReanalysisResultSerializer(result).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=ArticleBatchSerializer,
        responses={
            202: OpenApiResponse(
                ArticleBatchResultSerializer,
                "All stored (a text already in the dossier gives its article); extraction "
                "is queued.",
            ),
            400: OpenApiResponse(
                description="Nothing stored: `details.fields.articles` maps the index of each "
                "bad article to its errors."
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="articles/batch",
        url_name="article-batch",
        parser_classes=[BoundedJSONParser],
    )
    def article_batch(self, request: Request, pk=None) -> Response:
        """Upload many articles with their metadata, all or nothing (see `POST /articles/`)."""
        dossier = self.get_object()
        serializer = ArticleBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        uploads = [
            commands.ArticleUpload(
                payload=item["text"],
                filename=item["filename"],
                **UploadMetadataSerializer.metadata_of(item),
            )
            for item in serializer.validated_data["articles"]
        ]
        with command_errors():
            results = commands.upload_articles(dossier=dossier, uploads=uploads, actor=request.user)
        articles = []
        for result in results:
            result.article.claim_count = 0 if result.created else result.article.claims.count()
            articles.append(result.article)
        body = {"created": sum(result.created for result in results), "articles": articles}
        return Response(
            ArticleBatchResultSerializer(body, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(responses=ContradictionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def contradictions(self, request: Request, pk=None) -> Response:
        """Pairs of claims in the dossier that cannot both be true: different days, different
        figures, or one denying the other; each with both quotes, articles and clusters."""
        found = contradictions_in(self.get_object())
        page = self.paginate_queryset(found)
        return self.get_paginated_response(ContradictionSerializer(page, many=True).data)

    @extend_schema(parameters=[AS_OF_REQUIRED], responses=DossierSnapshotSerializer)
    @action(detail=True, methods=["get"])
    def snapshot(self, request: Request, pk=None) -> StreamingHttpResponse:
        """The whole dossier as it stood at `as_of`: articles, claims, clusters, verdicts.
        Streamed as it is read (no ETag), like the export: a dossier of thousands of
        articles is never in the server's memory whole."""
        dossier = self.get_object()
        when = as_of(request)
        if when is None:
            raise ValidationError({"as_of": ["required: the moment to read the dossier at"]})
        document = snapshot_document(record_as_of(dossier, when), when)  # 404 if not yet
        return StreamingHttpResponse(
            json_chunks(document, cls=JSONEncoder, ensure_ascii=False),
            content_type="application/json",
        )

    @extend_schema(
        responses=OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="The dossier report: articles with claims (spans index into each "
            "body), active clusters, and analysis progress.",
        )
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk=None) -> StreamingHttpResponse:
        """Streamed as it is read (no ETag): a dossier of thousands of articles with their
        bodies never sits in the server's memory whole."""
        return StreamingHttpResponse(
            dossier_export_chunks(self.get_object()), content_type="application/json"
        )


def snapshot_document(dossier: Dossier, when: datetime) -> dict:
    """The snapshot of `dossier` (as it stood at `when`) for `json_chunks`: each list is an
    iterator reading its rows a chunk at a time (`snapshot_chunks`), with the related rows
    of that moment, and serializing them one by one as `DossierSnapshotSerializer` does."""
    fields = DossierSnapshotSerializer().fields

    def rows(name: str, model, prepare=None, **filters) -> Iterator[dict]:
        for chunk in snapshot_chunks(model, when, dossier_id=dossier.id, **filters):
            for row in prepare(chunk, when) if prepare else chunk:
                yield fields[name].child.to_representation(row)

    return {
        "as_of": fields["as_of"].to_representation(when),
        "dossier": fields["dossier"].to_representation(dossier),
        "articles": rows("articles", Article, _articles_then),
        "claims": rows("claims", Claim),
        "clusters": rows("clusters", ClaimCluster, _clusters_then, is_active=True),
        "verdicts": rows("verdicts", Verdict, _verdicts_then),
    }


def _articles_then(articles: list[Article], when: datetime) -> list[Article]:
    prefetch_related_objects(articles, "uploaded_by")
    return articles


def _clusters_then(clusters: list[ClaimCluster], when: datetime) -> list[ClaimCluster]:
    """The clusters with their member claims and current verdict revision at `when`."""
    for entry in clusters_then(clusters, when):
        entry.cluster.claims_then = [claim.id for claim in entry.claims]
        entry.cluster.members_then = entry.claims
        verdict = entry.current_verdict
        entry.cluster.verdict_then = verdict.id if verdict else None
    return clusters


def _verdicts_then(verdicts: list[Verdict], when: datetime) -> list[Verdict]:
    """The verdicts with the evidence they had at `when`."""
    prefetch_related_objects(verdicts, "author", "reviewer")
    evidence: dict = defaultdict(list)
    for item in evidence_then(verdicts, when):
        evidence[item.verdict_id].append(item)
    for verdict in verdicts:
        # The reverse manager would read today's evidence; serve that moment's instead.
        verdict._prefetched_objects_cache = {"evidence": evidence[verdict.id]}
    return verdicts


class SourceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TeamScopedViewSet
):
    """Outlets, people, agencies and officials your teams track, with Admiralty reliability.
    `PATCH` renames a source or corrects its kind, domain or grade (If-Match);
    `{"archived": true}` archives it (team admins). Lists leave archived sources out
    unless `?archived=true`."""

    filterset_class = SourceFilter
    search_fields = ["name", "domain"]
    ordering_fields = ["name", "reliability"]

    def get_queryset(self):
        return unless_archived(self, sources_for(self.request.user))

    def required_role(self) -> Role:
        """Archiving or unarchiving is for team admins, as a dossier's status; other edits
        for analysts."""
        if self.action == "partial_update" and "archived" in self.request.data:
            return Role.ADMIN
        return super().required_role()

    def get_serializer_class(self):
        return {
            "create": SourceCreateSerializer,
            "partial_update": SourceUpdateSerializer,
        }.get(self.action, SourceSerializer)

    @extend_schema(
        request=SourceUpdateSerializer, responses=SourceSerializer, parameters=[IF_MATCH]
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Rename or correct the source, or archive or unarchive it."""
        return versioned_edit(self, request, commands.update_source, "source", SourceSerializer)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        source = self.get_object()
        return self.versioned_response(source, SourceSerializer(source).data)

    @extend_schema(
        request=SourceCreateSerializer, responses={201: SourceSerializer, 200: SourceSerializer}
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Add a source, or get the team's existing source of that name (200)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.require_role_in(data["team"])
        existed = data["team"].sources.filter(name__iexact=data["name"].strip()).exists()
        with command_errors():
            source = commands.add_source(actor=request.user, **data)
        location = reverse("api:source-detail", args=[source.id], request=request)
        return self.versioned_response(
            source,
            SourceSerializer(source).data,
            status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
            Location=location,
        )


class ArticleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TeamScopedViewSet
):
    """Uploaded articles. Upload as multipart `file` or JSON `text`; answers 202 with a
    status URL. An `Idempotency-Key` header makes a retried upload return the first answer.
    `PATCH` corrects the title, author, URL or publication date, or archives the article
    (If-Match). Lists leave archived articles out unless `?archived=true`."""

    filterset_class = ArticleFilter
    search_fields = ["title", "url", "author"]
    pagination_class = KeysetPagination
    cursor_orderings = {
        "uploaded_at": ("uploaded_at", "id"),
        "-uploaded_at": ("-uploaded_at", "-id"),
    }
    filter_backends = [FilterBackend, SearchFilter]  # the cursor orders the list
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        articles = articles_for(self.request.user)
        if self.action == "upload_status":
            return articles.annotate(claim_count=Count("claims")).defer("raw_upload", "body")
        if self.action == "retrieve":
            return articles.select_related("uploaded_by").defer("raw_upload")
        return unless_archived(
            self, articles.select_related("uploaded_by").defer("raw_upload", "body")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return ArticleUploadSerializer
        if self.action == "retrieve":
            return ArticleDetailSerializer
        if self.action == "partial_update":
            return ArticleMetadataSerializer
        return ArticleSerializer

    def team_of(self, obj):
        return obj.dossier.team

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        article = self.get_object()
        return self.versioned_response(article, ArticleDetailSerializer(article).data)

    @extend_schema(
        request=ArticleMetadataSerializer, responses=ArticleDetailSerializer, parameters=[IF_MATCH]
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Correct the metadata (kept when the article is re-extracted), or archive or
        unarchive the article (its dossier is re-clustered)."""
        return versioned_edit(
            self, request, commands.correct_article_metadata, "article", ArticleDetailSerializer
        )

    @extend_schema(
        request={
            "application/json": ArticleUploadSerializer,
            "multipart/form-data": ArticleUploadSerializer,
        },
        responses={
            202: OpenApiResponse(ArticleStatusSerializer, "Stored; extraction is queued."),
            200: OpenApiResponse(
                ArticleStatusSerializer, "The same text is already in this dossier."
            ),
        },
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.require_role_in(data["dossier"].team)
        payload, filename, content_type = serializer.payload()
        return self._upload(request, data, payload, filename, content_type)

    def _upload(self, request, data, payload, filename, content_type) -> Response:
        with command_errors():
            result = commands.upload_article(
                dossier=data["dossier"],
                payload=payload,
                filename=filename,
                content_type=content_type,
                source=data.get("source"),
                actor=request.user,
                **UploadMetadataSerializer.metadata_of(data),
            )
        article = result.article
        article.claim_count = article.claims.count() if not result.created else 0
        body = ArticleStatusSerializer(article, context={"request": request}).data
        return Response(
            body,
            status=status.HTTP_202_ACCEPTED if result.created else status.HTTP_200_OK,
            headers={"Location": body["status_url"]},
        )

    @extend_schema(responses=ArticleStatusSerializer)
    @action(detail=True, methods=["get"], url_path="status", url_name="status")
    def upload_status(self, request: Request, pk=None) -> Response:
        """Where extraction stands: pending, running, done or failed; claims; the error."""
        article = self.get_object()
        return Response(ArticleStatusSerializer(article, context={"request": request}).data)

    @extend_schema(
        request=QuestionStanceCorrectionSerializer,
        responses={200: ArticleSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path="question-stance", url_name="question-stance")
    def question_stance(self, request: Request, pk=None) -> Response:
        """Correct the article's stance toward the dossier's claim form; re-analysis and
        re-scoring keep the correction. Needs If-Match."""
        article = self.get_object()
        serializer = QuestionStanceCorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article.version = expected_version(request, article.version)
        with command_errors():
            article = commands.correct_question_stance(
                article=article,
                label=serializer.validated_data["label"],
                actor=request.user,
                reason=serializer.validated_data["reason"],
            )
        return Response(ArticleSerializer(article, context={"request": request}).data)

    @extend_schema(request=None, responses={202: ArticleStatusSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        """Queue the article for extraction again (after a failure). Needs If-Match."""
        article = self.get_object()
        article.version = expected_version(request, article.version)
        with command_errors():
            article = commands.request_extraction(
                article=article, actor=request.user, reason="retry requested through the API"
            )
        article.claim_count = article.claims.count()
        body = ArticleStatusSerializer(article, context={"request": request}).data
        return Response(
            body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]}
        )
