"""Webhooks: admin-only registration, exactly-once fan-out, signed deliveries with retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from api.commands import remove_webhook
from api.models import Webhook, WebhookDelivery
from api.tasks import dispatch_webhooks
from api.views.events import WebhookViewSet
from dossiers.commands import add_source
from eventlog.models import Event
from tests.api.conftest import SECRET, client_for, dispatch, error_of, register
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_a_delivery_retries_after_two_failures_and_its_signature_verifies(
    world, receiver, django_capture_on_commit_callbacks
):
    client = client_for(world.admin)
    created = register(client, world.team, receiver.url, event_types=["SourceAdded"])
    assert created.status_code == 201
    assert created.json()["secret"] == SECRET
    receiver.failures_left = 2

    source = add_source(team=world.team, name="Agence Test", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)

    assert len(receiver.received) == 3
    bodies = {body for _, body in receiver.received}
    assert len(bodies) == 1, "every attempt sends the same bytes"
    headers, body = receiver.received[-1]
    timestamp, signature = headers["X-Claimdesk-Signature"].split(",")
    assert abs(int(timestamp.removeprefix("t=")) - time.time()) < 60
    signed = timestamp.removeprefix("t=").encode() + b"." + body
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, f"v1={expected}")
    document = json.loads(body)
    assert document["event"]["type"] == "SourceAdded"
    assert document["event"]["stream_id"] == str(source.id)
    assert headers["X-Claimdesk-Delivery"] == document["delivery"]

    log = client.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries/").json()["results"]
    assert len(log) == 1
    assert log[0]["status"] == "succeeded"
    assert log[0]["attempts"] == 3
    assert log[0]["last_status_code"] == 204
    assert log[0]["event_position"] == document["event"]["position"]


def test_a_delivery_that_keeps_failing_is_logged_failed_with_the_error(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    client = client_for(world.admin)
    hook = register(client, world.team, receiver.url).json()
    receiver.failures_left = 5
    add_source(team=world.team, name="Flaky Source", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)

    entry = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries/").json()["results"][0]
    assert entry["status"] == "failed"
    assert entry["attempts"] == 2
    assert entry["last_status_code"] == 503
    assert entry["last_error"] == "HTTP 503: busy, try later"


def test_fan_out_creates_one_delivery_per_event_and_webhook_however_often_it_runs(
    world, other_world, receiver, django_capture_on_commit_callbacks
):
    hook = register(client_for(world.admin), world.team, receiver.url).json()
    registered_at = Webhook.objects.get(id=hook["id"]).last_position
    for n in range(3):
        add_source(team=world.team, name=f"Outlet {n}", actor=world.analyst)
    add_source(team=other_world.team, name="Not ours", actor=other_world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    dispatch(django_capture_on_commit_callbacks)

    ours = list(
        Event.objects.filter(team_id=world.team.id, position__gt=registered_at).values_list(
            "position", flat=True
        )
    )
    delivered = WebhookDelivery.objects.filter(webhook_id=hook["id"])
    assert len(ours) == 3
    assert sorted(delivered.values_list("event_id", flat=True)) == ours
    assert len(receiver.received) == 3
    assert Webhook.objects.get(id=hook["id"]).last_position == ours[-1]


def test_only_events_after_registration_and_of_the_chosen_types_are_sent(
    world, receiver, django_capture_on_commit_callbacks
):
    add_source(team=world.team, name="Before", actor=world.analyst)
    hook = register(
        client_for(world.admin), world.team, receiver.url, event_types=["DossierCreated"]
    ).json()
    add_source(team=world.team, name="After", actor=world.analyst)
    DossierFactory(team=world.team)
    dispatch(django_capture_on_commit_callbacks)
    types = [json.loads(body)["event"]["type"] for _, body in receiver.received]
    assert types == ["DossierCreated"]
    assert WebhookDelivery.objects.filter(webhook_id=hook["id"]).count() == 1


def test_a_paused_webhook_sends_nothing_until_resumed(
    world, receiver, django_capture_on_commit_callbacks
):
    client = client_for(world.admin)
    hook = register(client, world.team, receiver.url).json()
    path = f"/api/v1/webhooks/{hook['id']}/"
    assert client.patch(path, {"is_active": False}, format="json").json()["is_active"] is False
    add_source(team=world.team, name="While paused", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    assert receiver.received == []
    client.patch(path, {"is_active": True}, format="json")
    dispatch(django_capture_on_commit_callbacks)
    types = [json.loads(body)["event"]["type"] for _, body in receiver.received]
    assert types == ["WebhookChanged", "SourceAdded", "WebhookChanged"]  # pause, source, resume


def test_a_private_address_is_refused_at_delivery_too(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    """Registered while allowed (or before a name moved to a private address): each attempt
    checks the address again and logs the refusal."""
    hook = register(client_for(world.admin), world.team, receiver.url).json()
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    add_source(team=world.team, name="Anything", actor=world.analyst)
    dispatch(django_capture_on_commit_callbacks)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get(webhook_id=hook["id"])
    assert delivery.status == "failed" and "non-public address" in delivery.last_error


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://127.0.0.1/hooks", "non-public address 127.0.0.1"),
        ("https://10.1.2.3/hooks", "non-public address 10.1.2.3"),
        ("https://[::1]/hooks", "non-public address ::1"),
        ("https://169.254.169.254/latest/meta-data", "non-public address 169.254.169.254"),
        ("https://localhost:8443/hooks", "non-public address"),
        ("http://93.184.216.34/hooks", "must be https://"),
    ],
)
def test_registration_checks_the_address(world, settings, url, problem):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    client = client_for(world.admin)
    before = Webhook.objects.count()
    response = register(client, world.team, url)
    assert response.status_code == 400, response.content
    assert problem in json.dumps(error_of(response))
    assert Webhook.objects.count() == before
    hook = register(client, world.team, "https://93.184.216.34/hooks").json()
    changed = client.patch(f"/api/v1/webhooks/{hook['id']}/", {"url": url}, format="json")
    assert changed.status_code == 400
    assert Webhook.objects.get(id=hook["id"]).url == "https://93.184.216.34/hooks"


def test_registration_is_recorded_in_the_log_without_the_secret(world):
    client = client_for(world.admin)
    hook = register(client, world.team, "https://example.org/in").json()
    event = Event.objects.get(stream_id=hook["id"], type="WebhookRegistered")
    assert event.team_id == world.team.id and event.metadata["actor_id"] == world.admin.pk
    assert SECRET not in json.dumps(event.data)
    assert client.get(f"/api/v1/webhooks/{hook['id']}/").json().get("secret") is None
    assert client.delete(f"/api/v1/webhooks/{hook['id']}/").status_code == 204
    assert client.get(f"/api/v1/webhooks/{hook['id']}/").status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "ftp://example.org/x"},
        {"url": "https://example.org/x", "event_types": ["NoSuchEvent"]},
        {"url": "https://example.org/x", "secret": "short"},
    ],
)
def test_bad_registrations_are_400(world, fields):
    body = {"team": str(world.team.id), **fields}
    response = client_for(world.admin).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_the_backoff_doubles_and_is_capped(settings):
    from api.webhooks import backoff_seconds

    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff_seconds(50) == 3600


def test_replaying_the_log_keeps_webhooks_and_idempotency_keys(world):
    from django.core.management import call_command

    from api.models import IdempotencyKey

    hook = register(client_for(world.admin), world.team, "https://example.org/replayed").json()
    client_for(world.analyst).post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "text": "Officials said the bridge had reopened."},
        format="json",
        HTTP_IDEMPOTENCY_KEY="replay-key",
    )
    before = Webhook.objects.get(id=hook["id"])
    call_command("replay_events", verbosity=0)
    assert IdempotencyKey.objects.filter(key="replay-key").exists()
    after = Webhook.objects.get(id=hook["id"])
    assert (after.url, after.secret, after.last_position) == (
        before.url,
        before.secret,
        before.last_position,
    )


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_webhook_removed_while_a_change_was_in_flight_is_a_404_not_a_500(
    world, monkeypatch, method
):
    """The request read the webhook, then a concurrent DELETE removed it before the command
    locked the row: the answer is the 404 the request would have got a moment later."""
    hook = register(client_for(world.admin), world.team, "https://example.org/raced").json()
    read = WebhookViewSet.get_object

    def read_then_lose_the_race(view):
        webhook = read(view)
        remove_webhook(webhook=Webhook.objects.get(id=webhook.id), actor=world.admin)
        return webhook

    monkeypatch.setattr(WebhookViewSet, "get_object", read_then_lose_the_race)
    response = getattr(client_for(world.admin), method)(
        f"/api/v1/webhooks/{hook['id']}/", {"is_active": False}, format="json"
    )

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert Event.objects.filter(stream_id=hook["id"], type="WebhookRemoved").count() == 1
    assert not Event.objects.filter(stream_id=hook["id"], type="WebhookChanged").exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_from_the_webhook_queue(celery_worker_process, receiver):
    """Deliveries are published to their own queue (not extraction's), and the worker the
    test session runs, like compose's, consumes it."""
    from config.celery import app as celery_app
    from dossiers.models import Role
    from tests.conftest import wait_for
    from tests.factories import TeamFactory, member

    celery_worker_process.ensure_running()
    active = celery_app.control.inspect(timeout=2).active_queues() or {}
    consumed = {queue["name"] for queues in active.values() for queue in queues}
    assert "claimdesk-webhooks" in consumed and "claimdesk" in consumed, consumed
    team = TeamFactory()
    admin = member(team, Role.ADMIN)
    created = register(client_for(admin), team, receiver.url, event_types=["SourceAdded"])
    assert created.status_code == 201
    add_source(team=team, name="Queued Wire", actor=admin)
    dispatch_webhooks()  # what beat runs; the delivery task goes to the broker on commit
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(
            webhook_id=created.json()["id"], status=WebhookDelivery.Status.SUCCEEDED
        ).first(),
        timeout=60,
    )
    assert delivery.attempts == 1
    assert len(receiver.received) == 1
