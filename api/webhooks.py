"""Webhook fan-out and delivery.

Fan-out turns the team's events after a webhook's `last_position` into delivery rows and moves
the position on, in one transaction under a row lock: each event gets exactly one delivery
per webhook, and because positions become visible in commit order none is skipped.

Delivery POSTs the event, signed with HMAC-SHA256 over the exact body bytes, and records
every attempt. Sending is at-least-once (a worker can die after the receiver answered), so
receivers dedupe on the `X-Claimdesk-Delivery` id.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import Webhook, WebhookDelivery
from api.serializers.events import event_document
from eventlog.models import Event

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Claimdesk-Signature"
DELIVERY_HEADER = "X-Claimdesk-Delivery"
EVENT_HEADER = "X-Claimdesk-Event"
FAN_OUT_BATCH = 500


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("WEBHOOK_MAX_ATTEMPTS", 8))


def backoff_seconds(attempts: int) -> float:
    """Wait after the n-th failed attempt: base, 2×base, 4×base … capped at an hour."""
    base = float(_setting("WEBHOOK_RETRY_BASE_SECONDS", 30))
    return min(base * 2 ** max(attempts - 1, 0), 3600.0)


def sign(secret: str, body: bytes) -> str:
    """The signature header value: `sha256=<hex HMAC-SHA256 of the body with the secret>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


# --- fan-out --------------------------------------------------------------------------------


def fan_out(webhook_id) -> list[WebhookDelivery]:
    """Create the deliveries for one webhook's new events; enqueue them after commit."""
    created: list[WebhookDelivery] = []
    while True:
        with transaction.atomic():
            webhook = (
                Webhook.objects.select_for_update()
                .filter(id=webhook_id, is_active=True, removed_at__isnull=True)
                .first()
            )
            if webhook is None:
                return created
            events = list(
                Event.objects.filter(team_id=webhook.team_id, position__gt=webhook.last_position)
                .order_by("position")
                .values_list("position", "type")[:FAN_OUT_BATCH]
            )
            if not events:
                return created
            now = timezone.now()
            batch = WebhookDelivery.objects.bulk_create(
                WebhookDelivery(
                    webhook=webhook,
                    event_id=position,
                    event_type=event_type,
                    created_at=now,
                    next_attempt_at=now,
                )
                for position, event_type in events
                if webhook.wants(event_type)
            )
            webhook.last_position = events[-1][0]
            webhook.save(update_fields=["last_position"])
            ids = [delivery.id for delivery in batch]
            transaction.on_commit(lambda ids=ids: _enqueue(ids))
            created.extend(batch)
        if len(events) < FAN_OUT_BATCH:
            return created


def _enqueue(delivery_ids) -> None:
    # By name: api.tasks runs this module's deliveries, so this module cannot import it (the
    # api app imports the tasks as it starts, registering them).
    deliver_webhook = current_app.tasks["api.tasks.deliver_webhook"]
    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(str(delivery_id))
        except Exception:  # broker errors vary by transport; requeue_overdue catches up
            logger.warning("could not enqueue webhook delivery %s; it stays pending", delivery_id)
            return


def requeue_overdue(grace_seconds: float = 60) -> int:
    """Re-enqueue pending deliveries whose retry message never came (broker or worker lost)."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    overdue = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=cutoff,
            webhook__is_active=True,
        ).values_list("id", flat=True)[:1000]
    )
    _enqueue(overdue)
    return len(overdue)


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    status: str
    retry_in: float | None = None


def delivery_body(delivery: WebhookDelivery) -> bytes:
    document = {
        "delivery": str(delivery.id),
        "webhook": str(delivery.webhook_id),
        "event": event_document(delivery.event),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _claim(delivery_id) -> WebhookDelivery | None:
    """Take the delivery if it is due, leasing it so no other worker sends it meanwhile.

    A paused webhook's deliveries wait; they are sent once it is active again.
    """
    now = timezone.now()
    lease = now + timedelta(seconds=_setting("WEBHOOK_TIMEOUT_SECONDS", 10) * 3)
    taken = WebhookDelivery.objects.filter(
        id=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        webhook__is_active=True,
    ).update(next_attempt_at=lease)
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("webhook", "event").get(id=delivery_id)


def attempt_delivery(delivery_id) -> Attempt:
    """Send one delivery once and record the outcome; say when to try again, if at all."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return Attempt("skipped")
    error, status_code = _post(delivery)
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error
    retry_in = None
    if not error:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= max_attempts():
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        retry_in = backoff_seconds(delivery.attempts)
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return Attempt(delivery.status, retry_in)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as a failure: following it could reach an internal host."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: WebhookDelivery) -> tuple[str, int | None]:
    """POST the delivery; returns (error, HTTP status). An empty error means delivered."""
    webhook = delivery.webhook
    refusal = _refuse_private_host(webhook.url)
    if refusal:
        return refusal, None
    body = delivery_body(delivery)
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Claimdesk-Webhooks/1",
            SIGNATURE_HEADER: sign(webhook.secret, body),
            DELIVERY_HEADER: str(delivery.id),
            EVENT_HEADER: delivery.event_type,
        },
    )
    timeout = _setting("WEBHOOK_TIMEOUT_SECONDS", 10)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return "", response.status
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", errors="replace").strip()
        return f"HTTP {exc.code}: {detail or exc.reason}"[:2000], exc.code
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(exc).__name__}: {reason}"[:2000], None


def _refuse_private_host(url: str) -> str:
    """Refuse loopback, private and link-local targets unless settings allow them (dev, tests)."""
    if _setting("WEBHOOK_ALLOW_PRIVATE_NETWORKS", settings.DEBUG):
        return ""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"refusing to deliver to non-public address {ip} of {host}"
    return ""
