"""Your API tokens: issue with a name, scopes and expiry, list, rotate, revoke."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import tokens
from api.errors import command_errors
from api.models import ApiToken
from api.permissions import TokenScopePermission
from api.serializers.tokens import TokenCreateSerializer, TokenSerializer, TokenWithSecretSerializer
from api.views.base import TeamScopedViewSet
from dossiers.models import Role


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    TeamScopedViewSet,
):
    """Your own API tokens, newest first. Send one as `Authorization: Token cd_…`.

    The token is shown once, in the answer that issues or rotates it; only a digest is kept.
    Issuing, rotating and revoking with a token needs its `admin` scope, and a token can only
    give the scopes it has (from a browser session, any scope)."""

    permission_classes = [IsAuthenticated, TokenScopePermission]
    http_method_names = ["get", "post", "delete", "head"]
    # Managing tokens is not a team action; with a token it needs the admin scope, so a
    # leaked read token cannot mint tokens that outlive its revocation.
    write_roles = {action: Role.ADMIN for action in ("create", "destroy", "rotate")}
    ordering_fields = ["created_at", "name", "expires_at", "last_used_at"]
    search_fields = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    def get_serializer_class(self):
        return TokenCreateSerializer if self.action == "create" else TokenSerializer

    def _grant(self, request: Request) -> tokens.TokenGrant | None:
        return request.auth if isinstance(request.auth, tokens.TokenGrant) else None

    def _with_secret(self, token: ApiToken, key: str) -> dict:
        return TokenWithSecretSerializer(token, context={"token": key}).data

    @extend_schema(request=TokenCreateSerializer, responses={201: TokenWithSecretSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Issue a token; the answer is the only place it is shown."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with command_errors():
            token, key = tokens.issue_token(
                user=request.user,
                name=data["name"],
                scopes=data["scopes"],
                lifetime=timedelta(days=data["expires_in_days"]),
                granted_by=self._grant(request),
            )
        location = reverse("api:token-detail", args=[token.id], request=request)
        return Response(
            self._with_secret(token, key),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    @extend_schema(request=None, responses={200: TokenWithSecretSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, pk=None) -> Response:
        """A new secret for the token (same name, scopes and expiry); the old one stops
        working at once."""
        with command_errors():
            token, key = tokens.rotate_token(
                token=self.get_object(), granted_by=self._grant(request)
            )
        return Response(self._with_secret(token, key))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        """Revoke: the token stops working at once and stays listed, with `revoked_at`."""
        tokens.revoke_token(token=self.get_object(), granted_by=self._grant(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
