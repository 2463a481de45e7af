"""ETag on reads; If-Match on versioned writes: 428 without it, 412 when stale."""

from __future__ import annotations

import pytest

from claims.models import Verdict
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def test_a_versioned_read_carries_its_version_as_etag(world):
    response = client_for(world.viewer).get(f"/api/v1/verdicts/{world.verdict.id}/")
    assert response["ETag"] == f'"{world.verdict.version}"'
    assert response.json()["version"] == world.verdict.version


def test_if_none_match_answers_304_until_the_record_changes(world):
    client = client_for(world.analyst)
    path = f"/api/v1/verdicts/{world.verdict.id}/"
    etag = client.get(path)["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.patch(path, {"confidence": 80}, format="json", HTTP_IF_MATCH=etag)
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_lists_get_a_content_etag_too(world):
    client = client_for(world.viewer)
    first = client.get("/api/v1/dossiers/")
    assert first["ETag"]
    assert client.get("/api/v1/dossiers/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_write_without_if_match_is_428_and_changes_nothing(world):
    response = client_for(world.analyst).patch(
        f"/api/v1/verdicts/{world.verdict.id}/", {"rating": "false"}, format="json"
    )
    assert response.status_code == 428
    assert error_of(response)["code"] == "precondition_required"
    assert Verdict.objects.get(id=world.verdict.id).rating == world.verdict.rating


@pytest.mark.parametrize(
    ("if_match", "status", "code"),
    [
        ('"99"', 412, "precondition_failed"),
        ('"98", "99"', 412, "precondition_failed"),
        ("*", 428, "precondition_required"),
        ('W/"1"', 400, "invalid_if_match"),
        ("garbage", 400, "invalid_if_match"),
        ('"1', 400, "invalid_if_match"),
    ],
)
def test_a_stale_or_unusable_if_match_is_refused(world, if_match, status, code):
    response = client_for(world.analyst).patch(
        f"/api/v1/verdicts/{world.verdict.id}/",
        {"rating": "false"},
        format="json",
        HTTP_IF_MATCH=if_match,
    )
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert Verdict.objects.get(id=world.verdict.id).rating == world.verdict.rating


def test_if_match_may_list_several_versions(world):
    version = world.verdict.version
    response = client_for(world.analyst).patch(
        f"/api/v1/verdicts/{world.verdict.id}/",
        {"rating": "false"},
        format="json",
        HTTP_IF_MATCH=f'"{version + 5}", "{version}"',
    )
    assert response.status_code == 200


def test_a_current_if_match_writes_and_returns_the_new_etag(world):
    client = client_for(world.analyst)
    path = f"/api/v1/verdicts/{world.verdict.id}/"
    response = client.patch(
        path,
        {"rating": "false", "rationale": "Refuted by the ministry."},
        format="json",
        HTTP_IF_MATCH=f'"{world.verdict.version}"',
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"{world.verdict.version + 1}"'
    assert response.json()["rating"] == "false"
    assert response.json()["confidence"] == world.verdict.confidence  # PATCH keeps the rest


def test_two_writers_with_one_etag_one_wins_and_the_other_gets_412(world):
    first_client, second_client = client_for(world.analyst), client_for(world.admin)
    path = f"/api/v1/verdicts/{world.verdict.id}/"
    etag = first_client.get(path)["ETag"]
    won = first_client.patch(path, {"rating": "false"}, format="json", HTTP_IF_MATCH=etag)
    lost = second_client.patch(path, {"rating": "true"}, format="json", HTTP_IF_MATCH=etag)
    assert (won.status_code, lost.status_code) == (200, 412)
    problem = error_of(lost)
    assert problem["code"] == "precondition_failed"
    assert problem["details"]["current_etag"] == won["ETag"]
    assert Verdict.objects.get(id=world.verdict.id).rating == "false"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("submit", {}),
        ("request-changes", {"reason": "x"}),
        ("publish", {}),
        ("revise", {"reason": "x"}),
    ],
)
def test_workflow_actions_need_if_match(world, action, body):
    client = client_for(world.admin)
    path = f"/api/v1/verdicts/{world.verdict.id}/{action}/"
    assert client.post(path, body, format="json").status_code == 428
    stale = client.post(path, body, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412


def test_a_stale_article_retry_is_412(world):
    article = world.articles[0]
    response = client_for(world.analyst).post(
        f"/api/v1/articles/{article.id}/retry/", HTTP_IF_MATCH=f'"{article.version - 1}"'
    )
    assert response.status_code == 412
