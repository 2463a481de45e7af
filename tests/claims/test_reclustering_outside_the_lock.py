"""Re-clustering computes outside any transaction (so outside the append lock) and appends
only if nothing it read changed meanwhile (issue 11)."""

import pytest
from django.db import connection

from claims import reclustering
from claims.models import ClaimCluster
from claims.reclustering import recluster_dossier
from dossiers.models import Role
from eventlog.context import SYSTEM
from eventlog.models import Event
from eventlog.state import ProjectionState
from eventlog.store import ConcurrencyError
from tests.factories import DossierFactory, article_text, member, upload
from workers import dispatch
from workers.pipeline import run_extraction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def extraction_by_hand(monkeypatch):
    """Uploads queue nothing (so nothing re-clusters by itself): `extracted` extracts."""
    monkeypatch.setattr(dispatch, "enqueue_dossier_extraction", lambda dossier_id: True)


def extracted(dossier, n, actor):
    article = upload(dossier, article_text(n), actor=actor)
    run_extraction(article.id)
    return article


def test_the_clustering_runs_outside_any_transaction(monkeypatch):
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    for n in range(2):
        extracted(dossier, n, analyst)
    in_transaction = []
    cluster_claims = reclustering.cluster_claims

    def watched(*args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return cluster_claims(*args, **kwargs)

    monkeypatch.setattr(reclustering, "cluster_claims", watched)
    assert recluster_dossier(dossier=dossier, actor=SYSTEM) > 0
    assert in_transaction == [False]


def test_claims_extracted_while_clustering_refuse_the_append_and_a_retry_takes_them(
    monkeypatch,
):
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    extracted(dossier, 0, analyst)
    plan = reclustering._plan_reclustering

    def meanwhile(dossier):
        planned = plan(dossier)
        extracted(dossier, 1, analyst)
        return planned

    monkeypatch.setattr(reclustering, "_plan_reclustering", meanwhile)
    with pytest.raises(ConcurrencyError):
        recluster_dossier(dossier=dossier, actor=SYSTEM)
    assert not Event.objects.filter(type="ClusterFormed").exists()
    assert not ClaimCluster.objects.exists()

    monkeypatch.setattr(reclustering, "_plan_reclustering", plan)
    assert recluster_dossier(dossier=dossier, actor=SYSTEM) > 0
    assert (
        ClaimCluster.objects.filter(dossier=dossier).values("claims__article").distinct().count()
        == 2
    )


def test_another_dossiers_writes_do_not_refuse_the_append(monkeypatch):
    dossier, other = DossierFactory(), DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    elsewhere = member(other.team, Role.ANALYST)
    extracted(dossier, 0, analyst)
    plan = reclustering._plan_reclustering

    def meanwhile(dossier):
        planned = plan(dossier)
        extracted(other, 1, elsewhere)
        return planned

    monkeypatch.setattr(reclustering, "_plan_reclustering", meanwhile)
    assert recluster_dossier(dossier=dossier, actor=SYSTEM) > 0


TOPICS = [
    "The port authority said on Monday that {n} ships were held at the harbour entrance.",
    "The health ministry reported that {n} patients were treated for smoke inhalation.",
    "The electoral commission said turnout reached {n} percent in the northern districts.",
    "Farmers' unions said {n} tractors blocked the motorway near the capital on Friday.",
]


def test_a_reclustering_loads_only_the_rows_its_events_touch(monkeypatch):
    """Its append holds the lock every team's appends share: it must not load the whole
    dossier to apply a few cluster events."""
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    for n, topic in enumerate(TOPICS * 2):
        article = upload(dossier, f"Report {n}\n\n" + topic.format(n=40 + n), actor=analyst)
        run_extraction(article.id)
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    claims_before = dossier.claims.count()

    loaded = []
    load = ProjectionState.load

    def counted(self, model, queryset):
        rows = load(self, model, queryset)
        loaded.append((model.__name__, len(rows)))
        return rows

    monkeypatch.setattr(ProjectionState, "load", counted)
    newcomer = upload(dossier, "Late report\n\n" + TOPICS[0].format(n=40), actor=analyst)
    monkeypatch.setattr(ProjectionState, "load", load)
    run_extraction(newcomer.id)
    monkeypatch.setattr(ProjectionState, "load", counted)
    loaded.clear()
    assert recluster_dossier(dossier=dossier, actor=SYSTEM) > 0

    claims_loaded = sum(count for model, count in loaded if model == "Claim")
    assert 0 < claims_loaded < claims_before
    joined = newcomer.claims.get()
    assert joined.cluster is not None and joined.cluster.article_count >= 2
