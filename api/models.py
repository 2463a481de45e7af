"""Request and delivery bookkeeping of the integration API.

None of these tables is a projection of the event log: they record what integrations asked
for (idempotency keys), where a team wants events sent (webhooks) and how each send went
(deliveries). Replaying the log leaves them alone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from dossiers.models import Team
from eventlog.models import Event

# Teams are projections: replaying the log deletes and recreates them under the same ids in
# one transaction. The team foreign keys below therefore do nothing on delete (a cascade
# would wipe integrations' configuration on every replay); the database still checks them,
# deferred to commit, so no row can point at a team that is really gone.


class IdempotencyKey(models.Model):
    """The first response to a request that carried an `Idempotency-Key` header.

    Request bookkeeping, not a projection: a retry with the same key and the same request
    gets this response back instead of doing the work again.
    """

    # Set by uploads before every POST took a key; a key belongs to its user, whatever team.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of method, path and body: a reused key must match."
    )
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    response_location = models.CharField(max_length=2000, blank=True)
    response_etag = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Webhook(models.Model):
    """A URL a team wants its events POSTed to, signed with `secret`.

    Configuration, not a projection: it is written by `api.commands`, which also append an
    audit event (without the secret) to the team's log.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.DO_NOTHING, related_name="webhooks")
    url = models.URLField(max_length=2000)
    event_types = models.JSONField(
        default=list, blank=True, help_text="Event types to send; empty means all."
    )
    secret = models.CharField(max_length=128)
    # After a rotation the old secret also signs deliveries until it expires, so receivers
    # can switch without dropping a delivery (see api.webhooks.signature_header).
    previous_secret = models.CharField(max_length=128, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    last_position = models.BigIntegerField(
        default=0, help_text="Events up to this log position have their deliveries created."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def signing_secrets(self, now) -> list[str]:
        """The current secret, then the previous one while its overlap window lasts."""
        found = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and now < expires:
            found.append(self.previous_secret)
        return found


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the delivery log. A ping (a test
    delivery an admin asks for) has no event."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event_id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event"], name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} → {self.webhook_id} ({self.status})"


class ApiToken(models.Model):
    """A named API token with scopes and an expiry, belonging to one user.

    Identity configuration, not a projection. Only a SHA-256 digest of the secret is stored:
    the token itself is shown once, when it is issued or rotated. `prefix` (its first
    characters) lets a user tell tokens apart in the list.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
