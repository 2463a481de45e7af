"""The event feed and webhooks (registration and delivery log)."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import commands
from api.errors import command_errors
from api.events import WEBHOOK_STREAM
from api.filtersets import EventFilter, FilterBackend, WebhookDeliveryFilter
from api.models import Webhook, WebhookDelivery
from api.pagination import EventFeedPagination, NumberedPagination
from api.serializers.events import (
    EventSerializer,
    WebhookCreateSerializer,
    WebhookDeliverySerializer,
    WebhookSecretRotationSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
    WebhookWithSecretSerializer,
    event_document,
)
from api.views.base import TeamScopedViewSet
from dossiers.models import Role, Team
from dossiers.selectors import events_for, team_ids_for


class EventViewSet(mixins.ListModelMixin, TeamScopedViewSet):
    """Your teams' event log, oldest first. Resume from `last_position` with `?after=`:
    events become visible in position order, so nothing is skipped or repeated."""

    serializer_class = EventSerializer
    pagination_class = EventFeedPagination
    filter_backends = [FilterBackend]
    filterset_class = EventFilter

    def get_queryset(self):
        return events_for(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        admin_of: set = set()
        if any(event.stream_type == WEBHOOK_STREAM for event in page):
            admin_of = set(
                Team.objects.filter(id__in=team_ids_for(request.user, Role.ADMIN)).values_list(
                    "id", flat=True
                )
            )
        return self.get_paginated_response(
            [event_document(event, show_webhook_url=event.team_id in admin_of) for event in page]
        )


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TeamScopedViewSet,
):
    """URLs that receive your team's events, signed with HMAC-SHA256 (team admins only).

    Each POST carries `X-Claimdesk-Signature: t=<unix seconds>,v1=<hex>` (HMAC-SHA256 of
    `<t>.` and the raw body), the delivery id in `X-Claimdesk-Delivery` (dedupe on it) and the
    event type in `X-Claimdesk-Event`.
    """

    http_method_names = ["get", "post", "patch", "delete", "head"]
    ordering_fields = ["created_at", "url"]
    write_roles = {
        action: Role.ADMIN
        for action in (
            "create",
            "partial_update",
            "destroy",
            "rotate_secret",
            "ping",
            "redeliver",
        )
    }

    def get_queryset(self):
        admin_teams = team_ids_for(self.request.user, Role.ADMIN)
        return Webhook.objects.filter(team_id__in=admin_teams, removed_at__isnull=True)

    def get_serializer_class(self):
        return {
            "create": WebhookCreateSerializer,
            "partial_update": WebhookUpdateSerializer,
            "deliveries": WebhookDeliverySerializer,
            "rotate_secret": WebhookSecretRotationSerializer,
        }.get(self.action, WebhookSerializer)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookWithSecretSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Register a webhook; the answer is the only place the signing secret is shown."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.require_role_in(data["team"])
        with command_errors():
            webhook = commands.register_webhook(
                team=data["team"],
                url=data["url"],
                event_types=data["event_types"],
                secret=data.get("secret", ""),
                actor=request.user,
            )
        location = reverse("api:webhook-detail", args=[webhook.id], request=request)
        return Response(
            WebhookWithSecretSerializer(webhook).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    @extend_schema(request=WebhookUpdateSerializer, responses=WebhookSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Change the URL or event types, or pause (`is_active: false`) and resume."""
        webhook = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with command_errors():
            webhook = commands.change_webhook(
                webhook=webhook, actor=request.user, **serializer.validated_data
            )
        return Response(WebhookSerializer(webhook).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        """Stop sending; the delivery log is kept."""
        commands.remove_webhook(webhook=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses=WebhookDeliverySerializer(many=True),
        parameters=[
            OpenApiParameter("status", enum=WebhookDelivery.Status.values),
            OpenApiParameter("event_type", str),
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=NumberedPagination, filter_backends=[])
    def deliveries(self, request: Request, pk=None) -> Response:
        """The delivery log, newest first: status, attempts, last status code and error."""
        webhook = self.get_object()
        deliveries = WebhookDeliveryFilter(
            request.query_params, queryset=webhook.deliveries.order_by("-created_at", "-event_id")
        )
        if not deliveries.is_valid():
            raise ValidationError(deliveries.errors)
        page = self.paginate_queryset(deliveries.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=WebhookSecretRotationSerializer, responses={200: WebhookWithSecretSerializer}
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk=None) -> Response:
        """Sign with a new secret (shown once, in this answer); the old one also signs
        deliveries until `previous_secret_expires_at`, so receivers can switch in between."""
        webhook = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with command_errors():
            webhook = commands.rotate_webhook_secret(
                webhook=webhook,
                actor=request.user,
                overlap=timedelta(seconds=data["overlap_seconds"]),
                secret=data.get("secret", ""),
            )
        return Response(WebhookWithSecretSerializer(webhook).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request: Request, pk=None) -> Response:
        """Queue a test delivery (`X-Claimdesk-Event: ping`, no event in the body); its
        outcome shows in the delivery log. 409 while the webhook is paused."""
        delivery = commands.ping_webhook(webhook=self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9a-fA-F-]{36})/redeliver",
    )
    def redeliver(self, request: Request, pk=None, delivery_id=None) -> Response:
        """Send a succeeded or failed delivery again, with a fresh schedule of attempts and
        the same delivery id (receivers that dedupe on it see a repeat). 409 while pending."""
        webhook = self.get_object()
        delivery = webhook.deliveries.filter(id=delivery_id).first()
        if delivery is None:
            raise NotFound("no such delivery of this webhook")
        delivery = commands.redeliver(delivery=delivery, actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
