"""Event types of teams, dossiers, sources and articles, and the projectors that apply them.

One projector per event type (`eventlog.registry.projector`), the same function live and on
rebuild: it changes rows held in a `ProjectionState`. Its `reads` loads the rows a live
append needs; the rebuild holds every row already. ClaimsExtracted, which writes claims too,
is projected by the claims app (`claims.events`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import TextChoices

from dossiers.models import Article, Dossier, Membership, Source, Team
from eventlog.registry import projector
from eventlog.state import ProjectionState


class StreamType(TextChoices):
    TEAM = "team"
    DOSSIER = "dossier"
    SOURCE = "source"
    ARTICLE = "article"


class EventType(TextChoices):
    TEAM_CREATED = "TeamCreated"
    MEMBER_ADDED = "MemberAdded"
    MEMBER_ROLE_CHANGED = "MemberRoleChanged"
    MEMBER_REMOVED = "MemberRemoved"
    DOSSIER_CREATED = "DossierCreated"
    DOSSIER_UPDATED = "DossierUpdated"
    SOURCE_ADDED = "SourceAdded"
    SOURCE_UPDATED = "SourceUpdated"
    SOURCE_ARCHIVED = "SourceArchived"
    SOURCE_UNARCHIVED = "SourceUnarchived"
    ARTICLE_UPLOADED = "ArticleUploaded"
    ARTICLE_METADATA_CORRECTED = "ArticleMetadataCorrected"
    ARTICLE_ARCHIVED = "ArticleArchived"
    ARTICLE_UNARCHIVED = "ArticleUnarchived"
    ARTICLE_EXTRACTION_REQUESTED = "ArticleExtractionRequested"
    ARTICLE_EXTRACTION_STARTED = "ArticleExtractionStarted"
    CLAIMS_EXTRACTED = "ClaimsExtracted"
    ARTICLE_EXTRACTION_FAILED = "ArticleExtractionFailed"
    DOSSIER_CLAIM_FORM_SET = "DossierClaimFormSet"
    QUESTION_STANCE_SCORED = "QuestionStanceScored"
    QUESTION_STANCE_CORRECTED = "QuestionStanceCorrected"


def parse_time(value: str | None) -> datetime | None:
    """ISO date or datetime (or a bare year such as "2024") to an aware datetime."""
    if not value:
        return None
    if len(value) == 4 and value.isdigit():
        value = f"{value}-01-01"
    elif len(value) == 7:
        value = f"{value}-01"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- what a live append loads -------------------------------------------------------------


def read_streams(model):
    """A `reads` loader: the rows whose id is the events' stream id."""

    def reads(state: ProjectionState, events: list) -> None:
        state.load(model, model.objects.filter(id__in=[event.stream_id for event in events]))

    return reads


def read_teams_and_memberships(state: ProjectionState, events: list) -> None:
    teams = [event.stream_id for event in events]
    state.load(Team, Team.objects.filter(id__in=teams))
    state.load(Membership, Membership.objects.filter(team_id__in=teams))


# --- projectors -----------------------------------------------------------------------------


@projector(EventType.TEAM_CREATED)
def team_created(state: ProjectionState, event) -> None:
    state.insert(
        Team,
        event,
        id=str(event.stream_id),
        name=event.data["name"],
        created_at=event.recorded_at,
        version=event.stream_version,
    )


@projector(EventType.MEMBER_ADDED, reads=read_streams(Team))
def member_added(state: ProjectionState, event) -> None:
    state.insert(
        Membership,
        event,
        id=event.position,  # not the sequence: a replay must give the row the same id
        team_id=str(event.stream_id),
        user_id=event.data["user_id"],
        role=event.data["role"],
    )
    state.get(Team, event.stream_id)["version"] = event.stream_version


@projector(EventType.MEMBER_ROLE_CHANGED, reads=read_teams_and_memberships)
def member_role_changed(state: ProjectionState, event) -> None:
    (membership,) = state.where(
        Membership, team_id=str(event.stream_id), user_id=event.data["user_id"]
    )
    membership["role"] = event.data["role"]
    state.save(Membership, membership, event)
    state.get(Team, event.stream_id)["version"] = event.stream_version


@projector(EventType.MEMBER_REMOVED, reads=read_teams_and_memberships)
def member_removed(state: ProjectionState, event) -> None:
    (membership,) = state.where(
        Membership, team_id=str(event.stream_id), user_id=event.data["user_id"]
    )
    state.delete(Membership, membership, event)
    state.get(Team, event.stream_id)["version"] = event.stream_version


@projector(EventType.DOSSIER_CREATED)
def dossier_created(state: ProjectionState, event) -> None:
    data = event.data
    state.insert(
        Dossier,
        event,
        id=str(event.stream_id),
        team_id=data["team_id"],
        title=data["title"],
        question=data["question"],
        claim_form=data.get("claim_form", ""),  # events before issue 18 have none
        tags=data["tags"],
        created_by_id=data["created_by"],
        created_at=event.recorded_at,
        version=event.stream_version,
    )


@projector(EventType.SOURCE_ADDED)
def source_added(state: ProjectionState, event) -> None:
    data = event.data
    state.insert(
        Source,
        event,
        id=str(event.stream_id),
        team_id=data["team_id"],
        name=data["name"],
        kind=data["kind"],
        domain=data["domain"],
        reliability=data["reliability"],
        version=event.stream_version,
    )


