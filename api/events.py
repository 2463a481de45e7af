"""Audit events of webhook registration.

A webhook is configuration, not a projection (see `api.models`): its command writes the row
and appends one of these events so that the team's log records who pointed its events where.
The events carry no secret, and applying them changes no read model.
"""

from __future__ import annotations

from django.db.models import TextChoices

from eventlog.registry import projector

WEBHOOK_STREAM = "webhook"


class WebhookEventType(TextChoices):
    WEBHOOK_REGISTERED = "WebhookRegistered"
    WEBHOOK_CHANGED = "WebhookChanged"
    WEBHOOK_REMOVED = "WebhookRemoved"
    WEBHOOK_SECRET_ROTATED = "WebhookSecretRotated"


@projector(*WebhookEventType)
def webhook_audited(state, event) -> None:
    """The webhook row is written by the command itself: there is nothing to project."""
