import pytest

from claims.commands import draft_verdict
from claims.models import ClaimCluster
from dossiers.demo import staff_group
from dossiers.models import Role
from tests.claims.workbench import busiest_cluster, small_dossier
from tests.factories import member


class Desk:
    """One team's dossier with extracted claims, clusters, a draft verdict and its people."""

    def __init__(self):
        self.dossier, self.analyst, self.reviewer = small_dossier()
        for user in (self.analyst, self.reviewer):
            user.groups.add(staff_group())
        self.cluster = busiest_cluster(self.dossier)
        self.open_cluster = ClaimCluster.objects.filter(
            dossier=self.dossier, is_active=True
        ).exclude(id=self.cluster.id)[0]
        self.article = self.cluster.claims.first().article
        self.claim = self.cluster.claims.first()
        self.verdict = draft_verdict(
            cluster=self.cluster, actor=self.analyst, rating="mostly_true", rationale="Seen."
        )

    def viewer(self):
        user = member(self.dossier.team, Role.VIEWER)
        user.groups.add(staff_group())
        return user


@pytest.fixture
def desk(db):
    return Desk()


@pytest.fixture
def other_desk(db):
    return Desk()
