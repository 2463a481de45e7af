"""Concurrent writers, each a thread with its own API client and database connection (the
WSGI stack in-process, so the test measures the application rather than a test server's
listen backlog): optimistic concurrency holds, uploads deduplicate, the event log stays
gap-free, and replaying it afterwards rebuilds exactly the live read models."""

from __future__ import annotations

import contextlib
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from django.db import connections
from rest_framework.test import APIClient

from claims.commands import approve_verdict, draft_verdict, publish_verdict, submit_verdict
from claims.models import ClaimCluster, Verdict
from dossiers.models import Article, Role
from tests.claims.workbench import busiest_cluster, small_dossier
from tests.conftest import wait_for
from tests.factories import DossierFactory, article_text, member, upload
from tests.reliability.conftest import api_client, queue_length, require_postgresql
from tests.reliability.integrity import (
    assert_replay_rebuilds_the_live_state,
    assert_streams_have_no_gaps,
)

T = TypeVar("T")
CLIENTS = 50
EDITORS = 8
ROUNDS = 4


def in_threads(threads: int, items: list, work: Callable[..., T], *, together: bool) -> list[T]:
    """`work(item)` on `threads` threads; `together` makes them all start at one instant.

    Each thread closes its database connection when done, as a request handler would.
    """
    barrier = threading.Barrier(len(items)) if together else None

    def run(item) -> T:
        try:
            if barrier:
                barrier.wait(timeout=60)
            return work(item)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, items))


def error_code(response) -> str:
    return response.json()["error"]["code"]


@pytest.mark.django_db(transaction=True)
def test_one_writer_wins_each_verdict_version_and_the_rest_get_412():
    require_postgresql()
    dossier, analyst, reviewer = small_dossier()
    verdict = draft_verdict(
        cluster=busiest_cluster(dossier), actor=analyst, rating="mostly_true", rationale="first"
    )
    url = f"/api/v1/verdicts/{verdict.id}/"
    # Fifty analysts, not one: each stays far below the per-user throttle.
    clients = [api_client(member(dossier.team, Role.ANALYST)) for _ in range(CLIENTS - 1)]
    clients.append(api_client(analyst))

    for round_ in range(3):
        version = Verdict.objects.get(id=verdict.id).version
        responses = in_threads(
            CLIENTS,
            list(enumerate(clients)),
            lambda item, v=version, r=round_: item[1].patch(
                url,
                {"rationale": f"round {r}, client {item[0]}", "reason": "race"},
                format="json",
                HTTP_IF_MATCH=f'"{v}"',
            ),
            together=True,
        )
        assert Counter(r.status_code for r in responses) == {200: 1, 412: CLIENTS - 1}
        assert {error_code(r) for r in responses if r.status_code == 412} == {"precondition_failed"}
        winner = next(r for r in responses if r.status_code == 200)
        stored = Verdict.objects.get(id=verdict.id)
        assert stored.version == version + 1
        assert winner["ETag"] == f'"{stored.version}"'
        assert stored.rationale == winner.json()["rationale"]

    stored = Verdict.objects.get(id=verdict.id)
    stored = submit_verdict(verdict=stored, actor=analyst, expected_version=stored.version)
    stored = approve_verdict(verdict=stored, actor=reviewer, expected_version=stored.version)
    stored = publish_verdict(verdict=stored, actor=reviewer, expected_version=stored.version)
    responses = in_threads(
        CLIENTS,
        list(enumerate(clients)),
        lambda item: item[1].post(
            f"{url}revise/",
            {"reason": f"new evidence from client {item[0]}"},
            format="json",
            HTTP_IF_MATCH=f'"{stored.version}"',
        ),
        together=True,
    )
    # The published revision's own version does not move when it is revised, so the losers'
    # If-Match is still current: they get 409 "already revised" (or 412 if they read late).
    assert Counter(r.status_code for r in responses)[201] == 1
    refusals = {(r.status_code, error_code(r)) for r in responses if r.status_code != 201}
    assert refusals <= {(409, "workflow_conflict"), (412, "precondition_failed")}, refusals
    revisions = Verdict.objects.filter(cluster_id=verdict.cluster_id)
    assert sorted(revisions.values_list("revision", flat=True)) == [1, 2]
    assert_streams_have_no_gaps()
    assert_replay_rebuilds_the_live_state()


