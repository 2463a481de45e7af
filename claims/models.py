"""Read models (projections) for claims, clusters and verdicts.

Only projection functions in `claims/events.py` write these rows; commands append events.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from claims.extraction.kinds import ClaimKind as ExtractedKind
from dossiers.models import Article, Dossier, SourceReliability


class ClaimCluster(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="clusters")
    canonical_text = models.TextField()
    article_count = models.PositiveIntegerField(default=0)
    independent_origin_count = models.PositiveIntegerField(default=0)
    origin = models.CharField(max_length=300, blank=True, help_text="Primary traced origin.")
    origins = models.JSONField(default=list, blank=True)
    supporting_article_count = models.PositiveIntegerField(default=0)
    contradicting_article_count = models.PositiveIntegerField(default=0)
    member_links = models.JSONField(
        default=dict,
        blank=True,
        help_text="Why each claim is here: claim id -> its strongest link inside the cluster.",
    )
    contradictions = models.JSONField(
        default=list,
        blank=True,
        help_text="Claims elsewhere that contradict a member: claim ids, kind and reason.",
    )
    is_active = models.BooleanField(default=True, help_text="False once re-clustering empties it.")
    wording_pinned = models.BooleanField(
        default=False, help_text="An analyst chose the wording: re-clustering keeps it."
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-article_count", "created_at"]

    def __str__(self) -> str:
        return self.canonical_text[:80]


class ClaimKind(models.TextChoices):
    """What kind of statement a claim is (`claims.extraction.kinds`); only factual claims and
    statistics are check-worthy (highlighted, offered as verdict evidence by default)."""

    FACTUAL = ExtractedKind.FACTUAL.value, "Factual"
    STATISTIC = ExtractedKind.STATISTIC.value, "Statistic"
    QUOTE_OPINION = ExtractedKind.QUOTE_OPINION.value, "Quoted opinion"
    PREDICTION = ExtractedKind.PREDICTION.value, "Prediction"
    QUESTION = ExtractedKind.QUESTION.value, "Question"
    OTHER = ExtractedKind.OTHER.value, "Other"


CHECKWORTHY_KINDS = (ClaimKind.FACTUAL, ClaimKind.STATISTIC)


class Claim(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of their own: (article, ordinal) and (dossier, cluster) below lead with them.
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    ordinal = models.PositiveIntegerField(help_text="Position of the claim within its article.")
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    speaker = models.CharField(max_length=300, blank=True)
    cue = models.CharField(max_length=100, blank=True)
    cited_source = models.CharField(max_length=300, blank=True)
    entities = models.JSONField(default=list, blank=True)
    quantities = models.JSONField(default=list, blank=True)
    dates = models.JSONField(default=list, blank=True)
    checkworthiness = models.FloatField(default=0.0)
    kind = models.CharField(max_length=16, choices=ClaimKind.choices, default=ClaimKind.FACTUAL)
    extractor_version = models.CharField(max_length=32)
    cluster = models.ForeignKey(
        ClaimCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    not_a_claim = models.BooleanField(
        default=False, help_text="An analyst said this sentence is not a claim: never clustered."
    )
    corrected_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields an analyst corrected (re-extraction keeps them).",
    )
    reviewed_matches = models.JSONField(
        default=list,
        blank=True,
        help_text="Already reviewed: approved or published verdicts of the team on a claim "
        "the clustering matcher found to state the same fact (ClaimMatchedToVerdict events).",
    )
    # History is read by dossier and date (as-of) and by claim: other indexes only cost writes.
    history = HistoricalRecords(no_db_index=["article", "cluster"])

    class Meta:
        ordering = ["article", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["article", "ordinal"], name="unique_claim_ordinal"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="span_order"
            ),
        ]
        indexes = [models.Index(fields=["dossier", "cluster"])]

    def __str__(self) -> str:
        return self.text[:80]


class Rating(models.TextChoices):
    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    MIXED = "mixed", "Mixed"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    FALSE = "false", "False"
    UNPROVEN = "unproven", "Unproven"


class InformationCredibility(models.IntegerChoices):
    """Admiralty (NATO) information credibility grades."""

    CONFIRMED = 1, "1: confirmed by other sources"
    PROBABLY_TRUE = 2, "2: probably true"
    POSSIBLY_TRUE = 3, "3: possibly true"
    DOUBTFUL = 4, "4: doubtful"
    IMPROBABLE = 5, "5: improbable"
    CANNOT_BE_JUDGED = 6, "6: truth cannot be judged"


class Verdict(models.Model):
    """One revision of an analyst's assessment of a cluster.

    A published verdict is never edited: revising it creates a new Verdict row with
    `revision + 1` that `supersedes` it, so each revision keeps its own rationale.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cluster = models.ForeignKey(  # indexed by the (cluster, revision) constraint below
        ClaimCluster, on_delete=models.PROTECT, related_name="verdicts", db_index=False
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="verdicts")
    revision = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reuses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reused_by",
        help_text="The earlier verdict (on the same fact, often in another dossier) it cites.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    rating = models.CharField(max_length=16, choices=Rating.choices, default=Rating.UNPROVEN)
    confidence = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    source_reliability = models.CharField(
        max_length=1, choices=SourceReliability.choices, default=SourceReliability.F
    )
    information_credibility = models.PositiveSmallIntegerField(
        choices=InformationCredibility.choices, default=InformationCredibility.CANNOT_BE_JUDGED
    )
    rationale = models.TextField(blank=True, help_text="Markdown; sanitised when rendered.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_verdicts"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_verdicts",
    )
    needs_review = models.BooleanField(default=False, db_index=True)
    review_flags = models.JSONField(default=list, blank=True)
    reviewed = models.JSONField(
        default=dict,
        blank=True,
        help_text="The cluster as submitted for review: claim text, member claim ids, origins. "
        "Approval, publication and ClaimReview use it, whatever the cluster becomes.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    # History is read by dossier, cluster and date and by verdict: other indexes cost writes.
    history = HistoricalRecords(
        no_db_index=["supersedes", "reuses", "author", "reviewer", "needs_review"]
    )

    class Meta:
        ordering = ["cluster", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "revision"], name="unique_verdict_revision")
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} (rev {self.revision}, {self.get_status_display()})"


