"""What every API view shares: team-role permissions, ETags, input hygiene."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from api import idempotency
from api.conditional import add_etag, version_etag
from api.permissions import TeamRolePermission, TokenScopePermission, require_team_role
from dossiers.models import Role, Team

FIELDS_PARAMETER = "fields"


class TeamScopedViewSet(GenericViewSet):
    """A viewset over one team-scoped resource.

    `get_queryset` must come from a team-scoped selector; `write_roles` names the role each
    writing action needs (analyst when not listed).
    """

    permission_classes = [IsAuthenticated, TokenScopePermission, TeamRolePermission]
    # No OPTIONS (nor TRACE): the OpenAPI schema is the description, so OPTIONS answers 405
    # and `Allow` does not list it.
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    metadata_class = None
    write_roles: dict[str, Role] = {}

    def required_role(self) -> Role:
        return self.write_roles.get(self.action, Role.ANALYST)

    def team_of(self, obj) -> Team:
        return obj.team

    def require_role_in(self, team: Team) -> None:
        """For creates, where the team comes from the request body rather than a URL."""
        require_team_role(self.request.user, team, self.required_role())

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                raise ValidationError(
                    {name.replace("\x00", ""): ["NUL characters are not allowed"]}
                )
        if self.action == "list":
            self.selected_fields = self._selected_fields(request)
        if request.method == "POST":
            key = idempotency.key_of(request)
            if key is not None:
                # The router bound `post` to the action for this request; retries with the
                # key get the first answer back instead of running it again.
                self.post = idempotency.replaying(self.post, key=key)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        fields = getattr(self, "selected_fields", None)
        if fields and response.status_code == 200 and isinstance(response.data, dict):
            results = response.data.get("results")
            if isinstance(results, list):
                response.data["results"] = [
                    {name: row[name] for name in fields if name in row} for row in results
                ]
        return add_etag(request, response)

    def list_field_names(self) -> list[str]:
        """The fields of a list's rows, which `?fields=` chooses from."""
        return list(self.get_serializer_class()().fields)

    def _selected_fields(self, request) -> list[str] | None:
        """`?fields=id,text` (or repeated): the row fields to answer with, in that order."""
        if FIELDS_PARAMETER not in request.query_params:
            return None
        names = [
            name.strip()
            for value in request.query_params.getlist(FIELDS_PARAMETER)
            for name in value.split(",")
        ]
        available = self.list_field_names()
        if not any(names):
            raise ValidationError(
                {FIELDS_PARAMETER: [f"name one or more of: {', '.join(available)}"]}
            )
        unknown = [name for name in names if name not in available]
        if unknown:
            raise ValidationError(
                {
                    FIELDS_PARAMETER: [
                        f"unknown fields: {', '.join(unknown)}; choose from: {', '.join(available)}"
                    ]
                }
            )
        return list(dict.fromkeys(name for name in names if name))

    def versioned_response(self, instance, data, status: int = 200, **headers) -> Response:
        """A response for one versioned record, tagged with its version for If-Match."""
        return Response(
            data, status=status, headers={"ETag": version_etag(instance.version), **headers}
        )
