"""The claims of an archived article leave the claims list (both the precompiled page and
the filtered path) unless asked for with `?archived=`, as archived articles leave the
articles list, and leave search; a claim's own URL still answers."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from claims.models import Claim
from tests.api.conftest import client_for, error_of
from tests.api.test_archiving import archive_article
from tests.api.test_claim_pages import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(world):
    """The world with its third article archived (by an analyst, through the API)."""
    article = world.articles[2]
    assert archive_article(client_for(world.analyst), article).status_code == 200
    return article


def claim_ids(**filters) -> set[str]:
    return {str(pk) for pk in Claim.objects.filter(**filters).values_list("id", flat=True)}


def listed(client, **params) -> set[str]:
    rows, _ = walk(client, **params)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "no claim is listed twice"
    return set(ids)


@pytest.mark.parametrize("ordering", ["id", "-checkworthiness", "checkworthiness"])
def test_the_unfiltered_list_leaves_an_archived_articles_claims_out(world, archived, ordering):
    """No query parameter but the cursor's: the precompiled page, walked two rows at a time
    so that the later pages (cursor stand-ins) are read too."""
    hidden = claim_ids(article=archived)
    live = claim_ids(dossier__team=world.team) - hidden
    assert hidden and live
    assert listed(client_for(world.viewer), ordering=ordering) == live


def test_the_filtered_list_leaves_an_archived_articles_claims_out(world, archived):
    client = client_for(world.viewer)
    hidden = claim_ids(article=archived)
    live = claim_ids(dossier=world.dossier) - hidden
    assert listed(client, dossier=str(world.dossier.id)) == live
    assert listed(client, search="") == live  # any filter parameter: the ORM path
    assert listed(client, article=str(archived.id)) == set()


def test_archived_true_lists_only_the_archived_articles_claims_false_only_the_others(
    world, archived
):
    client = client_for(world.viewer)
    hidden = claim_ids(article=archived)
    live = claim_ids(dossier=world.dossier) - hidden
    assert listed(client, archived="true") == hidden
    assert listed(client, archived="true", dossier=str(world.dossier.id)) == hidden
    assert listed(client, archived="true", article=str(archived.id)) == hidden
    assert listed(client, archived="false") == live
    assert listed(client, archived="false", ordering="-checkworthiness") == live


@pytest.mark.parametrize("value", ["maybe", "1", "True", ""])
def test_a_bad_archived_value_is_400_naming_it(world, archived, value):
    response = client_for(world.viewer).get("/api/v1/claims/", {"archived": value})
    assert response.status_code == 400, response.content
    problem = error_of(response)
    assert problem["code"] == "invalid"
    assert "archived" in problem["details"]["fields"]


def test_an_archived_articles_claim_still_answers_at_its_own_url(world, archived):
    claim = Claim.objects.filter(article=archived).first()
    response = client_for(world.viewer).get(f"/api/v1/claims/{claim.id}/")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(claim.id)
    assert response.json()["article"] == str(archived.id)


def test_search_leaves_an_archived_article_and_its_claims_out(world, archived):
    """Only the third article (`article_text(2)`) says "14 soldiers"."""
    client = client_for(world.viewer)

    def found(**params) -> set[tuple[str, str]]:
        response = client.get("/api/v1/search/", {"q": "14 soldiers", **params})
        assert response.status_code == 200, response.content
        return {(hit["type"], hit["id"]) for hit in response.json()["results"]}

    assert found() == set()
    assert found(type="claim") == set()
    assert archive_article(client_for(world.analyst), archived, archived=False).status_code == 200
    back = found()
    assert ("article", str(archived.id)) in back
    assert {hit for hit in back if hit[0] == "claim"} <= {
        ("claim", pk) for pk in claim_ids(article=archived)
    }
    assert any(kind == "claim" for kind, _ in back)


def test_archiving_changes_nothing_in_another_teams_lists(world, other_world, archived):
    theirs = client_for(other_world.viewer)
    their_claims = claim_ids(dossier__team=other_world.team)
    assert listed(theirs) == their_claims
    assert listed(theirs, archived="false") == their_claims
    assert listed(theirs, archived="true") == set()
    assert listed(client_for(world.viewer), archived="true") == claim_ids(article=archived)
    response = theirs.get(f"/api/v1/claims/{Claim.objects.filter(article=archived).first().id}/")
    assert response.status_code == 404


def test_the_schema_documents_the_archived_parameter_as_a_boolean():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    archived = parameters["archived"]
    assert archived["in"] == "query" and not archived.get("required", False)
    assert archived["schema"] == {"type": "boolean"}
    assert "archived articles" in archived["description"]
