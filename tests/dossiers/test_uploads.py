import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from dossiers.commands import upload_article
from dossiers.models import Article, Role
from dossiers.uploads import UploadRejected, safe_filename
from eventlog.models import Event
from tests.factories import DossierFactory, article_text, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier():
    return DossierFactory()


@pytest.fixture
def analyst(dossier):
    return member(dossier.team, Role.ANALYST)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"a" * (5 * 1024 * 1024 + 1), "too_large"),
    ],
    ids=["empty", "whitespace", "binary", "oversized"],
)
def test_unusable_uploads_are_refused_and_nothing_is_stored(dossier, analyst, payload, code):
    events_before = Event.objects.count()
    with pytest.raises(UploadRejected) as caught:
        upload_article(dossier=dossier, payload=payload, actor=analyst)
    assert caught.value.code == code
    assert str(caught.value)
    assert Article.objects.count() == 0
    assert Event.objects.count() == events_before


def test_an_upload_at_the_size_limit_is_accepted(dossier, analyst):
    text = ("Officials said the talks failed. " * 200_000)[: settings.ARTICLE_MAX_BYTES]
    article = upload_article(dossier=dossier, payload=text.encode(), actor=analyst).article
    assert len(article.raw_upload.encode()) == settings.ARTICLE_MAX_BYTES


def test_windows_1252_text_is_decoded_correctly(dossier, analyst):
    text = "The minister’s “final” offer – 50 percent – was rejected in Genève, he said."
    article = upload_article(dossier=dossier, payload=text.encode("cp1252"), actor=analyst).article
    assert article.raw_upload == text


def test_a_duplicate_upload_returns_the_existing_article(dossier, analyst):
    first = upload_article(dossier=dossier, payload=article_text(1), actor=analyst)
    again = upload_article(
        dossier=dossier, payload=article_text(1).replace("\n", "\r\n"), actor=analyst
    )
    assert first.created and not again.created
    assert again.article.id == first.article.id
    assert Article.objects.filter(dossier=dossier).count() == 1


def test_the_same_text_in_another_dossier_is_a_separate_article(dossier, analyst):
    other = DossierFactory(team=dossier.team)
    upload_article(dossier=dossier, payload=article_text(1), actor=analyst)
    upload_article(dossier=other, payload=article_text(1), actor=analyst)
    assert Article.objects.count() == 2


def test_a_viewer_cannot_upload(dossier):
    viewer = member(dossier.team, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        upload_article(dossier=dossier, payload=article_text(), actor=viewer)
    assert Article.objects.count() == 0


def test_a_member_of_another_team_cannot_upload(dossier):
    outsider = member(DossierFactory().team, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        upload_article(dossier=dossier, payload=article_text(), actor=outsider)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.html", "report.html"),
        ("a<b>.txt", "a_b_.txt"),
    ],
)
def test_filenames_are_display_names_only(given, kept):
    assert safe_filename(given) == kept
