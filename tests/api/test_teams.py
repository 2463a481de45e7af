"""Teams and members through the API: team admins manage members; a team keeps an admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dossiers.models import Membership, Role, Team
from dossiers.permissions import has_role
from eventlog.models import Event
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def members_url(team, user=None) -> str:
    url = f"/api/v1/teams/{team.id}/members/"
    return f"{url}{user.pk}/" if user is not None else url


def roles(team) -> dict[str, str]:
    return {m.user.username: m.role for m in Membership.objects.filter(team=team)}


def test_every_member_sees_the_members_and_no_one_else_does(world, other_world):
    listed = client_for(world.viewer).get(members_url(world.team))
    assert listed.status_code == 200
    assert {(m["username"], m["role"]) for m in listed.json()["results"]} == set(
        roles(world.team).items()
    )
    outsider = client_for(other_world.admin).get(members_url(world.team))
    assert outsider.status_code == 404 and error_of(outsider)["code"] == "not_found"
    malformed = client_for(world.viewer).get(f"/api/v1/teams/{'0' * 36}/members/")
    assert malformed.status_code == 404 and error_of(malformed)["code"] == "not_found"


def test_an_admin_adds_a_member_by_user_name(world):
    newcomer = get_user_model().objects.create_user("newcomer")
    client = client_for(world.admin)
    added = client.post(
        members_url(world.team), {"username": "newcomer", "role": "reviewer"}, format="json"
    )
    assert added.status_code == 201, added.content
    assert added.json() == {"user": newcomer.pk, "username": "newcomer", "role": "reviewer"}
    assert has_role(newcomer, world.team, Role.REVIEWER)
    again = client.post(members_url(world.team), {"username": "newcomer"}, format="json")
    assert again.status_code == 409 and error_of(again)["code"] == "already_member"
    unknown = client.post(members_url(world.team), {"username": "nobody"}, format="json")
    assert unknown.status_code == 400 and "nobody" in str(error_of(unknown)["details"])


def test_only_admins_change_members(world):
    get_user_model().objects.create_user("hopeful")
    before = roles(world.team)
    client = client_for(world.analyst)
    assert (
        client.post(members_url(world.team), {"username": "hopeful"}, format="json").status_code
        == 403
    )
    assert (
        client.patch(
            members_url(world.team, world.viewer), {"role": "admin"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(members_url(world.team, world.viewer)).status_code == 403
    assert roles(world.team) == before


def test_role_changes_and_removals_are_logged_and_take_effect(world):
    client = client_for(world.admin)
    changed = client.patch(
        members_url(world.team, world.analyst), {"role": "reviewer"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["role"] == "reviewer"
    assert has_role(world.analyst, world.team, Role.REVIEWER)

    dossier_url = f"/api/v1/dossiers/{world.dossier.id}/"
    assert client_for(world.viewer).get(dossier_url).status_code == 200
    assert client.delete(members_url(world.team, world.viewer)).status_code == 204
    assert client_for(world.viewer).get(dossier_url).status_code == 404
    assert client.delete(members_url(world.team, world.viewer)).status_code == 404
    removed = Event.objects.get(type="MemberRemoved", stream_id=world.team.id)
    assert removed.data == {"user_id": world.viewer.pk}
    assert removed.metadata["actor_id"] == world.admin.pk

    before = roles(world.team)
    call_command("replay_events", verbosity=0)
    assert roles(world.team) == before


def test_the_last_admin_can_be_neither_demoted_nor_removed(world):
    client = client_for(world.admin)
    demoted = client.patch(members_url(world.team, world.admin), {"role": "analyst"}, format="json")
    assert demoted.status_code == 409 and error_of(demoted)["code"] == "last_admin"
    removed = client.delete(members_url(world.team, world.admin))
    assert removed.status_code == 409 and error_of(removed)["code"] == "last_admin"
    assert has_role(world.admin, world.team, Role.ADMIN)

    client.patch(members_url(world.team, world.reviewer), {"role": "admin"}, format="json")
    assert client.delete(members_url(world.team, world.admin)).status_code == 204
    assert not Membership.objects.filter(team=world.team, user=world.admin).exists()


def test_superusers_create_teams_and_become_their_admin(world):
    staff = get_user_model().objects.create_superuser("ops")
    created = client_for(staff).post("/api/v1/teams/", {"name": "Desk B"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["role"] == "admin" and created.json()["name"] == "Desk B"
    assert has_role(staff, Team.objects.get(id=created.json()["id"]), Role.ADMIN)
    refused = client_for(world.admin).post("/api/v1/teams/", {"name": "Desk C"}, format="json")
    assert refused.status_code == 403
    assert not Team.objects.filter(name="Desk C").exists()


def test_a_token_needs_the_admin_scope_to_change_members(world):
    issued = client_for(world.admin).post(
        "/api/v1/tokens/", {"name": "sync", "scopes": ["read", "write"]}, format="json"
    )
    from rest_framework.test import APIClient

    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    assert token.get(members_url(world.team)).status_code == 200
    refused = token.delete(members_url(world.team, world.viewer))
    assert refused.status_code == 403 and error_of(refused)["code"] == "insufficient_scope"
    assert Membership.objects.filter(team=world.team, user=world.viewer).exists()
