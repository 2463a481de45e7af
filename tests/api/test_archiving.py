"""Archiving sources and articles: PATCH with If-Match, events, what an archived record
leaves (lists, uploads, clustering, re-analysis), and unarchiving."""

from __future__ import annotations

import pytest

from claims.answer import question_answer
from claims.commands import submit_verdict
from claims.models import Claim, ClaimCluster, Verdict
from dossiers.models import Article, Source
from eventlog.models import Event
from tests.api.conftest import client_for, error_of, streamed
from tests.factories import article_text

pytestmark = pytest.mark.django_db


def patch(client, url, body, version):
    return client.patch(url, body, format="json", HTTP_IF_MATCH=f'"{version}"')


def listed(client, path, **params) -> set[str]:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def archive_article(client, article, archived=True, **body):
    version = Article.objects.get(id=article.id).version
    return patch(client, f"/api/v1/articles/{article.id}/", {"archived": archived, **body}, version)


def test_an_analyst_archives_an_article_with_if_match_and_lists_hide_it(world):
    client = client_for(world.analyst)
    article = Article.objects.get(id=world.articles[2].id)
    url = f"/api/v1/articles/{article.id}/"
    assert client.patch(url, {"archived": True}, format="json").status_code == 428
    assert patch(client, url, {"archived": True}, article.version + 1).status_code == 412
    archived = patch(client, url, {"archived": True, "reason": "a duplicate"}, article.version)
    assert archived.status_code == 200, archived.content
    assert archived.json()["archived"] is True
    assert archived["ETag"] == f'"{article.version + 1}"'
    event = Event.objects.get(type="ArticleArchived", stream_id=article.id)
    assert event.metadata["reason"] == "a duplicate"

    dossier = {"dossier": str(world.dossier.id)}
    assert str(article.id) not in listed(client, "/api/v1/articles/", **dossier)
    assert listed(client, "/api/v1/articles/", archived="true", **dossier) == {str(article.id)}
    assert str(article.id) not in listed(client, "/api/v1/articles/", archived="false")
    assert client.get(url).json()["archived"] is True  # nothing is deleted
    exported = streamed(client.get(f"/api/v1/dossiers/{world.dossier.id}/export/"))
    assert {a["id"]: a["archived"] for a in exported["articles"]}[str(article.id)] is True

    again = patch(client, url, {"archived": True}, article.version + 1)
    assert again.status_code == 200 and again["ETag"] == f'"{article.version + 1}"'
    back = patch(client, url, {"archived": False}, article.version + 1)
    assert back.status_code == 200 and back.json()["archived"] is False
    assert Event.objects.filter(stream_id=article.id, type__startswith="ArticleUnarchived").count()
    assert str(article.id) in listed(client, "/api/v1/articles/", **dossier)


def test_an_archived_article_leaves_the_clusters_and_comes_back_when_unarchived(
    world, django_capture_on_commit_callbacks
):
    """The command queues a re-clustering as corrections do; run, it takes the article's
    claims out of their clusters (and their origins), which flags the verdict in review."""
    verdict = world.verdict
    submit_verdict(verdict=verdict, actor=world.analyst, expected_version=verdict.version)
    shared = ClaimCluster.objects.get(id=world.cluster.id)
    before = shared.article_count
    assert before >= 2
    leaving = next(a for a in world.articles if a.claims.filter(cluster=shared).exists())
    client = client_for(world.analyst)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert archive_article(client, leaving).status_code == 200
    assert queued, "a re-clustering is queued after the archive commits"
    shared.refresh_from_db()
    assert shared.article_count == before - 1
    assert not Claim.objects.filter(article=leaving).exclude(cluster=None).exists()
    assert not ClaimCluster.objects.filter(is_active=True, claims__article=leaving).exists()
    verdict = Verdict.objects.get(id=world.verdict.id)
    assert verdict.needs_review
    assert "left the cluster" in str(verdict.review_flags[-1]["reasons"])

    with django_capture_on_commit_callbacks(execute=True):
        assert archive_article(client, leaving, archived=False).status_code == 200
    shared.refresh_from_db()
    assert shared.article_count == before
    assert Claim.objects.filter(article=leaving, cluster=shared).exists()


