"""Teams and memberships in the admin, through create_team and add_member."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dossiers.commands import add_member
from dossiers.models import Membership, Role, Team
from eventlog.context import SYSTEM
from eventlog.models import Event

pytestmark = pytest.mark.django_db

ADD_MEMBER = reverse("admin:dossiers_membership_add")


def make_admin(desk) -> None:
    add_member(team=desk.dossier.team, user=desk.reviewer, role=Role.ADMIN, actor=SYSTEM)


@pytest.fixture
def newcomer(db):
    return get_user_model().objects.create_user(username="newcomer", password="x", is_staff=True)


def test_a_superuser_creates_a_team_through_the_command(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:dossiers_team_add"), {"name": "Desk B"})
    assert response.status_code == 302
    team = Team.objects.get(name="Desk B")
    event = Event.objects.get(stream_id=team.pk)
    assert (event.type, event.metadata["actor"]) == ("TeamCreated", admin_user.username)


def test_only_a_superuser_may_create_a_team(client, desk):
    make_admin(desk)
    client.force_login(desk.reviewer)
    assert client.get(reverse("admin:dossiers_team_add")).status_code == 403


def test_a_team_admin_adds_a_member_and_changes_a_role(client, desk, newcomer):
    team = desk.dossier.team
    make_admin(desk)
    client.force_login(desk.reviewer)
    response = client.post(ADD_MEMBER, {"team": team.pk, "username": "newcomer", "role": "viewer"})
    assert response.status_code == 302
    membership = Membership.objects.get(team=team, user=newcomer)
    assert membership.role == Role.VIEWER
    added = Event.objects.filter(stream_id=team.pk, type="MemberAdded").last()
    assert added.metadata["actor"] == desk.reviewer.username
    change = reverse("admin:dossiers_membership_change", args=[membership.pk])
    response = client.post(change, {"role": "analyst"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ANALYST
    assert Event.objects.filter(stream_id=team.pk, type="MemberRoleChanged").exists()


def test_an_analyst_cannot_add_members(client, desk, newcomer):
    client.force_login(desk.analyst)
    assert client.get(ADD_MEMBER).status_code == 403
    response = client.post(
        ADD_MEMBER, {"team": desk.dossier.team.pk, "username": "newcomer", "role": "admin"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_team_admin_cannot_add_to_another_team(client, desk, other_desk, newcomer):
    make_admin(desk)
    client.force_login(desk.reviewer)
    response = client.post(
        ADD_MEMBER, {"team": other_desk.dossier.team.pk, "username": "newcomer", "role": "viewer"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_unknown_user_name_is_a_form_error(client, desk):
    make_admin(desk)
    client.force_login(desk.reviewer)
    response = client.post(
        ADD_MEMBER, {"team": desk.dossier.team.pk, "username": "nobody", "role": "viewer"}
    )
    assert response.status_code == 200 and "No active user is named" in response.content.decode()


def test_a_team_admin_removes_members_but_never_the_last_admin(client, desk, newcomer):
    team = desk.dossier.team
    make_admin(desk)
    add_member(team=team, user=newcomer, role=Role.VIEWER, actor=SYSTEM)
    client.force_login(desk.reviewer)
    changelist = reverse("admin:dossiers_membership_changelist")
    leaving = Membership.objects.get(team=team, user=newcomer)
    last_admin = Membership.objects.get(team=team, user=desk.reviewer)
    response = client.post(
        changelist,
        {"action": "remove_from_team", "_selected_action": [leaving.pk, last_admin.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert "1 member(s) removed." in shown
    assert any("last admin" in m for m in shown)
    assert not Membership.objects.filter(team=team, user=newcomer).exists()
    assert Membership.objects.filter(team=team, user=desk.reviewer, role=Role.ADMIN).exists()
    removed = Event.objects.get(stream_id=team.pk, type="MemberRemoved")
    assert removed.metadata["actor"] == desk.reviewer.username


def test_an_analyst_cannot_remove_members(client, desk, newcomer):
    team = desk.dossier.team
    add_member(team=team, user=newcomer, role=Role.VIEWER, actor=SYSTEM)
    client.force_login(desk.analyst)
    changelist = reverse("admin:dossiers_membership_changelist")
    leaving = Membership.objects.get(team=team, user=newcomer)
    client.post(changelist, {"action": "remove_from_team", "_selected_action": [leaving.pk]})
    assert Membership.objects.filter(team=team, user=newcomer).exists()
