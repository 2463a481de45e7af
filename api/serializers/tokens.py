"""API tokens as the tokens endpoints show them; the secret only in the issuing answer."""

from __future__ import annotations

from rest_framework import serializers

from api.models import ApiToken
from api.serializers.base import InputSerializer
from api.tokens import DEFAULT_LIFETIME, DEFAULT_SCOPES, MAX_LIFETIME, SCOPES


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "rotated_at",
            "revoked_at",
        ]


class TokenWithSecretSerializer(TokenSerializer):
    """The answer to issuing or rotating: the only place the token itself appears."""

    token = serializers.SerializerMethodField()

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]

    def get_token(self, obj) -> str:
        return self.context["token"]


class TokenCreateSerializer(InputSerializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPES),
        allow_empty=False,
        max_length=len(SCOPES),
        default=list(DEFAULT_SCOPES),
        help_text="read (every GET), write (analysts' actions), review (reviewers' actions), "
        "admin (team administration and managing tokens with a token).",
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=MAX_LIFETIME.days, default=DEFAULT_LIFETIME.days
    )
