"""Webhook registration: team-scoped, admin-only, and recorded in the team's event log."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from api import webhooks
from api.events import WEBHOOK_STREAM, WebhookEventType
from api.models import Webhook, WebhookDelivery
from dossiers.models import Role, Team
from dossiers.permissions import require_person, require_role
from eventlog.context import Actor, Context
from eventlog.models import Event
from eventlog.store import lock_appends, record, stream_version

User = AbstractBaseUser


class WebhookGone(LookupError):
    """The webhook was removed, perhaps by a concurrent request, after the caller read it."""


class DeliveryConflict(Exception):
    """A ping or redelivery the webhook's state does not allow (paused, still pending)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


MAX_SECRET_OVERLAP = timedelta(days=7)


def _locked_webhook(webhook: Webhook) -> Webhook:
    """Lock and reload a webhook that is still registered, or raise WebhookGone.

    Takes the append lock first, as every command that locks rows before appending must.
    """
    lock_appends()
    current = (
        Webhook.objects.select_for_update().filter(id=webhook.id, removed_at__isnull=True).first()
    )
    if current is None:
        raise WebhookGone("this webhook has been removed")
    return current


def _audit(webhook: Webhook, event_type: str, actor: User | Actor, version: int) -> None:
    data = {"url": webhook.url, "event_types": webhook.event_types, "is_active": webhook.is_active}
    if event_type == WebhookEventType.WEBHOOK_SECRET_ROTATED:
        expires = webhook.previous_secret_expires_at
        data["previous_secret_expires_at"] = expires.isoformat() if expires else None
    record(
        stream_type=WEBHOOK_STREAM,
        stream_id=webhook.id,
        expected_version=version,
        event_type=event_type,
        data=data,
        context=Context(actor=Actor.of(actor)),
        team_id=webhook.team_id,
    )


def _check_url(url: str) -> str:
    """A URL deliveries may go to: https (http only where private networks are allowed, for
    development), and not a loopback, private or link-local address."""
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if webhooks.private_networks_allowed() else ("https",)
    if parts.scheme.lower() not in allowed:
        raise ValueError(f"a webhook URL must be {' or '.join(f'{s}://' for s in allowed)}")
    if not parts.hostname:
        raise ValueError("a webhook URL needs a host name")
    refusal = webhooks.address_refusal(url, unresolved_ok=True)
    if refusal:
        raise ValueError(refusal)
    return url


@transaction.atomic
def register_webhook(
    *,
    team: Team,
    url: str,
    event_types: list[str] | None = None,
    secret: str = "",
    actor: User | Actor,
) -> Webhook:
    """Start sending the team's events that happen from now on to `url`."""
    require_role(actor, team, Role.ADMIN)
    require_person(actor, "register a webhook")
    webhook = Webhook.objects.create(
        id=uuid.uuid4(),
        team=team,
        url=_check_url(url),
        event_types=sorted(set(event_types or [])),
        secret=secret or secrets.token_urlsafe(32),
        created_by=actor,
        created_at=timezone.now(),
    )
    _audit(webhook, WebhookEventType.WEBHOOK_REGISTERED, actor, 0)
    # Appends are serialised, so nothing can slip in between the audit event and this read.
    webhook.last_position = Event.objects.aggregate(last=Max("position"))["last"]
    webhook.save(update_fields=["last_position"])
    return webhook


@transaction.atomic
def change_webhook(
    *,
    webhook: Webhook,
    actor: User | Actor,
    url: str | None = None,
    event_types: list[str] | None = None,
    is_active: bool | None = None,
) -> Webhook:
    """Change where or what a webhook sends, or pause it (events wait and are sent on resume)."""
    webhook = _locked_webhook(webhook)
    require_role(actor, webhook.team, Role.ADMIN)
    if url is not None:
        webhook.url = _check_url(url)
    if event_types is not None:
        webhook.event_types = sorted(set(event_types))
    if is_active is not None:
        webhook.is_active = is_active
    webhook.save(update_fields=["url", "event_types", "is_active"])
    _audit(
        webhook, WebhookEventType.WEBHOOK_CHANGED, actor, stream_version(WEBHOOK_STREAM, webhook.id)
    )
    return webhook


@transaction.atomic
def remove_webhook(*, webhook: Webhook, actor: User | Actor) -> None:
    """Stop sending; the delivery log stays for inspection."""
    webhook = _locked_webhook(webhook)
    require_role(actor, webhook.team, Role.ADMIN)
    webhook.is_active = False
    webhook.removed_at = timezone.now()
    webhook.save(update_fields=["is_active", "removed_at"])
    _audit(
        webhook, WebhookEventType.WEBHOOK_REMOVED, actor, stream_version(WEBHOOK_STREAM, webhook.id)
    )


@transaction.atomic
def rotate_webhook_secret(
    *, webhook: Webhook, actor: User | Actor, overlap: timedelta, secret: str = ""
) -> Webhook:
    """Sign with a new secret from now on; the old one also signs for `overlap`, so a
    receiver can switch without refusing a delivery. The new secret is returned once."""
    if not timedelta(0) <= overlap <= MAX_SECRET_OVERLAP:
        raise ValueError(f"the overlap must be between 0 and {MAX_SECRET_OVERLAP.days} days")
    webhook = _locked_webhook(webhook)
    require_role(actor, webhook.team, Role.ADMIN)
    new_secret = secret or secrets.token_urlsafe(32)
    if new_secret == webhook.secret:
        raise ValueError("the new secret must differ from the current one")
    webhook.previous_secret = webhook.secret if overlap else ""
    webhook.previous_secret_expires_at = timezone.now() + overlap if overlap else None
    webhook.secret = new_secret
    webhook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    _audit(
        webhook,
        WebhookEventType.WEBHOOK_SECRET_ROTATED,
        actor,
        stream_version(WEBHOOK_STREAM, webhook.id),
    )
    return webhook


@transaction.atomic
def ping_webhook(*, webhook: Webhook, actor: User | Actor) -> WebhookDelivery:
    """Queue a test delivery (no event) so an admin can see the receiver answer."""
    webhook = _locked_webhook(webhook)
    require_role(actor, webhook.team, Role.ADMIN)
    if not webhook.is_active:
        raise DeliveryConflict("the webhook is paused: resume it to ping it", "webhook_paused")
    return webhooks.create_ping(webhook)


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, actor: User | Actor) -> WebhookDelivery:
    """Send a succeeded or failed delivery again (the receiver lost it, or was fixed)."""
    webhook = _locked_webhook(delivery.webhook)
    require_role(actor, webhook.team, Role.ADMIN)
    delivery = WebhookDelivery.objects.select_for_update().get(id=delivery.id)
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise DeliveryConflict(
            "this delivery is still pending: it is being sent or retried", "delivery_pending"
        )
    return webhooks.schedule_again(delivery)