def answered(dossier) -> int:
    """How many articles the dossier's answer counts, whatever their stance."""
    answer = question_answer(dossier)
    return answer.unscored + answer.unrelated + sum(len(s.articles) for s in answer.sides.values())


def test_the_answer_and_re_analysis_pass_an_archived_article_by(
    world, django_capture_on_commit_callbacks
):
    assert answered(world.dossier) == len(world.articles)
    client = client_for(world.analyst)
    with django_capture_on_commit_callbacks(execute=False):
        archive_article(client, world.articles[2])
        assert answered(world.dossier) == len(world.articles) - 1
        answer = client.post(f"/api/v1/dossiers/{world.dossier.id}/reanalyze/", {}, format="json")
    assert answer.status_code == 202, answer.content
    assert answer.json()["queued"] == len(world.articles) - 1
    assert Article.objects.get(id=world.articles[2].id).status == "done"


def test_archiving_an_article_is_for_analysts_of_its_team(world, other_world):
    article = world.articles[0]
    assert archive_article(client_for(world.viewer), article).status_code == 403
    assert archive_article(client_for(other_world.admin), article).status_code == 404
    assert not Article.objects.get(id=article.id).archived
    assert not Event.objects.filter(type="ArticleArchived").exists()


def archive_source(client, source, archived=True):
    version = Source.objects.get(id=source.id).version
    return patch(client, f"/api/v1/sources/{source.id}/", {"archived": archived}, version)


def test_team_admins_archive_a_source_and_lists_hide_it(world, other_world):
    source = world.source
    refused = archive_source(client_for(world.analyst), source)
    assert refused.status_code == 403 and error_of(refused)["code"] == "permission_denied"
    assert archive_source(client_for(other_world.admin), source).status_code == 404
    assert not Event.objects.filter(type="SourceArchived").exists()

    client = client_for(world.admin)
    archived = archive_source(client, source)
    assert archived.status_code == 200, archived.content
    assert archived.json()["archived"] is True
    assert Event.objects.filter(type="SourceArchived", stream_id=source.id).count() == 1
    team = {"team": str(world.team.id)}
    assert str(source.id) not in listed(client, "/api/v1/sources/", **team)
    assert listed(client, "/api/v1/sources/", archived="true", **team) == {str(source.id)}
    assert client.get(f"/api/v1/sources/{source.id}/").json()["archived"] is True

    assert archive_source(client, source, archived=False).status_code == 200
    assert str(source.id) in listed(client, "/api/v1/sources/", **team)
    assert Event.objects.filter(type="SourceUnarchived", stream_id=source.id).count() == 1


def test_an_archived_source_takes_no_uploads_however_it_is_named(world):
    archive_source(client_for(world.admin), world.source)
    client = client_for(world.analyst)
    text = {"dossier": str(world.dossier.id), "text": article_text(30)}
    for body in ({"source": str(world.source.id)}, {"outlet": world.source.name.upper()}):
        refused = client.post("/api/v1/articles/", {**text, **body}, format="json")
        assert refused.status_code == 409, refused.content
        problem = error_of(refused)
        assert problem["code"] == "source_archived" and world.source.name in problem["message"]
    batch = client.post(
        f"/api/v1/dossiers/{world.dossier.id}/articles/batch/",
        {
            "articles": [
                {"text": article_text(31)},
                {"text": text["text"], "outlet": "newsroom wire"},
            ]
        },
        format="json",
    )
    assert batch.status_code == 409 and error_of(batch)["code"] == "source_archived"
    assert not Article.objects.filter(source=world.source).exists()
    assert world.dossier.articles.count() == len(world.articles)

    archive_source(client_for(world.admin), world.source, archived=False)
    accepted = client.post(
        "/api/v1/articles/", {**text, "source": str(world.source.id)}, format="json"
    )
    assert accepted.status_code == 202, accepted.content
