"""Fixtures for API tests: teams with members of every role, and a dossier with analysed
articles, clusters and a verdict, all built through commands."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.commands import change_webhook, register_webhook
from api.tasks import dispatch_webhooks
from claims.commands import draft_verdict
from claims.extraction.kinds import classify_claim_kind
from claims.extraction.pipeline import ExtractedArticle, ExtractedClaim
from claims.models import ClaimCluster, Verdict
from claims.reclustering import recluster_dossier
from dossiers.commands import (
    ExtractionResult,
    add_source,
    record_extraction_results,
    start_extractions,
)
from dossiers.models import Article, Dossier, Role, Source, Team
from eventlog.context import SYSTEM
from tests.factories import DossierFactory, TeamFactory, article_text, member, upload
from workers.pipeline import claim_id


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """API clients authenticate by token; a slow password hash only slows the fixtures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> APIClient:
    """A client authenticating the way integrations do: `Authorization: Token <key>`."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def streamed(response) -> dict:
    """A streamed JSON answer (the export, the snapshot), read whole: 200, no ETag."""
    assert response.status_code == 200 and response.streaming, response
    assert response["Content-Type"] == "application/json"
    assert not response.has_header("ETag")
    return json.loads(b"".join(response.streaming_content))


def error_of(response) -> dict:
    """The error object, after checking the response has exactly the one error shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
_NUMBER = re.compile(r"\d+")


def store_extraction(article: Article, speaker_of=lambda text: None) -> Article:
    """Stand-in for the extractor: every sentence of five words or more is a claim (of the
    kind its wording shows, `claims.extraction.kinds`, which is pure and fast), stored
    through the same commands the worker uses. API tests test the API, not the extractor,
    so they neither wait for nor depend on the trained models. `speaker_of(text)` names a
    claim's speaker (None by default)."""
    (article,) = start_extractions(articles=[article])
    body = article.raw_upload
    claims = []
    for match in _SENTENCE.finditer(body):
        text = match.group().strip()
        if len(text.split()) < 5:
            continue
        start = body.index(text, match.start())
        claims.append(
            ExtractedClaim(
                start=start,
                end=start + len(text),
                text=text,
                speaker=speaker_of(text),
                cue=None,
                cited_source=None,
                quantities=[{"value": float(n), "text": n} for n in _NUMBER.findall(text)],
                checkworthiness=round(0.5 + 0.01 * len(claims), 2),
                kind=classify_claim_kind(text).value,
            )
        )
    extracted = ExtractedArticle(
        title=None,
        subtitle=None,
        author=None,
        published_at=None,
        published_precision=None,
        body=body,
        claims=claims,
        language="en",
    )
    ids = [claim_id(article.id, c.start, c.end, c.text) for c in claims]
    (stored,) = record_extraction_results(
        results=[ExtractionResult(article=article, extracted=extracted, claim_ids=ids)],
        extractor_version="api-tests",
    )
    return stored


def analyse(dossier: Dossier, texts: list[str], actor) -> list[Article]:
    """Upload, extract and cluster now (tests do not wait for on_commit)."""
    articles = [store_extraction(upload(dossier, text, actor=actor)) for text in texts]
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    return [Article.objects.get(id=article.id) for article in articles]


@dataclass
class TeamWorld:
    team: Team
    viewer: object
    analyst: object
    reviewer: object
    admin: object
    dossier: Dossier
    source: Source
    articles: list[Article]
    cluster: ClaimCluster
    verdict: Verdict
    webhook: object


def build_world(name: str) -> TeamWorld:
    team = TeamFactory(name=name)
    analyst = member(team, Role.ANALYST)
    dossier = DossierFactory(team=team)
    source = add_source(team=team, name=f"{name} Wire", actor=analyst)
    articles = analyse(
        dossier,
        [article_text(1), article_text(1).replace("Monday", "Tuesday"), article_text(2)],
        analyst,
    )
    cluster = ClaimCluster.objects.filter(dossier=dossier).order_by("-article_count").first()
    verdict = draft_verdict(cluster=cluster, actor=analyst, rating="mostly_true", rationale="r")
    admin = member(team, Role.ADMIN)
    return TeamWorld(
        team=team,
        viewer=member(team, Role.VIEWER),
        analyst=analyst,
        reviewer=member(team, Role.REVIEWER),
        admin=admin,
        dossier=dossier,
        source=source,
        articles=articles,
        cluster=cluster,
        verdict=verdict,
        webhook=paused_webhook(team, admin),
    )


def paused_webhook(team: Team, admin):
    """A registered webhook that sends nothing: tests must not reach the network."""
    webhook = register_webhook(team=team, url="https://hooks.example.org/in", actor=admin)
    return change_webhook(webhook=webhook, actor=admin, is_active=False)


@pytest.fixture
def world(db) -> TeamWorld:
    return build_world("Newsroom")


@pytest.fixture
def other_world(db) -> TeamWorld:
    return build_world("Rivals")


# --- webhooks: a local receiver and helpers -------------------------------------------

SECRET = "s3cret-for-tests-only-0123456789"


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        if self.server.failures_left > 0:
            self.server.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"busy, try later")
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0  # eager retries run at once; the backoff is unit-tested
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.failures_left = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/claimdesk"
    yield server
    server.shutdown()
    server.server_close()


def register(client, team, url, **fields):
    return client.post(
        "/api/v1/webhooks/",
        {"team": str(team.id), "url": url, "secret": SECRET, **fields},
        format="json",
    )


def dispatch(capture) -> None:
    with capture(execute=True):
        dispatch_webhooks()