@projector(EventType.DOSSIER_UPDATED, reads=read_streams(Dossier))
def dossier_updated(state: ProjectionState, event) -> None:
    """Title, question, tags or status (archiving is a status) as the event sets them."""
    dossier = state.get(Dossier, event.stream_id)
    dossier.update(event.data["changes"], version=event.stream_version)
    state.save(Dossier, dossier, event)


@projector(EventType.SOURCE_UPDATED, reads=read_streams(Source))
def source_updated(state: ProjectionState, event) -> None:
    source = state.get(Source, event.stream_id)
    source.update(event.data["changes"], version=event.stream_version)
    state.save(Source, source, event)


@projector(EventType.SOURCE_ARCHIVED, EventType.SOURCE_UNARCHIVED, reads=read_streams(Source))
def source_archived(state: ProjectionState, event) -> None:
    """An archived source is hidden from lists and takes no uploads; unarchived, it is back."""
    source = state.get(Source, event.stream_id)
    source.update(archived=event.type == EventType.SOURCE_ARCHIVED, version=event.stream_version)
    state.save(Source, source, event)


@projector(EventType.ARTICLE_UPLOADED)
def article_uploaded(state: ProjectionState, event) -> None:
    data = event.data
    state.insert(
        Article,
        event,
        id=str(event.stream_id),
        dossier_id=data["dossier_id"],
        source_id=data["source_id"],
        title=data["title"],
        url=data["url"],
        **uploaded_metadata(data),
        raw_upload=data["raw_upload"],
        content_type=data["content_type"],
        filename=data["filename"],
        content_hash=data["content_hash"],
        status=Article.Status.PENDING.value,
        status_changed_at=event.recorded_at,
        uploaded_by_id=data["uploaded_by"],
        uploaded_at=event.recorded_at,
        version=event.stream_version,
    )


@projector(EventType.ARTICLE_METADATA_CORRECTED, reads=read_streams(Article))
def article_metadata_corrected(state: ProjectionState, event) -> None:
    """An analyst's title, author, URL or publication date; extraction keeps them after."""
    article = state.get(Article, event.stream_id)
    changes = dict(event.data["changes"])
    if "published_at" in changes:
        changes["published_at"] = parse_time(changes["published_at"])
    article.update(
        changes,
        metadata_from_upload=event.data["metadata_from_upload"],
        version=event.stream_version,
    )
    state.save(Article, article, event)


@projector(EventType.ARTICLE_ARCHIVED, EventType.ARTICLE_UNARCHIVED, reads=read_streams(Article))
def article_archived(state: ProjectionState, event) -> None:
    """Archived, the article's claims leave the analysis at the next re-clustering (which
    the command queues); unarchived, they come back. Its claims and history are kept."""
    article = state.get(Article, event.stream_id)
    article.update(archived=event.type == EventType.ARTICLE_ARCHIVED, version=event.stream_version)
    state.save(Article, article, event)


def uploaded_metadata(data: dict) -> dict:
    """Author and publication date given at upload (events before issue 13 carry none)."""
    return {
        "author": data.get("author", ""),
        "published_at": parse_time(data.get("published_at")),
        "published_precision": data.get("published_precision", ""),
        "metadata_from_upload": list(data.get("metadata_from_upload", [])),
    }


def change_article(state: ProjectionState, event, **changes) -> dict:
    """Change the event's article, with the time of its status change and its version."""
    article = state.get(Article, event.stream_id)
    article.update(changes, status_changed_at=event.recorded_at, version=event.stream_version)
    state.save(Article, article, event)
    return article


read_articles = read_streams(Article)


@projector(EventType.ARTICLE_EXTRACTION_REQUESTED, reads=read_articles)
def article_extraction_requested(state: ProjectionState, event) -> None:
    change_article(state, event, status=Article.Status.PENDING.value)


@projector(EventType.ARTICLE_EXTRACTION_STARTED, reads=read_articles)
def article_extraction_started(state: ProjectionState, event) -> None:
    change_article(
        state,
        event,
        status=Article.Status.RUNNING.value,
        extraction_attempts=event.data["attempt"],
        extraction_error="",
    )


@projector(EventType.ARTICLE_EXTRACTION_FAILED, reads=read_articles)
def article_extraction_failed(state: ProjectionState, event) -> None:
    change_article(
        state, event, status=Article.Status.FAILED.value, extraction_error=event.data["error"]
    )


@projector(EventType.DOSSIER_CLAIM_FORM_SET, reads=read_streams(Dossier))
def dossier_claim_form_set(state: ProjectionState, event) -> None:
    dossier = state.get(Dossier, event.stream_id)
    dossier.update(claim_form=event.data["claim_form"], version=event.stream_version)
    state.save(Dossier, dossier, event)


@projector(EventType.QUESTION_STANCE_SCORED, reads=read_articles)
def question_stance_scored(state: ProjectionState, event) -> None:
    """The model's label, confidence and deciding sentences; the stance itself unless an
    analyst corrected it (a correction is kept)."""
    article = state.get(Article, event.stream_id)
    data = event.data
    article.update(
        question_stance_model=data["label"],
        question_stance_confidence=data["confidence"],
        question_stance_sentences=list(data["sentences"]),
        version=event.stream_version,
    )
    if not article["question_stance_corrected"]:
        article["question_stance"] = data["label"]
    state.save(Article, article, event)


@projector(EventType.QUESTION_STANCE_CORRECTED, reads=read_articles)
def question_stance_corrected(state: ProjectionState, event) -> None:
    article = state.get(Article, event.stream_id)
    article.update(
        question_stance=event.data["label"],
        question_stance_corrected=True,
        version=event.stream_version,
    )
    state.save(Article, article, event)
