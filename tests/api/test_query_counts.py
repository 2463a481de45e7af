"""List endpoints issue the same number of queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.commands import EvidenceInput, draft_verdict
from claims.models import ClaimCluster, EvidenceRelation
from dossiers.commands import add_member, add_source
from dossiers.models import Role
from eventlog.context import SYSTEM
from tests.api.conftest import analyse, client_for
from tests.factories import DossierFactory, TeamFactory, member

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 10

LISTS = [
    "/api/v1/teams/",
    "/api/v1/dossiers/",
    "/api/v1/sources/",
    "/api/v1/articles/",
    "/api/v1/claims/",
    "/api/v1/clusters/",
    "/api/v1/verdicts/",
    "/api/v1/events/",
]


def varied_article(n: int) -> str:
    return (
        f"Report {n}: floods reach district {n}\n\n"
        f"The governor of province {n} said {n * 7 + 3} homes were destroyed by floods. "
        f'"We need {n + 2} more pumps," said engineer Maria Lopez-{n}, quoted by Radio {n}. '
        f"Officials estimated damage at {n * 11 + 5} million dollars, the agency reported.\n"
    )


@pytest.fixture
def crowded(db):
    """More than LARGE rows in every list, including verdicts with evidence."""
    team = TeamFactory()
    analyst = member(team, Role.ANALYST)
    for n in range(LARGE + 1):
        add_member(team=TeamFactory(), user=analyst, role=Role.VIEWER, actor=SYSTEM)
        add_source(team=team, name=f"Outlet {n}", actor=analyst)
        DossierFactory(team=team)
    dossier = DossierFactory(team=team)
    analyse(dossier, [varied_article(n) for n in range(LARGE + 1)], analyst)
    clusters = list(ClaimCluster.objects.filter(dossier=dossier))
    assert len(clusters) > LARGE
    for cluster in clusters[: LARGE + 1]:
        draft_verdict(
            cluster=cluster,
            actor=analyst,
            rating="unproven",
            evidence=[
                EvidenceInput(relation=EvidenceRelation.SUPPORTS, claim=claim)
                for claim in cluster.claims.all()[:2]
            ],
        )
    return client_for(analyst)


def queries_for(client, path: str, page_size: int) -> tuple[int, int]:
    client.get(path, {"page_size": 1})  # the first request of a token also looks it up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"page_size": page_size})
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_the_page_size(crowded, path):
    small, small_rows = queries_for(crowded, path, SMALL)
    large, large_rows = queries_for(crowded, path, LARGE)
    assert (small_rows, large_rows) == (SMALL, LARGE)
    assert small == large, f"{path}: {small} queries for {SMALL} rows, {large} for {LARGE}"
