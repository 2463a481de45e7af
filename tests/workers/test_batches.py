"""A task extracts the article it names and other articles of its dossier that wait, storing
them together; articles another worker holds are left to it, ones a dead worker left are
taken over."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from claims.extraction import extract_article
from claims.models import Claim
from dossiers.models import Article, Role
from eventlog.models import Event
from tests.factories import DossierFactory, article_text, member, upload
from workers import dispatch, pipeline, tasks
from workers.leases import lock_key
from workers.pipeline import run_extraction

pytestmark = pytest.mark.django_db  # on_commit never fires: uploads stay pending

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="leases are PostgreSQL advisory locks"
)


@pytest.fixture
def dossier():
    return DossierFactory()


@pytest.fixture
def uploads(dossier):
    analyst = member(dossier.team, Role.ANALYST)
    return [upload(dossier, article_text(n), actor=analyst) for n in range(5)]


def worker_events() -> list[str]:
    return list(
        Event.objects.filter(type__in=["ArticleExtractionStarted", "ClaimsExtracted"])
        .order_by("position")
        .values_list("type", flat=True)
    )


def statuses(articles) -> list[str]:
    return [Article.objects.get(id=a.id).status for a in articles]


def test_a_task_extracts_waiting_articles_of_its_dossier_with_two_appends(
    uploads, settings, django_assert_max_num_queries
):
    settings.EXTRACTION_BATCH_SIZE = 4
    other_dossier = upload(DossierFactory(), article_text(9))
    with django_assert_max_num_queries(40):  # one article at a time took some 27 each
        run_extraction(uploads[2].id)
    assert statuses(uploads).count(Article.Status.DONE) == 4
    assert Article.objects.get(id=uploads[2].id).status == Article.Status.DONE
    assert Article.objects.get(id=other_dossier.id).status == Article.Status.PENDING
    assert worker_events() == ["ArticleExtractionStarted"] * 4 + ["ClaimsExtracted"] * 4
    for article in Article.objects.filter(status=Article.Status.DONE):
        expected = extract_article(article.raw_upload, content_type=article.content_type)
        stored = list(article.claims.order_by("ordinal").values_list("text", "start", "end"))
        assert stored == [(c.text, c.start, c.end) for c in expected.claims]
        # running, done, and its stance toward the dossier's claim form (issue 18)
        assert article.history.filter(history_type="~").count() == 3


def test_the_tasks_of_articles_taken_along_return_at_once(uploads):
    tasks.extract_article(str(uploads[0].id))
    events = Event.objects.count()
    assert [tasks.extract_article(str(a.id)) for a in uploads[1:]] == ["done"] * 4
    assert Event.objects.count() == events
    assert Claim.objects.filter(article__in=uploads).count() > 0


def test_one_failing_article_fails_alone(uploads, monkeypatch):
    real = pipeline.extract_article

    def crash_on_the_third(raw, *, content_type, budget=None):
        if raw == uploads[3].raw_upload:
            raise RuntimeError("tokenizer exploded")
        return real(raw, content_type=content_type)

    monkeypatch.setattr(pipeline, "extract_article", crash_on_the_third)
    run_extraction(uploads[0].id)
    assert statuses(uploads) == ["done", "done", "done", "failed", "done"]
    assert Article.objects.get(id=uploads[3].id).extraction_error.endswith("tokenizer exploded")


@pytest.fixture
def other_worker():
    """A second database session, standing in for another worker process."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as session:
        yield session


@needs_postgresql
def test_articles_another_worker_holds_are_left_to_it(uploads, other_worker):
    held_named, held_waiting = uploads[0], uploads[1]
    for article in (held_named, held_waiting):
        other_worker.execute("SELECT pg_advisory_lock(%s)", [lock_key(article.id)])

    assert run_extraction(held_named.id).status == Article.Status.PENDING
    assert worker_events() == []

    run_extraction(uploads[2].id)
    assert statuses(uploads) == ["pending", "pending", "done", "done", "done"]


@needs_postgresql
def test_a_running_article_whose_worker_died_is_taken_over(uploads, other_worker):
    from dossiers.commands import start_extractions

    orphan, held = start_extractions(articles=[uploads[0], uploads[1]])
    other_worker.execute("SELECT pg_advisory_lock(%s)", [lock_key(held.id)])
    # The worker that started `orphan` is gone: nothing holds its lease.

    run_extraction(uploads[2].id)
    assert statuses(uploads) == ["done", "running", "done", "done", "done"]
    assert Article.objects.get(id=orphan.id).extraction_attempts == 2


def test_a_sweep_extracts_every_waiting_article_batch_by_batch(uploads, dossier, settings):
    settings.EXTRACTION_BATCH_SIZE = 2
    assert tasks.extract_dossier(str(dossier.id)) == 5
    assert statuses(uploads) == ["done"] * 5
    started = Event.objects.filter(type="ArticleExtractionStarted")
    assert started.values("recorded_at").distinct().count() == 3  # batches of 2, 2 and 1


def test_a_sweep_past_its_time_queues_the_next_one(uploads, dossier, settings, monkeypatch):
    settings.EXTRACTION_BATCH_SIZE = 2
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0
    queued = []
    monkeypatch.setattr(tasks, "enqueue_dossier_extraction", queued.append)
    monkeypatch.setattr(tasks, "enqueue_reclustering", lambda dossier_id: None)
    assert tasks.extract_dossier(str(dossier.id)) == 2
    assert queued == [str(dossier.id)]
    assert statuses(uploads).count(Article.Status.PENDING) == 3


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the queued marks live in Redis")
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_uploads_queues_one_sweep_until_it_starts(monkeypatch):
    published = []
    monkeypatch.setattr(tasks.extract_dossier, "delay", published.append)
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    for n in range(4):
        upload(dossier, article_text(n), actor=analyst)
    assert published == [str(dossier.id)]

    dispatch.dossier_extraction_started(dossier.id)  # what the sweep does first
    upload(dossier, article_text(9), actor=analyst)
    assert published == [str(dossier.id)] * 2
    dispatch.dossier_extraction_started(dossier.id)
