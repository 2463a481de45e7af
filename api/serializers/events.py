"""The event feed, webhooks and their delivery log."""

from __future__ import annotations

from urllib.parse import urlsplit

from rest_framework import serializers

from api.events import WEBHOOK_STREAM
from api.models import Webhook, WebhookDelivery
from api.serializers.base import InputSerializer
from api.serializers.fields import ScopedPrimaryKeyField
from dossiers.models import Team
from dossiers.selectors import teams_for
from eventlog.models import Event
from eventlog.registry import registered_event_types

# Whole article texts: the feed links to the article instead of repeating up to 5 MB a row.
BULKY_EVENT_FIELDS = frozenset({"raw_upload", "body"})


def redacted_url(url: str) -> str:
    """The scheme and host of a URL; credentials, path and query (where secrets hide) go."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    rest = "/…" if parts.path.strip("/") or parts.query or parts.fragment else "/"
    return f"{parts.scheme}://{host}{port}{rest}"


def event_document(event: Event, *, show_webhook_url: bool = False) -> dict:
    """An event as the feed and webhooks carry it.

    A webhook's URL can carry credentials in its path or `user:pass@`: only those who may
    manage the team's webhooks (`show_webhook_url`) see it whole; everyone else, and every
    webhook delivery, gets its scheme and host.
    """
    data = {k: v for k, v in event.data.items() if k not in BULKY_EVENT_FIELDS}
    if event.stream_type == WEBHOOK_STREAM and "url" in data and not show_webhook_url:
        data["url"] = redacted_url(data["url"])
    return {
        "position": event.position,
        "type": event.type,
        "stream_type": event.stream_type,
        "stream_id": str(event.stream_id),
        "stream_version": event.stream_version,
        "team": str(event.team_id) if event.team_id else None,
        "recorded_at": event.recorded_at.isoformat().replace("+00:00", "Z"),
        "data": data,
        "metadata": event.metadata,
    }


class EventSerializer(serializers.Serializer):
    """Documents `event_document` for the schema; the feed builds dicts directly."""

    position = serializers.IntegerField()
    type = serializers.CharField()
    stream_type = serializers.CharField()
    stream_id = serializers.UUIDField()
    stream_version = serializers.IntegerField()
    team = serializers.UUIDField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    data = serializers.DictField(
        help_text="The event's facts; article texts (raw_upload, body) are left out, and a "
        "webhook's `url` is cut to its scheme and host unless you are an admin of its team."
    )
    metadata = serializers.DictField(
        help_text="actor, actor_id, reason, request_id, correlation_id, causation_id."
    )

    def to_representation(self, instance: Event) -> dict:
        return event_document(instance)


class EventTypesField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=64),
            max_length=100,
            help_text="Event types to send; empty or omitted means every type.",
            **kwargs,
        )

    def to_internal_value(self, data):
        types = super().to_internal_value(data)
        unknown = sorted(set(types) - set(registered_event_types()))
        if unknown:
            raise serializers.ValidationError(f"unknown event types: {', '.join(unknown)}")
        return sorted(set(types))


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = [
            "id",
            "team",
            "url",
            "event_types",
            "is_active",
            "last_position",
            "created_at",
            "previous_secret_expires_at",
        ]


class WebhookWithSecretSerializer(WebhookSerializer):
    """The registration answer: the only response that shows the secret."""

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookCreateSerializer(InputSerializer):
    team = ScopedPrimaryKeyField(selector=teams_for, model=Team)
    url = serializers.URLField(max_length=2000)
    event_types = EventTypesField(required=False, default=list)
    secret = serializers.CharField(
        min_length=16,
        max_length=128,
        required=False,
        help_text="Signing secret; one is generated when omitted.",
    )


class WebhookUpdateSerializer(InputSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    event_types = EventTypesField(required=False)
    is_active = serializers.BooleanField(required=False)


class WebhookSecretRotationSerializer(InputSerializer):
    overlap_seconds = serializers.IntegerField(
        min_value=0,
        max_value=7 * 24 * 3600,
        default=24 * 3600,
        help_text="How long the old secret also signs deliveries (default a day, at most 7).",
    )
    secret = serializers.CharField(
        min_length=16,
        max_length=128,
        required=False,
        help_text="The new signing secret; one is generated when omitted.",
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_position = serializers.IntegerField(
        source="event_id", allow_null=True, help_text="null for a ping"
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "event_position",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        ]
