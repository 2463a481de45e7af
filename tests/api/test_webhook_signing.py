"""Webhook signatures with a timestamp, secret rotation with an overlap, ping and redeliver."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from api.models import Webhook, WebhookDelivery
from api.webhooks import signature_header, verify_signature
from dossiers.commands import add_source
from eventlog.models import Event
from tests.api.conftest import SECRET, client_for, dispatch, error_of, register

pytestmark = pytest.mark.django_db

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
BODY = b'{"delivery":"d1","event":{"type":"SourceAdded"}}'


def signatures_of(header: str) -> list[str]:
    return [part.removeprefix("v1=") for part in header.split(",") if part.startswith("v1=")]


def test_a_signature_verifies_only_for_its_secret_body_and_recent_timestamp():
    now = int(time.time())
    header = signature_header([SECRET], BODY, now)
    assert verify_signature(SECRET, BODY, header, tolerance=300, now=now + 299)
    assert not verify_signature(SECRET, BODY + b" ", header, tolerance=300, now=now)
    assert not verify_signature("another-secret-0123456789", BODY, header, tolerance=300, now=now)
    assert not verify_signature(SECRET, BODY, header, tolerance=300, now=now + 301)
    replayed = header.replace(f"t={now}", f"t={now + 1000}")
    assert not verify_signature(SECRET, BODY, replayed, tolerance=300, now=now + 1000)
    for broken in ("", "v1=abc", f"t=soon,v1={signatures_of(header)[0]}", f"t={now}"):
        assert not verify_signature(SECRET, BODY, broken, tolerance=300, now=now)


def test_the_documented_verifier_accepts_a_real_delivery_and_refuses_a_forgery(
    world, receiver, django_capture_on_commit_callbacks
):
    """The Python example in docs/API.md, run as written against what a receiver gets."""
    section = API_DOC.read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len([line for line in example.splitlines() if line.strip()]) <= 10
    namespace: dict = {}
    exec(compile(example, str(API_DOC), "exec"), namespace)  # noqa: S102 - our own docs
    is_from_claimdesk = namespace["is_from_claimdesk"]

    register(client_for(world.admin), world.team, receiver.url)
    add_source(team=world.team, name="Agence Doc", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    headers, body = receiver.received[-1]
    header = headers["X-Claimdesk-Signature"]
    assert is_from_claimdesk(SECRET, body, header)
    assert not is_from_claimdesk(SECRET, body.replace(b"Agence Doc", b"Agence Faux"), header)
    assert not is_from_claimdesk("not-the-secret-0123456789", body, header)
    stale = int(time.time()) - 3600
    assert not is_from_claimdesk(SECRET, body, signature_header([SECRET], body, stale))


def test_rotation_signs_with_both_secrets_until_the_overlap_ends(
    world, receiver, django_capture_on_commit_callbacks
):
    client = client_for(world.admin)
    hook = register(client, world.team, receiver.url, event_types=["SourceAdded"]).json()
    new_secret = "rotated-secret-abcdefghijklmnop"
    rotated = client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret/",
        {"overlap_seconds": 3600, "secret": new_secret},
        format="json",
    )
    assert rotated.status_code == 200, rotated.content
    assert rotated.json()["secret"] == new_secret
    expires = rotated.json()["previous_secret_expires_at"]
    assert expires is not None
    assert client.get(f"/api/v1/webhooks/{hook['id']}/").json().get("secret") is None

    add_source(team=world.team, name="During overlap", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    headers, body = receiver.received[-1]
    header = headers["X-Claimdesk-Signature"]
    assert len(signatures_of(header)) == 2
    assert verify_signature(new_secret, body, header)
    assert verify_signature(SECRET, body, header), "receivers still on the old secret"

    Webhook.objects.filter(id=hook["id"]).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    add_source(team=world.team, name="After overlap", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    headers, body = receiver.received[-1]
    header = headers["X-Claimdesk-Signature"]
    assert len(signatures_of(header)) == 1
    assert verify_signature(new_secret, body, header)
    assert not verify_signature(SECRET, body, header)

    event = Event.objects.get(stream_id=hook["id"], type="WebhookSecretRotated")
    assert event.metadata["actor_id"] == world.admin.pk
    assert event.data["previous_secret_expires_at"] is not None
    assert SECRET not in json.dumps(event.data) and new_secret not in json.dumps(event.data)


def test_rotation_without_overlap_drops_the_old_secret_at_once(world):
    client = client_for(world.admin)
    hook = register(client, world.team, "https://93.184.216.34/in").json()
    rotated = client.post(
        f"/api/v1/webhooks/{hook['id']}/rotate-secret/", {"overlap_seconds": 0}, format="json"
    )
    assert rotated.status_code == 200
    webhook = Webhook.objects.get(id=hook["id"])
    assert webhook.secret == rotated.json()["secret"] != SECRET
    assert webhook.signing_secrets(timezone.now()) == [webhook.secret]


@pytest.mark.parametrize(
    "body", [{"overlap_seconds": -1}, {"overlap_seconds": 8 * 86400}, {"secret": "short"}]
)
def test_bad_rotations_are_400_and_change_nothing(world, body):
    client = client_for(world.admin)
    hook = register(client, world.team, "https://93.184.216.34/in").json()
    response = client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert Webhook.objects.get(id=hook["id"]).secret == SECRET


def test_only_the_teams_admins_rotate_ping_or_redeliver(world, other_world):
    hook = world.webhook
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event=None, event_type="ping", status="failed", created_at=timezone.now()
    )
    paths = [
        f"/api/v1/webhooks/{hook.id}/rotate-secret/",
        f"/api/v1/webhooks/{hook.id}/ping/",
        f"/api/v1/webhooks/{hook.id}/deliveries/{delivery.id}/redeliver/",
    ]
    for path in paths:
        for user in (world.analyst, other_world.admin):
            response = client_for(user).post(path, {}, format="json")
            assert response.status_code == 404, (path, response.status_code)
            assert error_of(response)["code"] == "not_found"
    hook.refresh_from_db()
    delivery.refresh_from_db()
    assert hook.previous_secret == "" and delivery.status == "failed"
    assert WebhookDelivery.objects.filter(webhook=hook).count() == 1


def test_a_ping_is_delivered_signed_and_logged(world, receiver, django_capture_on_commit_callbacks):
    client = client_for(world.admin)
    hook = register(client, world.team, receiver.url).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/webhooks/{hook['id']}/ping/")
    assert response.status_code == 202, response.content
    assert response.json()["event_type"] == "ping" and response.json()["event_position"] is None
    headers, body = receiver.received[-1]
    assert headers["X-Claimdesk-Event"] == "ping"
    assert verify_signature(SECRET, body, headers["X-Claimdesk-Signature"])
    document = json.loads(body)
    assert document == {
        "delivery": response.json()["id"],
        "webhook": hook["id"],
        "event": None,
        "ping": True,
    }
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries/").json()["results"]
    assert [(d["event_type"], d["status"]) for d in log] == [("ping", "succeeded")]


def test_a_paused_webhook_cannot_be_pinged(world):
    client = client_for(world.admin)
    hook = register(client, world.team, "https://93.184.216.34/in").json()
    client.patch(f"/api/v1/webhooks/{hook['id']}/", {"is_active": False}, format="json")
    response = client.post(f"/api/v1/webhooks/{hook['id']}/ping/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "webhook_paused"
    assert not WebhookDelivery.objects.filter(webhook_id=hook["id"]).exists()


def test_a_failed_delivery_is_sent_again_with_the_same_id(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    client = client_for(world.admin)
    hook = register(client, world.team, receiver.url, event_types=["SourceAdded"]).json()
    receiver.failures_left = 1
    add_source(team=world.team, name="Lost once", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook_id=hook["id"])
    assert delivery.status == "failed"

    path = f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery.id}/redeliver/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 202, response.content
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts == 1
    first, again = receiver.received[-2], receiver.received[-1]
    assert first[0]["X-Claimdesk-Delivery"] == again[0]["X-Claimdesk-Delivery"] == str(delivery.id)
    assert first[1] == again[1], "the same bytes, so receivers can dedupe"


def test_redelivery_of_a_pending_or_unknown_delivery_is_refused(world):
    client = client_for(world.admin)
    hook = world.webhook
    pending = WebhookDelivery.objects.create(
        webhook=hook,
        event=None,
        event_type="ping",
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    response = client.post(f"/api/v1/webhooks/{hook.id}/deliveries/{pending.id}/redeliver/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "delivery_pending"
    other_hook = register(client, world.team, "https://93.184.216.34/other").json()
    response = client.post(
        f"/api/v1/webhooks/{other_hook['id']}/deliveries/{pending.id}/redeliver/"
    )
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
