"""Teams, dossiers, sources and articles. Input serializers only validate: commands write."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from api.serializers.base import InputSerializer
from api.serializers.fields import ScopedPrimaryKeyField, TextField, UsernameField
from claims.export import question_stance_of
from dossiers.metadata import (
    AUTHOR_MAX,
    OUTLET_MAX,
    PUBLISHED_FORMATS,
    TITLE_MAX,
    MetadataInvalid,
    upload_metadata,
)
from dossiers.models import (
    Article,
    Dossier,
    Membership,
    QuestionStance,
    Role,
    Source,
    SourceReliability,
    Team,
)
from dossiers.selectors import dossiers_for, sources_for, teams_for
from dossiers.uploads import UploadRejected


class TeamSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(
        choices=Role.choices, read_only=True, help_text="Your role in this team."
    )

    class Meta:
        model = Team
        fields = ["id", "name", "role", "created_at", "version"]


class TeamCreateSerializer(InputSerializer):
    name = serializers.CharField(max_length=200)


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "username", "role"]


class MemberAddSerializer(InputSerializer):
    username = serializers.CharField(max_length=150, help_text="The person's exact user name.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANALYST)

    def validate_username(self, name: str):
        user = get_user_model().objects.filter(username=name.strip(), is_active=True).first()
        if user is None:
            raise serializers.ValidationError(f"no active user is named {name.strip()!r}")
        return user


class MemberRoleSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class DossierSerializer(serializers.ModelSerializer):
    created_by = UsernameField(allow_null=True)

    class Meta:
        model = Dossier
        fields = [
            "id",
            "team",
            "title",
            "question",
            "claim_form",
            "status",
            "tags",
            "created_by",
            "created_at",
            "version",
        ]


class ClaimFormSerializer(InputSerializer):
    claim_form = serializers.CharField(max_length=2000)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class QuestionStanceSerializer(serializers.Serializer):
    """An article's stance toward its dossier's claim form; null until scored."""

    label = serializers.ChoiceField(choices=QuestionStance.choices)
    confidence = serializers.FloatField(allow_null=True)
    sentences = serializers.ListField(child=serializers.CharField())
    model_label = serializers.ChoiceField(choices=QuestionStance.choices, allow_null=True)
    corrected = serializers.BooleanField()


class QuestionStanceCorrectionSerializer(InputSerializer):
    label = serializers.ChoiceField(choices=QuestionStance.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class DossierCreateSerializer(InputSerializer):
    team = ScopedPrimaryKeyField(selector=teams_for, model=Team)
    title = serializers.CharField(max_length=300)
    question = serializers.CharField(required=False, allow_blank=True, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=50
    )


class DossierUpdateSerializer(InputSerializer):
    title = serializers.CharField(max_length=300, required=False)
    question = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=50
    )
    status = serializers.ChoiceField(
        choices=Dossier.Status.choices,
        required=False,
        help_text="open, closed or archived (team admins); an archived dossier takes no uploads.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AnalysisProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    running = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()


class ReanalysisSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReanalysisResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Done or failed articles queued again.")
    already_queued = serializers.IntegerField(
        help_text="Pending articles, already waiting for extraction."
    )
    running = serializers.IntegerField(
        help_text="Articles being extracted now: left to finish, not queued again."
    )
    progress = AnalysisProgressSerializer()


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "team", "name", "kind", "domain", "reliability", "archived", "version"]


class SourceCreateSerializer(InputSerializer):
    team = ScopedPrimaryKeyField(selector=teams_for, model=Team)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Source.Kind.choices, default=Source.Kind.OUTLET)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True, default="")
    reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, default=SourceReliability.F
    )


class SourceUpdateSerializer(InputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Source.Kind.choices, required=False)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    reliability = serializers.ChoiceField(choices=SourceReliability.choices, required=False)
    archived = serializers.BooleanField(
        required=False,
        help_text="true archives the source (team admins): hidden from lists, no uploads name "
        "it; false brings it back.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ArticleMetadataSerializer(InputSerializer):
    """What an analyst may correct of an article's metadata ("" clears a field), and
    whether it is archived."""

    title = serializers.CharField(required=False, allow_blank=True)
    author = serializers.CharField(required=False, allow_blank=True)
    url = serializers.CharField(required=False, allow_blank=True)
    published = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="2016, 2016-06, 2016-06-03 or an ISO date-time; empty clears it.",
    )
    archived = serializers.BooleanField(
        required=False,
        help_text="true archives the article: its claims leave the dossier's clusters, origins "
        "and answer, re-analysis passes it by, lists hide it; false brings it back.",
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


ARTICLE_FIELDS = [
    "id",
    "dossier",
    "source",
    "title",
    "url",
    "author",
    "published_at",
    "published_precision",
    "metadata_from_upload",
    "language",
    "content_type",
    "filename",
    "content_hash",
    "status",
    "status_changed_at",
    "extraction_error",
    "extraction_attempts",
    "extractor_version",
    "archived",
    "uploaded_by",
    "uploaded_at",
    "version",
]


class ArticleSerializer(serializers.ModelSerializer):
    """An article without its text (lists stay small); the detail view adds `body`."""

    uploaded_by = UsernameField(allow_null=True)
    question_stance = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "question_stance"]

    @extend_schema_field(QuestionStanceSerializer(allow_null=True))
    def get_question_stance(self, article: Article) -> dict | None:
        return question_stance_of(article)


class ArticleDetailSerializer(ArticleSerializer):
    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS, "question_stance", "body"]


class ArticleStatusSerializer(serializers.Serializer):
    """Where an upload stands: what the status URL returns (and the upload answers with)."""

    article = serializers.UUIDField(source="id")
    dossier = serializers.UUIDField(source="dossier_id")
    status = serializers.ChoiceField(choices=Article.Status.choices)
    claim_count = serializers.IntegerField()
    error = serializers.CharField(source="extraction_error", allow_blank=True)
    attempts = serializers.IntegerField(source="extraction_attempts")
    extractor_version = serializers.CharField(allow_blank=True)
    status_changed_at = serializers.DateTimeField()
    status_url = serializers.SerializerMethodField()
    article_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_status_url(self, article: Article) -> str:
        return reverse("api:article-status", args=[article.id], request=self.context["request"])

    @extend_schema_field(serializers.URLField())
    def get_article_url(self, article: Article) -> str:
        return reverse("api:article-detail", args=[article.id], request=self.context["request"])


class UploadMetadataSerializer(InputSerializer):
    """Metadata given with an upload; it wins over what extraction reads from the text."""

    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    title = serializers.CharField(
        max_length=TITLE_MAX, required=False, allow_blank=True, default="", help_text="Headline."
    )
    author = serializers.CharField(
        max_length=AUTHOR_MAX, required=False, allow_blank=True, default=""
    )
    outlet = serializers.CharField(
        max_length=OUTLET_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="The team's source of this name (added as an outlet if missing).",
    )
    published = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=f"Publication date, with its precision: {PUBLISHED_FORMATS}.",
    )
    published_at = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        write_only=True,
        help_text="Another name for `published`.",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        alias = attrs.pop("published_at", None)
        if alias and attrs.get("published") and alias != attrs["published"]:
            raise serializers.ValidationError(
                {"published": ["give `published` or `published_at`, not two different dates"]}
            )
        attrs["published"] = attrs.get("published") or alias or None
        try:
            upload_metadata(**self.metadata_of(attrs))
        except MetadataInvalid as exc:
            raise serializers.ValidationError({exc.field: [exc.message]}) from None
        return attrs

    @staticmethod
    def metadata_of(attrs: dict) -> dict:
        """The keyword arguments of `upload_article` that carry metadata."""
        return {name: attrs.get(name) for name in ("url", "title", "author", "outlet", "published")}


class ArticleUploadSerializer(UploadMetadataSerializer):
    """An upload as a multipart `file` or as JSON `text`; exactly one of the two."""

    dossier = ScopedPrimaryKeyField(
        selector=lambda user: dossiers_for(user).select_related("team"), model=Dossier
    )
    source = ScopedPrimaryKeyField(
        selector=sources_for, model=Source, required=False, allow_null=True
    )
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    text = TextField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="The article text."
    )
    filename = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if ("file" in attrs) == ("text" in attrs):
            raise serializers.ValidationError("send the article as `file` (multipart) or `text`")
        return super().validate(attrs)

    def payload(self) -> tuple[bytes | str, str, str]:
        """The upload's bytes (at most one byte over the limit), filename and content type.

        Reading stops past the limit so a huge file is refused without loading it.
        """
        data = self.validated_data
        if "text" in data:
            return data["text"], data.get("filename", ""), ""
        upload = data["file"]
        if upload.size and upload.size > settings.ARTICLE_MAX_BYTES:  # say its real size
            raise UploadRejected(
                "too_large",
                f"the article is {upload.size:,} bytes; "
                f"the limit is {settings.ARTICLE_MAX_BYTES:,}",
            )
        payload = upload.read(settings.ARTICLE_MAX_BYTES + 1)
        content_type = upload.content_type or ""
        charset = getattr(upload, "charset", None)  # Django's multipart parser gives bytes
        if isinstance(charset, bytes):
            charset = charset.decode("ascii", errors="replace")
        if charset:
            content_type = f"{content_type}; charset={charset}"
        return payload, data.get("filename") or upload.name or "", content_type


class ArticleBatchItemSerializer(UploadMetadataSerializer):
    text = TextField(
        allow_blank=True, trim_whitespace=False, help_text="The article text (or HTML)."
    )
    filename = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text="e.g. a.html"
    )


class ArticleBatchSerializer(InputSerializer):
    articles = serializers.ListField(
        child=ArticleBatchItemSerializer(),
        min_length=1,
        max_length=settings.ARTICLE_BATCH_MAX,
        help_text=f"At most {settings.ARTICLE_BATCH_MAX} articles; all are stored or none.",
    )


class ArticleBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Articles stored (the others were already in).")
    articles = ArticleStatusSerializer(many=True, help_text="In the order sent.")
