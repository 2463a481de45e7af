"""Scoped API tokens: issued once, stored hashed, narrowed by scope, expired, rotated, revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.tokens import digest
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def issue(client, **fields) -> dict:
    response = client.post("/api/v1/tokens/", {"name": "CMS sync", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def new_dossier(client, world):
    return client.post(
        "/api/v1/dossiers/",
        {"team": str(world.team.id), "title": "Scoped", "question": "Did it happen?"},
        format="json",
    )


def test_a_token_is_shown_once_and_stored_only_as_a_digest(world):
    client = client_for(world.analyst)
    issued = issue(client, scopes=["read", "write"], expires_in_days=30)
    key = issued["token"]
    assert key.startswith(issued["prefix"] + "_") and issued["prefix"].startswith("cd_")
    assert issued["scopes"] == ["read", "write"]
    row = ApiToken.objects.get(id=issued["id"])
    assert row.key_digest == digest(key)
    assert key not in str(list(ApiToken.objects.values_list()))
    assert (row.expires_at - timezone.now()).days in (29, 30)
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["id"] for t in listed] == [issued["id"]]
    assert (
        "token" not in listed[0]
        and "token" not in client.get(f"/api/v1/tokens/{issued['id']}/").json()
    )


def test_a_read_token_reads_but_cannot_write(world):
    key = issue(client_for(world.analyst), scopes=["read"])["token"]
    assert bearer(key).get("/api/v1/dossiers/").status_code == 200
    refused = new_dossier(bearer(key), world)
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "insufficient_scope"
    assert "'write'" in error_of(refused)["message"]


def test_scopes_narrow_roles_and_never_widen_them(world):
    writer = issue(client_for(world.analyst), scopes=["read", "write"])["token"]
    assert new_dossier(bearer(writer), world).status_code == 201
    viewer_token = issue(client_for(world.viewer), scopes=["read", "write"])["token"]
    refused = new_dossier(bearer(viewer_token), world)
    assert refused.status_code == 403 and error_of(refused)["code"] != "insufficient_scope"


def test_review_and_admin_actions_need_their_scopes(world):
    writer = issue(client_for(world.reviewer), scopes=["read", "write"])["token"]
    approve = f"/api/v1/verdicts/{world.verdict.id}/approve/"
    refused = bearer(writer).post(approve, {}, format="json")
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    reviewer = issue(client_for(world.reviewer), scopes=["read", "review"])["token"]
    passed = bearer(reviewer).post(approve, {}, format="json")
    assert passed.status_code not in (401, 403), passed.content  # the workflow decides now

    body = {"team": str(world.team.id), "url": "https://93.184.216.34/in"}
    no_admin = issue(client_for(world.admin), scopes=["read", "write"])["token"]
    refused = bearer(no_admin).post("/api/v1/webhooks/", body, format="json")
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    admin = issue(client_for(world.admin), scopes=["admin"])["token"]
    assert bearer(admin).post("/api/v1/webhooks/", body, format="json").status_code == 201


def test_a_token_can_only_issue_tokens_with_scopes_it_has(world):
    reader = issue(client_for(world.analyst), scopes=["read"])["token"]
    refused = bearer(reader).post("/api/v1/tokens/", {"name": "more"}, format="json")
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"

    manager = issue(client_for(world.analyst), scopes=["read", "admin"])["token"]
    wider = bearer(manager).post(
        "/api/v1/tokens/", {"name": "wider", "scopes": ["write"]}, format="json"
    )
    assert wider.status_code == 403 and "write" in error_of(wider)["message"]
    narrower = bearer(manager).post(
        "/api/v1/tokens/", {"name": "narrow", "scopes": ["read"]}, format="json"
    )
    assert narrower.status_code == 201
    assert ApiToken.objects.filter(user=world.analyst).count() == 3


def test_revoking_stops_the_token_at_once_and_keeps_it_listed(world):
    client = client_for(world.analyst)
    issued = issue(client)
    token = bearer(issued["token"])
    assert token.get("/api/v1/teams/").status_code == 200  # now cached
    assert client.delete(f"/api/v1/tokens/{issued['id']}/").status_code == 204
    refused = token.get("/api/v1/teams/")
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "authentication_failed"
    listed = client.get(f"/api/v1/tokens/{issued['id']}/").json()
    assert listed["revoked_at"] is not None


def test_rotation_replaces_the_secret_and_keeps_name_scopes_and_expiry(world):
    client = client_for(world.analyst)
    issued = issue(client, scopes=["read", "write"])
    old = bearer(issued["token"])
    assert old.get("/api/v1/teams/").status_code == 200
    rotated = client.post(f"/api/v1/tokens/{issued['id']}/rotate/")
    assert rotated.status_code == 200
    body = rotated.json()
    assert body["token"] != issued["token"] and body["id"] == issued["id"]
    assert (body["name"], body["scopes"], body["expires_at"]) == (
        issued["name"],
        issued["scopes"],
        issued["expires_at"],
    )
    assert old.get("/api/v1/teams/").status_code == 401
    assert bearer(body["token"]).get("/api/v1/teams/").status_code == 200
    client.delete(f"/api/v1/tokens/{issued['id']}/")
    again = client.post(f"/api/v1/tokens/{issued['id']}/rotate/")
    assert again.status_code == 400 and "revoked or expired" in error_of(again)["message"]


def test_an_expired_token_is_refused_and_use_is_recorded(world):
    issued = issue(client_for(world.analyst))
    token = ApiToken.objects.get(id=issued["id"])
    assert token.last_used_at is None
    assert bearer(issued["token"]).get("/api/v1/teams/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert bearer(issued["token"]).get("/api/v1/teams/").status_code == 401


def test_tokens_of_other_users_are_invisible(world):
    theirs = issue(client_for(world.reviewer))
    mine = client_for(world.analyst)
    assert mine.get("/api/v1/tokens/").json()["results"] == []
    assert mine.get(f"/api/v1/tokens/{theirs['id']}/").status_code == 404
    assert mine.delete(f"/api/v1/tokens/{theirs['id']}/").status_code == 404
    assert ApiToken.objects.get(id=theirs["id"]).revoked_at is None


@pytest.mark.parametrize(
    "fields",
    [
        {"scopes": ["root"]},
        {"scopes": []},
        {"expires_in_days": 0},
        {"expires_in_days": 731},
        {"name": ""},
        {"token": "cd_chosen_by_me"},
    ],
)
def test_bad_token_requests_are_400(world, fields):
    client = client_for(world.analyst)
    response = client.post("/api/v1/tokens/", {"name": "x", **fields}, format="json")
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "invalid"
    assert not ApiToken.objects.exists()
