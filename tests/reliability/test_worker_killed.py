"""A worker SIGKILLed in the middle of an extraction loses nothing and doubles nothing.

The kill leaves the article `running` with its message unacknowledged. Recovery is the
periodic re-queue (`requeue_stale_articles`), which re-enqueues articles `running` past the
deadline; the test shrinks that deadline instead of waiting ten minutes for it.
"""

from __future__ import annotations

import signal
from dataclasses import replace

import pytest

from claims.extraction import extract_article
from claims.models import Claim
from dossiers.events import EventType
from dossiers.models import Article, Role
from eventlog.models import Event
from tests.conftest import wait_for
from tests.factories import DossierFactory, article_text, member, upload
from workers.pipeline import claim_id, extraction_budget
from workers.tasks import requeue_stale_articles

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# About 140 KB: seconds of extraction and storing, so the kill lands mid-task.
BIG_ARTICLE = "\n".join(article_text(n) for n in range(500))


def status_of(article: Article) -> str:
    return Article.objects.values_list("status", flat=True).get(id=article.id)


def clean_run_claims(article: Article) -> list[tuple[str, int, int, str]]:
    """What an undisturbed extraction of the same text stores: ids, spans and texts (within
    the worker's claim budget, without its clock)."""
    budget = replace(extraction_budget(), seconds=None)
    extracted = extract_article(
        article.raw_upload, content_type=article.content_type, budget=budget
    )
    return sorted(
        (claim_id(article.id, c.start, c.end, c.text), c.start, c.end, c.text)
        for c in extracted.claims
    )


def test_an_extraction_killed_mid_task_completes_once_on_a_new_worker(private_workers, settings):
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    first = private_workers()
    article = upload(dossier, BIG_ARTICLE, actor=analyst)
    wait_for(lambda: status_of(article) == Article.Status.RUNNING, timeout=60, interval=0.05)

    first.kill(signal.SIGKILL)

    assert status_of(article) == Article.Status.RUNNING, "the kill came too late to test"
    assert not Claim.objects.filter(article=article).exists()

    private_workers()
    settings.CELERY_TASK_TIME_LIMIT = 0  # the running deadline has passed
    assert requeue_stale_articles() == 1
    expected = clean_run_claims(article)  # computed while the new worker re-extracts
    wait_for(lambda: status_of(article) == Article.Status.DONE, timeout=120)

    stored = sorted(Claim.objects.filter(article=article).values_list("id", "start", "end", "text"))
    stored = [(str(id_), start, end, text) for id_, start, end, text in stored]
    assert stored == expected
    assert len({row[0] for row in stored}) == len(stored) > 0

    def article_events() -> list[tuple[int, str]]:
        return list(
            Event.objects.filter(stream_id=article.id)
            .order_by("stream_version")
            .values_list("stream_version", "type")
        )

    # The stance toward the dossier's question is scored just after the claims are stored
    # (the article is `done` by then): wait for it rather than race it.
    wait_for(lambda: article_events()[-1][1] == EventType.QUESTION_STANCE_SCORED, timeout=30)
    events = article_events()
    assert [version for version, _ in events] == list(range(1, len(events) + 1))
    assert [kind for _, kind in events] == [
        EventType.ARTICLE_UPLOADED,
        EventType.ARTICLE_EXTRACTION_STARTED,
        EventType.ARTICLE_EXTRACTION_STARTED,
        EventType.CLAIMS_EXTRACTED,
        EventType.QUESTION_STANCE_SCORED,  # the article's stance toward the dossier's question
    ]
    assert Article.objects.get(id=article.id).extraction_attempts == 2
