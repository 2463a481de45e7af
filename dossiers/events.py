"""Event types of teams, dossiers, sources and articles, and the projections that apply them.

Projections are pure functions of the event: replaying the log gives the same read models.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import TextChoices

from claims.extraction.datelines import wire_named
from dossiers.models import Article, Dossier, Membership, Source, Team
from eventlog.models import Event
from eventlog.rebuild import ReplayState
from eventlog.registry import projection, replays
from eventlog.store import save_projection, save_projections, stamp_history


class StreamType(TextChoices):
    TEAM = "team"
    DOSSIER = "dossier"
    SOURCE = "source"
    ARTICLE = "article"


class EventType(TextChoices):
    TEAM_CREATED = "TeamCreated"
    MEMBER_ADDED = "MemberAdded"
    MEMBER_ROLE_CHANGED = "MemberRoleChanged"
    DOSSIER_CREATED = "DossierCreated"
    SOURCE_ADDED = "SourceAdded"
    ARTICLE_UPLOADED = "ArticleUploaded"
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


@projection(EventType.TEAM_CREATED)
def team_created(event: Event) -> None:
    team = Team(id=event.stream_id, name=event.data["name"], created_at=event.recorded_at)
    save_projection(team, event)


@projection(EventType.MEMBER_ADDED)
def member_added(event: Event) -> None:
    membership = Membership(
        id=event.position,  # not the sequence: a replay must give the row the same id
        team_id=event.stream_id,
        user_id=event.data["user_id"],
        role=event.data["role"],
    )
    stamp_history(membership, event)
    membership.save()
    Team.objects.filter(id=event.stream_id).update(version=event.stream_version)


@projection(EventType.MEMBER_ROLE_CHANGED)
def member_role_changed(event: Event) -> None:
    membership = Membership.objects.get(team_id=event.stream_id, user_id=event.data["user_id"])
    membership.role = event.data["role"]
    stamp_history(membership, event)
    membership.save()
    Team.objects.filter(id=event.stream_id).update(version=event.stream_version)


@projection(EventType.DOSSIER_CREATED)
def dossier_created(event: Event) -> None:
    data = event.data
    dossier = Dossier(
        id=event.stream_id,
        team_id=data["team_id"],
        title=data["title"],
        question=data["question"],
        claim_form=data.get("claim_form", ""),  # events before issue 18 have none
        tags=data["tags"],
        created_by_id=data["created_by"],
        created_at=event.recorded_at,
    )
    save_projection(dossier, event)


@projection(EventType.SOURCE_ADDED)
def source_added(event: Event) -> None:
    data = event.data
    source = Source(
        id=event.stream_id,
        team_id=data["team_id"],
        name=data["name"],
        kind=data["kind"],
        domain=data["domain"],
        reliability=data["reliability"],
    )
    save_projection(source, event)


@projection(EventType.ARTICLE_UPLOADED)
def article_uploaded(event: Event) -> None:
    data = event.data
    article = Article(
        id=event.stream_id,
        dossier_id=data["dossier_id"],
        source_id=data["source_id"],
        title=data["title"],
        url=data["url"],
        **uploaded_metadata(data),
        raw_upload=data["raw_upload"],
        content_type=data["content_type"],
        filename=data["filename"],
        content_hash=data["content_hash"],
        status=Article.Status.PENDING,
        status_changed_at=event.recorded_at,
        uploaded_by_id=data["uploaded_by"],
        uploaded_at=event.recorded_at,
    )
    save_projection(article, event)


def uploaded_metadata(data: dict) -> dict:
    """Author and publication date given at upload (events before issue 13 carry none)."""
    return {
        "author": data.get("author", ""),
        "published_at": parse_time(data.get("published_at")),
        "published_precision": data.get("published_precision", ""),
        "metadata_from_upload": list(data.get("metadata_from_upload", [])),
    }


def extracted_metadata(data: dict, *, title: str, author: str, kept: list[str]) -> dict:
    """What a ClaimsExtracted event changes of the article's metadata: not the fields the
    uploader gave (`kept`), and the title only when extraction found one. The wire is the
    dateline's agency, else one the byline names ("AP"): the article is that agency's copy.
    (Events written before the extractor read datelines have no wire or place.)"""
    values = {
        "title": data["title"] or title,
        "author": data["author"],
        "published_at": parse_time(data["published_at"]),
        "published_precision": data.get("published_precision") or "",
    }
    if "published_at" in kept:
        kept = [*kept, "published_precision"]
    changed = {name: value for name, value in values.items() if name not in kept}
    byline = changed.get("author", author)
    changed["wire"] = data.get("wire") or wire_named(byline) or ""
    changed["place"] = data.get("place", "")
    return changed


@projection(EventType.ARTICLE_EXTRACTION_REQUESTED)
def article_extraction_requested(event: Event) -> None:
    article = Article.objects.get(id=event.stream_id)
    article.status = Article.Status.PENDING
    article.status_changed_at = event.recorded_at
    save_projection(article, event)


def apply_extraction_started(events: list[Event]) -> None:
    """Articles marked running, in bulk: a worker starts a batch of articles at once."""
    articles = _articles_of(events)
    for article, event in articles:
        article.status = Article.Status.RUNNING
        article.status_changed_at = event.recorded_at
        article.extraction_attempts = event.data["attempt"]
        article.extraction_error = ""
    save_projections(
        articles, ["status", "status_changed_at", "extraction_attempts", "extraction_error"]
    )


@projection(EventType.ARTICLE_EXTRACTION_FAILED)
def article_extraction_failed(event: Event) -> None:
    article = Article.objects.get(id=event.stream_id)
    article.status = Article.Status.FAILED
    article.status_changed_at = event.recorded_at
    article.extraction_error = event.data["error"]
    save_projection(article, event)


_EXTRACTED_FIELDS = [
    "title",
    "author",
    "published_at",
    "published_precision",
    "language",
    "wire",
    "place",
    "body",
    "extractor_version",
    "status",
    "status_changed_at",
    "extraction_error",
]


def apply_claims_extracted(events: list[Event]) -> None:
    """Extraction results, in bulk: a worker stores a batch of articles at once."""
    from claims.events import replace_claims_of_articles

    articles = _articles_of(events)
    for article, event in articles:
        data = event.data
        metadata = extracted_metadata(
            data, title=article.title, author=article.author, kept=article.metadata_from_upload
        )
        for name, value in metadata.items():
            setattr(article, name, value)
        article.language = data["language"]
        article.body = data["body"]
        article.extractor_version = data["extractor_version"]
        article.status = Article.Status.DONE
        article.status_changed_at = event.recorded_at
        # What the claim budget left out, if anything (ClaimsExtracted data since 2026.12).
        article.extraction_error = data.get("notice", "")
    save_projections(articles, _EXTRACTED_FIELDS)
    replace_claims_of_articles(
        [(article, event.data["claims"], event) for article, event in articles]
    )


def _articles_of(events: list[Event]) -> list[tuple[Article, Event]]:
    articles = Article.objects.in_bulk([event.stream_id for event in events])
    by_id = {str(pk): article for pk, article in articles.items()}
    return [(by_id[str(event.stream_id)], event) for event in events]


projection(EventType.ARTICLE_EXTRACTION_STARTED)(lambda event: apply_extraction_started([event]))


@projection(EventType.DOSSIER_CLAIM_FORM_SET)
def dossier_claim_form_set(event: Event) -> None:
    dossier = Dossier.objects.get(id=event.stream_id)
    dossier.claim_form = event.data["claim_form"]
    save_projection(dossier, event)


def question_stance_scored_values(article: dict | Article, data: dict) -> dict:
    """What a QuestionStanceScored event changes: the model's label, confidence and deciding
    sentences; the stance itself unless an analyst corrected it (a correction is kept)."""
    corrected = (
        article["question_stance_corrected"]
        if isinstance(article, dict)
        else article.question_stance_corrected
    )
    values = {
        "question_stance_model": data["label"],
        "question_stance_confidence": data["confidence"],
        "question_stance_sentences": list(data["sentences"]),
    }
    if not corrected:
        values["question_stance"] = data["label"]
    return values


_QUESTION_STANCE_FIELDS = [
    "question_stance",
    "question_stance_model",
    "question_stance_confidence",
    "question_stance_sentences",
]


def apply_question_stances_scored(events: list[Event]) -> None:
    """Stances of a dossier's articles, in bulk: a change of claim form re-scores them all."""
    articles = _articles_of(events)
    for article, event in articles:
        for name, value in question_stance_scored_values(article, event.data).items():
            setattr(article, name, value)
    save_projections(articles, _QUESTION_STANCE_FIELDS)


