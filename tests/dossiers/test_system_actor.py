"""The system acts only when named: a command called without an actor fails instead of
passing every permission check, and the system may not take a person's part in a review."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from claims.commands import add_comment, approve_verdict, draft_verdict, submit_verdict
from dossiers import commands
from dossiers.models import Dossier, Role, Team
from eventlog.context import SYSTEM, MissingActor
from eventlog.models import Event
from tests.claims.workbench import busiest_cluster, small_dossier
from tests.factories import DossierFactory, TeamFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_a_command_without_a_real_actor_is_refused_and_appends_nothing(actor):
    team = TeamFactory()
    before = Event.objects.count()
    with pytest.raises(MissingActor):
        commands.create_dossier(team=team, title="Nobody's", actor=actor)
    with pytest.raises(MissingActor):
        commands.add_member(team=team, user=UserFactory(), role=Role.ADMIN, actor=actor)
    assert Event.objects.count() == before
    assert not Dossier.objects.filter(title="Nobody's").exists()


def test_the_system_named_as_actor_is_logged_as_the_system():
    dossier = commands.create_dossier(team=TeamFactory(), title="By the service", actor=SYSTEM)
    event = Event.objects.filter(stream_id=dossier.id).get()
    assert event.metadata["actor"] == "system"
    assert event.metadata["actor_id"] is None
    assert dossier.created_by_id is None


def test_only_superusers_and_the_system_create_teams():
    team_admin = member(TeamFactory(), Role.ADMIN)
    with pytest.raises(PermissionDenied, match="superuser"):
        commands.create_team(name="Shadow desk", actor=team_admin)
    assert not Team.objects.filter(name="Shadow desk").exists()
    root = UserFactory(is_superuser=True, is_staff=True)
    made = commands.create_team(name="Night desk", actor=root)
    event = Event.objects.filter(stream_id=made.id).get()
    assert event.metadata["actor_id"] == root.pk


def test_the_system_cannot_draft_or_review_a_verdict():
    dossier, analyst, reviewer = small_dossier()
    cluster = busiest_cluster(dossier)
    with pytest.raises(PermissionDenied, match="only a person"):
        draft_verdict(cluster=cluster, actor=SYSTEM, rating="true")
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="true")
    verdict = submit_verdict(verdict=verdict, actor=analyst, expected_version=verdict.version)
    with pytest.raises(PermissionDenied, match="only a person"):
        approve_verdict(verdict=verdict, actor=SYSTEM, expected_version=verdict.version)
    verdict.refresh_from_db()
    assert verdict.status == verdict.Status.IN_REVIEW


def test_a_viewer_is_still_refused_where_the_system_is_let_through():
    dossier = DossierFactory()
    viewer = member(dossier.team, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        commands.request_reanalysis(dossier=dossier, actor=viewer)
    assert commands.request_reanalysis(dossier=dossier, actor=SYSTEM) is not None


def test_the_system_cannot_comment():
    dossier, analyst, _ = small_dossier()
    cluster = busiest_cluster(dossier)
    with pytest.raises(PermissionDenied, match="only a person"):
        add_comment(target=cluster, actor=SYSTEM, body="Machine says hello.")
    with pytest.raises(MissingActor):
        add_comment(target=cluster, actor=None, body="Nobody says hello.")
    assert not cluster.comments.exists()
