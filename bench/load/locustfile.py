"""A newsroom's traffic on the API: mostly reads of clusters and claims, some uploads, some
verdict edits. Each simulated user is one analyst with its own token and its own draft
verdict, so no two users contend for one verdict: every failure counts. One 412 is the right
answer and is counted on a line of its own: a deliberately stale edit (an If-Match of a
version the analyst has already replaced, as from a second browser tab), which fails if it
gets anything else. Drafts are not flagged by re-clustering, so nothing else moves a user's
verdict between the form's read and its save.

The fixture file (written by `run.py`) names the dossier, the tokens and the verdicts:
    CLAIMDESK_LOAD_FIXTURE=var/load/fixture.json locust -f bench/load/locustfile.py ...
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, task

FIXTURE = json.loads(open(os.environ["CLAIMDESK_LOAD_FIXTURE"], encoding="utf-8").read())  # noqa: SIM115
_seats = itertools.count()


class Analyst(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        seat = FIXTURE["analysts"][next(_seats) % len(FIXTURE["analysts"])]
        self.client.headers["Authorization"] = f"Token {seat['token']}"
        self.verdict = seat["verdict"]
        self.dossier = FIXTURE["dossier"]
        self.texts = FIXTURE["texts"]
        self.etag = self.client.get(
            f"/api/v1/verdicts/{self.verdict}/", name="/verdicts/[id]/"
        ).headers["ETag"]
        self.stale_etag = None

    @task(6)
    def clusters(self) -> None:
        self.client.get(
            f"/api/v1/clusters/?dossier={self.dossier}&is_active=true", name="/clusters/?dossier"
        )

    @task(6)
    def claims(self) -> None:
        self.client.get(
            f"/api/v1/claims/?dossier={self.dossier}&page_size=50", name="/claims/?dossier"
        )

    @task(3)
    def cluster(self) -> None:
        clusters = self.client.get(
            f"/api/v1/clusters/?dossier={self.dossier}&page_size=20", name="/clusters/?dossier"
        ).json()["results"]
        if clusters:
            cluster = random.choice(clusters)["id"]
            self.client.get(f"/api/v1/clusters/{cluster}/", name="/clusters/[id]/")

    @task(2)
    def edit_verdict(self) -> None:
        """Open the verdict (fresh ETag), then save an edit, as the edit form does."""
        self.etag = self.client.get(
            f"/api/v1/verdicts/{self.verdict}/", name="/verdicts/[id]/"
        ).headers["ETag"]
        response = self.client.patch(
            f"/api/v1/verdicts/{self.verdict}/",
            json={
                "rationale": f"Checked again: {uuid.uuid4()}",
                "confidence": random.randint(40, 90),
            },
            headers={"If-Match": self.etag},
            name="/verdicts/[id]/ PATCH",
        )
        if response.status_code == 200:
            self.stale_etag, self.etag = self.etag, response.headers["ETag"]

    @task(1)
    def stale_edit(self) -> None:
        if self.stale_etag is None:
            return
        with self.client.patch(
            f"/api/v1/verdicts/{self.verdict}/",
            json={"rationale": "From a tab left open.", "confidence": 10},
            headers={"If-Match": self.stale_etag},
            name="/verdicts/[id]/ PATCH stale (412 expected)",
            catch_response=True,
        ) as response:
            if response.status_code == 412:
                response.success()
            else:
                response.failure(f"a stale If-Match got {response.status_code}, not 412")

    @task(1)
    def upload(self) -> None:
        text = f"{random.choice(self.texts)}\n\nUpdate {uuid.uuid4()}: officials confirmed it."
        response = self.client.post(
            "/api/v1/articles/", json={"dossier": self.dossier, "text": text}, name="/articles/"
        )
        if response.status_code == 202:
            self.client.get(response.headers["Location"], name="/articles/[id]/status/")