UPLOADS = 200
DISTINCT = 160


def upload_mix() -> tuple[list[str], list[str]]:
    """160 distinct texts plus 40 repeats, some with other line ends, in a shuffled order."""
    distinct = [article_text(1000 + n) for n in range(DISTINCT)]
    rng = random.Random(20240601)
    repeats = rng.sample(distinct, UPLOADS - DISTINCT)
    repeats = [t.replace("\n", "\r\n") if i % 4 == 0 else t for i, t in enumerate(repeats)]
    payloads = distinct + repeats
    rng.shuffle(payloads)
    return distinct, payloads


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_store_each_text_once_and_all_get_extracted(private_workers):
    require_postgresql()
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    worker = private_workers()
    distinct, payloads = upload_mix()

    uploaders = [analyst, *(member(dossier.team, Role.ANALYST) for _ in range(9))]

    def send(text: str):
        response = api_client(random.choice(uploaders)).post(
            "/api/v1/articles/", {"dossier": str(dossier.id), "text": text}, format="json"
        )
        return " ".join(text.split()), response

    answers = in_threads(16, payloads, send, together=False)

    assert Counter(r.status_code for _, r in answers) == {202: DISTINCT, 200: UPLOADS - DISTINCT}
    articles_by_text: dict[str, set[str]] = defaultdict(set)
    for text, response in answers:
        articles_by_text[text].add(response.json()["article"])
    assert len(articles_by_text) == DISTINCT
    assert all(len(ids) == 1 for ids in articles_by_text.values())
    assert Article.objects.filter(dossier=dossier).count() == DISTINCT

    def all_extracted() -> bool:
        return not Article.objects.filter(dossier=dossier).exclude(status="done").exists()

    wait_for(all_extracted, timeout=240, interval=1)
    wait_for(lambda: queue_length() == 0, timeout=240, interval=1)  # re-clustering too
    worker.stop()  # nothing may append while the replay is compared
    assert not Article.objects.filter(dossier=dossier, claims__isnull=True).exists()
    assert_streams_have_no_gaps()
    assert_replay_rebuilds_the_live_state()