projection(EventType.QUESTION_STANCE_SCORED)(lambda event: apply_question_stances_scored([event]))


@projection(EventType.QUESTION_STANCE_CORRECTED)
def question_stance_corrected(event: Event) -> None:
    article = Article.objects.get(id=event.stream_id)
    article.question_stance = event.data["label"]
    article.question_stance_corrected = True
    save_projection(article, event)


projection(EventType.CLAIMS_EXTRACTED)(lambda event: apply_claims_extracted([event]))


# --- replay twins (dossiers/replay.py): the same rows, made in memory ----------------------


@replays(EventType.TEAM_CREATED)
def replay_team_created(state: ReplayState, event) -> None:
    state.insert(
        Team,
        event,
        id=str(event.stream_id),
        name=event.data["name"],
        created_at=event.recorded_at,
        version=event.stream_version,
    )


@replays(EventType.MEMBER_ADDED)
def replay_member_added(state: ReplayState, event) -> None:
    state.insert(
        Membership,
        event,
        id=event.position,
        team_id=str(event.stream_id),
        user_id=event.data["user_id"],
        role=event.data["role"],
    )
    state.get(Team, event.stream_id)["version"] = event.stream_version


@replays(EventType.MEMBER_ROLE_CHANGED)
def replay_member_role_changed(state: ReplayState, event) -> None:
    (membership,) = state.where(
        Membership, team_id=str(event.stream_id), user_id=event.data["user_id"]
    )
    membership["role"] = event.data["role"]
    state.save(Membership, membership, event)
    state.get(Team, event.stream_id)["version"] = event.stream_version


