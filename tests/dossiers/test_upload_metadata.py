"""Metadata given at upload: stored through the upload event, kept over what extraction reads,
rebuilt by replay, and used to order the dossier's timeline and as-of views."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from claims.selectors import dossier_as_of, dossier_timeline
from dossiers import commands
from dossiers.commands import ArticleUpload, BatchRejected, upload_articles
from dossiers.metadata import MetadataInvalid
from dossiers.models import Article, Role, Source
from eventlog.models import Event
from tests.factories import DossierFactory, article_text, member, upload
from workers.pipeline import run_extraction

pytestmark = pytest.mark.django_db

BYLINED = (
    "Troops leave the border region\n"
    "By Erin Banco\n"
    "Beirut, 2 June 2015\n\n"
    "The ministry said on Monday that 12 soldiers were killed near the border. "
    '"We will respond," said General Ahmed Karimi, according to state media.\n'
)


@pytest.fixture
def dossier():
    return DossierFactory()


@pytest.fixture
def analyst(dossier):
    return member(dossier.team, Role.ANALYST)


def test_upload_stores_title_author_url_outlet_and_dated_precision(dossier, analyst):
    article = upload(
        dossier,
        article_text(1),
        actor=analyst,
        title="The real headline",
        author="Jane Roe",
        url="https://example.org/story",
        outlet="Example Times",
        published="2016-06",
    )

    assert (article.title, article.author, article.url) == (
        "The real headline",
        "Jane Roe",
        "https://example.org/story",
    )
    assert article.published_at == datetime(2016, 6, 1, tzinfo=UTC)
    assert article.published_precision == "month"
    assert article.source.name == "Example Times" and article.source.team == dossier.team
    event = Event.objects.get(stream_id=article.id, type="ArticleUploaded")
    assert event.data["published_at"] == "2016-06-01T00:00:00+00:00"
    assert event.data["metadata_from_upload"] == ["title", "author", "published_at"]


@pytest.mark.parametrize(
    ("published", "precision", "expected"),
    [
        ("2016", "year", datetime(2016, 1, 1, tzinfo=UTC)),
        ("2016-06-03", "day", datetime(2016, 6, 3, tzinfo=UTC)),
        ("2016-06-03T14:30:00+02:00", "day", datetime(2016, 6, 3, 12, 30, tzinfo=UTC)),
    ],
)
def test_each_date_form_gives_its_precision(dossier, analyst, published, precision, expected):
    article = upload(dossier, article_text(2), actor=analyst, published=published)

    assert (article.published_at, article.published_precision) == (expected, precision)


def test_the_outlet_is_the_teams_existing_source_of_that_name(dossier, analyst):
    existing = commands.add_source(team=dossier.team, name="Reuters", actor=analyst)

    article = upload(dossier, article_text(3), actor=analyst, outlet="reuters")

    assert article.source_id == existing.id
    assert Source.objects.filter(team=dossier.team).count() == 1


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"published": "June 2016"}, "published"),
        ({"published": "2016-02-30"}, "published"),
        ({"url": "ftp://example.org/a"}, "url"),
        ({"author": "x" * 301}, "author"),
    ],
)
def test_bad_metadata_is_refused_and_nothing_is_stored(dossier, analyst, metadata, field):
    with pytest.raises(MetadataInvalid) as refused:
        upload(dossier, article_text(4), actor=analyst, outlet="New Outlet", **metadata)

    assert refused.value.field == field
    assert not Article.objects.exists()
    assert not Source.objects.exists()


def test_extraction_keeps_what_the_uploader_gave(dossier, analyst):
    given = upload(
        dossier,
        BYLINED,
        actor=analyst,
        title="Headline the analyst knows",
        author="A. N. Other",
        published="2015-06-01",
    )
    read = upload(dossier, BYLINED.replace("12 soldiers", "13 soldiers"), actor=analyst)

    given, read = run_extraction(given.id), run_extraction(read.id)

    assert given.status == read.status == Article.Status.DONE
    assert (given.title, given.author) == ("Headline the analyst knows", "A. N. Other")
    assert (given.published_at.date().isoformat(), given.published_precision) == (
        "2015-06-01",
        "day",
    )
    assert (read.title, read.author) == ("Troops leave the border region", "Erin Banco")
    assert (read.published_at.date().isoformat(), read.published_precision) == (
        "2015-06-02",
        "day",
    )


def test_a_batch_with_one_bad_article_stores_none_and_names_each_bad_one(dossier, analyst):
    uploads = [
        ArticleUpload(article_text(5), outlet="Wire One", published="2016"),
        ArticleUpload("   ", published="2016"),
        ArticleUpload(article_text(6), published="someday"),
    ]

    with pytest.raises(BatchRejected) as refused:
        upload_articles(dossier=dossier, uploads=uploads, actor=analyst)

    assert set(refused.value.problems) == {1, 2}
    assert "empty" in refused.value.problems[1]
    assert "published" in refused.value.problems[2]
    assert not Article.objects.exists() and not Source.objects.exists()


def test_a_batch_stores_every_article_once_and_shares_new_outlets(dossier, analyst):
    already = upload(dossier, article_text(7), actor=analyst)
    uploads = [
        ArticleUpload(article_text(7)),
        ArticleUpload(article_text(8), outlet="Wire One", published="2016-06-04"),
        ArticleUpload(article_text(9), outlet="wire one"),
        ArticleUpload(article_text(8)),
    ]

    results = upload_articles(dossier=dossier, uploads=uploads, actor=analyst)

    assert [r.created for r in results] == [False, True, True, False]
    assert results[0].article.id == already.id and results[3].article.id == results[1].article.id
    assert results[1].article.source_id == results[2].article.source_id
    assert Article.objects.count() == 3 and Source.objects.count() == 1


def test_a_batch_needs_the_analyst_role_in_the_dossiers_team(dossier):
    viewer = member(dossier.team, Role.VIEWER)
    outsider = member(DossierFactory().team, Role.ADMIN)

    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            upload_articles(dossier=dossier, uploads=[ArticleUpload(article_text())], actor=user)
    assert not Article.objects.exists()


def test_dated_articles_are_in_publication_order_on_the_timeline_and_as_of(dossier, analyst):
    late = upload(dossier, article_text(10), actor=analyst, published="2016-06-09")
    undated = upload(dossier, article_text(11), actor=analyst)
    early = upload(dossier, article_text(12), actor=analyst, published="2016-06")
    middle = upload(dossier, article_text(13), actor=analyst, published="2016-06-03T10:00:00Z")
    for article in (late, undated, early, middle):
        run_extraction(article.id)

    timeline = [a.id for a in dossier_timeline(dossier).articles]
    snapshot = dossier_as_of(dossier, timezone.now() + timedelta(seconds=1))

    # The undated one falls back to its upload time: today, after the 2016 stories.
    assert timeline == [early.id, middle.id, late.id, undated.id]
    assert [a.id for a in snapshot.articles] == timeline


def test_an_undated_article_sorts_by_its_upload_time_among_dated_ones(dossier, analyst):
    future = timezone.now() + timedelta(days=365)
    later = upload(dossier, article_text(14), actor=analyst, published=future.isoformat())
    undated = upload(dossier, article_text(15), actor=analyst)

    timeline = [a.id for a in dossier_timeline(dossier).articles]
    snapshot = dossier_as_of(dossier, timezone.now() + timedelta(seconds=1))

    assert timeline == [undated.id, later.id]
    assert [a.id for a in snapshot.articles] == timeline
