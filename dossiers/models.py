"""Read models (projections) for teams, dossiers, sources and articles.

Only the projectors in `dossiers/events.py` (and `claims/events.py` for ClaimsExtracted) write
these rows; commands append events.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    ANALYST = "analyst", "Analyst"
    REVIEWER = "reviewer", "Reviewer"
    ADMIN = "admin", "Admin"


class SourceReliability(models.TextChoices):
    """Admiralty (NATO) source reliability grades."""

    A = "A", "A: completely reliable"
    B = "B", "B: usually reliable"
    C = "C", "C: fairly reliable"
    D = "D", "D: not usually reliable"
    E = "E", "E: unreliable"
    F = "F", "F: reliability cannot be judged"


class DatePrecision(models.TextChoices):
    """How much of a publication date is known: 2016, 2016-06 or 2016-06-03."""

    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


class Team(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    # PROTECT, as every reference to a user from a read model: a user who appears in the log
    # is deactivated, never deleted (deleting would change rows outside the log, and a
    # replay would then insert references to a user who is gone).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_role_per_team")]

    def __str__(self) -> str:
        return f"{self.user} · {self.team} ({self.role})"


class QuestionStance(models.TextChoices):
    """An article's stance toward its dossier's claim form (issue 18)."""

    AGREE = "agree", "Agree"
    DISAGREE = "disagree", "Disagree"
    DISCUSS = "discuss", "Discuss"
    UNRELATED = "unrelated", "Unrelated"


class Dossier(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="dossiers")
    title = models.CharField(max_length=300)
    question = models.TextField(blank=True)
    claim_form = models.TextField(
        blank=True,
        help_text="The proposition the question asks about; articles' stances are toward it.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    tags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Source(models.Model):
    class Kind(models.TextChoices):
        OUTLET = "outlet", "Outlet"
        PERSON = "person", "Person"
        AGENCY = "agency", "Agency"
        OFFICIAL = "official", "Official"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="sources")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OUTLET)
    domain = models.CharField(max_length=253, blank=True)
    reliability = models.CharField(
        max_length=1, choices=SourceReliability.choices, default=SourceReliability.F
    )
    archived = models.BooleanField(
        default=False, help_text="Hidden from lists and closed to uploads; nothing is deleted."
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_source_name_per_team")
        ]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(  # indexed by the (dossier, content_hash) constraint below
        Dossier, on_delete=models.PROTECT, related_name="articles", db_index=False
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=8,
        blank=True,
        choices=DatePrecision.choices,
        help_text="day, month or year: how much of the date the text gave",
    )
    metadata_from_upload = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields the uploader gave (title, author, published_at): extraction keeps them.",
    )
    language = models.CharField(max_length=16, blank=True)
    wire = models.CharField(
        max_length=100,
        blank=True,
        help_text="The news agency whose copy this is (from the dateline or a wire byline).",
    )
    place = models.CharField(
        max_length=200, blank=True, help_text="Where the dateline says the story was filed."
    )
    raw_upload = models.TextField(help_text="The upload as received, decoded to text.")
    content_type = models.CharField(max_length=32, default="text/plain")
    filename = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True, help_text="Cleaned text; claim spans index into it.")
    content_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )  # indexed with status_changed_at below
    status_changed_at = models.DateTimeField()
    extraction_error = models.TextField(blank=True)
    extraction_attempts = models.PositiveIntegerField(default=0)
    extractor_version = models.CharField(max_length=32, blank=True)
    question_stance = models.CharField(
        max_length=16,
        blank=True,
        choices=QuestionStance.choices,
        help_text="Stance toward the dossier's claim form: the analyst's if corrected.",
    )
    question_stance_confidence = models.FloatField(null=True, blank=True)
    question_stance_sentences = models.JSONField(
        default=list, blank=True, help_text="The sentences that decided the model's stance."
    )
    question_stance_model = models.CharField(
        max_length=16, blank=True, choices=QuestionStance.choices, help_text="What the model said."
    )
    question_stance_corrected = models.BooleanField(
        default=False, help_text="An analyst set the stance; re-scoring keeps it."
    )
    archived = models.BooleanField(
        default=False,
        help_text="Left out of clustering, origins, the answer and re-analysis, and hidden "
        "from lists; nothing is deleted.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=0, editable=False)
    # History is read by dossier and date (as-of) and by article: other indexes cost writes.
    history = HistoricalRecords(
        excluded_fields=["raw_upload", "body"], no_db_index=["source", "uploaded_by"]
    )

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "content_hash"], name="unique_article_content_per_dossier"
            )
        ]
        indexes = [
            models.Index(fields=["status", "status_changed_at"]),
            # Search leaves out the claims of a dossier's archived articles: reading them
            # without this scanned every article (12 of 19 ms of a search at 24k articles).
            models.Index(
                fields=["dossier"],
                condition=models.Q(archived=True),
                name="article_archived_by_dossier",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Article {self.id}"