@pytest.mark.django_db(transaction=True)
def test_verdict_edits_and_uploads_on_one_dossier_at_once_never_deadlock():
    """Edits lock their verdict's rows; uploads hold the append lock while their foreign keys
    lock the dossier row. Both orders meeting must not end in a deadlock (a 500)."""
    require_postgresql()
    dossier, analyst, _reviewer = small_dossier()
    clusters = list(ClaimCluster.objects.filter(dossier=dossier, is_active=True)[:EDITORS])
    editors = [member(dossier.team, Role.ANALYST) for _ in clusters]
    verdicts = [
        draft_verdict(cluster=cluster, actor=editor, rating="unproven", rationale="Open.")
        for cluster, editor in zip(clusters, editors, strict=True)
    ]
    uploaders = [member(dossier.team, Role.ANALYST) for _ in range(len(verdicts))]

    def edit(seat: int):
        client = api_client(editors[seat])
        answers = []
        for round_ in range(ROUNDS):
            version = Verdict.objects.get(id=verdicts[seat].id).version
            answers.append(
                client.patch(
                    f"/api/v1/verdicts/{verdicts[seat].id}/",
                    {"rationale": f"round {round_}"},
                    format="json",
                    HTTP_IF_MATCH=f'"{version}"',
                )
            )
        return answers

    def upload(seat: int):
        client = api_client(uploaders[seat])
        return [
            client.post(
                "/api/v1/articles/",
                {"dossier": str(dossier.id), "text": article_text(3000 + seat * ROUNDS + n)},
                format="json",
            )
            for n in range(ROUNDS)
        ]

    work = [(edit, seat) for seat in range(len(verdicts))] + [
        (upload, seat) for seat in range(len(uploaders))
    ]
    answers = in_threads(len(work), work, lambda item: item[0](item[1]), together=True)
    edits, uploads = answers[: len(verdicts)], answers[len(verdicts) :]
    assert Counter(r.status_code for batch in uploads for r in batch) == {
        202: len(uploads) * ROUNDS
    }
    # Extraction runs in-process here and re-clustering may flag a verdict, moving its
    # version between an editor's read and write: that editor rightly gets a 412.
    edit_statuses = Counter(r.status_code for batch in edits for r in batch)
    assert set(edit_statuses) <= {200, 412} and edit_statuses[200] > 0, edit_statuses
    assert_streams_have_no_gaps()


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_and_removals_of_a_webhook_never_answer_500():
    """Two DELETEs and two PATCHes of one webhook at once: one removal wins, every other
    request is answered 200, 204 or 404 in the error shape, and the audit log stays whole."""
    require_postgresql()
    from api.commands import register_webhook

    team = DossierFactory().team
    admins = [member(team, Role.ADMIN) for _ in range(4)]
    clients = [api_client(admin) for admin in admins]
    for _ in range(10):
        webhook = register_webhook(team=team, url="https://hooks.example.org/in", actor=admins[0])
        url = f"/api/v1/webhooks/{webhook.id}/"
        requests = [
            (clients[0], "delete", url),
            (clients[1], "delete", url),
            (clients[2], "patch", url),
            (clients[3], "patch", url),
        ]
        responses = in_threads(
            4,
            requests,
            lambda item: getattr(item[0], item[1])(item[2], {"is_active": False}, format="json"),
            together=True,
        )
        statuses = [response.status_code for response in responses]
        assert statuses[:2].count(204) == 1 and set(statuses) <= {200, 204, 404}, statuses
        assert {error_code(r) for r in responses if r.status_code == 404} <= {"not_found"}
    assert_streams_have_no_gaps()
    assert_replay_rebuilds_the_live_state()


@pytest.mark.django_db(transaction=True)
def test_reanalysis_racing_workers_is_all_or_nothing_and_never_names_an_article(monkeypatch):
    """Re-analysis requests while workers start extractions in the same dossier: each request
    is 202 with every article accounted for (queued, already queued or running) or a 409
    naming no article; never a 412 or a 500, and the log stays whole."""
    require_postgresql()
    import workers.dispatch
    from dossiers.commands import start_extractions
    from eventlog.store import ConcurrencyError

    monkeypatch.setattr(workers.dispatch, "enqueue_extraction", lambda article_id: None)
    dossier, analyst, _ = small_dossier()
    for n in range(3, 9):
        upload(dossier, article_text(n), actor=analyst)
    article_ids = list(dossier.articles.values_list("id", flat=True))
    clients = [api_client(member(dossier.team, Role.ANALYST)) for _ in range(4)]

    def work(item):
        if isinstance(item, APIClient):
            return item.post(f"/api/v1/dossiers/{dossier.id}/reanalyze/", {}, format="json")
        # A worker taking one article, as the extraction task does; one that loses a race
        # gets ConcurrencyError and its task retries.
        with contextlib.suppress(ConcurrencyError):
            start_extractions(articles=[Article.objects.get(id=item)])
        return None

    for _ in range(3):
        items = [*clients, *article_ids]
        responses = in_threads(len(items), items, work, together=True)
        for response in (r for r in responses if r is not None):
            assert response.status_code in (202, 409), response.content
            body = response.json()
            if response.status_code == 202:
                counted = body["queued"] + body["already_queued"] + body["running"]
                assert counted == len(article_ids)
            else:
                assert error_code(response) == "conflict"
                assert not any(str(i) in body["error"]["message"] for i in article_ids)
    assert_streams_have_no_gaps()
    assert_replay_rebuilds_the_live_state()


