"""Who may do what in a team. Commands call `require_role`; selectors filter by membership."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from dossiers.models import Membership, Role, Team
from eventlog.context import SYSTEM, Actor

# Each role may do everything the roles before it may.
ROLE_ORDER = [Role.VIEWER, Role.ANALYST, Role.REVIEWER, Role.ADMIN]


def role_in_team(user, team: Team | None) -> Role | None:
    if user is None or team is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.ADMIN
    role = Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    return Role(role) if role else None


def has_role(user, team: Team, minimum: Role) -> bool:
    role = role_in_team(user, team)
    return role is not None and ROLE_ORDER.index(role) >= ROLE_ORDER.index(minimum)


def require_role(user, team: Team, minimum: Role) -> None:
    """Raise PermissionDenied unless `user` holds at least `minimum` in `team`.

    `SYSTEM` (workers, management commands run by an operator) holds every role; None is
    refused (`Actor.of` raises MissingActor).
    """
    if Actor.of(user) is SYSTEM:
        return
    if not has_role(user, team, minimum):
        raise PermissionDenied(f"this needs the {minimum.label.lower()} role in {team.name}")


def require_person(actor, action: str) -> None:
    """Some acts need a person to answer for them (a verdict is one person's judgement,
    reviewed by another): the system may not take them."""
    if Actor.of(actor) is SYSTEM:
        raise PermissionDenied(f"only a person can {action}")


def require_superuser(actor, action: str) -> None:
    """Acts above any one team (creating a team): a superuser's, or the system's."""
    if Actor.of(actor) is not SYSTEM and not actor.is_superuser:
        raise PermissionDenied(f"only a superuser can {action}")
