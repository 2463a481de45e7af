"""Upload metadata through the API, and the batch endpoint: all or nothing, errors by index."""

from __future__ import annotations

import pytest

from dossiers.models import Article, Source
from tests.api.conftest import client_for, error_of
from tests.factories import article_text

pytestmark = pytest.mark.django_db


def batch_url(dossier) -> str:
    return f"/api/v1/dossiers/{dossier.id}/articles/batch/"


def test_an_upload_carries_its_metadata_into_the_article(world):
    client = client_for(world.analyst)
    response = client.post(
        "/api/v1/articles/",
        {
            "dossier": str(world.dossier.id),
            "text": article_text(50),
            "title": "The headline the analyst knows",
            "author": "Jane Roe",
            "url": "https://example.org/story",
            "outlet": "Example Times",
            "published": "2016-06",
        },
        format="json",
    )
    assert response.status_code == 202, response.json()

    article = client.get(response.json()["article_url"]).json()
    assert article["title"] == "The headline the analyst knows"
    assert article["author"] == "Jane Roe"
    assert article["published_at"].startswith("2016-06-01")
    assert article["published_precision"] == "month"
    assert article["metadata_from_upload"] == ["title", "author", "published_at"]
    assert Source.objects.get(id=article["source"]).name == "Example Times"


def test_published_at_is_another_name_for_published(world):
    response = client_for(world.analyst).post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "text": article_text(51), "published_at": "2016"},
        format="json",
    )

    assert response.status_code == 202
    article = Article.objects.get(id=response.json()["article"])
    assert (article.published_at.year, article.published_precision) == (2016, "year")


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"published": "next Tuesday"}, "published"),
        ({"published": "2016-13"}, "published"),
        ({"url": "not a url"}, "url"),
        ({"title": "x" * 501}, "title"),
    ],
)
def test_bad_metadata_is_a_400_in_the_error_shape_naming_the_field(world, fields, bad_field):
    before = Article.objects.count()
    response = client_for(world.analyst).post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "text": article_text(52), **fields},
        format="json",
    )

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert bad_field in error["details"]["fields"]
    assert error["message"].startswith(f"the request is invalid: {bad_field}:")
    assert Article.objects.count() == before


def test_an_outlet_that_contradicts_the_source_is_refused(world):
    response = client_for(world.analyst).post(
        "/api/v1/articles/",
        {
            "dossier": str(world.dossier.id),
            "text": article_text(53),
            "source": str(world.source.id),
            "outlet": "Another Outlet",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "outlet" in error_of(response)["details"]["fields"]


def test_a_batch_stores_every_article_with_its_metadata(world, django_capture_on_commit_callbacks):
    client = client_for(world.analyst)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            batch_url(world.dossier),
            {
                "articles": [
                    {"text": article_text(60), "published": "2016-06-03", "outlet": "Wire"},
                    {"text": article_text(61), "author": "Jane Roe", "url": "https://e.org/b"},
                    {"text": article_text(1)},  # already in the dossier
                ]
            },
            format="json",
        )

    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["created"] == 2
    assert [a["status"] for a in body["articles"]] == ["pending", "pending", "done"]
    assert body["articles"][2]["article"] == str(world.articles[0].id)
    first = Article.objects.get(id=body["articles"][0]["article"])
    assert (first.published_precision, first.source.name) == ("day", "Wire")
    assert len(queued) == 1, "one extraction sweep for the whole batch, after commit"


def test_a_batch_with_bad_articles_stores_nothing_and_lists_each_by_index(world):
    before = Article.objects.count()
    response = client_for(world.analyst).post(
        batch_url(world.dossier),
        {
            "articles": [
                {"text": article_text(70), "outlet": "Brand New Outlet"},
                {"text": article_text(71), "published": "June 2016"},
                {"text": "   "},
                {"published": "2016"},
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    error = error_of(response)
    problems = error["details"]["fields"]["articles"]
    assert set(problems) == {"1", "3"}  # shape errors first: the empty text is checked later
    assert "published" in problems["1"] and "text" in problems["3"]
    assert Article.objects.count() == before
    assert not Source.objects.filter(name="Brand New Outlet").exists()


def test_an_empty_article_in_a_batch_is_named_by_its_index(world):
    before = Article.objects.count()
    response = client_for(world.analyst).post(
        batch_url(world.dossier),
        {"articles": [{"text": article_text(72)}, {"text": "   "}]},
        format="json",
    )

    assert response.status_code == 400
    problems = error_of(response)["details"]["fields"]["articles"]
    assert list(problems) == ["1"] and "empty" in problems["1"][0]
    assert Article.objects.count() == before


def test_a_batch_over_the_maximum_is_refused(world, settings):
    from api.serializers.dossiers import ArticleBatchSerializer

    limit = ArticleBatchSerializer().fields["articles"].max_length
    response = client_for(world.analyst).post(
        batch_url(world.dossier),
        {"articles": [{"text": f"{article_text(n)}"} for n in range(limit + 1)]},
        format="json",
    )

    assert response.status_code == 400
    assert "articles" in error_of(response)["details"]["fields"]


def test_a_batch_needs_the_analyst_role_and_hides_other_teams_dossiers(world, other_world):
    articles = {"articles": [{"text": article_text(80)}]}
    before = Article.objects.count()

    as_viewer = client_for(world.viewer).post(batch_url(world.dossier), articles, format="json")
    as_rival = client_for(other_world.admin).post(batch_url(world.dossier), articles, format="json")

    assert as_viewer.status_code == 403 and error_of(as_viewer)["code"] == "permission_denied"
    assert as_rival.status_code == 404 and error_of(as_rival)["code"] == "not_found"
    assert Article.objects.count() == before


def test_the_batch_endpoint_is_in_the_openapi_schema(world):
    schema = client_for(world.viewer).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/dossiers/{id}/articles/batch/"]["post"]
    assert "202" in operation["responses"] and "400" in operation["responses"]
    assert "ArticleBatch" in str(operation["requestBody"])
