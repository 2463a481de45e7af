"""Celery tasks of the integration API: webhook fan-out and delivery, key expiry.

Thin: the logic is in `api.webhooks`, which records every attempt in the delivery log.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from api import idempotency, webhooks
from api.models import IdempotencyKey, Webhook


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: str) -> str:
    """One attempt; on failure the task schedules itself again after the backoff.

    The attempt count lives on the delivery row, not in Celery, so a lost retry message is
    recovered by `dispatch_webhooks` without resetting the count.
    """
    attempt = webhooks.attempt_delivery(delivery_id)
    if attempt.retry_in is not None:
        raise self.retry(countdown=attempt.retry_in)
    return attempt.status


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=2, max_retries=5)
def dispatch_webhooks() -> int:
    """Periodic: turn new events into deliveries and re-enqueue overdue ones."""
    created = 0
    for webhook_id in Webhook.objects.filter(is_active=True, removed_at__isnull=True).values_list(
        "id", flat=True
    ):
        created += len(webhooks.fan_out(webhook_id))
    webhooks.requeue_overdue()
    return created


@shared_task
def purge_idempotency_keys() -> int:
    """Periodic: forget idempotency keys older than a day (clients retry within minutes)."""
    cutoff = timezone.now() - idempotency.LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
