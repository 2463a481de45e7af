"""With Redis down, uploads still succeed and wait `pending`; once Redis is back, the periodic
re-queue (beat, embedded in the worker) gets every one of them extracted, exactly once."""

from __future__ import annotations

import time

import pytest

from dossiers.events import EventType
from dossiers.models import Article, Role
from eventlog.models import Event
from tests.conftest import wait_for
from tests.factories import DossierFactory, article_text, member
from tests.reliability.conftest import api_client, redis_stopped

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

UPLOADS = 6
# An upload never waits long on a dead broker (connection timeout 2 s, one retry).
MAX_UPLOAD_SECONDS = 10


def test_uploads_during_a_broker_outage_are_kept_and_processed_after_it(private_workers):
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    client = api_client(analyst)
    private_workers(beat=True, ARTICLE_REQUEUE_AFTER_SECONDS="2", REQUEUE_INTERVAL_SECONDS="1")

    accepted = []
    with redis_stopped():
        for n in range(UPLOADS):
            started = time.monotonic()
            response = client.post(
                "/api/v1/articles/",
                {"dossier": str(dossier.id), "text": article_text(500 + n)},
                format="json",
            )
            assert time.monotonic() - started < MAX_UPLOAD_SECONDS
            assert response.status_code == 202, response.content
            assert response.json()["status"] == Article.Status.PENDING
            accepted.append(response.json()["article"])
        time.sleep(3)  # outlive the re-queue deadline while the broker is still down
        stored = Article.objects.filter(id__in=accepted)
        assert sorted(stored.values_list("status", flat=True)) == ["pending"] * UPLOADS

    wait_for(lambda: stored.filter(status=Article.Status.DONE).count() == UPLOADS, timeout=120)
    for article in stored:
        assert article.claims.exists()
        types = list(
            Event.objects.filter(stream_id=article.id)
            .order_by("stream_version")
            .values_list("type", flat=True)
        )
        assert types.count(EventType.CLAIMS_EXTRACTED) == 1, types
        assert types[0] == EventType.ARTICLE_UPLOADED
