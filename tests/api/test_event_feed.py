"""The event feed: cursor by global position, exactly once across pages."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from dossiers.commands import add_source
from dossiers.models import Role
from eventlog.models import Event
from tests.api.conftest import client_for, error_of
from tests.factories import TeamFactory, member


def walk_feed(client, *, after: int = 0, page_size: int, **params) -> tuple[list[int], int]:
    """Follow the feed until a page comes back empty; returns positions and the last cursor."""
    seen = []
    while True:
        page = client.get(
            "/api/v1/events/", {"after": after, "page_size": page_size, **params}
        ).json()
        seen += [event["position"] for event in page["results"]]
        after = page["last_position"]
        if not page["results"]:
            return seen, after


@pytest.mark.django_db(transaction=True)
def test_every_event_arrives_exactly_once_while_others_are_appended_concurrently():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the SQLite test database is in memory with a shared cache, where "
            "a reader fails at once ('table is locked') instead of waiting for a writer"
        )
    team = TeamFactory()
    reader, writer = member(team, Role.VIEWER), member(team, Role.ANALYST)
    client = client_for(reader)
    failures: list[BaseException] = []

    def append_sources(prefix: str, count: int) -> None:
        try:
            for n in range(count):
                with transaction.atomic():
                    add_source(team=team, name=f"{prefix}-{n}", actor=writer)
                    time.sleep(0.002)  # hold the position uncommitted for a moment
        except BaseException as exc:  # surfaced below, not lost in the thread
            failures.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=append_sources, args=(f"w{i}", 25)) for i in range(3)]
    for thread in writers:
        thread.start()
    seen, after = [], 0
    while any(thread.is_alive() for thread in writers):
        page = client.get("/api/v1/events/", {"after": after, "page_size": 4}).json()
        assert "results" in page, page
        time.sleep(0.012)  # poll within the 100/s user throttle, as a client must
        seen += [event["position"] for event in page["results"]]
        after = page["last_position"]
    for thread in writers:
        thread.join()
    assert not failures, failures
    rest, _ = walk_feed(client, after=after, page_size=4)
    seen += rest

    logged = list(
        Event.objects.filter(team_id=team.id)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert len(logged) >= 75
    assert seen == logged, "every event once, in order, none skipped"


@pytest.mark.django_db
def test_pages_chain_through_next_links_and_types_filter_keeps_the_cursor():
    team = TeamFactory()
    analyst = member(team, Role.ANALYST)
    for n in range(7):
        add_source(team=team, name=f"Outlet {n}", actor=analyst)
    client = client_for(analyst)

    page = client.get("/api/v1/events/", {"page_size": 3, "types": "SourceAdded"}).json()
    collected = [event["position"] for event in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        collected += [event["position"] for event in page["results"]]
    sources = list(
        Event.objects.filter(team_id=team.id, type="SourceAdded").values_list("position", flat=True)
    )
    assert collected == sources
    everything, _ = walk_feed(client, page_size=3)
    assert everything == list(
        Event.objects.filter(team_id=team.id).values_list("position", flat=True)
    )


@pytest.mark.django_db
def test_feed_events_leave_out_article_texts_and_carry_metadata(world):
    response = client_for(world.viewer).get(
        "/api/v1/events/", {"types": "ArticleUploaded,ClaimsExtracted", "page_size": 50}
    )
    events = response.json()["results"]
    assert {event["type"] for event in events} == {"ArticleUploaded", "ClaimsExtracted"}
    for event in events:
        assert "raw_upload" not in event["data"] and "body" not in event["data"]
        assert "request_id" in event["metadata"]


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "99999999999999999999999"])
def test_a_bad_cursor_is_400(world, after):
    response = client_for(world.viewer).get("/api/v1/events/", {"after": after})
    assert response.status_code == 400
    assert "after" in error_of(response)["details"]["fields"]


@pytest.mark.django_db
def test_webhook_urls_in_the_feed_are_cut_to_their_host_for_those_who_cannot_manage_webhooks(
    world,
):
    secret_url = "https://user:pa55@cms.example.org:8443/hooks/tok-9f8e7d?key=abc"
    hook = client_for(world.admin).post(
        "/api/v1/webhooks/", {"team": str(world.team.id), "url": secret_url}, format="json"
    )
    assert hook.status_code == 201
    client_for(world.admin).patch(
        f"/api/v1/webhooks/{hook.json()['id']}/", {"is_active": False}, format="json"
    )
    types = {"types": "WebhookRegistered,WebhookChanged", "page_size": 200}

    for role in ("viewer", "analyst", "reviewer"):
        response = client_for(getattr(world, role)).get("/api/v1/events/", types)
        assert response.status_code == 200
        events = [e for e in response.json()["results"] if e["stream_id"] == hook.json()["id"]]
        assert {e["type"] for e in events} == {"WebhookRegistered", "WebhookChanged"}
        assert {e["data"]["url"] for e in events} == {"https://cms.example.org:8443/…"}, role
        assert "pa55" not in response.content.decode() and "tok-9f8e7d" not in str(events)

    admin_view = client_for(world.admin).get("/api/v1/events/", types).json()["results"]
    assert secret_url in {e["data"]["url"] for e in admin_view}


def test_a_redacted_url_keeps_only_scheme_host_and_port():
    from api.serializers.events import redacted_url

    assert redacted_url("https://a:b@example.org/x/y?z=1") == "https://example.org/…"
    assert redacted_url("http://example.org") == "http://example.org/"
    assert redacted_url("http://[::1]:8000/in") == "http://[::1]:8000/…"
