"""Teams you belong to, and their members (team admins manage the members)."""

from __future__ import annotations

import uuid

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.errors import command_errors
from api.exceptions import Conflict
from api.pagination import NumberedPagination
from api.serializers.dossiers import (
    MemberAddSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    TeamCreateSerializer,
    TeamSerializer,
)
from api.views.base import TeamScopedViewSet
from dossiers import commands
from dossiers.models import Membership, Role, Team
from dossiers.selectors import teams_for


class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TeamScopedViewSet):
    """The teams you belong to, with your role in each; superusers create teams."""

    serializer_class = TeamSerializer
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    # Creating a team is for superusers; with a token it also needs the admin scope.
    write_roles = {"create": Role.ADMIN}

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Team.objects.none()
        role = Membership.objects.filter(team=OuterRef("pk"), user=user).values("role")[:1]
        fallback = Value(str(Role.ADMIN) if user.is_superuser else "")
        return teams_for(user).annotate(role=Coalesce(Subquery(role), fallback))

    def get_serializer_class(self):
        return TeamCreateSerializer if self.action == "create" else TeamSerializer

    def team_of(self, obj):
        return obj

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        team = self.get_object()
        return self.versioned_response(team, self.get_serializer(team).data)

    @extend_schema(request=TeamCreateSerializer, responses={201: TeamSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Create a team (superusers only, as in the admin); you become its admin."""
        if not request.user.is_superuser:
            raise PermissionDenied("only superusers create teams")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = commands.create_team(
            name=serializer.validated_data["name"], actor=request.user, first_admin=request.user
        )
        team = self.get_queryset().get(id=team.id)
        location = reverse("api:team-detail", args=[team.id], request=request)
        return self.versioned_response(
            team, TeamSerializer(team).data, status=status.HTTP_201_CREATED, Location=location
        )


class MemberViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TeamScopedViewSet,
):
    """A team's members and their roles, by user id: every member may list them; team admins
    add (by user name), change roles and remove. A team always keeps one admin (409
    `last_admin`)."""

    http_method_names = ["get", "post", "patch", "delete", "head"]
    lookup_field = "user_id"
    lookup_value_regex = r"\d+"
    pagination_class = NumberedPagination
    filter_backends: list = []
    write_roles = {action: Role.ADMIN for action in ("create", "partial_update", "destroy")}

    def _team(self) -> Team:
        if getattr(self, "swagger_fake_view", False):
            return Team()
        try:
            team_id = uuid.UUID(self.kwargs["team_pk"])
        except ValueError:
            team_id = None
        team = teams_for(self.request.user).filter(id=team_id).first() if team_id else None
        if team is None:
            raise NotFound("no such team")
        return team

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return Membership.objects.none()
        return (
            Membership.objects.filter(team=self._team())
            .select_related("user", "team")
            .order_by("user__username")
        )

    def get_serializer_class(self):
        return {"create": MemberAddSerializer, "partial_update": MemberRoleSerializer}.get(
            self.action, MemberSerializer
        )

    @extend_schema(request=MemberAddSerializer, responses={201: MemberSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Add someone by user name with a role. 409 `already_member` if they are in the
        team: change their role with `PATCH`."""
        team = self._team()
        self.require_role_in(team)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, role = serializer.validated_data["username"], serializer.validated_data["role"]
        if team.memberships.filter(user=user).exists():
            raise Conflict(f"{user} is already a member: change the role instead", "already_member")
        with command_errors():
            membership = commands.add_member(
                team=team, user=user, role=Role(role), actor=request.user
            )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Give a member another role."""
        membership = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with command_errors():
            membership = commands.add_member(
                team=membership.team,
                user=membership.user,
                role=Role(serializer.validated_data["role"]),
                actor=request.user,
            )
        return Response(MemberSerializer(membership).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        """Take a member out of the team: they lose access on their next request; their past
        work stays theirs in the log and the history."""
        membership = self.get_object()
        with command_errors():
            commands.remove_member(team=membership.team, user=membership.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