@pytest.mark.django_db(transaction=True)
def test_fifty_mixed_writes_on_the_same_records_never_answer_500_and_replay_equals_live():
    """Fifty clients at one instant, each doing one of ten writes on the same dossier,
    source, article, verdict, webhook and membership (edits with the same If-Match, workflow
    steps, removals): every answer is a success or a 4xx in the error shape, at most one
    writer wins each version, and the log replays to exactly the live read models."""
    require_postgresql()
    from api.commands import register_webhook
    from dossiers.commands import add_source

    dossier, analyst, reviewer = small_dossier()
    team = dossier.team
    admins = [member(team, Role.ADMIN) for _ in range(CLIENTS)]
    verdict = draft_verdict(
        cluster=busiest_cluster(dossier), actor=analyst, rating="mostly_true", rationale="r"
    )
    source = add_source(team=team, name="Harbour Wire", actor=analyst)
    article = Article.objects.filter(dossier=dossier).order_by("id").first()
    webhook = register_webhook(team=team, url="https://hooks.example.org/in", actor=admins[0])
    dossier_url, verdict_url = f"/api/v1/dossiers/{dossier.id}/", f"/api/v1/verdicts/{verdict.id}/"
    versions = {
        "dossier": dossier.version,
        "source": source.version,
        "article": article.version,
        "verdict": verdict.version,
    }

    def write(kind: str, n: int):
        """(method, url, body, If-Match version or None) for the n-th client of a kind."""
        return {
            "title": ("patch", dossier_url, {"title": f"Title {n}"}, versions["dossier"]),
            "archive": ("patch", dossier_url, {"status": "archived"}, versions["dossier"]),
            "source": (
                "patch",
                f"/api/v1/sources/{source.id}/",
                {"reliability": "BC"[n % 2]},
                versions["source"],
            ),
            "article": (
                "patch",
                f"/api/v1/articles/{article.id}/",
                {"author": f"Author {n}"},
                versions["article"],
            ),
            "rationale": ("patch", verdict_url, {"rationale": f"r{n}"}, versions["verdict"]),
            "submit": ("post", f"{verdict_url}submit/", {}, versions["verdict"]),
            "pause": ("patch", f"/api/v1/webhooks/{webhook.id}/", {"is_active": False}, None),
            "remove": ("delete", f"/api/v1/webhooks/{webhook.id}/", {}, None),
            "role": (
                "patch",
                f"/api/v1/teams/{team.id}/members/{analyst.pk}/",
                {"role": "reviewer" if n % 2 else "viewer"},
                None,
            ),
            "upload": (
                "post",
                "/api/v1/articles/",
                {"dossier": str(dossier.id), "text": article_text(5000 + n)},
                None,
            ),
        }[kind]

    kinds = [
        "title",
        "archive",
        "source",
        "article",
        "rationale",
        "submit",
        "pause",
        "remove",
        "role",
        "upload",
    ]
    plan = [(api_client(admin), kinds[n % len(kinds)], n) for n, admin in enumerate(admins)]

    def send(item):
        client, kind, n = item
        method, url, body, version = write(kind, n)
        headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
        return kind, getattr(client, method)(url, body, format="json", **headers)

    answers = in_threads(CLIENTS, plan, send, together=True)
    statuses = Counter((kind, response.status_code) for kind, response in answers)
    assert not [s for s in statuses if s[1] >= 500], statuses
    for _, response in answers:
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}, response.content
    assert {s for _, s in statuses} <= {200, 201, 202, 204, 404, 409, 412}, statuses
    # One version of the dossier: a title edit or the archiving won, never both.
    dossier_wins = statuses[("title", 200)] + statuses[("archive", 200)]
    assert dossier_wins == 1, statuses
    assert statuses[("source", 200)] == 1 and statuses[("article", 200)] == 1, statuses
    assert statuses[("remove", 204)] == 1, statuses
    assert_streams_have_no_gaps()
    assert_replay_rebuilds_the_live_state()
