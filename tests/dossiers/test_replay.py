import pytest
from django.apps import apps
from django.core.management import call_command

from claims.commands import EvidenceInput, draft_verdict, recluster_dossier
from claims.models import Claim, ClaimCluster, EvidenceRelation, Verdict
from dossiers.models import Article, Event, Role
from tests.factories import DossierFactory, article_text, member, upload

pytestmark = pytest.mark.django_db(transaction=True)


def projection_snapshot() -> dict[str, list]:
    """Every row of every read model and history table, minus surrogate history ids."""
    snapshot = {}
    for label in ("dossiers", "claims"):
        for model in apps.get_app_config(label).get_models():
            if model is Event:
                continue
            rows = [
                {k: v for k, v in row.items() if k != "history_id"}
                for row in model.objects.values()
            ]
            snapshot[model._meta.label] = sorted(rows, key=repr)
    return snapshot


def build_dossier():
    dossier = DossierFactory()
    analyst = member(dossier.team, Role.ANALYST)
    member(dossier.team, Role.REVIEWER)
    for n in range(3):
        upload(dossier, article_text(n), actor=analyst)
    upload(dossier, article_text(0).replace("Monday", "Tuesday"), actor=analyst)
    recluster_dossier(dossier=dossier)
    cluster = ClaimCluster.objects.filter(dossier=dossier).order_by("-article_count").first()
    claim = cluster.claims.first()
    draft_verdict(
        cluster=cluster,
        actor=analyst,
        rating="mostly_true",
        confidence=70,
        rationale="Two outlets agree.",
        evidence=[EvidenceInput(relation=EvidenceRelation.SUPPORTS, claim=claim)],
    )
    return dossier


def test_replaying_the_log_rebuilds_every_projection_exactly():
    build_dossier()
    assert Article.objects.filter(status="done").count() == 4
    assert Claim.objects.exists() and Verdict.objects.exists()
    before = projection_snapshot()
    assert all(before[label] for label in ("dossiers.Article", "claims.Claim", "claims.Verdict"))

    call_command("replay_events")

    assert projection_snapshot() == before


def test_replay_after_wiping_by_hand_restores_the_rows():
    build_dossier()
    before = projection_snapshot()
    from dossiers.eventstore import replay_all

    replay_all()
    replay_all()  # twice in a row gives the same state: projections are deterministic
    assert projection_snapshot() == before
