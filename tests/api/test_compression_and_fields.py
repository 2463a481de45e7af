"""gzip on API responses and `?fields=` on lists (issue 16)."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db

LISTS = (
    "/api/v1/teams/",
    "/api/v1/dossiers/",
    "/api/v1/sources/",
    "/api/v1/articles/",
    "/api/v1/claims/",
    "/api/v1/clusters/",
    "/api/v1/verdicts/",
    "/api/v1/events/",
)


def test_a_client_that_accepts_gzip_gets_a_compressed_list_of_the_same_json(world):
    client = client_for(world.viewer)
    plain = client.get("/api/v1/claims/")
    packed = client.get("/api/v1/claims/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content)
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert packed["X-RateLimit-Limit"] == plain["X-RateLimit-Limit"]


def test_gzip_keeps_a_record_version_etag_strong_so_if_match_still_works(world):
    client = client_for(world.analyst)
    path = f"/api/v1/verdicts/{world.verdict.id}/"
    read = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert read["Content-Encoding"] == "gzip"
    assert read["ETag"] == f'"{world.verdict.version}"'
    write = client.patch(
        path,
        {"rationale": "new"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert write.status_code == 200, write.content


def test_gzip_does_not_break_if_none_match_on_body_hash_etags(world):
    client = client_for(world.viewer)
    first = client.get("/api/v1/claims/", HTTP_ACCEPT_ENCODING="gzip")
    assert first["ETag"].startswith('W/"')
    again = client.get(
        "/api/v1/claims/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304


def test_pages_outside_the_api_are_not_compressed(world, client):
    response = client.get("/admin/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_gzip_can_be_turned_off(world, settings):
    settings.API_GZIP = False
    response = client_for(world.viewer).get("/api/v1/claims/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("path", LISTS)
def test_fields_selects_the_fields_of_every_row_of_a_list(world, path):
    client = client_for(world.admin)
    full = client.get(path).json()["results"]
    assert full, path
    available = list(full[0])
    chosen = [available[-1], available[0]]
    response = client.get(path, {"fields": ",".join(chosen)})
    assert response.status_code == 200, (path, response.json())
    rows = response.json()["results"]
    assert [list(row) for row in rows] == [chosen] * len(full)
    assert rows == [{name: row[name] for name in chosen} for row in full]


def test_fields_may_be_repeated(world):
    rows = client_for(world.viewer).get("/api/v1/claims/?fields=id&fields=text").json()
    assert set(rows["results"][0]) == {"id", "text"}
    assert "next" in rows, "the page's own keys stay"


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_field_is_400_naming_it(world, path):
    response = client_for(world.admin).get(path, {"fields": "id,bogus,also_bogus"})
    assert response.status_code == 400
    problem = error_of(response)
    message = problem["details"]["fields"]["fields"][0]
    assert "bogus, also_bogus" in message and "choose from:" in message


def test_an_empty_fields_is_400(world):
    response = client_for(world.viewer).get("/api/v1/claims/?fields=")
    assert response.status_code == 400
    assert "fields" in error_of(response)["details"]["fields"]


def test_the_schema_lists_the_fields_each_list_can_select(world):
    schema = client_for(world.viewer).get("/api/schema/?format=json").json()
    claims = schema["paths"]["/api/v1/claims/"]["get"]["parameters"]
    (fields,) = [p for p in claims if p["name"] == "fields"]
    assert fields["in"] == "query" and fields["explode"] is False
    assert {"id", "text", "kind"} <= set(fields["schema"]["items"]["enum"])
    detail = schema["paths"]["/api/v1/claims/{id}/"]["get"].get("parameters", [])
    assert "fields" not in {p["name"] for p in detail}


def test_list_rows_in_the_schema_require_no_field_and_records_keep_theirs(world):
    schemas = client_for(world.viewer).get("/api/schema/?format=json").json()["components"]
    rows = schemas["schemas"]["PaginatedClaimList"]["properties"]["results"]["items"]
    assert rows == {"$ref": "#/components/schemas/ClaimRow"}
    assert "required" not in schemas["schemas"]["ClaimRow"]
    assert "id" in schemas["schemas"]["Claim"]["required"]
    assert schemas["schemas"]["ClaimRow"]["properties"] == schemas["schemas"]["Claim"]["properties"]
