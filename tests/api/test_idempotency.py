"""`Idempotency-Key` on every POST (issue 16): a retry with the same key and request gets the
first answer and changes nothing; the same key with another request is refused."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import encode_multipart

from api.models import IdempotencyKey
from dossiers.models import Dossier, Role, Source
from eventlog.models import Event
from tests.api.conftest import client_for, error_of
from tests.factories import TeamFactory, article_text, member

pytestmark = pytest.mark.django_db

KEY = {"HTTP_IDEMPOTENCY_KEY": "5b1e0c7a-retry-me"}


def _events() -> int:
    return Event.objects.count()


def test_a_retried_dossier_create_is_answered_from_the_first_and_creates_one(world):
    client = client_for(world.analyst)
    body = {"team": str(world.team.id), "title": "Who shelled the market?"}
    first = client.post("/api/v1/dossiers/", body, format="json", **KEY)
    assert first.status_code == 201
    events = _events()
    again = client.post("/api/v1/dossiers/", body, format="json", **KEY)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Dossier.objects.filter(title="Who shelled the market?").count() == 1
    assert _events() == events, "the replay recorded nothing"


def test_the_same_key_with_another_body_is_422_in_the_error_shape(world):
    client = client_for(world.analyst)
    body = {"team": str(world.team.id), "name": "Daily Planet"}
    assert client.post("/api/v1/sources/", body, format="json", **KEY).status_code == 201
    other = client.post("/api/v1/sources/", {**body, "name": "Daily Bugle"}, format="json", **KEY)
    assert other.status_code == 422
    problem = error_of(other)
    assert problem["code"] == "idempotency_key_reused"
    assert KEY["HTTP_IDEMPOTENCY_KEY"] in problem["message"]
    assert not Source.objects.filter(name="Daily Bugle").exists()


def test_the_same_key_on_another_endpoint_is_422(world):
    client = client_for(world.analyst)
    body = {"team": str(world.team.id), "title": "T", "name": "N"}
    dossier = client.post(
        "/api/v1/dossiers/", {"team": body["team"], "title": "T"}, format="json", **KEY
    )
    assert dossier.status_code == 201
    source = client.post(
        "/api/v1/sources/", {"team": body["team"], "name": "N"}, format="json", **KEY
    )
    assert source.status_code == 422
    assert error_of(source)["code"] == "idempotency_key_reused"


def test_a_refused_request_leaves_no_key_behind(world):
    client = client_for(world.analyst)
    bad = client.post(
        "/api/v1/dossiers/", {"team": str(world.team.id), "title": ""}, format="json", **KEY
    )
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    fixed = client.post(
        "/api/v1/dossiers/", {"team": str(world.team.id), "title": "Fixed"}, format="json", **KEY
    )
    assert fixed.status_code == 201


def test_a_retried_workflow_action_replays_its_answer_and_etag_not_a_412(world):
    client = client_for(world.analyst)
    path = f"/api/v1/verdicts/{world.verdict.id}/submit/"
    etag = f'"{world.verdict.version}"'
    first = client.post(path, {}, format="json", HTTP_IF_MATCH=etag, **KEY)
    assert first.status_code == 200, first.content
    events = _events()
    again = client.post(path, {}, format="json", HTTP_IF_MATCH=etag, **KEY)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert _events() == events
    without_key = client.post(path, {}, format="json", HTTP_IF_MATCH=etag)
    assert without_key.status_code == 412, "without the key a stale retry is refused"


def test_a_retried_webhook_registration_registers_one(world):
    client = client_for(world.admin)
    before = client.get("/api/v1/webhooks/").json()["count"]
    body = {
        "team": str(world.team.id),
        "url": "https://cms.example.org/hooks/one",
        "secret": "s" * 20,
    }
    first = client.post("/api/v1/webhooks/", body, format="json", **KEY)
    again = client.post("/api/v1/webhooks/", body, format="json", **KEY)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert client.get("/api/v1/webhooks/").json()["count"] == before + 1


def test_a_multipart_retry_with_another_boundary_is_the_same_request(world):
    client = client_for(world.analyst)

    def send(boundary: str):
        upload = SimpleUploadedFile("a.txt", article_text(71).encode(), "text/plain")
        body = encode_multipart(boundary, {"dossier": str(world.dossier.id), "file": upload})
        return client.post(
            "/api/v1/articles/",
            body,
            content_type=f"multipart/form-data; boundary={boundary}",
            **KEY,
        )

    first, again = send("BoundaryOne"), send("BoundaryTwo")
    assert first.status_code == 202
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]


def test_keys_belong_to_their_user(world):
    body = {"team": str(world.team.id), "title": "Mine"}
    mine = client_for(world.analyst).post("/api/v1/dossiers/", body, format="json", **KEY)
    theirs = client_for(world.reviewer).post("/api/v1/dossiers/", body, format="json", **KEY)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "Idempotent-Replayed" not in theirs


def test_a_bad_key_is_400(world):
    response = client_for(world.analyst).post(
        "/api/v1/dossiers/",
        {"team": str(world.team.id), "title": "T"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x" * 256,
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in error_of(response)["details"]["fields"]


def test_every_post_in_the_schema_takes_an_idempotency_key(world):
    schema = client_for(world.viewer).get("/api/schema/?format=json").json()
    posts = {
        path: operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "post"
    }
    assert len(posts) >= 10
    for path, operation in posts.items():
        names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        assert ("header", "Idempotency-Key") in names, path


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_once_and_answer_alike():
    """Eight clients race with one key: the first to store it does the work, the others wait
    on the key's unique index and replay its answer (or, while it runs, 409)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises the writers before the key is seen")
    team = TeamFactory()
    analyst = member(team, Role.ANALYST)
    client_for(analyst)  # its token, before the threads
    barrier = threading.Barrier(8)
    answers: list = []

    def create() -> None:
        try:
            barrier.wait()
            response = client_for(analyst).post(
                "/api/v1/dossiers/",
                {"team": str(team.id), "title": "Raced"},
                format="json",
                **KEY,
            )
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Dossier.objects.filter(title="Raced").count() == 1
    created = {body["id"] for status, body in answers if status == 201}
    assert len(created) == 1
    assert all(
        status == 201 or body["error"]["code"] == "idempotency_key_in_use"
        for status, body in answers
    ), answers