@replays(EventType.DOSSIER_CREATED)
def replay_dossier_created(state: ReplayState, event) -> None:
    data = event.data
    state.insert(
        Dossier,
        event,
        id=str(event.stream_id),
        team_id=data["team_id"],
        title=data["title"],
        question=data["question"],
        claim_form=data.get("claim_form", ""),
        tags=data["tags"],
        created_by_id=data["created_by"],
        created_at=event.recorded_at,
        version=event.stream_version,
    )


@replays(EventType.SOURCE_ADDED)
def replay_source_added(state: ReplayState, event) -> None:
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


@replays(EventType.ARTICLE_UPLOADED)
def replay_article_uploaded(state: ReplayState, event) -> None:
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


def _replay_article_change(state: ReplayState, event, **changes) -> dict:
    article = state.get(Article, event.stream_id)
    article.update(changes, status_changed_at=event.recorded_at, version=event.stream_version)
    state.save(Article, article, event)
    return article


@replays(EventType.ARTICLE_EXTRACTION_REQUESTED)
def replay_article_extraction_requested(state: ReplayState, event) -> None:
    _replay_article_change(state, event, status=Article.Status.PENDING.value)


@replays(EventType.ARTICLE_EXTRACTION_STARTED)
def replay_article_extraction_started(state: ReplayState, event) -> None:
    _replay_article_change(
        state,
        event,
        status=Article.Status.RUNNING.value,
        extraction_attempts=event.data["attempt"],
        extraction_error="",
    )


@replays(EventType.ARTICLE_EXTRACTION_FAILED)
def replay_article_extraction_failed(state: ReplayState, event) -> None:
    _replay_article_change(
        state, event, status=Article.Status.FAILED.value, extraction_error=event.data["error"]
    )


@replays(EventType.CLAIMS_EXTRACTED)
def replay_claims_extracted(state: ReplayState, event) -> None:
    from claims.events import replay_article_claims

    data = event.data
    article = state.get(Article, event.stream_id)
    article = _replay_article_change(
        state,
        event,
        **extracted_metadata(
            data,
            title=article["title"],
            author=article["author"],
            kept=article["metadata_from_upload"],
        ),
        language=data["language"],
        body=data["body"],
        extractor_version=data["extractor_version"],
        status=Article.Status.DONE.value,
        extraction_error=data.get("notice", ""),
    )
    replay_article_claims(state, article, data["claims"], event)


@replays(EventType.DOSSIER_CLAIM_FORM_SET)
def replay_dossier_claim_form_set(state: ReplayState, event) -> None:
    dossier = state.get(Dossier, event.stream_id)
    dossier.update(claim_form=event.data["claim_form"], version=event.stream_version)
    state.save(Dossier, dossier, event)


@replays(EventType.QUESTION_STANCE_SCORED)
def replay_question_stance_scored(state: ReplayState, event) -> None:
    article = state.get(Article, event.stream_id)
    article.update(question_stance_scored_values(article, event.data))
    article["version"] = event.stream_version
    state.save(Article, article, event)


@replays(EventType.QUESTION_STANCE_CORRECTED)
def replay_question_stance_corrected(state: ReplayState, event) -> None:
    article = state.get(Article, event.stream_id)
    article.update(
        question_stance=event.data["label"],
        question_stance_corrected=True,
        version=event.stream_version,
    )
    state.save(Article, article, event)
