"""Webhook fan-out and delivery.

Fan-out turns the team's events after a webhook's `last_position` into delivery rows and moves
the position on, in one transaction under a row lock: each event gets exactly one delivery
per webhook, and because positions become visible in commit order none is skipped.

Delivery POSTs the event, signed with HMAC-SHA256 over a timestamp and the exact body bytes
(`t=…,v1=…`, as Stripe does: the timestamp lets receivers refuse a replayed old delivery), and
records every attempt. Sending is at-least-once (a worker can die after the receiver answered), so
receivers dedupe on the `X-Claimdesk-Delivery` id.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
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
PING = "ping"  # the event type of a test delivery, which carries no event
# How far a signature's timestamp may be from the receiver's clock (documented in API.md).
SIGNATURE_TOLERANCE_SECONDS = 300
FAN_OUT_BATCH = 500


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("WEBHOOK_MAX_ATTEMPTS", 8))


def backoff_seconds(attempts: int) -> float:
    """Wait after the n-th failed attempt: base, 2×base, 4×base … capped at an hour."""
    base = float(_setting("WEBHOOK_RETRY_BASE_SECONDS", 30))
    return min(base * 2 ** max(attempts - 1, 0), 3600.0)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], body: bytes, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex>`: HMAC-SHA256 of `<t>.` followed by the body, one `v1` per
    signing secret (two during a rotation's overlap, so a receiver may hold either)."""
    signatures = (f"v1={_digest(secret, timestamp, body)}" for secret in secrets)
    return ",".join([f"t={timestamp}", *signatures])


def verify_signature(
    secret: str, body: bytes, header: str, *, tolerance: int = SIGNATURE_TOLERANCE_SECONDS, now=None
) -> bool:
    """What a receiver does: the timestamp is recent enough and one `v1` matches, compared
    in constant time."""
    fields = [part.strip().partition("=") for part in (header or "").split(",")]
    timestamps = [value for name, _, value in fields if name == "t"]
    signatures = [value for name, _, value in fields if name == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


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


def create_ping(webhook: Webhook) -> WebhookDelivery:
    """A test delivery with no event, sent like any other and kept in the delivery log."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event=None, event_type=PING, created_at=now, next_attempt_at=now
    )
    transaction.on_commit(lambda: _enqueue([delivery.id]))
    return delivery


def schedule_again(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished delivery again, with a fresh schedule of attempts."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: _enqueue([delivery.id]))
    return delivery


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
        "event": event_document(delivery.event) if delivery.event_id is not None else None,
    }
    if delivery.event_id is None:
        document["ping"] = True
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
    refusal = address_refusal(webhook.url)
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
            SIGNATURE_HEADER: signature_header(
                webhook.signing_secrets(timezone.now()), body, int(time.time())
            ),
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


def private_networks_allowed() -> bool:
    return bool(_setting("WEBHOOK_ALLOW_PRIVATE_NETWORKS", settings.DEBUG))


def address_refusal(url: str, *, unresolved_ok: bool = False) -> str:
    """Why `url` may not receive deliveries ('' when it may): it is, or resolves to, a
    loopback, private or link-local address, unless settings allow them (dev, tests).

    Checked at registration and again at every attempt, since a name can resolve elsewhere
    later; at registration a name that does not resolve yet is let through (`unresolved_ok`)
    and its deliveries fail, with the reason in the log, until it does."""
    if private_networks_allowed():
        return ""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        return "" if unresolved_ok else f"cannot resolve {host}: {exc}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"refusing to deliver to non-public address {ip} of {host}"
    return ""
