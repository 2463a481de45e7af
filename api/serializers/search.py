"""`/api/v1/search/`: the query parameters it takes and the results it answers with."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.reverse import reverse

from claims.search import KINDS, SearchInputError, SearchRequest


class SearchParametersSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=500, help_text='Words, "quoted phrases", `or`, and `-word` to exclude.'
    )
    type = serializers.MultipleChoiceField(
        choices=KINDS,
        required=False,
        help_text="Search only these kinds (repeat or comma-separate).",
    )
    speaker = serializers.CharField(max_length=300, required=False)
    outlet = serializers.CharField(
        max_length=200, required=False, help_text="The article's source (name or domain) or wire."
    )
    since = serializers.DateField(required=False, help_text="From this date (YYYY-MM-DD).")
    until = serializers.DateField(required=False, help_text="Up to and including this date.")

    def to_internal_value(self, data):
        kinds = [kind for value in data.getlist("type") for kind in value.split(",") if kind]
        plain = {name: data[name] for name in data if name != "type"}
        return super().to_internal_value({**plain, **({"type": kinds} if kinds else {})})

    def validate(self, attrs) -> dict:
        try:
            attrs["request"] = SearchRequest(
                text=attrs["q"],
                kinds=tuple(kind for kind in KINDS if kind in attrs.get("type", KINDS)),
                speaker=attrs.get("speaker", ""),
                outlet=attrs.get("outlet", ""),
                since=attrs.get("since"),
                until=attrs.get("until"),
            )
        except SearchInputError as error:
            raise serializers.ValidationError(str(error)) from None
        return attrs


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField(source="kind")
    id = serializers.UUIDField()
    dossier = serializers.UUIDField(source="dossier_id")
    dossier_title = serializers.CharField()
    title = serializers.CharField(help_text="Article title, claim speaker or claim reviewed.")
    snippet = serializers.CharField(help_text="HTML: the text escaped, matches in <mark>.")
    rank = serializers.FloatField(help_text="Full-text rank (0 without PostgreSQL).")
    date = serializers.DateTimeField(allow_null=True, help_text="Published, else received.")
    details = serializers.DictField(
        source="extra", help_text="Claim: speaker, cited source, article; verdict: rating, status."
    )
    url = serializers.SerializerMethodField()

    def get_url(self, hit) -> str:
        return reverse(f"api:{hit.kind}-detail", args=[hit.id], request=self.context["request"])
