"""Verdicts: draft, edit, the review workflow, history and ClaimReview JSON-LD.

Every write to an existing verdict names the version it read in `If-Match`; the command
checks it against the event stream under a lock, so a stale write is refused with 412.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.asof import AS_OF_PARAMETER, as_of, record_as_of
from api.conditional import IF_MATCH, expected_version
from api.errors import command_errors
from api.exceptions import Conflict
from api.filtersets import VerdictFilter
from api.schema import ErrorSerializer
from api.serializers.claims import (
    ReasonRequiredSerializer,
    ReuseVerdictSerializer,
    ReviewedChangesSerializer,
    VerdictDraftSerializer,
    VerdictEditSerializer,
    VerdictHistoryEntrySerializer,
    VerdictSerializer,
    WorkflowActionSerializer,
)
from api.views.base import TeamScopedViewSet
from claims import commands
from claims.events import VERDICT_CONTENT_FIELDS
from claims.models import Verdict, VerdictEvidence
from claims.rendering import claimreview_jsonld
from claims.selectors import verdicts_for
from dossiers.models import Role

# Fields whose changes the history shows; bookkeeping (version, timestamps) is left out.
HISTORY_FIELDS = (
    "status",
    *VERDICT_CONTENT_FIELDS,
    "needs_review",
    "review_flags",
)


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"


def _evidence_input(items: list[dict]) -> list[commands.EvidenceInput]:
    return [
        commands.EvidenceInput(
            relation=item["relation"],
            claim=item.get("claim"),
            article=item.get("article"),
            note=item.get("note", ""),
        )
        for item in items
    ]


class VerdictViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TeamScopedViewSet
):
    """Analysts' assessments of clusters. Workflow: draft → in_review → approved |
    changes_requested → published; revising a published verdict starts a new revision."""

    filterset_class = VerdictFilter
    search_fields = ["rationale"]
    ordering_fields = ["created_at", "updated_at", "published_at", "revision"]
    http_method_names = ["get", "post", "patch", "head"]
    write_roles = {
        "approve": Role.REVIEWER,
        "request_changes": Role.REVIEWER,
        "publish": Role.REVIEWER,
    }

    def get_queryset(self):
        return (
            verdicts_for(self.request.user)
            .select_related("author", "reviewer")
            .prefetch_related(Prefetch("evidence", VerdictEvidence.objects.order_by("id")))
        )

    def get_serializer_class(self):
        return {
            "create": VerdictDraftSerializer,
            "partial_update": VerdictEditSerializer,
            "request_changes": ReasonRequiredSerializer,
            "revise": ReasonRequiredSerializer,
            "reuse": ReuseVerdictSerializer,
            "submit": WorkflowActionSerializer,
            "approve": WorkflowActionSerializer,
            "publish": WorkflowActionSerializer,
        }.get(self.action, VerdictSerializer)

    def team_of(self, obj):
        return obj.dossier.team

    def _answer(self, verdict: Verdict, status_code: int = 200, **headers) -> Response:
        verdict = self.get_queryset().get(id=verdict.id)
        data = VerdictSerializer(verdict).data
        return self.versioned_response(verdict, data, status_code, **headers)

    def _location(self, verdict: Verdict) -> str:
        return reverse("api:verdict-detail", args=[verdict.id], request=self.request)

    @extend_schema(parameters=[AS_OF_PARAMETER])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        verdict = self.get_object()
        when = as_of(request)
        if when is None:
            return self.versioned_response(verdict, VerdictSerializer(verdict).data)
        then = record_as_of(verdict, when)
        prefetch_related_objects([then], "author", "reviewer")
        # The reverse manager would read today's evidence; serve that moment's instead.
        then._prefetched_objects_cache = {
            "evidence": list(
                VerdictEvidence.history.as_of(when).filter(verdict_id=verdict.id).order_by("id")
            )
        }
        return self.versioned_response(then, VerdictSerializer(then).data)

    @extend_schema(request=VerdictDraftSerializer, responses={201: VerdictSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Draft the first revision of a verdict on a cluster."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cluster = data.pop("cluster")
        self.require_role_in(cluster.dossier.team)
        evidence = _evidence_input(data.pop("evidence", []))
        with command_errors():
            verdict = commands.draft_verdict(
                cluster=cluster, actor=request.user, evidence=evidence, **data
            )
        return self._answer(verdict, status.HTTP_201_CREATED, Location=self._location(verdict))

    @extend_schema(
        request=VerdictEditSerializer(partial=True),
        responses=VerdictSerializer,
        parameters=[IF_MATCH],
        description="Edit a draft (or a verdict sent back for changes).",
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        verdict = self.get_object()
        serializer = VerdictEditSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, verdict.version)
        data = dict(serializer.validated_data)
        evidence = data.pop("evidence", None)
        content = {name: data.get(name, getattr(verdict, name)) for name in VERDICT_CONTENT_FIELDS}
        with command_errors():
            verdict = commands.edit_verdict(
                verdict=verdict,
                actor=request.user,
                expected_version=version,
                evidence=None if evidence is None else _evidence_input(evidence),
                reason=data.get("reason", ""),
                **content,
            )
        return self._answer(verdict)

    def _transition(self, request: Request, command, **extra) -> Response:
        verdict = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, verdict.version)
        with command_errors():
            verdict = command(
                verdict=verdict,
                actor=request.user,
                expected_version=version,
                reason=serializer.validated_data.get("reason", ""),
                **extra,
            )
        return self._answer(verdict)

    @extend_schema(
        responses=VerdictSerializer,
        parameters=[IF_MATCH],
        description="Hand a draft to the reviewers.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        return self._transition(request, commands.submit_verdict)

    @extend_schema(
        responses=VerdictSerializer,
        parameters=[IF_MATCH],
        description="Approve a verdict in review; not by its author or an editor of this "
        "revision (four-eyes).",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        return self._transition(request, commands.approve_verdict)

    @extend_schema(
        responses=VerdictSerializer,
        parameters=[IF_MATCH],
        description="Send a verdict back to its author, saying why.",
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request: Request, pk=None) -> Response:
        return self._transition(request, commands.request_changes)

    @extend_schema(
        responses=VerdictSerializer,
        parameters=[IF_MATCH],
        description="Publish an approved verdict; not by its author or an editor of this "
        "revision (four-eyes).",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk=None) -> Response:
        return self._transition(request, commands.publish_verdict)

    @extend_schema(
        responses={201: VerdictSerializer},
        parameters=[IF_MATCH],
        description="Start a new draft revision of a published verdict; the published "
        "revision stays as it was. Answers with the new revision.",
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk=None) -> Response:
        verdict = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, verdict.version)
        with command_errors():
            revision = commands.revise_verdict(
                verdict=verdict,
                actor=request.user,
                expected_version=version,
                reason=serializer.validated_data["reason"],
            )
        return self._answer(revision, status.HTTP_201_CREATED, Location=self._location(revision))

    @extend_schema(responses=ReviewedChangesSerializer)
    @action(
        detail=True,
        methods=["get"],
        url_path="reviewed-changes",
        url_name="reviewed-changes",
        pagination_class=None,
        filter_backends=[],
    )
    def reviewed_changes(self, request: Request, pk=None) -> Response:
        """The cluster as the verdict was submitted on it (`reviewed`; empty before
        submission) and what has changed in the cluster since (`changes`)."""
        verdict = self.get_object()
        body = {"reviewed": verdict.reviewed, "changes": commands.reviewed_changes(verdict)}
        return Response(ReviewedChangesSerializer(body).data)

    @extend_schema(
        responses={201: VerdictSerializer},
        description="Already reviewed: draft a verdict on another cluster of the team that "
        "cites this approved or published one and starts from its rating, grades and "
        "rationale; it then goes through review like any draft.",
    )
    @action(detail=True, methods=["post"])
    def reuse(self, request: Request, pk=None) -> Response:
        verdict = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cluster = serializer.validated_data["cluster"]
        self.require_role_in(cluster.dossier.team)
        with command_errors():
            draft = commands.reuse_verdict(verdict=verdict, cluster=cluster, actor=request.user)
        return self._answer(draft, status.HTTP_201_CREATED, Location=self._location(draft))

    @extend_schema(responses=VerdictHistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk=None) -> Response:
        """Every recorded change of every revision of this cluster's verdict, oldest first:
        who, when, why, and the fields that changed."""
        verdict = self.get_object()
        records = (
            Verdict.history.filter(cluster_id=verdict.cluster_id)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        entries, previous = [], {}
        for record in records:
            before = previous.get(record.id)
            entries.append(
                {
                    "verdict": record.id,
                    "revision": record.revision,
                    "version": record.version,
                    "at": record.history_date,
                    "actor": record.history_user.get_username() if record.history_user else None,
                    "reason": record.history_change_reason or "",
                    "change": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                    "status": record.status,
                    "changes": [
                        {
                            "field": name,
                            "old": getattr(before, name) if before else None,
                            "new": getattr(record, name),
                        }
                        for name in HISTORY_FIELDS
                        if before is None or getattr(before, name) != getattr(record, name)
                    ],
                }
            )
            previous[record.id] = record
        return Response(VerdictHistoryEntrySerializer(entries, many=True).data)

    @extend_schema(
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.OBJECT, description="schema.org ClaimReview of the verdict."
            )
            for media_type in ("application/ld+json", "application/json")
        }
        | {409: OpenApiResponse(ErrorSerializer, "Not published yet.")}
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONLDRenderer, JSONRenderer],
        pagination_class=None,
        filter_backends=[],
    )
    def claimreview(self, request: Request, pk=None) -> Response:
        """ClaimReview JSON-LD for a published verdict (409 before publication)."""
        verdict = self.get_object()
        if verdict.status != Verdict.Status.PUBLISHED:
            raise Conflict(
                "only a published verdict has a ClaimReview; this one is "
                f"{verdict.get_status_display().lower()}",
                code="not_published",
            )
        return Response(claimreview_jsonld(verdict, request=request))
