"""The per-article budget in the worker and the webhook queue (issue 16, bug 7)."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app
from dossiers.models import Article, Role
from tests.api.conftest import client_for
from tests.factories import DossierFactory, member, upload
from tests.reliability.integrity import assert_replay_rebuilds_the_live_state

LONG_LINE = " ".join(
    f"The ministry said on Monday that {n} soldiers were killed near the border town {n}."
    for n in range(2_000)
)


@pytest.fixture
def analyst(db):
    dossier = DossierFactory()
    return member(dossier.team, Role.ANALYST), dossier


@pytest.mark.django_db(transaction=True)
def test_an_article_over_its_time_budget_fails_with_the_reason_on_its_status(analyst, settings):
    settings.EXTRACTION_MAX_SECONDS = 0.001
    user, dossier = analyst
    article = upload(dossier, LONG_LINE, actor=user)
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert not article.claims.exists()
    status = client_for(user).get(f"/api/v1/articles/{article.id}/status/").json()
    assert status["status"] == "failed"
    assert status["error"].startswith("extraction was stopped after 0.001 s")
    assert "split it into smaller articles" in status["error"]


@pytest.mark.django_db(transaction=True)
def test_an_article_over_its_claim_budget_keeps_the_best_and_says_so(analyst, settings):
    settings.EXTRACTION_MAX_CLAIMS = 5
    user, dossier = analyst
    article = upload(dossier, LONG_LINE, actor=user)
    article.refresh_from_db()
    assert article.status == Article.Status.DONE
    assert article.claims.count() == 5
    status = client_for(user).get(f"/api/v1/articles/{article.id}/status/").json()
    assert status["claim_count"] == 5
    assert "only the 5 most check-worthy were kept" in status["error"]
    assert_replay_rebuilds_the_live_state()


@pytest.mark.django_db(transaction=True)
def test_a_long_single_line_is_extracted_in_pieces(analyst, settings):
    settings.EXTRACTION_MAX_PARAGRAPH_CHARS = 5_000
    user, dossier = analyst
    article = upload(dossier, LONG_LINE, actor=user)
    article.refresh_from_db()
    assert article.status == Article.Status.DONE
    assert max(len(line) for line in article.body.split("\n")) <= 5_000
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text


def test_webhook_deliveries_have_a_queue_of_their_own(settings):
    def queue_of(task_name: str) -> str:
        return celery_app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("api.tasks.deliver_webhook") == settings.CELERY_WEBHOOK_QUEUE
    assert queue_of("api.tasks.dispatch_webhooks") == settings.CELERY_WEBHOOK_QUEUE
    assert settings.CELERY_WEBHOOK_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    for extraction in ("workers.tasks.extract_article", "workers.tasks.extract_dossier"):
        assert queue_of(extraction) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_the_test_worker_and_compose_consume_both_queues(settings):
    from pathlib import Path

    import tests.conftest as harness

    source = Path(harness.__file__).read_text()
    assert "settings.CELERY_WEBHOOK_QUEUE" in source
    compose = (Path(harness.__file__).parents[1] / "compose.yaml").read_text()
    assert f"-Q {settings.CELERY_WEBHOOK_QUEUE}" in compose
    assert f"-Q {settings.CELERY_TASK_DEFAULT_QUEUE}\n" in compose
