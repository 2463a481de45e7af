"""One JSON error shape for every 4xx and 5xx, wherever the error comes from."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from api.views.claims import ClusterViewSet
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def test_an_unknown_endpoint_is_a_json_404(world):
    for path in ("/api/v1/nothing-here/", "/api/v2/dossiers/", "/api/v1/dossiers"):
        response = client_for(world.viewer).get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    assert "did you mean /api/v1/dossiers/" in error_of(response)["message"]


def test_an_unknown_id_is_404_whatever_its_shape(world):
    client = client_for(world.viewer)
    for raw in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", "1"):
        response = client.get(f"/api/v1/verdicts/{raw}/")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_a_method_the_endpoint_lacks_is_405_with_allow(world):
    client = client_for(world.analyst)
    response = client.delete(f"/api/v1/dossiers/{world.dossier.id}/")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert client.options("/api/v1/dossiers/").status_code == 405


def test_a_bad_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_an_unacceptable_accept_header_is_406(world):
    response = client_for(world.viewer).get("/api/v1/dossiers/", HTTP_ACCEPT="image/png")
    assert response.status_code == 406
    assert error_of(response)["code"] == "not_acceptable"


def test_invalid_filters_and_cursors_are_400(world):
    client = client_for(world.viewer)
    cases = {
        "/api/v1/claims/?cursor=garbage": "cursor",
        "/api/v1/claims/?ordering=text": "ordering",
        "/api/v1/claims/?page_size=0": "page_size",
        "/api/v1/verdicts/?status=sideways": "status",
        "/api/v1/clusters/?needs_review=perhaps": "needs_review",
        "/api/v1/articles/?uploaded_after=yesterday": "uploaded_after",
        "/api/v1/dossiers/?team=x%00y": "team",
    }
    for path, field in cases.items():
        response = client.get(path)
        assert response.status_code == 400, path
        assert field in error_of(response)["details"]["fields"], path


def test_throttling_answers_429_with_retry_after(world, settings):
    settings.API_THROTTLE_USER = "2/day"
    client = client_for(world.viewer)
    statuses = [client.get("/api/v1/teams/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/teams/")
    problem = error_of(response)
    assert problem["code"] == "throttled"
    assert int(response["Retry-After"]) == problem["details"]["retry_after"] > 0


def test_an_unexpected_exception_is_a_500_in_the_error_shape_that_reveals_nothing(
    world, monkeypatch, caplog
):
    def explode(self):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(ClusterViewSet, "get_queryset", explode)
    client = client_for(world.viewer)
    client.raise_request_exception = False
    response = client.get("/api/v1/clusters/")
    assert response.status_code == 500
    problem = error_of(response)
    assert problem["code"] == "server_error"
    assert "hunter2" not in response.content.decode()
    assert "secret internals" in caplog.text, "the error is logged for operators"


def test_date_filters_take_any_iso_offset_and_refuse_impossible_instants(world):
    client = client_for(world.viewer)
    far_offset = client.get("/api/v1/clusters/", {"updated_before": "4517-11-01T17:19:25+19:35"})
    assert far_offset.status_code == 200  # PostgreSQL alone would refuse a +19:35 offset
    impossible = client.get("/api/v1/verdicts/", {"created_after": "0001-01-01T00:00:00+14:00"})
    assert impossible.status_code == 400
    assert "created_after" in error_of(impossible)["details"]["fields"]


def test_too_many_form_fields_or_files_are_400_in_the_error_shape(world):
    client = client_for(world.analyst)
    client.raise_request_exception = False
    fields = "&".join(f"field{n}=x" for n in range(1200))
    too_many_fields = client.post(  # the upload is the one endpoint that reads forms
        "/api/v1/articles/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert too_many_fields.status_code == 400
    assert error_of(too_many_fields)["code"] == "too_many_fields"

    files = {"file": [SimpleUploadedFile(f"a{n}.txt", b"Some text.") for n in range(101)]}
    too_many_files = client.post(
        "/api/v1/articles/", {"dossier": str(world.dossier.id), **files}, format="multipart"
    )
    assert too_many_files.status_code == 400
    assert error_of(too_many_files)["code"] == "too_many_files"


def test_a_form_body_elsewhere_is_415(world):
    """Only the upload reads form and multipart bodies; a form sent to another endpoint is
    refused whole, never read as an empty request."""
    client = client_for(world.analyst)
    response = client.post(
        "/api/v1/dossiers/", "title=Form", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_a_form_body_over_the_limit_is_413_in_the_error_shape(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(world.analyst)
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/articles/", "text=" + "x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/articles"),
        ("post", "/api/v1/verdicts/0.5/approve/"),
        ("patch", "/api/v1/nothing-here/"),
        ("delete", "/api/v1/dossiers"),
    ],
)
def test_a_write_to_an_unknown_path_is_a_json_404_not_a_csrf_refusal(world, method, path):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(
        HTTP_AUTHORIZATION=client_for(world.analyst)._credentials["HTTP_AUTHORIZATION"]
    )
    response = getattr(client, method)(path, {"x": 1}, format="json")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_session_write_without_a_csrf_token_is_refused_in_the_error_shape(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.analyst)
    response = client.post(
        "/api/v1/dossiers/", {"team": str(world.team.id), "title": "t"}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]


def test_a_disallowed_host_is_a_json_400(world):
    response = client_for(world.viewer).get("/api/v1/dossiers/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error_of(response)["code"] == "disallowed_host"
    assert client_for(world.viewer).get("/admin/", HTTP_HOST="evil.example").status_code == 400


def test_an_over_long_url_is_a_json_414(world, settings):
    settings.API_MAX_URL_LENGTH = 100
    response = client_for(world.viewer).get("/api/v1/dossiers/", {"search": "x" * 200})
    assert response.status_code == 414
    assert error_of(response)["code"] == "uri_too_long"
    assert client_for(world.viewer).get("/api/v1/dossiers/", {"search": "x"}).status_code == 200


def test_an_error_django_answers_in_a_middleware_is_reshaped(world, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.api.test_errors.ExplodingMiddleware"]
    client = client_for(world.viewer)
    client.raise_request_exception = False
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "hunter2" not in response.content.decode()
    assert response["X-Request-ID"]


class ExplodingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("password=hunter2")


@pytest.mark.parametrize("page", ["0", "abc", "-1", "1.5"])
def test_a_page_number_that_is_not_a_whole_number_from_1_is_400(world, page):
    response = client_for(world.viewer).get("/api/v1/dossiers/", {"page": page})
    assert response.status_code == 400
    assert "page" in error_of(response)["details"]["fields"]


def test_a_page_past_the_end_is_still_404_and_page_1_works(world):
    client = client_for(world.viewer)
    assert client.get("/api/v1/dossiers/", {"page": "1"}).status_code == 200
    assert client.get("/api/v1/dossiers/", {"page": "99"}).status_code == 404


def test_an_unknown_event_type_in_the_feed_filter_is_400_as_on_webhooks(world):
    client = client_for(world.viewer)
    response = client.get("/api/v1/events/", {"types": "VerdictPublished,Bogus"})
    assert response.status_code == 400
    assert "Bogus" in error_of(response)["details"]["fields"]["types"][0]
    assert client.get("/api/v1/events/", {"types": "VerdictPublished"}).status_code == 200


def test_options_is_405_and_allow_does_not_list_it(world):
    client = client_for(world.viewer)
    for path in ("/api/v1/dossiers/", f"/api/v1/dossiers/{world.dossier.id}/", "/api/v1/events/"):
        response = client.options(path)
        assert response.status_code == 405, path
        assert error_of(response)["code"] == "method_not_allowed"
        assert "OPTIONS" not in response["Allow"] and "GET" in response["Allow"]
        assert "OPTIONS" not in client.get(path).get("Allow", "")


def test_a_number_is_not_an_article_text(world):
    response = client_for(world.analyst).post(
        "/api/v1/articles/", {"dossier": str(world.dossier.id), "text": 12345}, format="json"
    )
    assert response.status_code == 400
    assert "text" in error_of(response)["details"]["fields"]


@pytest.mark.parametrize(
    ("path", "body", "refused"),
    [
        ("/api/v1/dossiers/", {"title": "T", "status": "archived"}, "status"),
        ("/api/v1/dossiers/", {"title": "T", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ("/api/v1/dossiers/", {"title": "T", "tittle": "typo"}, "tittle"),
        ("/api/v1/verdicts/", {"rating": "true", "author": "someone"}, "author"),
        ("/api/v1/webhooks/", {"url": "https://example.org/in", "secret_key": "x"}, "secret_key"),
    ],
)
def test_unknown_and_read_only_fields_in_a_body_are_400_naming_them(world, path, body, refused):
    reference = {"cluster": str(world.cluster.id)} if "verdicts" in path else {}
    reference = reference or {"team": str(world.team.id)}
    response = client_for(world.admin).post(path, {**reference, **body}, format="json")
    assert response.status_code == 400, response.json()
    problem = error_of(response)
    assert list(problem["details"]["fields"]) == [refused]
    assert refused in problem["message"]


def test_a_patch_naming_a_read_only_field_is_400_and_changes_nothing(world):
    verdict = world.verdict
    response = client_for(world.analyst).patch(
        f"/api/v1/verdicts/{verdict.id}/",
        {"rationale": "changed", "status": "published", "team": str(world.team.id)},
        format="json",
        HTTP_IF_MATCH=f'"{verdict.version}"',
    )
    assert response.status_code == 400
    assert set(error_of(response)["details"]["fields"]) == {"status", "team"}
    verdict.refresh_from_db()
    assert verdict.rationale == "r" and verdict.status == "draft"


def test_an_ordering_a_numbered_list_cannot_use_is_400_as_on_cursor_lists(world):
    client = client_for(world.viewer)
    response = client.get("/api/v1/dossiers/", {"ordering": "-title,bogus"})
    assert response.status_code == 400
    assert "bogus" in error_of(response)["details"]["fields"]["ordering"][0]
    assert client.get("/api/v1/dossiers/", {"ordering": "-title,created_at"}).status_code == 200


def test_every_kind_of_write_refuses_fields_it_does_not_take(world):
    """The writes the parametrised test above leaves out: uploads (JSON and multipart),
    sources, batches, workflow actions, re-analysis and webhook changes."""
    admin = client_for(world.admin)
    dossier, team = str(world.dossier.id), str(world.team.id)
    writes = [
        ("post", "/api/v1/sources/", {"team": team, "name": "N", "version": 3}, "version"),
        (
            "post",
            "/api/v1/articles/",
            {"dossier": dossier, "text": "T t.", "status": "done"},
            "status",
        ),
        (
            "post",
            f"/api/v1/dossiers/{dossier}/articles/batch/",
            {"articles": [{"text": "A text.", "claim_count": 3}]},
            "articles",
        ),
        ("post", f"/api/v1/dossiers/{dossier}/reanalyze/", {"force": True}, "force"),
        ("patch", f"/api/v1/webhooks/{world.webhook.id}/", {"secret": "s" * 20}, "secret"),
    ]
    for method, path, body, refused in writes:
        response = getattr(admin, method)(path, body, format="json")
        assert response.status_code == 400, (path, response.json())
        assert refused in error_of(response)["details"]["fields"], path
    multipart = admin.post(
        "/api/v1/articles/",
        {
            "dossier": dossier,
            "file": SimpleUploadedFile("a.txt", b"Some text here.", "text/plain"),
            "uploaded_by": "me",
        },
        format="multipart",
    )
    assert multipart.status_code == 400
    assert "uploaded_by" in error_of(multipart)["details"]["fields"]
    submit = client_for(world.analyst).post(
        f"/api/v1/verdicts/{world.verdict.id}/submit/",
        {"status": "published"},
        format="json",
        HTTP_IF_MATCH=f'"{world.verdict.version}"',
    )
    assert submit.status_code == 400
    assert "status" in error_of(submit)["details"]["fields"]
