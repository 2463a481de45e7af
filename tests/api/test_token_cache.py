"""The token cache of api.authentication: revocation and deactivation take effect at once in
this process, and within API_TOKEN_CACHE_SECONDS when they happen elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from api import authentication
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def status(client) -> int:
    return client.get("/api/v1/teams/").status_code


def test_a_token_is_looked_up_once_per_ttl(world):
    client = client_for(world.analyst)
    assert status(client) == 200
    with CaptureQueriesContext(connection) as captured:
        assert status(client) == 200
    assert not any("authtoken_token" in query["sql"] for query in captured)


def test_a_deleted_token_stops_working_at_once(world):
    client = client_for(world.analyst)
    assert status(client) == 200
    Token.objects.get(user=world.analyst).delete()
    assert status(client) == 401


def test_a_deactivated_user_is_refused_at_once(world):
    client = client_for(world.analyst)
    assert status(client) == 200
    world.analyst.is_active = False
    world.analyst.save()
    assert status(client) == 401


def test_a_token_revoked_by_another_process_stops_working_after_the_ttl(world, monkeypatch):
    client = client_for(world.analyst)
    assert status(client) == 200
    with connection.cursor() as cursor:  # another process: no signal reaches this one
        cursor.execute("DELETE FROM authtoken_token WHERE user_id = %s", [world.analyst.pk])
    assert status(client) == 200, "within the documented bound the cached entry still serves"
    later = authentication.monotonic() + authentication.settings.API_TOKEN_CACHE_SECONDS + 1
    monkeypatch.setattr(authentication, "monotonic", lambda: later)
    assert status(client) == 401


def test_membership_changes_apply_at_once_while_the_token_is_cached(world):
    client = client_for(world.analyst)
    assert client.get(f"/api/v1/dossiers/{world.dossier.id}/").status_code == 200
    world.analyst.memberships.all().delete()
    assert client.get(f"/api/v1/dossiers/{world.dossier.id}/").status_code == 404


def test_a_ttl_of_zero_looks_the_token_up_every_time(world, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    client = client_for(world.analyst)
    assert status(client) == 200
    with CaptureQueriesContext(connection) as captured:
        assert status(client) == 200
    assert any("authtoken_token" in query["sql"] for query in captured)


def test_each_request_gets_its_own_user_object(world):
    client = client_for(world.analyst)
    key = Token.objects.get(user=world.analyst).key
    auth = authentication.CachedTokenAuthentication()
    first, _ = auth.authenticate_credentials(key)
    second, _ = auth.authenticate_credentials(key)
    assert first is not second and first.pk == second.pk == world.analyst.pk
    assert status(client) == 200
