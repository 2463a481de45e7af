import pytest

from claims.models import Claim
from dossiers.commands import request_extraction
from dossiers.models import Article, Role
from eventlog.models import Event
from tests.conftest import wait_for
from tests.factories import DossierFactory, article_text, member, upload
from workers import pipeline
from workers.pipeline import run_extraction


@pytest.fixture
def dossier(db):
    return DossierFactory()


@pytest.fixture
def analyst(dossier):
    return member(dossier.team, Role.ANALYST)


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_stored_pending_then_extracted_on_commit(dossier, analyst):
    article = upload(dossier, article_text(3), actor=analyst)
    article.refresh_from_db()
    assert article.status == Article.Status.DONE
    types = list(Event.objects.filter(stream_id=article.id).values_list("type", flat=True))
    assert types == [
        "ArticleUploaded",
        "ArticleExtractionStarted",
        "ClaimsExtracted",
        "QuestionStanceScored",  # toward the dossier's claim form, on extraction (issue 18)
    ]
    claims = list(article.claims.order_by("ordinal"))
    assert claims, "the sample article has check-worthy sentences"
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.text


@pytest.mark.django_db(transaction=True)
def test_a_crashing_extraction_marks_the_article_failed_and_can_be_retried(
    dossier, analyst, monkeypatch
):
    def crash(raw, *, content_type, budget=None):
        raise RuntimeError("tokenizer exploded on line 3")

    monkeypatch.setattr(pipeline, "extract_article", crash)
    article = upload(dossier, article_text(4), actor=analyst)
    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert article.extraction_error == "RuntimeError: tokenizer exploded on line 3"
    assert not article.claims.exists()

    monkeypatch.undo()
    request_extraction(article=article, actor=analyst, reason="retry after fix")
    article.refresh_from_db()
    assert article.status == Article.Status.DONE
    assert article.extraction_error == ""
    assert article.extraction_attempts == 2


@pytest.mark.django_db(transaction=True)
def test_running_extraction_twice_gives_the_same_claims(dossier, analyst):
    article = upload(dossier, article_text(5), actor=analyst)
    first = sorted(Claim.objects.filter(article=article).values_list("id", "text"))
    run_extraction(article.id, force=True)
    run_extraction(article.id, force=True)
    assert sorted(Claim.objects.filter(article=article).values_list("id", "text")) == first


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_extracts_an_uploaded_article(celery_worker_process, dossier, analyst):
    celery_worker_process.ensure_running()
    article = upload(dossier, article_text(6), actor=analyst)
    assert Article.objects.get(id=article.id).status in {"pending", "running", "done"}
    done = wait_for(
        lambda: Article.objects.filter(id=article.id, status=Article.Status.DONE).first(),
        timeout=180,
    )
    assert done.claims.exists()
