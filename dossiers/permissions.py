"""Who may do what in a team. Commands call `require_role`; selectors filter by membership."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from dossiers.models import Membership, Role, Team

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

    `user=None` is the system (workers, management commands run by an operator).
    """
    if user is None:
        return
    if not has_role(user, team, minimum):
        raise PermissionDenied(f"this needs the {minimum.label.lower()} role in {team.name}")
