"""The unfiltered claims list (precompiled SQL in api.claim_pages) returns exactly what the
filtered path through the ORM returns, and stays scoped to the caller's teams."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from claims.models import Claim
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db


def walk(client, **params) -> tuple[list[dict], list[str]]:
    """Every row of the list and every cursor handed out, following `next`."""
    rows, cursors = [], []
    params = {"page_size": 2, **params}
    while True:
        response = client.get("/api/v1/claims/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows, cursors
        cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
        cursors.append(cursor)
        params["cursor"] = cursor


@pytest.mark.parametrize("ordering", ["id", "-checkworthiness", "checkworthiness"])
def test_unfiltered_pages_equal_the_orm_path(world, other_world, ordering):
    client = client_for(world.analyst)
    fast = walk(client, ordering=ordering)
    through_orm = walk(client, ordering=ordering, search="")  # a filter parameter: ORM path
    assert fast == through_orm
    assert len(fast[0]) == Claim.objects.filter(dossier__team=world.team).count() > 2


def test_unfiltered_pages_hold_only_the_callers_teams(world, other_world):
    rows, _ = walk(client_for(other_world.viewer))
    expected = Claim.objects.filter(dossier__team=other_world.team).values_list("id", flat=True)
    assert sorted(row["id"] for row in rows) == sorted(str(pk) for pk in expected)


def test_a_superuser_pages_through_every_team(world, other_world):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    rows, _ = walk(client_for(admin), page_size=5)
    assert len(rows) == Claim.objects.count()
    assert {row["dossier"] for row in rows} == {str(world.dossier.id), str(other_world.dossier.id)}


def test_leaving_the_team_empties_the_list_at_once(world):
    client = client_for(world.analyst)
    assert walk(client)[0]
    world.analyst.memberships.all().delete()
    assert walk(client)[0] == []


def test_a_foreign_cursor_is_refused(world):
    response = client_for(world.analyst).get("/api/v1/claims/", {"cursor": "bm90IGEgY3Vyc29y"})
    assert response.status_code == 400
    assert "cursor" in error_of(response)["details"]["fields"]


def test_the_kind_filter_lists_only_claims_of_the_kinds_asked(world):
    client = client_for(world.viewer)
    stored = dict(Claim.objects.filter(dossier__team=world.team).values_list("id", "kind"))
    assert {"statistic", "prediction"} <= set(stored.values())  # "13 soldiers", "We will"

    predictions, _ = walk(client, kind="prediction")
    assert {row["id"] for row in predictions} == {
        str(pk) for pk, kind in stored.items() if kind == "prediction"
    }
    assert all(row["kind"] == "prediction" for row in predictions)

    checkworthy, _ = walk(client, kind=["factual", "statistic"])
    assert {row["id"] for row in checkworthy} == {
        str(pk) for pk, kind in stored.items() if kind in {"factual", "statistic"}
    }

    response = client.get("/api/v1/claims/", {"kind": "rumour"})
    assert response.status_code == 400
    assert "kind" in error_of(response)["details"]["fields"]
