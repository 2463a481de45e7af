"""Webhook registration: team-scoped, admin-only, and recorded in the team's event log."""

from __future__ import annotations

import secrets
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from api.events import WEBHOOK_STREAM, WebhookEventType
from api.models import Webhook
from dossiers.models import Role, Team
from dossiers.permissions import require_role
from eventlog.context import Actor, Context
from eventlog.models import Event
from eventlog.store import lock_appends, record, stream_version

User = AbstractBaseUser


class WebhookGone(LookupError):
    """The webhook was removed, perhaps by a concurrent request, after the caller read it."""


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


def _audit(webhook: Webhook, event_type: str, actor: User | None, version: int) -> None:
    record(
        stream_type=WEBHOOK_STREAM,
        stream_id=webhook.id,
        expected_version=version,
        event_type=event_type,
        data={
            "url": webhook.url,
            "event_types": webhook.event_types,
            "is_active": webhook.is_active,
        },
        context=Context(actor=Actor.of(actor)),
        team_id=webhook.team_id,
    )


def _check_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise ValueError("a webhook URL must be http:// or https://")
    return url


@transaction.atomic
def register_webhook(
    *,
    team: Team,
    url: str,
    event_types: list[str] | None = None,
    secret: str = "",
    actor: User | None,
) -> Webhook:
    """Start sending the team's events that happen from now on to `url`."""
    require_role(actor, team, Role.ADMIN)
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
    actor: User | None,
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
def remove_webhook(*, webhook: Webhook, actor: User | None) -> None:
    """Stop sending; the delivery log stays for inspection."""
    webhook = _locked_webhook(webhook)
    require_role(actor, webhook.team, Role.ADMIN)
    webhook.is_active = False
    webhook.removed_at = timezone.now()
    webhook.save(update_fields=["is_active", "removed_at"])
    _audit(
        webhook, WebhookEventType.WEBHOOK_REMOVED, actor, stream_version(WEBHOOK_STREAM, webhook.id)
    )