class EvidenceRelation(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class VerdictEvidence(models.Model):
    """A claim or article a verdict rests on. `quote` keeps the claim text if re-extraction
    later retires the claim, so evidence is never lost."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="evidence")
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="evidence_for")
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_for"
    )
    quote = models.TextField(blank=True)
    relation = models.CharField(max_length=16, choices=EvidenceRelation.choices)
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords(no_db_index=["article", "claim"])  # read by verdict and date

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.claim or self.article}"


class CorrectionKind(models.TextChoices):
    MERGE = "merge", "Clusters merged"
    MOVE = "move", "Claim moved to another cluster"
    SPLIT = "split", "Claim split into a new cluster"
    REJECT_LINK = "reject_link", "Not the same claim"
    CONFIRM_LINK = "confirm_link", "Same claim (link confirmed)"
    PIN_WORDING = "pin_wording", "Wording pinned"
    SPEAKER = "speaker", "Speaker corrected"
    CITED_SOURCE = "cited_source", "Cited source corrected"
    KIND = "kind", "Kind corrected"
    NOT_A_CLAIM = "not_a_claim", "Marked not a claim"
    RESTORE_CLAIM = "restore_claim", "Marked a claim again"


class Correction(models.Model):
    """An analyst's correction of the machine, as re-clustering and re-extraction read it.

    `claim_id` is the claim corrected and `together`/`apart` the claims it must or must not
    share a cluster with (each `{"id", "article_id", "text"}`: a re-extraction that changes
    a claim's id but not its text carries the correction over). Claims a re-extraction
    retired are moved to `lost`, so the correction is reported rather than silently dropped.
    """

    id = models.BigIntegerField(primary_key=True, help_text="The position of its event.")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=16, choices=CorrectionKind.choices)
    cluster_id = models.UUIDField(null=True, blank=True)
    claim_id = models.UUIDField(null=True, blank=True)
    article_id = models.UUIDField(null=True, blank=True)
    claim_text = models.TextField(blank=True)
    together = models.JSONField(default=list, blank=True)
    apart = models.JSONField(default=list, blank=True)
    value = models.JSONField(default=dict, blank=True)
    lost = models.JSONField(default=list, blank=True)
    actor_id = models.IntegerField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="The analyst's reason, whole.")
    created_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.claim_text[:60] or self.cluster_id})"


class Comment(models.Model):
    """A team member's comment on a verdict or a cluster (CommentAdded, each its own stream:
    commenting never moves the version someone editing the verdict or the cluster holds)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="comments")
    verdict = models.ForeignKey(
        Verdict, null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    cluster = models.ForeignKey(
        ClaimCluster, null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments_written"
    )
    body = models.TextField(help_text="Markdown; sanitised when rendered.")
    created_at = models.DateTimeField()
    history = HistoricalRecords(no_db_index=["dossier", "verdict", "cluster", "author"])

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict__isnull=False, cluster__isnull=True)
                | models.Q(verdict__isnull=True, cluster__isnull=False),
                name="comment_on_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:60]}"
