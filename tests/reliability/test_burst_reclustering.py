"""A burst of uploads re-clusters the dossier about once, not once per article: each
re-clustering reads every claim of the dossier, so N of them would cost O(N²). Two rules:
a re-clustering waits while another article of the dossier is in flight, and at most one
re-clustering per dossier waits in the queue."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from claims.models import ClaimCluster
from dossiers.models import Article, Role
from eventlog.models import Event
from tests.factories import DossierFactory, article_text, member, upload
from workers import dispatch, pipeline, tasks
from workers.pipeline import run_extraction

pytestmark = pytest.mark.django_db  # on_commit never fires: uploads stay pending


@pytest.fixture(autouse=True)
def one_article_per_task(settings):
    """These rules are about articles extracted one task at a time (tests/workers/
    test_batches.py covers a task taking several)."""
    settings.EXTRACTION_BATCH_SIZE = 1


def cluster_events() -> int:
    return Event.objects.filter(stream_type="cluster").count()


@pytest.fixture
def burst():
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    articles = [upload(dossier, article_text(n), actor=analyst) for n in range(3)]
    return dossier, articles


def test_reclustering_waits_while_an_article_of_the_dossier_is_in_flight(burst):
    dossier, (first, second, third) = burst
    run_extraction(first.id)
    run_extraction(second.id)
    assert tasks.recluster_dossier(str(dossier.id)) == 0
    assert cluster_events() == 0

    run_extraction(third.id)
    assert tasks.recluster_dossier(str(dossier.id)) > 0
    assert ClaimCluster.objects.filter(dossier=dossier, is_active=True).exists()


def test_an_article_stuck_past_the_requeue_deadline_does_not_hold_reclustering(burst, settings):
    dossier, (first, second, _stuck) = burst
    run_extraction(first.id)
    run_extraction(second.id)
    settings.ARTICLE_REQUEUE_AFTER_SECONDS = 0
    assert tasks.recluster_dossier(str(dossier.id)) > 0


def test_a_failed_extraction_still_triggers_the_reclustering_it_held_back(burst, monkeypatch):
    dossier, (first, second, failing) = burst
    run_extraction(first.id)
    run_extraction(second.id)
    requested = []
    monkeypatch.setattr(tasks, "enqueue_reclustering", requested.append)

    def crash(raw, *, content_type, budget=None):
        raise RuntimeError("tokenizer exploded")

    monkeypatch.setattr(pipeline, "extract_article", crash)
    assert tasks.extract_article(str(failing.id)) == Article.Status.FAILED
    assert requested == [dossier.id]
    assert tasks.recluster_dossier(str(dossier.id)) > 0


def test_only_the_last_extraction_of_a_burst_requests_reclustering(burst, monkeypatch):
    dossier, (first, second, third) = burst
    requested = []
    monkeypatch.setattr(tasks, "enqueue_reclustering", requested.append)
    for article in (first, second):
        assert tasks.extract_article(str(article.id)) == Article.Status.DONE
    assert requested == []  # the third is still pending: it will ask
    assert tasks.extract_article(str(third.id)) == Article.Status.DONE
    assert requested == [dossier.id]


@pytest.mark.skipif(not settings.REDIS_URL, reason="the queued marks live in Redis")
def test_at_most_one_reclustering_per_dossier_waits_in_the_queue(monkeypatch):
    published = []
    monkeypatch.setattr(tasks.recluster_dossier, "delay", published.append)
    dossier_id = str(uuid.uuid4())

    for _ in range(5):
        assert dispatch.enqueue_reclustering(dossier_id)
    assert published == [dossier_id]

    dispatch.reclustering_started(dossier_id)  # what the task does first
    assert dispatch.enqueue_reclustering(dossier_id)
    assert published == [dossier_id, dossier_id]
    dispatch.reclustering_started(dossier_id)
