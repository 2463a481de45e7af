"""Uploads: 202 with a status URL, idempotent retries, clear refusals of bad input."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.commands import start_extractions
from dossiers.models import Article
from eventlog.models import Event
from tests.api.conftest import client_for, error_of, store_extraction
from tests.factories import article_text
from workers import pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(world):
    return client_for(world.analyst)


def post_text(client, dossier, text, **headers):
    return client.post(
        "/api/v1/articles/", {"dossier": str(dossier.id), "text": text}, format="json", **headers
    )


def test_an_upload_answers_202_with_a_status_url_that_follows_extraction(
    world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_text(client, world.dossier, article_text(40))
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["status_url"]
    assert body["status"] == "pending" and body["claim_count"] == 0 and body["error"] == ""
    assert len(queued) == 1, "extraction is enqueued only once the upload has committed"

    (article,) = start_extractions(articles=[Article.objects.get(id=body["article"])])
    assert client.get(body["status_url"]).json()["status"] == "running"

    store_extraction(article)
    done = client.get(body["status_url"]).json()
    assert done["status"] == "done" and done["error"] == ""
    assert done["claim_count"] == Article.objects.get(id=article.id).claims.count() > 0
    assert done["attempts"] == 2  # started by hand above, then by the extraction


def test_a_failed_extraction_shows_the_error_and_can_be_retried(world, client, monkeypatch):
    def crash(raw, *, content_type, budget=None):
        raise RuntimeError("tokenizer exploded")

    response = post_text(client, world.dossier, article_text(41))
    status_url = response.json()["status_url"]
    monkeypatch.setattr(pipeline, "extract_article", crash)
    pipeline.run_extraction(response.json()["article"])
    failed = client.get(status_url).json()
    assert failed["status"] == "failed"
    assert failed["error"] == "RuntimeError: tokenizer exploded"
    assert failed["claim_count"] == 0

    article = Article.objects.get(id=failed["article"])
    retry = client.post(
        f"/api/v1/articles/{article.id}/retry/", HTTP_IF_MATCH=f'"{article.version}"'
    )
    assert retry.status_code == 202
    assert retry.json()["status"] == "pending"


def test_a_multipart_file_upload_is_accepted(world, client):
    upload = SimpleUploadedFile("report.txt", article_text(42).encode("cp1252"), "text/plain")
    response = client.post(
        "/api/v1/articles/", {"dossier": str(world.dossier.id), "file": upload}, format="multipart"
    )
    assert response.status_code == 202
    article = Article.objects.get(id=response.json()["article"])
    assert article.filename == "report.txt"
    assert article.raw_upload == article_text(42)


def test_a_retried_upload_with_the_same_key_returns_the_first_answer_and_one_article(world, client):
    key = str(uuid.uuid4())
    first = post_text(client, world.dossier, article_text(43), HTTP_IDEMPOTENCY_KEY=key)
    events = Event.objects.count()
    again = post_text(client, world.dossier, article_text(43), HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert Article.objects.filter(dossier=world.dossier, id=first.json()["article"]).count() == 1
    assert Event.objects.count() == events


def test_a_key_reused_for_another_request_is_refused(world, client):
    key = str(uuid.uuid4())
    post_text(client, world.dossier, article_text(44), HTTP_IDEMPOTENCY_KEY=key)
    articles = Article.objects.count()
    other = post_text(client, world.dossier, article_text(45), HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422
    assert error_of(other)["code"] == "idempotency_key_reused"
    assert Article.objects.count() == articles


def test_keys_belong_to_their_user(world, client):
    key = str(uuid.uuid4())
    mine = post_text(client, world.dossier, article_text(46), HTTP_IDEMPOTENCY_KEY=key)
    theirs = post_text(
        client_for(world.admin), world.dossier, article_text(47), HTTP_IDEMPOTENCY_KEY=key
    )
    assert mine.status_code == theirs.status_code == 202
    assert mine.json()["article"] != theirs.json()["article"]


def test_the_same_text_without_a_key_answers_200_with_the_existing_article(world, client):
    first = post_text(client, world.dossier, article_text(48))
    again = post_text(client, world.dossier, article_text(48).replace("\n", "\r\n"))
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["article"] == first.json()["article"]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"", 400, "empty"),
        (b"   \n\t ", 400, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 400, "binary"),
        (b"a" * (5 * 1024 * 1024 + 1), 413, "too_large"),
    ],
    ids=["empty", "whitespace", "binary", "oversized"],
)
def test_unusable_files_are_refused_clearly_and_nothing_is_stored(
    world, client, payload, status, code
):
    events = Event.objects.count()
    response = client.post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "file": SimpleUploadedFile("a.txt", payload)},
        format="multipart",
    )
    assert response.status_code == status
    problem = error_of(response)
    assert problem["code"] == code
    assert Event.objects.count() == events


def test_malformed_json_is_a_400_in_the_error_shape(client):
    response = client.post(
        "/api/v1/articles/", '{"dossier": "x", "text": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_request"


def test_a_json_body_over_the_limit_is_413_before_parsing(world, client):
    text = "word " * (1_300_000)
    response = post_text(client, world.dossier, text)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": "Officials said so."},
        {"dossier": "not-a-uuid", "text": "Officials said so."},
        {"dossier": "{dossier}"},
        {"dossier": "{dossier}", "text": "x", "file": "also"},
    ],
    ids=["nothing", "no-dossier", "bad-dossier", "no-text", "both"],
)
def test_incomplete_uploads_name_the_problem(world, client, body):
    body = {k: v.format(dossier=world.dossier.id) for k, v in body.items()}
    response = client.post("/api/v1/articles/", body, format="json")
    assert response.status_code == 400
    problem = error_of(response)
    assert problem["code"] == "invalid"
    assert problem["details"]["fields"]


def test_an_unsupported_media_type_is_415(world, client):
    response = client.post("/api/v1/articles/", b"<x/>", content_type="application/xml")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_moves_the_status_url_to_done(celery_worker_process, monkeypatch):
    from tests.api.conftest import build_world
    from tests.conftest import wait_for
    from workers import dispatch

    with monkeypatch.context() as setup:
        # The world's articles are extracted by hand: a sweep would race the setup for them.
        setup.setattr(dispatch, "enqueue_dossier_extraction", lambda dossier_id: True)
        world = build_world("Worker desk")
    client = client_for(world.analyst)
    response = post_text(client, world.dossier, article_text(60))
    assert response.status_code == 202
    status_url = response.json()["status_url"]
    assert response.json()["status"] in {"pending", "running", "done"}

    final = wait_for(
        lambda: (body := client.get(status_url).json())["status"] in {"done", "failed"} and body
    )
    assert final["status"] == "done", final["error"]
    assert final["claim_count"] > 0 and final["attempts"] == 1
    # Let the re-clustering that follows finish before the test database is flushed.
    reclustered = Event.objects.filter(metadata__correlation_id=f"dossier:{world.dossier.id}")
    wait_for(reclustered.exists)
    wait_for(worker_is_idle)


def worker_is_idle() -> bool:
    from config.celery import app

    inspect = app.control.inspect(timeout=1)
    busy = [*(inspect.active() or {}).values(), *(inspect.reserved() or {}).values()]
    return not any(busy)


def test_an_oversized_file_is_refused_with_its_real_size(world, client):
    size = 6 * 1024 * 1024
    response = client.post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "file": SimpleUploadedFile("a.txt", b"a" * size)},
        format="multipart",
    )
    assert response.status_code == 413
    assert f"{size:,} bytes" in error_of(response)["message"]


def test_a_file_declared_utf8_that_is_not_is_refused_not_stored_garbled(world, client):
    events = Event.objects.count()
    latin = "Le ministre a déclaré lundi que le pont était fermé.".encode("latin-1")
    declared = SimpleUploadedFile("a.txt", latin, content_type="text/plain; charset=utf-8")
    response = client.post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "file": declared},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "encoding"
    assert Event.objects.count() == events
    undeclared = SimpleUploadedFile("a.txt", latin, content_type="text/plain")
    response = client.post(
        "/api/v1/articles/",
        {"dossier": str(world.dossier.id), "file": undeclared},
        format="multipart",
    )
    assert response.status_code == 202  # guessed as Windows-1252, as before
