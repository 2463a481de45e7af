"""Claims, clusters and verdicts, their inputs and the verdict history."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from api.serializers.base import InputSerializer
from api.serializers.dossiers import ArticleSerializer, DossierSerializer
from api.serializers.fields import ScopedPrimaryKeyField, UsernameField
from claims.corrections import MAX_WORDING
from claims.events import CLAIM_FIELDS, CLUSTER_STATE_FIELDS, CORRECTABLE_FIELDS
from claims.extraction.contradictions import KINDS as CONTRADICTION_KINDS
from claims.models import (
    Claim,
    ClaimCluster,
    EvidenceRelation,
    InformationCredibility,
    Rating,
    Verdict,
    VerdictEvidence,
)
from claims.reviewed import already_reviewed
from claims.selectors import claims_for, clusters_for
from dossiers.models import Article, SourceReliability
from dossiers.selectors import articles_for


def _id(value) -> str | None:
    return str(value) if value is not None else None


class ClaimSerializer(serializers.ModelSerializer):
    """A claim. `to_representation` is written out because claim lists are the API's hot
    path: it skips building and walking sixteen DRF fields per row (see bench/bench_api.py);
    a test keeps it equal to the generic ModelSerializer output. It reads only `columns`,
    so the list passes it `values_list(*columns, named=True)` rows instead of claims."""

    corrections = ("not_a_claim", "corrected_fields")
    columns = (
        "id",
        "article_id",
        "dossier_id",
        "cluster_id",
        *CLAIM_FIELDS,
        *corrections,
        "reviewed_matches",
    )

    def to_representation(self, claim: Claim) -> dict:
        return {
            "id": str(claim.id),
            "article": str(claim.article_id),
            "dossier": str(claim.dossier_id),
            "cluster": _id(claim.cluster_id),
            **{name: getattr(claim, name) for name in (*CLAIM_FIELDS, *self.corrections)},
            "reviewed_matches": claim.reviewed_matches,
        }

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "dossier",
            "cluster",
            *CLAIM_FIELDS,
            "not_a_claim",
            "corrected_fields",
            "reviewed_matches",
        ]


class AlreadyReviewedSerializer(serializers.Serializer):
    """A verdict of the team, in another dossier, on a fact a member claim states."""

    verdict = serializers.UUIDField(source="verdict.id")
    rating = serializers.CharField(source="verdict.rating", help_text="The verdict's rating now.")
    status = serializers.CharField(source="verdict.status")
    dossier = serializers.UUIDField(source="verdict.dossier_id")
    cluster = serializers.UUIDField(source="verdict.cluster_id")
    claim_reviewed = serializers.CharField()
    claims = serializers.ListField(
        child=serializers.UUIDField(), help_text="This cluster's claims that match it."
    )
    matched_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, entry) -> str:
        return reverse(
            "api:verdict-detail", args=[entry["verdict"].id], request=self.context.get("request")
        )


class ClusterSerializer(serializers.ModelSerializer):
    already_reviewed = serializers.SerializerMethodField()

    class Meta:
        model = ClaimCluster
        fields = [
            "id",
            "dossier",
            *CLUSTER_STATE_FIELDS,
            "wording_pinned",
            "is_active",
            "created_at",
            "updated_at",
            "version",
            "already_reviewed",
        ]

    @extend_schema_field(AlreadyReviewedSerializer(many=True))
    def get_already_reviewed(self, cluster) -> list:
        """From the member claims; as they stood then (`members_then`) on an as-of read."""
        claims = getattr(cluster, "members_then", None)
        if claims is None:
            claims = cluster.claims.all()  # the list prefetches them
        return AlreadyReviewedSerializer(
            already_reviewed(claims), many=True, context=self.context
        ).data


class ContradictedClaimSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    text = serializers.CharField()
    article = serializers.UUIDField(source="article_id")
    cluster = serializers.UUIDField(source="cluster_id", allow_null=True)
    speaker = serializers.CharField()


class ContradictionSerializer(serializers.Serializer):
    """Two claims about the same matter that cannot both be true, and why."""

    kind = serializers.ChoiceField(choices=CONTRADICTION_KINDS)
    reason = serializers.CharField()
    claim = ContradictedClaimSerializer()
    other = ContradictedClaimSerializer()


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerdictEvidence
        fields = ["article", "claim", "quote", "relation", "note"]


class VerdictSerializer(serializers.ModelSerializer):
    author = UsernameField()
    reviewer = UsernameField(allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Verdict
        fields = [
            "id",
            "cluster",
            "dossier",
            "revision",
            "supersedes",
            "reuses",
            "status",
            "rating",
            "confidence",
            "source_reliability",
            "information_credibility",
            "rationale",
            "evidence",
            "author",
            "reviewer",
            "needs_review",
            "review_flags",
            "reviewed",
            "created_at",
            "updated_at",
            "approved_at",
            "published_at",
            "version",
        ]


class EvidenceInputSerializer(InputSerializer):
    relation = serializers.ChoiceField(choices=EvidenceRelation.choices)
    claim = ScopedPrimaryKeyField(selector=claims_for, model=Claim, required=False)
    article = ScopedPrimaryKeyField(selector=articles_for, model=Article, required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        if "claim" not in attrs and "article" not in attrs:
            raise serializers.ValidationError("evidence names a `claim` or an `article`")
        return attrs


class VerdictContentSerializer(InputSerializer):
    """What an analyst writes in a verdict; on PATCH, omitted fields keep their value."""

    rating = serializers.ChoiceField(choices=Rating.choices)
    confidence = serializers.IntegerField(min_value=0, max_value=100, default=50)
    source_reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, default=SourceReliability.F
    )
    information_credibility = serializers.ChoiceField(
        choices=InformationCredibility.choices, default=InformationCredibility.CANNOT_BE_JUDGED
    )
    rationale = serializers.CharField(allow_blank=True, default="", max_length=20_000)
    evidence = EvidenceInputSerializer(many=True, required=False, max_length=200)


class VerdictDraftSerializer(VerdictContentSerializer):
    cluster = ScopedPrimaryKeyField(selector=clusters_for, model=ClaimCluster)


class VerdictEditSerializer(VerdictContentSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class WorkflowActionSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReuseVerdictSerializer(InputSerializer):
    cluster = ScopedPrimaryKeyField(
        selector=clusters_for, model=ClaimCluster, help_text="The cluster to draft a verdict on."
    )


class ReasonRequiredSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500, help_text="Why: kept with the revision.")


class ReviewedChangesSerializer(serializers.Serializer):
    """What a verdict was submitted on, and how its cluster differs from that now."""

    reviewed = serializers.JSONField(
        help_text="claim_text, claim_ids, independent_origin_count, origin, contradictions"
    )
    changes = serializers.ListField(child=serializers.CharField())


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class VerdictHistoryEntrySerializer(serializers.Serializer):
    """One recorded change of one revision: who, when, why, and which fields changed."""

    verdict = serializers.UUIDField()
    revision = serializers.IntegerField()
    version = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    change = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    status = serializers.ChoiceField(choices=Verdict.Status.choices)
    changes = FieldChangeSerializer(many=True)


class SnapshotClusterSerializer(ClusterSerializer):
    claims = serializers.ListField(child=serializers.UUIDField(), source="claims_then")
    verdict = serializers.UUIDField(
        source="verdict_then", allow_null=True, help_text="The current revision at the time."
    )

    class Meta(ClusterSerializer.Meta):
        fields = [*ClusterSerializer.Meta.fields, "claims", "verdict"]


class DossierSnapshotSerializer(serializers.Serializer):
    """A dossier as it stood at `as_of`. Article bodies are not versioned, so not included."""

    as_of = serializers.DateTimeField()
    dossier = DossierSerializer()
    articles = ArticleSerializer(many=True)
    claims = ClaimSerializer(many=True)
    clusters = SnapshotClusterSerializer(many=True)
    verdicts = VerdictSerializer(many=True)


# --- analysts' corrections (issue 14) -------------------------------------------------------


class _CorrectionInputSerializer(InputSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="Why."
    )


class MergeClustersSerializer(_CorrectionInputSerializer):
    sources = serializers.ListField(
        child=ScopedPrimaryKeyField(selector=clusters_for, model=ClaimCluster),
        min_length=1,
        max_length=100,
        help_text="Clusters whose claims join this one (none may carry a verdict).",
    )


class MoveClaimSerializer(_CorrectionInputSerializer):
    claim = ScopedPrimaryKeyField(selector=claims_for, model=Claim, help_text="A member.")
    to_cluster = ScopedPrimaryKeyField(
        selector=clusters_for,
        model=ClaimCluster,
        allow_null=True,
        help_text="The cluster it belongs in; null for a new cluster of its own (a split).",
    )


class RejectLinkSerializer(_CorrectionInputSerializer):
    claim = ScopedPrimaryKeyField(selector=claims_for, model=Claim, help_text="A member.")
    others = serializers.ListField(
        child=ScopedPrimaryKeyField(selector=claims_for, model=Claim),
        min_length=1,
        max_length=1000,
        help_text="The claims it is not the same claim as.",
    )


class ConfirmLinkSerializer(_CorrectionInputSerializer):
    claim = ScopedPrimaryKeyField(selector=claims_for, model=Claim, help_text="A member.")
    other = ScopedPrimaryKeyField(
        selector=claims_for, model=Claim, help_text="The claim it is the same claim as."
    )


class PinWordingSerializer(_CorrectionInputSerializer):
    text = serializers.CharField(max_length=MAX_WORDING)


class ClaimCorrectionSerializer(_CorrectionInputSerializer):
    field = serializers.ChoiceField(choices=[str(f) for f in CORRECTABLE_FIELDS])
    value = serializers.CharField(
        allow_blank=True, max_length=300, help_text="For `kind`, one of the claim kinds."
    )


class ClaimMarkSerializer(_CorrectionInputSerializer):
    pass
