"""Every endpoint refuses another team's records (404) and a viewer's writes (403)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dossiers.models import Article
from eventlog.models import Event
from tests.api.conftest import TeamWorld, client_for, error_of

pytestmark = pytest.mark.django_db

# (method, path template): {d} dossier, {s} source, {a} article, {c} claim, {k} cluster,
# {v} verdict, {w} webhook, {t} team.
READS = [
    ("get", "/api/v1/teams/{t}/"),
    ("get", "/api/v1/dossiers/{d}/"),
    ("get", "/api/v1/dossiers/{d}/progress/"),
    ("get", "/api/v1/dossiers/{d}/export/"),
    ("get", "/api/v1/dossiers/{d}/snapshot/?as_of={now}"),
    ("get", "/api/v1/sources/{s}/"),
    ("get", "/api/v1/articles/{a}/"),
    ("get", "/api/v1/articles/{a}/status/"),
    ("get", "/api/v1/claims/{c}/"),
    ("get", "/api/v1/clusters/{k}/"),
    ("get", "/api/v1/clusters/{k}/?as_of={now}"),
    ("get", "/api/v1/verdicts/{v}/"),
    ("get", "/api/v1/verdicts/{v}/?as_of={now}"),
    ("get", "/api/v1/verdicts/{v}/history/"),
    ("get", "/api/v1/verdicts/{v}/claimreview/"),
    ("get", "/api/v1/webhooks/{w}/"),
    ("get", "/api/v1/webhooks/{w}/deliveries/"),
]
WRITES = [
    ("post", "/api/v1/dossiers/{d}/reanalyze/", {}),
    ("post", "/api/v1/articles/{a}/retry/", {}),
    ("patch", "/api/v1/articles/{a}/", {"archived": True}),
    ("patch", "/api/v1/sources/{s}/", {"archived": True}),
    ("patch", "/api/v1/verdicts/{v}/", {"rating": "false"}),
    ("post", "/api/v1/verdicts/{v}/submit/", {}),
    ("post", "/api/v1/verdicts/{v}/approve/", {}),
    ("post", "/api/v1/verdicts/{v}/request-changes/", {"reason": "sources?"}),
    ("post", "/api/v1/verdicts/{v}/publish/", {}),
    ("post", "/api/v1/verdicts/{v}/revise/", {"reason": "new evidence"}),
    ("patch", "/api/v1/webhooks/{w}/", {"is_active": False}),
    ("delete", "/api/v1/webhooks/{w}/", None),
]


def ids(world: TeamWorld) -> dict:
    return {
        "t": world.team.id,
        "d": world.dossier.id,
        "s": world.source.id,
        "a": world.articles[0].id,
        "c": world.articles[0].claims.first().id,
        "k": world.cluster.id,
        "v": world.verdict.id,
        "w": world.webhook.id,
        "now": timezone.now().isoformat().replace("+00:00", "Z"),
    }


def creates(world: TeamWorld) -> list[tuple[str, dict]]:
    """Creates naming `world`'s records in their body."""
    return [
        ("/api/v1/dossiers/", {"team": str(world.team.id), "title": "Mine now"}),
        ("/api/v1/sources/", {"team": str(world.team.id), "name": "Some Outlet"}),
        (
            "/api/v1/articles/",
            {"dossier": str(world.dossier.id), "text": "Officials said it rained a lot."},
        ),
        ("/api/v1/verdicts/", {"cluster": str(world.cluster.id), "rating": "false"}),
        ("/api/v1/webhooks/", {"team": str(world.team.id), "url": "https://example.org/x"}),
    ]


def call(client, method: str, path: str, body=None, version: int | None = None):
    headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
    return getattr(client, method)(path, body, format="json", **headers)


@pytest.mark.parametrize(("method", "path"), READS)
def test_reading_another_teams_record_is_404(world, other_world, method, path):
    response = call(client_for(world.admin), method, path.format(**ids(other_world)))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writing_another_teams_record_is_404_and_changes_nothing(
    world, other_world, method, path, body
):
    events = Event.objects.count()
    response = call(client_for(world.admin), method, path.format(**ids(other_world)), body, 1)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert Event.objects.count() == events


def test_creating_under_another_teams_record_is_refused(world, other_world):
    client = client_for(world.admin)
    events = Event.objects.count()
    for path, body in creates(other_world):
        response = client.post(path, body, format="json")
        assert response.status_code == 400, path
        problem = error_of(response)
        assert problem["code"] == "invalid"
        assert "that you can see" in str(problem["details"]["fields"]), path
    assert Event.objects.count() == events


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_viewers_write_is_403(world, method, path, body):
    own = ids(world)
    version = {"a": world.articles[0].version, "v": world.verdict.version}
    expected = 404 if "/webhooks/" in path else 403  # webhooks are visible to admins only
    response = call(
        client_for(world.viewer),
        method,
        path.format(**own),
        body,
        version["a"] if "/articles/" in path else version["v"],
    )
    assert response.status_code == expected
    assert error_of(response)["code"] == ("not_found" if expected == 404 else "permission_denied")


def test_a_viewers_creates_are_403_and_change_nothing(world):
    client = client_for(world.viewer)
    events, articles = Event.objects.count(), Article.objects.count()
    for path, body in creates(world):
        response = client.post(path, body, format="json")
        assert response.status_code == 403, path
        assert error_of(response)["code"] == "permission_denied"
    assert (Event.objects.count(), Article.objects.count()) == (events, articles)


def test_an_analyst_cannot_manage_webhooks_or_approve(world):
    client = client_for(world.analyst)
    webhook = client.post(
        "/api/v1/webhooks/", {"team": str(world.team.id), "url": "https://e.org/"}, format="json"
    )
    assert webhook.status_code == 403
    approve = client.post(
        f"/api/v1/verdicts/{world.verdict.id}/approve/",
        {},
        format="json",
        HTTP_IF_MATCH=f'"{world.verdict.version}"',
    )
    assert approve.status_code == 403


LISTS = [
    ("/api/v1/teams/", "t"),
    ("/api/v1/dossiers/", "d"),
    ("/api/v1/sources/", "s"),
    ("/api/v1/articles/", "a"),
    ("/api/v1/claims/?page_size=200", "c"),
    ("/api/v1/clusters/?page_size=200", "k"),
    ("/api/v1/verdicts/", "v"),
]


@pytest.mark.parametrize(("path", "key"), LISTS)
def test_lists_show_only_your_teams_records(world, other_world, path, key):
    response = client_for(world.viewer).get(path)
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert str(ids(world)[key]) in listed
    assert str(ids(other_world)[key]) not in listed


def test_the_event_feed_shows_only_your_teams_events(world, other_world):
    response = client_for(world.viewer).get("/api/v1/events/?page_size=200")
    events = response.json()["results"]
    assert events and {event["team"] for event in events} == {str(world.team.id)}
    theirs = client_for(world.viewer).get(f"/api/v1/events/?team={other_world.team.id}")
    assert theirs.json()["results"] == []


def test_webhooks_are_listed_to_admins_only(world):
    assert client_for(world.viewer).get("/api/v1/webhooks/").json()["results"] == []
    listed = client_for(world.admin).get("/api/v1/webhooks/").json()["results"]
    assert [hook["id"] for hook in listed] == [str(world.webhook.id)]
    assert "secret" not in listed[0]


def test_an_anonymous_request_is_401(world):
    from rest_framework.test import APIClient

    response = APIClient().get(f"/api/v1/dossiers/{world.dossier.id}/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")
