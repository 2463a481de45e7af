"""Editing a dossier in the admin goes through update_dossier, guarded by the page's version."""

import pytest
from django.urls import reverse

from dossiers.commands import add_member
from dossiers.models import Dossier, Role
from eventlog.context import SYSTEM
from eventlog.models import Event

pytestmark = pytest.mark.django_db


def edit(client, dossier, **fields):
    body = {
        "title": dossier.title,
        "question": dossier.question,
        "tags": ", ".join(dossier.tags),
        "status": dossier.status,
        "reason": "",
        "version": dossier.version,
        **fields,
    }
    return client.post(reverse("admin:dossiers_dossier_change", args=[dossier.pk]), body)


def test_an_analyst_edits_the_title_and_tags(client, desk):
    client.force_login(desk.analyst)
    dossier = desk.dossier
    page = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200 and b'name="title"' in page.content
    response = edit(client, dossier, title="Port shelling", tags="port, shelling", reason="scope")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.title, dossier.tags) == ("Port shelling", ["port", "shelling"])
    event = Event.objects.get(type="DossierUpdated", stream_id=dossier.pk)
    assert event.metadata["actor"] == desk.analyst.username and event.metadata["reason"] == "scope"


def test_a_stale_page_and_a_status_change_by_an_analyst_are_refused(client, desk):
    client.force_login(desk.analyst)
    dossier = desk.dossier
    stale = edit(client, dossier, title="Late edit", version=dossier.version + 5)
    assert stale.status_code == 200 and b"errornote" in stale.content
    archive = edit(client, dossier, status="archived")
    assert archive.status_code == 200 and b"admin role" in archive.content
    assert Dossier.objects.get(pk=dossier.pk).status == "open"
    assert not Event.objects.filter(type="DossierUpdated").exists()


def test_a_team_admin_archives_and_a_viewer_only_reads(client, desk):
    dossier = desk.dossier
    add_member(team=dossier.team, user=desk.reviewer, role=Role.ADMIN, actor=SYSTEM)
    client.force_login(desk.reviewer)
    assert edit(client, dossier, status="archived").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "archived"

    client.force_login(desk.viewer())
    page = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200 and b'name="title"' not in page.content
    refused = edit(client, Dossier.objects.get(pk=dossier.pk), title="Viewer's title")
    assert refused.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).title != "Viewer's title"
