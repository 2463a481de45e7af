"""Reads that respect team membership. The API and the admin both filter through these."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from dossiers.models import Article, Dossier, Membership, Role, Source, Team
from dossiers.permissions import ROLE_ORDER
from eventlog.models import Event


def team_ids_for(user, minimum: Role = Role.VIEWER) -> QuerySet:
    """Ids of the teams where `user` holds at least `minimum` (all teams for superusers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Team.objects.none().values("id")
    if user.is_superuser:
        return Team.objects.values("id")
    allowed = [str(role) for role in ROLE_ORDER[ROLE_ORDER.index(minimum) :]]
    return Membership.objects.filter(user=user, role__in=allowed).values("team_id")


def teams_for(user) -> QuerySet[Team]:
    return Team.objects.filter(id__in=team_ids_for(user))


def dossiers_for(user) -> QuerySet[Dossier]:
    return Dossier.objects.filter(team_id__in=team_ids_for(user))


def sources_for(user) -> QuerySet[Source]:
    return Source.objects.filter(team_id__in=team_ids_for(user))


def articles_for(user) -> QuerySet[Article]:
    return Article.objects.filter(dossier__team_id__in=team_ids_for(user))


def events_for(user) -> QuerySet[Event]:
    return Event.objects.filter(team_id__in=team_ids_for(user))


def analysis_progress(dossier: Dossier) -> dict[str, int]:
    """Articles by extraction status: what re-analysis has done of the total, and failures."""
    counts = Article.objects.filter(dossier=dossier).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=Article.Status.DONE)),
        failed=Count("id", filter=Q(status=Article.Status.FAILED)),
        pending=Count("id", filter=Q(status=Article.Status.PENDING)),
        running=Count("id", filter=Q(status=Article.Status.RUNNING)),
    )
    return counts
