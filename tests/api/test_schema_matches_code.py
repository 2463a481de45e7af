"""The OpenAPI schema declares the limits the code checks, and the code refuses what the
schema does not allow (issue 16, bug 8)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.conftest import client_for, error_of


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", [])}


def test_every_page_numbered_list_declares_page_and_page_size_1_to_200(schema):
    numbered = [
        path
        for path, item in schema["paths"].items()
        if "get" in item and "page" in parameters(schema, path)
    ]
    assert "/api/v1/dossiers/" in numbered and "/api/v1/webhooks/{id}/deliveries/" in numbered
    for path in numbered:
        found = parameters(schema, path)
        assert found["page"]["schema"]["minimum"] == 1, path
        size = found["page_size"]["schema"]
        assert (size["minimum"], size["maximum"]) == (1, 200), path


def test_the_snapshot_requires_as_of_in_the_schema_too(schema):
    as_of = parameters(schema, "/api/v1/dossiers/{id}/snapshot/")["as_of"]
    assert as_of["required"] is True


def test_count_filters_declare_their_limits_and_yes_no_filters_are_booleans(schema):
    clusters = parameters(schema, "/api/v1/clusters/")
    origins = clusters["min_independent_origins"]["schema"]
    assert (origins["minimum"], origins["maximum"]) == (0, 1_000_000)
    assert parameters(schema, "/api/v1/verdicts/")["revision"]["schema"]["minimum"] == 1
    for name in ("is_active", "needs_review"):
        assert clusters[name]["schema"] == {"type": "boolean"}, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/dossiers/?team=", "team"),
        ("/api/v1/articles/?uploaded_before=", "uploaded_before"),
        ("/api/v1/clusters/?is_active=", "is_active"),
        ("/api/v1/dossiers/{dossier}/?as_of=", "as_of"),
        ("/api/v1/dossiers/{dossier}/snapshot/?as_of=", "as_of"),
        ("/api/v1/dossiers/{dossier}/snapshot/", "as_of"),
    ],
)
def test_an_empty_filter_or_as_of_is_400_not_ignored(world, path, name):
    response = client_for(world.viewer).get(path.format(dossier=world.dossier.id))
    assert response.status_code == 400, path
    assert name in error_of(response)["details"]["fields"]


def test_numbered_lists_declare_the_orderings_they_accept(schema):
    ordering = parameters(schema, "/api/v1/dossiers/")["ordering"]["schema"]
    assert set(ordering["enum"]) == {"created_at", "-created_at", "title", "-title"}
