"""Object-level permission by team membership and role.

Reads are scoped by the team-aware selectors: another team's record is simply not in the
queryset, so it answers 404 and its existence does not leak. Writes additionally need a role
in the record's team (403 if the caller can see it but may not change it). The commands check
the role again, so no path around the API skips the rule.
"""

from __future__ import annotations

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.tokens import TokenGrant, scope_for
from dossiers.models import Role, Team
from dossiers.permissions import has_role


def require_team_role(user, team: Team, minimum: Role) -> None:
    if not has_role(user, team, minimum):
        raise PermissionDenied(f"this needs the {minimum.label.lower()} role in {team.name}")


class TeamRolePermission(BasePermission):
    """Writes on an object need `view.write_roles[action]` (default analyst) in its team.

    The view says how to find an object's team with `team_of(obj)`.
    """

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS and view.action not in view.write_roles:
            return True
        require_team_role(request.user, view.team_of(obj), view.required_role())
        return True


class TokenScopePermission(BasePermission):
    """A request made with a scoped token also needs the scope of what it does: `read` for
    reads, else the scope of the role the action needs (`api.tokens.scope_for`). Sessions
    and legacy tokens carry every scope; the roles still decide."""

    def has_permission(self, request, view) -> bool:
        grant = request.auth
        if not isinstance(grant, TokenGrant):
            return True
        reading = request.method in SAFE_METHODS and view.action not in view.write_roles
        needed = "read" if reading else scope_for(view.required_role())
        if not grant.allows(needed):
            raise PermissionDenied(
                f"this token lacks the {needed!r} scope", code="insufficient_scope"
            )
        return True
