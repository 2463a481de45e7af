"""Uploading from the admin runs the API's upload commands: text, many files, metadata."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import Article
from eventlog.models import Event

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:dossiers_article_add")
TEXT = (
    "Moscow, 3 March. The defence ministry said 4,000 troops had left the base on Monday, "
    "according to Interfax. Officials said the withdrawal would be complete by April."
)


def test_pasted_text_with_metadata_is_uploaded_through_the_command(
    client, desk, django_capture_on_commit_callbacks
):
    client.force_login(desk.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            UPLOAD,
            {
                "dossier": desk.dossier.pk,
                "text": TEXT,
                "url": "https://news.example/withdrawal",
                "title": "Troops leave the base",
                "outlet": "Example News",
                "author": "A. Writer",
                "published": "2026-03-03",
            },
        )
    assert response.status_code == 302
    article = Article.objects.get(dossier=desk.dossier, title="Troops leave the base")
    assert (article.url, article.author, article.source.name) == (
        "https://news.example/withdrawal",
        "A. Writer",
        "Example News",
    )
    assert article.published_at.date().isoformat() == "2026-03-03"
    assert article.uploaded_by == desk.analyst
    assert Event.objects.filter(stream_id=article.pk, metadata__actor=desk.analyst.username)
    article.refresh_from_db()
    assert article.status == Article.Status.DONE  # eager tasks: extraction ran on commit
    listing = client.get(response["Location"]).content.decode()
    assert "Troops leave the base" in listing and "status-done" in listing


def test_several_files_become_several_articles(client, desk):
    client.force_login(desk.analyst)
    before = Article.objects.filter(dossier=desk.dossier).count()
    files = [
        SimpleUploadedFile(f"report-{n}.txt", f"{TEXT} Report {n}.".encode(), "text/plain")
        for n in range(3)
    ]
    response = client.post(UPLOAD, {"dossier": desk.dossier.pk, "files": files, "outlet": "Wire"})
    assert response.status_code == 302
    assert Article.objects.filter(dossier=desk.dossier).count() == before + 3
    assert set(
        Article.objects.filter(filename__startswith="report-").values_list(
            "source__name", flat=True
        )
    ) == {"Wire"}


def test_bad_metadata_is_a_form_error_and_stores_nothing(client, desk):
    client.force_login(desk.analyst)
    before = Article.objects.count()
    response = client.post(
        UPLOAD, {"dossier": desk.dossier.pk, "text": TEXT, "published": "2026-02-30"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Article.objects.count() == before


def test_a_binary_file_is_refused_with_its_name(client, desk):
    client.force_login(desk.analyst)
    png = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "image/png")
    response = client.post(UPLOAD, {"dossier": desk.dossier.pk, "files": [png]})
    assert response.status_code == 200 and "photo.png" in response.content.decode()


def test_a_viewer_cannot_upload_and_sees_no_button(client, desk):
    viewer = desk.viewer()
    client.force_login(viewer)
    assert client.get(UPLOAD).status_code == 403
    listing = client.get(reverse("admin:dossiers_article_changelist")).content.decode()
    assert 'id="upload-articles"' not in listing


def test_the_list_refreshes_itself_while_articles_are_extracting(client, desk):
    client.force_login(desk.analyst)
    Article.objects.filter(pk=desk.article.pk).update(status=Article.Status.PENDING)
    listing = client.get(reverse("admin:dossiers_article_changelist")).content.decode()
    assert 'http-equiv="refresh"' in listing and 'id="extracting"' in listing
    Article.objects.filter(pk=desk.article.pk).update(status=Article.Status.DONE)
    listing = client.get(reverse("admin:dossiers_article_changelist")).content.decode()
    assert 'http-equiv="refresh"' not in listing
