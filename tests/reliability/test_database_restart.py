"""PostgreSQL restarts while a client uploads a batch over HTTP.

The client sees either success or an error in the API's JSON shape (a 5xx: the outage is
the server's fault, and retrying is right); it retries errors. Afterwards nothing is
half-stored (the upload is one transaction: event and read model together), no text is
stored twice (retries deduplicate), and every accepted article gets extracted: the worker
retries tasks that hit the outage, and the periodic re-queue covers an upload whose commit
succeeded while its answer (and enqueue) was lost.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from dossiers.events import EventType
from dossiers.models import Article, Role
from eventlog.models import Event
from tests.conftest import wait_for
from tests.factories import DossierFactory, article_text, member
from tests.reliability.conftest import (
    postgresql_restarted_during,
    queue_length,
    require_postgresql,
    token_for,
)
from tests.reliability.integrity import (
    assert_replay_rebuilds_the_live_state,
    assert_streams_have_no_gaps,
)

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BATCH = 20


class Uploader(threading.Thread):
    """Uploads each text until it is accepted, keeping every answer it got."""

    def __init__(self, url: str, token: str, dossier_id: str, texts: list[str]):
        super().__init__(daemon=True)
        self.url, self.texts, self.dossier_id = url, texts, dossier_id
        self.headers = {"Authorization": f"Token {token}"}
        self.accepted: dict[int, str] = {}
        self.errors: list[tuple[int, dict]] = []
        self.refused: list[str] = []

    def run(self) -> None:
        for n, text in enumerate(self.texts):
            deadline = time.monotonic() + 90
            while n not in self.accepted and time.monotonic() < deadline:
                self.send(n, text)

    def send(self, n: int, text: str) -> None:
        try:
            response = requests.post(
                self.url,
                json={"dossier": self.dossier_id, "text": text},
                headers=self.headers,
                timeout=30,
            )
        except requests.ConnectionError as exc:  # the test server itself never goes away
            self.refused.append(str(exc))
            return
        if response.status_code in (200, 202):
            self.accepted[n] = response.json()["article"]
        else:
            self.errors.append((response.status_code, response.json()))
            time.sleep(0.2)


def test_a_database_restart_mid_batch_loses_and_half_stores_nothing(private_workers, live_server):
    require_postgresql()
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    worker = private_workers(
        beat=True, ARTICLE_REQUEUE_AFTER_SECONDS="5", REQUEUE_INTERVAL_SECONDS="1"
    )
    texts = [article_text(700 + n) for n in range(BATCH)]
    uploader = Uploader(
        f"{live_server.url}/api/v1/articles/", token_for(analyst), str(dossier.id), texts
    )

    with postgresql_restarted_during() as restart:
        uploader.start()
        wait_for(lambda: len(uploader.accepted) >= 3, timeout=60, interval=0.05)
        restart()
        uploader.join(timeout=240)
    assert not uploader.is_alive()

    assert len(uploader.accepted) == BATCH, f"not accepted: {BATCH - len(uploader.accepted)}"
    assert uploader.errors, "no request met the outage: the restart was not exercised"
    assert not uploader.refused
    for status, body in uploader.errors:
        assert status >= 500, (status, body)
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]

    articles = Article.objects.filter(dossier=dossier)
    assert sorted(str(id_) for id_ in articles.values_list("id", flat=True)) == sorted(
        uploader.accepted.values()
    ), "every text is stored exactly once"
    uploaded = Event.objects.filter(type=EventType.ARTICLE_UPLOADED).values_list(
        "stream_id", flat=True
    )
    assert set(uploaded) == set(articles.values_list("id", flat=True))

    wait_for(lambda: not articles.exclude(status=Article.Status.DONE).exists(), timeout=180)
    wait_for(lambda: queue_length() == 0, timeout=120, interval=1)
    worker.stop()  # nothing may append while the replay is compared
    assert_streams_have_no_gaps()
    assert_replay_rebuilds_the_live_state()
