"""Editing and archiving dossiers, and correcting sources, through commands with If-Match."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from dossiers.models import Dossier, Source
from eventlog.models import Event
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def patch(client, url, body, version):
    return client.patch(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')


def test_an_analyst_edits_a_dossier_with_if_match(world):
    client = client_for(world.analyst)
    url = f"/api/v1/dossiers/{world.dossier.id}/"
    before = Dossier.objects.get(id=world.dossier.id)
    moment = timezone.now()
    body = {"title": "  Who shelled the port?  ", "tags": ["port", "port", " shelling "]}
    assert client.patch(url, body, format="json").status_code == 428
    assert patch(client, url, body, before.version + 1).status_code == 412
    edited = patch(client, url, {**body, "reason": "narrower story"}, before.version)
    assert edited.status_code == 200, edited.content
    assert edited.json()["title"] == "Who shelled the port?"
    assert edited.json()["tags"] == ["port", "shelling"]
    assert edited["ETag"] == f'"{before.version + 1}"'
    event = Event.objects.get(type="DossierUpdated", stream_id=world.dossier.id)
    assert event.data["previous"]["title"] == before.title
    assert event.metadata["reason"] == "narrower story"
    as_of = client.get(url, {"as_of": moment.isoformat()}).json()
    assert as_of["title"] == before.title

    same = patch(client, url, {"title": "Who shelled the port?"}, before.version + 1)
    assert same.status_code == 200 and same["ETag"] == f'"{before.version + 1}"'
    assert Event.objects.filter(type="DossierUpdated").count() == 1


@pytest.mark.parametrize(
    "body", [{"title": "   "}, {"status": "deleted"}, {"version": 9}, {"team": "x"}]
)
def test_bad_dossier_edits_are_400_and_change_nothing(world, body):
    client = client_for(world.admin)
    dossier = Dossier.objects.get(id=world.dossier.id)
    response = patch(client, f"/api/v1/dossiers/{dossier.id}/", body, dossier.version)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert Dossier.objects.get(id=dossier.id).version == dossier.version


def test_archiving_is_for_admins_and_an_archived_dossier_takes_no_uploads(world):
    url = f"/api/v1/dossiers/{world.dossier.id}/"
    version = Dossier.objects.get(id=world.dossier.id).version
    refused = patch(client_for(world.analyst), url, {"status": "archived"}, version)
    assert refused.status_code == 403
    archived = patch(client_for(world.admin), url, {"status": "archived"}, version)
    assert archived.status_code == 200 and archived.json()["status"] == "archived"

    upload = {"dossier": str(world.dossier.id), "text": "Officials said the port reopened."}
    client = client_for(world.analyst)
    blocked = client.post("/api/v1/articles/", upload, format="json")
    assert blocked.status_code == 409 and error_of(blocked)["code"] == "dossier_archived"
    assert not world.dossier.articles.filter(body__contains="port reopened").exists()

    patch(client_for(world.admin), url, {"status": "open"}, version + 1)
    assert client.post("/api/v1/articles/", upload, format="json").status_code == 202


def test_a_source_is_renamed_and_regraded_but_never_onto_another_name(world):
    client = client_for(world.analyst)
    url = f"/api/v1/sources/{world.source.id}/"
    other = client.post(
        "/api/v1/sources/", {"team": str(world.team.id), "name": "Port Authority"}, format="json"
    ).json()
    version = Source.objects.get(id=world.source.id).version
    clash = patch(client, url, {"name": "port authority"}, version)
    assert (
        clash.status_code == 400
        and "Port Authority" not in Source.objects.get(id=world.source.id).name
    )
    changed = patch(client, url, {"name": "Harbour Wire", "reliability": "B"}, version)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["reliability"]) == ("Harbour Wire", "B")
    assert other["name"] == "Port Authority"
    viewer = patch(client_for(world.viewer), url, {"reliability": "A"}, version + 1)
    assert viewer.status_code == 403
    assert Source.objects.get(id=world.source.id).reliability == "B"


def test_other_teams_cannot_edit(world, other_world):
    client = client_for(other_world.admin)
    dossier = patch(client, f"/api/v1/dossiers/{world.dossier.id}/", {"title": "Mine"}, 0)
    source = patch(client, f"/api/v1/sources/{world.source.id}/", {"name": "Mine"}, 0)
    assert dossier.status_code == 404 and source.status_code == 404


def test_edits_replay_exactly(world):
    admin = client_for(world.admin)
    dossier = Dossier.objects.get(id=world.dossier.id)
    patch(
        admin,
        f"/api/v1/dossiers/{dossier.id}/",
        {"status": "closed", "question": "Q?"},
        dossier.version,
    )
    source = Source.objects.get(id=world.source.id)
    patch(admin, f"/api/v1/sources/{source.id}/", {"kind": "agency"}, source.version)
    before = (
        list(Dossier.objects.values_list("id", "title", "question", "status", "version")),
        list(Source.objects.values_list("id", "name", "kind", "version")),
    )
    call_command("replay_events", verbosity=0)
    after = (
        list(Dossier.objects.values_list("id", "title", "question", "status", "version")),
        list(Source.objects.values_list("id", "name", "kind", "version")),
    )
    assert sorted(map(str, after[0])) == sorted(map(str, before[0]))
    assert sorted(map(str, after[1])) == sorted(map(str, before[1]))
    assert Dossier.objects.get(id=dossier.id).status == "closed"


def test_an_analyst_corrects_article_metadata_and_re_extraction_keeps_it(world):
    from dossiers.commands import request_extraction
    from dossiers.models import Article
    from workers.pipeline import run_extraction

    article = Article.objects.get(id=world.articles[0].id)
    url = f"/api/v1/articles/{article.id}/"
    body = {"title": "Ministry: 13 soldiers killed", "published": "2016-06-03", "reason": "print"}
    corrected = patch(client_for(world.analyst), url, body, article.version)
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["title"] == "Ministry: 13 soldiers killed"
    article.refresh_from_db()
    assert (article.published_at.date().isoformat(), article.published_precision) == (
        "2016-06-03",
        "day",
    )
    event = Event.objects.get(type="ArticleMetadataCorrected", stream_id=article.id)
    assert event.data["previous"]["title"] == world.articles[0].title

    request_extraction(article=article, actor=world.analyst)
    run_extraction(article.id)
    article.refresh_from_db()
    assert article.status == "done" and article.title == "Ministry: 13 soldiers killed"
    assert article.published_at.date().isoformat() == "2016-06-03"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"published": "June"}, "published"),
        ({"url": "ftp://x"}, "url"),
        ({"title": "x" * 501}, "title"),
    ],
)
def test_bad_article_metadata_is_400_naming_the_field(world, body, field):
    from dossiers.models import Article

    article = Article.objects.get(id=world.articles[0].id)
    response = patch(
        client_for(world.analyst), f"/api/v1/articles/{article.id}/", body, article.version
    )
    assert response.status_code == 400, response.content
    assert field in error_of(response)["details"]["fields"]
    assert Article.objects.get(id=article.id).version == article.version
