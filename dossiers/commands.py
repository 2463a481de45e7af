"""Every change to teams, dossiers, sources and articles: validate, append events, project.

Views, the admin, the API and the workers call these functions; none writes a model itself.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import TextChoices

from claims.extraction.question import QUESTION_STANCE_VERSION, claim_form_of, question_stance
from dossiers.events import (
    EventType,
    StreamType,
)
from dossiers.metadata import KEPT_FROM_UPLOAD, MetadataInvalid, UploadMetadata, upload_metadata
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
from dossiers.permissions import require_role, require_superuser
from dossiers.uploads import (
    DecodedUpload,
    UploadRejected,
    content_hash,
    decode_upload,
    provisional_title,
)
from eventlog.context import SYSTEM, Actor, Context
from eventlog.on_commit import queue_on_commit
from eventlog.store import NewEvent, lock_appends, record, record_many

User = AbstractBaseUser


@transaction.atomic
def create_team(*, name: str, actor: User | Actor, first_admin: User | None = None) -> Team:
    """Create a team (superusers and the system); `first_admin`, if given, becomes its admin
    in the same transaction."""
    require_superuser(actor, "create a team")
    team_id = uuid.uuid4()
    record(
        stream_type=StreamType.TEAM,
        stream_id=team_id,
        expected_version=0,
        event_type=EventType.TEAM_CREATED,
        data={"name": name.strip()},
        context=Context.of(actor),
        team_id=team_id,
    )
    team = Team.objects.get(id=team_id)
    if first_admin is not None:
        data = {"user_id": first_admin.pk, "role": str(Role.ADMIN)}
        _membership_event(team, EventType.MEMBER_ADDED, data, actor)
        team.refresh_from_db(fields=["version"])
    return team


class LastAdmin(ValueError):
    """The change would leave a team with no admin, so nobody could manage it again."""


def _current_team(team: Team) -> Team:
    """The team as stored now: its version is what a membership change expects, so two
    concurrent changes (two admins demoting each other) cannot both pass the admin count."""
    return Team.objects.get(id=team.id)


def _would_leave_no_admin(team: Team, membership: Membership | None, role: Role | None) -> bool:
    if membership is None or membership.role != Role.ADMIN or role == Role.ADMIN:
        return False
    return (
        not Membership.objects.filter(team=team, role=Role.ADMIN).exclude(id=membership.id).exists()
    )


def _membership_event(team: Team, event_type: str, data: dict, actor: User | Actor) -> None:
    record(
        stream_type=StreamType.TEAM,
        stream_id=team.id,
        expected_version=team.version,
        event_type=event_type,
        data=data,
        context=Context.of(actor),
        team_id=team.id,
    )


@transaction.atomic
def add_member(*, team: Team, user: User, role: Role, actor: User | Actor) -> Membership:
    """Add `user` to the team with `role`, or change the role of a member."""
    require_role(actor, team, Role.ADMIN)
    team = _current_team(team)
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing and existing.role == role:
        return existing
    if _would_leave_no_admin(team, existing, role):
        raise LastAdmin(f"{user} is the last admin of {team.name}: make someone else admin first")
    event_type = EventType.MEMBER_ROLE_CHANGED if existing else EventType.MEMBER_ADDED
    _membership_event(team, event_type, {"user_id": user.pk, "role": str(role)}, actor)
    return Membership.objects.get(team=team, user=user)


@transaction.atomic
def remove_member(*, team: Team, user: User, actor: User | Actor) -> None:
    """Take `user` out of the team: they lose access to its records on their next request.
    Their past work stays, attributed to them, in the log and the history."""
    require_role(actor, team, Role.ADMIN)
    team = _current_team(team)
    existing = Membership.objects.filter(team=team, user=user).first()
    if existing is None:
        raise Membership.DoesNotExist(f"{user} is not a member of {team.name}")
    if _would_leave_no_admin(team, existing, None):
        raise LastAdmin(f"{user} is the last admin of {team.name}: make someone else admin first")
    _membership_event(team, EventType.MEMBER_REMOVED, {"user_id": user.pk}, actor)


@transaction.atomic
def create_dossier(
    *,
    team: Team,
    title: str,
    question: str = "",
    tags: list[str] | None = None,
    actor: User | Actor,
) -> Dossier:
    require_role(actor, team, Role.ANALYST)
    if not title.strip():
        raise ValueError("a dossier needs a title")
    dossier_id = uuid.uuid4()
    record(
        stream_type=StreamType.DOSSIER,
        stream_id=dossier_id,
        expected_version=0,
        event_type=EventType.DOSSIER_CREATED,
        data={
            "team_id": str(team.id),
            "title": title.strip(),
            "question": question.strip(),
            "claim_form": claim_form_of(question) if question.strip() else "",
            "tags": sorted({t.strip() for t in tags or [] if t.strip()}),
            "created_by": Actor.of(actor).user_id,
        },
        context=Context.of(actor),
        team_id=team.id,
    )
    return Dossier.objects.get(id=dossier_id)


def _record_changes(
    stream_type: str,
    event_type: str,
    current,
    changes: dict,
    *,
    actor: User | Actor,
    expected_version: int,
    reason: str,
) -> bool:
    """Append one edit event holding the changes that differ from the record's current
    values and what they were; nothing (False) when none differs."""
    changes = {name: value for name, value in changes.items() if getattr(current, name) != value}
    if not changes:
        return False
    record(
        stream_type=stream_type,
        stream_id=current.id,
        expected_version=expected_version,
        event_type=event_type,
        data={"changes": changes, "previous": {name: getattr(current, name) for name in changes}},
        context=Context.of(actor, reason),
        team_id=current.team_id,
    )
    return True


@transaction.atomic
def update_dossier(
    *,
    dossier: Dossier,
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
    title: str | None = None,
    question: str | None = None,
    tags: list[str] | None = None,
    status: Dossier.Status | None = None,
) -> Dossier:
    """Edit a dossier's title, question or tags (analysts), or close, archive or reopen it
    (team admins). An archived dossier takes no new articles. The claim form is its own
    command (`set_claim_form`): a reworded question does not silently change it."""
    require_role(actor, dossier.team, Role.ADMIN if status is not None else Role.ANALYST)
    changes: dict = {}
    if title is not None:
        if not title.strip():
            raise ValueError("a dossier needs a title")
        changes["title"] = title.strip()
    if question is not None:
        changes["question"] = question.strip()
    if tags is not None:
        changes["tags"] = sorted({t.strip() for t in tags if t.strip()})
    if status is not None:
        changes["status"] = str(Dossier.Status(status))
    edited = _record_changes(
        StreamType.DOSSIER,
        EventType.DOSSIER_UPDATED,
        dossier,
        changes,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )
    return Dossier.objects.get(id=dossier.id) if edited else dossier


@transaction.atomic
def update_source(
    *,
    source: Source,
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
    name: str | None = None,
    kind: Source.Kind | None = None,
    domain: str | None = None,
    reliability: SourceReliability | None = None,
    archived: bool | None = None,
) -> Source:
    """Rename a source or correct its kind, domain or reliability grade (analysts), or
    archive or unarchive it (team admins, as for a dossier's status): an archived source
    is hidden from lists and no upload may name it. Nothing is deleted."""
    require_role(actor, source.team, Role.ADMIN if archived is not None else Role.ANALYST)
    changes: dict = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise ValueError("a source needs a name")
        clash = Source.objects.filter(team=source.team, name__iexact=name).exclude(id=source.id)
        if clash.exists():
            raise ValueError(f"the team already has a source named {name!r}")
        changes["name"] = name
    if kind is not None:
        changes["kind"] = str(Source.Kind(kind))
    if domain is not None:
        changes["domain"] = domain.strip().lower()
    if reliability is not None:
        changes["reliability"] = str(SourceReliability(reliability))
    edited = _record_changes(
        StreamType.SOURCE,
        EventType.SOURCE_UPDATED,
        source,
        changes,
        actor=actor,
        expected_version=expected_version,
        reason=reason,
    )
    if archived is not None:
        edited |= _record_archived(
            StreamType.SOURCE,
            source,
            archived,
            team_id=source.team_id,
            actor=actor,
            expected_version=expected_version + int(edited),  # after the edit, if any
            reason=reason,
        )
    return Source.objects.get(id=source.id) if edited else source


# The event that archives, and the one that unarchives, a record of each stream type.
_ARCHIVE_EVENTS = {
    StreamType.SOURCE: (EventType.SOURCE_ARCHIVED, EventType.SOURCE_UNARCHIVED),
    StreamType.ARTICLE: (EventType.ARTICLE_ARCHIVED, EventType.ARTICLE_UNARCHIVED),
}


def _record_archived(
    stream_type: StreamType,
    current,
    archived: bool,
    *,
    team_id,
    actor: User | Actor,
    expected_version: int,
    reason: str,
) -> bool:
    """Append the event that archives or unarchives the record; nothing (False) when it is
    so already, as an edit that changes nothing records nothing."""
    if current.archived == archived:
        return False
    archives, unarchives = _ARCHIVE_EVENTS[stream_type]
    record(
        stream_type=stream_type,
        stream_id=current.id,
        expected_version=expected_version,
        event_type=archives if archived else unarchives,
        data={},
        context=Context.of(actor, reason),
        team_id=team_id,
    )
    return True


def _article_metadata(article: Article) -> dict:
    published = article.published_at.isoformat() if article.published_at else None
    return {
        "title": article.title,
        "author": article.author,
        "url": article.url,
        "published_at": published,
        "published_precision": article.published_precision,
    }


@transaction.atomic
def correct_article_metadata(
    *,
    article: Article,
    actor: User | Actor,
    expected_version: int,
    reason: str = "",
    title: str | None = None,
    author: str | None = None,
    url: str | None = None,
    published: str | None = None,
    archived: bool | None = None,
) -> Article:
    """Correct what an article says about itself: title, author, URL, publication date
    ("" clears it). Corrected fields are kept when the article is extracted again, as
    metadata given at upload is. Raises MetadataInvalid naming the bad field.

    `archived` archives or unarchives it (analysts: it is their analysis): an archived
    article's claims leave the dossier's clusters, origins and answer at the re-clustering
    this queues, and re-analysis passes it by. Nothing is deleted."""
    require_role(actor, article.dossier.team, Role.ANALYST)
    given = {"title": title, "author": author, "url": url}
    given = {name: value for name, value in given.items() if value is not None}
    checked = upload_metadata(**given, published=published or None)
    changes = {name: getattr(checked, name) for name in given}
    if published is not None:
        when = checked.published_at
        changes["published_at"] = when.isoformat() if when else None
        changes["published_precision"] = checked.published_precision
    current = _article_metadata(article)
    changes = {name: value for name, value in changes.items() if current[name] != value}
    edited = bool(changes)
    if edited:
        kept = set(article.metadata_from_upload) | (set(changes) & set(KEPT_FROM_UPLOAD))
        record(
            stream_type=StreamType.ARTICLE,
            stream_id=article.id,
            expected_version=expected_version,
            event_type=EventType.ARTICLE_METADATA_CORRECTED,
            data={
                "changes": changes,
                "previous": {name: current[name] for name in changes},
                "metadata_from_upload": sorted(kept),
            },
            context=Context.of(actor, reason),
            team_id=article.dossier.team_id,
        )
    if archived is not None and _record_archived(
        StreamType.ARTICLE,
        article,
        archived,
        team_id=article.dossier.team_id,
        actor=actor,
        expected_version=expected_version + int(edited),  # after the edit, if any
        reason=reason,
    ):
        edited = True
        queue_on_commit(QueuedWork.RECLUSTER_DOSSIER, article.dossier_id)
    return Article.objects.get(id=article.id) if edited else article


@transaction.atomic
def add_source(
    *,
    team: Team,
    name: str,
    kind: Source.Kind = Source.Kind.OUTLET,
    domain: str = "",
    reliability: SourceReliability = SourceReliability.F,
    actor: User | Actor,
) -> Source:
    """Add a source to the team, or return the existing one of that name."""
    require_role(actor, team, Role.ANALYST)
    name = name.strip()
    existing = Source.objects.filter(team=team, name__iexact=name).first()
    if existing:
        return existing
    source_id = uuid.uuid4()
    record(
        stream_type=StreamType.SOURCE,
        stream_id=source_id,
        expected_version=0,
        event_type=EventType.SOURCE_ADDED,
        data={
            "team_id": str(team.id),
            "name": name,
            "kind": str(kind),
            "domain": domain.strip().lower(),
            "reliability": str(reliability),
        },
        context=Context.of(actor),
        team_id=team.id,
    )
    return Source.objects.get(id=source_id)


@dataclass(frozen=True)
class UploadResult:
    article: Article
    created: bool


@dataclass(frozen=True)
class ArticleUpload:
    """One article of a batch: its bytes and the metadata given with it (unchecked)."""

    payload: bytes | str
    filename: str = ""
    content_type: str = ""
    title: str = ""
    author: str = ""
    url: str = ""
    outlet: str = ""
    published: str | None = None


class BatchRejected(ValueError):
    """Some articles of a batch cannot be stored, so none is: `problems` maps each bad
    article's index to what is wrong with it."""

    def __init__(self, problems: dict[int, str]):
        self.problems = problems
        first = next(iter(problems.items()))
        super().__init__(
            f"{len(problems)} article(s) of the batch are invalid, nothing was stored "
            f"(article {first[0]}: {first[1]})"
        )


@dataclass(frozen=True)
class _CheckedUpload:
    decoded: DecodedUpload
    digest: str
    metadata: UploadMetadata


def upload_article(
    *,
    dossier: Dossier,
    payload: bytes | str,
    filename: str = "",
    content_type: str = "",
    url: str = "",
    source: Source | None = None,
    title: str = "",
    author: str = "",
    outlet: str = "",
    published: str | None = None,
    actor: User | Actor,
) -> UploadResult:
    """Store the article `pending` and enqueue extraction once the transaction commits.

    `title`, `author`, `url`, `outlet` (a source of the team, by name, added if missing) and
    `published` ("2016", "2016-06", "2016-06-03" or an ISO date-time) are optional; what is
    given wins over what extraction reads from the text.

    Raises UploadRejected for empty, binary or oversized input and MetadataInvalid for bad
    metadata, storing nothing. A second upload of the same text to the same dossier returns
    the first article (with the first upload's metadata).
    """
    require_role(actor, dossier.team, Role.ANALYST)
    _refuse_if_archived(dossier)
    if source is not None and source.team_id != dossier.team_id:
        raise ValueError("the source belongs to another team")
    checked = _check_upload(
        ArticleUpload(payload, filename, content_type, title, author, url, outlet, published)
    )
    _check_outlet(checked.metadata, source)
    existing = Article.objects.filter(dossier=dossier, content_hash=checked.digest).first()
    if existing:
        return UploadResult(existing, created=False)
    try:
        with transaction.atomic():
            article = _store_upload(dossier, checked, source, actor)
            _sweep_on_commit(dossier.id)
    except IntegrityError:
        # A concurrent upload of the same text won the race: that article is the answer.
        return UploadResult(
            Article.objects.get(dossier=dossier, content_hash=checked.digest), False
        )
    return UploadResult(article, created=True)


def upload_articles(
    *,
    dossier: Dossier,
    uploads: Sequence[ArticleUpload],
    actor: User | Actor,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[UploadResult]:
    """Store a batch of articles all together or not at all (BatchRejected lists every bad
    one); extraction is queued as for single uploads. A text already in the dossier, or
    twice in the batch, gives the article stored first. `on_progress(done, total)` follows
    the writes."""
    require_role(actor, dossier.team, Role.ANALYST)
    _refuse_if_archived(dossier)
    checked, problems = _check_uploads(uploads)
    if problems:
        raise BatchRejected(problems)
    results: list[UploadResult] = []
    with transaction.atomic():
        stored = {
            article.content_hash: article
            for article in Article.objects.filter(
                dossier=dossier, content_hash__in={c.digest for c in checked}
            )
        }
        sources: dict[str, Source] = {}
        for done, item in enumerate(checked, start=1):
            if item.digest in stored:
                results.append(UploadResult(stored[item.digest], created=False))
            else:
                source = _outlet_source(dossier, item.metadata.outlet, sources, actor)
                article = _store_upload(dossier, item, source, actor)
                stored[item.digest] = article
                results.append(UploadResult(article, created=True))
            if on_progress is not None:
                on_progress(done, len(checked))
        if any(result.created for result in results):
            _sweep_on_commit(dossier.id)
    return results


def upload_problems(uploads: Sequence[ArticleUpload]) -> dict[int, str]:
    """What is wrong with each upload that `upload_articles` would refuse, by index."""
    return _check_uploads(uploads)[1]


def _refuse_if_archived(dossier: Dossier) -> None:
    if Dossier.objects.filter(id=dossier.id, status=Dossier.Status.ARCHIVED).exists():
        raise UploadRejected(
            "dossier_archived", "this dossier is archived: reopen it to add articles"
        )


def _refuse_if_source_archived(source: Source | None) -> None:
    """An upload naming an archived source (as `source` or `outlet`) stores nothing."""
    if source is not None and Source.objects.filter(id=source.id, archived=True).exists():
        raise UploadRejected(
            "source_archived",
            f"the source {source.name!r} is archived: a team admin can unarchive it",
        )


def _check_uploads(
    uploads: Sequence[ArticleUpload],
) -> tuple[list[_CheckedUpload], dict[int, str]]:
    checked: list[_CheckedUpload] = []
    problems: dict[int, str] = {}
    for index, upload in enumerate(uploads):
        try:
            checked.append(_check_upload(upload))
        except (UploadRejected, MetadataInvalid) as exc:
            problems[index] = str(exc)
    return checked, problems


def _check_upload(upload: ArticleUpload) -> _CheckedUpload:
    metadata = upload_metadata(
        title=upload.title,
        author=upload.author,
        url=upload.url,
        outlet=upload.outlet,
        published=upload.published,
    )
    decoded = decode_upload(
        upload.payload, filename=upload.filename, content_type=upload.content_type
    )
    return _CheckedUpload(decoded, content_hash(decoded.text), metadata)


def _check_outlet(metadata: UploadMetadata, source: Source | None) -> None:
    if (
        source is not None
        and metadata.outlet
        and metadata.outlet.casefold() != source.name.casefold()
    ):
        raise MetadataInvalid(
            "outlet", f"{metadata.outlet!r} is not the source given ({source.name!r}): give one"
        )


def _outlet_source(
    dossier: Dossier, outlet: str, known: dict[str, Source], actor: User | Actor
) -> Source | None:
    """The team's source named `outlet`, added if missing (once per batch)."""
    if not outlet:
        return None
    key = outlet.casefold()
    if key not in known:
        known[key] = add_source(team=dossier.team, name=outlet, actor=actor)
    return known[key]


def _store_upload(
    dossier: Dossier, checked: _CheckedUpload, source: Source | None, actor: User | Actor
) -> Article:
    metadata, decoded = checked.metadata, checked.decoded
    if source is None:
        source = _outlet_source(dossier, metadata.outlet, {}, actor)
    _refuse_if_source_archived(source)
    article_id = uuid.uuid4()
    record(
        stream_type=StreamType.ARTICLE,
        stream_id=article_id,
        expected_version=0,
        event_type=EventType.ARTICLE_UPLOADED,
        data={
            "dossier_id": str(dossier.id),
            "source_id": str(source.id) if source else None,
            "title": metadata.title or provisional_title(decoded.text),
            "url": metadata.url,
            "author": metadata.author,
            "published_at": metadata.published_at.isoformat() if metadata.published_at else None,
            "published_precision": metadata.published_precision,
            "metadata_from_upload": metadata.kept_fields,
            "raw_upload": decoded.text,
            "content_type": decoded.content_type,
            "encoding": decoded.encoding,
            "filename": decoded.filename,
            "content_hash": checked.digest,
            "uploaded_by": Actor.of(actor).user_id,
        },
        context=Context.of(actor),
        team_id=dossier.team_id,
    )
    return Article.objects.get(id=article_id)


class QueuedWork(TextChoices):
    """Work the commands ask for after commit; the workers app registers what does it."""

    EXTRACT_ARTICLE = "extract-article"  # key: the article's id
    EXTRACT_DOSSIER = "extract-dossier"  # key: the dossier's id (its waiting articles)
    RECLUSTER_DOSSIER = "recluster-dossier"  # key: the dossier's id (after a correction)


def _sweep_on_commit(dossier_id: uuid.UUID) -> None:
    queue_on_commit(QueuedWork.EXTRACT_DOSSIER, dossier_id)


def _enqueue_on_commit(article_id: uuid.UUID) -> None:
    queue_on_commit(QueuedWork.EXTRACT_ARTICLE, article_id)


@transaction.atomic
def request_extraction(*, article: Article, actor: User | Actor, reason: str = "") -> Article:
    """Put an article back in the queue (retry after a failure, or re-analysis)."""
    require_role(actor, article.dossier.team, Role.ANALYST)
    record(
        stream_type=StreamType.ARTICLE,
        stream_id=article.id,
        expected_version=article.version,
        event_type=EventType.ARTICLE_EXTRACTION_REQUESTED,
        data={},
        context=Context.of(actor, reason or "extraction requested"),
        team_id=article.dossier.team_id,
    )
    _enqueue_on_commit(article.id)
    article.refresh_from_db()
    return article


def start_extractions(*, articles: list[Article]) -> list[Article]:
    """Mark articles of one dossier `running` with one append (a worker starts a batch)."""
    _record_article_events(
        articles,
        EventType.ARTICLE_EXTRACTION_STARTED,
        [{"attempt": article.extraction_attempts + 1} for article in articles],
    )
    return _reloaded(articles)


@dataclass(frozen=True)
class ExtractionResult:
    """What the extractor made of one article; `claim_ids` are deterministic, so a rerun
    keeps the ids (and the clusters and verdict evidence that point at them)."""

    article: Article
    extracted: Any
    claim_ids: list[str]


def record_extraction_results(
    *, results: list[ExtractionResult], extractor_version: str
) -> list[Article]:
    """Store the extractor's output for articles of one dossier with one append."""
    _record_article_events(
        [result.article for result in results],
        EventType.CLAIMS_EXTRACTED,
        [_claims_extracted(result, extractor_version) for result in results],
    )
    return _reloaded([result.article for result in results])


def _claims_extracted(result: ExtractionResult, extractor_version: str) -> dict:
    extracted = result.extracted
    return {
        "extractor_version": extractor_version,
        "title": extracted.title or "",
        "author": extracted.author or "",
        "published_at": extracted.published_at,
        "published_precision": extracted.published_precision or "",
        "language": extracted.language or "",
        "wire": extracted.wire or "",
        "place": extracted.place or "",
        "body": extracted.body,
        **({"notice": extracted.notice} if extracted.notice else {}),
        "claims": [
            {
                "id": claim_id,
                "ordinal": ordinal,
                "text": claim.text,
                "start": claim.start,
                "end": claim.end,
                "speaker": claim.speaker or "",
                "cue": claim.cue or "",
                "cited_source": claim.cited_source or "",
                "entities": list(claim.entities),
                "quantities": list(claim.quantities),
                "dates": list(claim.dates),
                "checkworthiness": float(claim.checkworthiness),
                "kind": claim.kind,
                "extractor_version": extractor_version,
            }
            for ordinal, (claim_id, claim) in enumerate(
                zip(result.claim_ids, extracted.claims, strict=True)
            )
        ],
    }


@transaction.atomic
def _record_article_events(
    articles: list[Article], event_type: EventType, data: list[dict]
) -> None:
    """One worker event per article, appended and projected together (`record_many`)."""
    if not articles:
        return
    teams = {article.dossier.team_id for article in articles}
    if len(teams) != 1:
        raise ValueError("a batch of worker events holds the articles of one team")
    record_many(
        [
            NewEvent(StreamType.ARTICLE, article.id, article.version, event_type, item)
            for article, item in zip(articles, data, strict=True)
        ],
        context=Context.of(SYSTEM),
        team_id=teams.pop(),
    )


def _reloaded(articles: list[Article]) -> list[Article]:
    """The articles as stored now, in the order given."""
    fresh = Article.objects.select_related("dossier__team").in_bulk([a.id for a in articles])
    return [fresh[article.id] for article in articles]


@transaction.atomic
def record_extraction_failure(*, article: Article, error: str) -> Article:
    article.refresh_from_db()
    record(
        stream_type=StreamType.ARTICLE,
        stream_id=article.id,
        expected_version=article.version,
        event_type=EventType.ARTICLE_EXTRACTION_FAILED,
        data={"error": error[:2000]},
        context=Context.of(SYSTEM),
        team_id=article.dossier.team_id,
    )
    article.refresh_from_db()
    return article


@dataclass(frozen=True)
class ReanalysisRequested:
    """What a re-analysis request did with each article of the dossier."""

    queued: int  # done or failed: queued for extraction again
    already_queued: int  # pending: waiting for a worker already
    running: int  # being extracted right now: left to finish, not queued again


@transaction.atomic
def request_reanalysis(
    *, dossier: Dossier, actor: User | Actor, reason: str = ""
) -> ReanalysisRequested:
    """Queue the dossier's done and failed articles (not archived ones) for extraction
    again, all or none.

    Extraction is idempotent (deterministic claim ids), so re-running never duplicates claims;
    re-clustering follows each article and flags verdicts whose clusters change. Articles a
    worker is extracting now are left to finish rather than queued behind themselves.
    """
    require_role(actor, dossier.team, Role.ANALYST)
    # Hold the append lock before reading versions: no worker can start or finish an
    # extraction in this dossier until commit, so no article's version moves under us.
    lock_appends()
    articles = list(
        dossier.articles.filter(archived=False)
        .defer("raw_upload", "body")
        .order_by("uploaded_at", "id")
    )
    statuses = Counter(article.status for article in articles)  # before any is re-queued
    requeue = [
        article
        for article in articles
        if article.status in (Article.Status.DONE, Article.Status.FAILED)
    ]
    for article in requeue:
        request_extraction(article=article, actor=actor, reason=reason or "re-analysis requested")
    return ReanalysisRequested(
        queued=len(requeue),
        already_queued=statuses[Article.Status.PENDING],
        running=statuses[Article.Status.RUNNING],
    )


# --- the question's claim form and each article's stance toward it (issue 18) -------------


def claim_form(dossier: Dossier) -> str:
    """The dossier's claim form; a dossier created before claim forms gets the proposed one."""
    return dossier.claim_form or (claim_form_of(dossier.question) if dossier.question else "")


def _stance_event(article: Article, form: str) -> NewEvent:
    """Score one article (pure, outside any transaction) as a QuestionStanceScored event."""
    found = question_stance(form, article.body, title=article.title)
    return NewEvent(
        StreamType.ARTICLE,
        article.id,
        article.version,
        EventType.QUESTION_STANCE_SCORED,
        {
            "claim_form": form,
            **found.as_dict(),
            "scorer_version": QUESTION_STANCE_VERSION,
        },
    )


def _extracted(articles) -> list[Article]:
    return [a for a in articles if a.status == Article.Status.DONE]


def score_question_stances(
    *, dossier: Dossier, articles: Sequence[Article] | None = None, reason: str = ""
) -> int:
    """Score the stance of `articles` (all the dossier's extracted articles by default)
    toward the dossier's claim form with one append. Returns how many were scored.

    The worker calls it after storing extraction results: the scores are computed before
    the transaction, which only checks that no article moved on (ConcurrencyError, retried).
    """
    form = claim_form(dossier)
    if not form:
        return 0
    chosen = _extracted(articles if articles is not None else dossier.articles.all())
    events = [_stance_event(article, form) for article in chosen]
    with transaction.atomic():
        record_many(
            events,
            context=Context.of(SYSTEM, reason or "question stance scored"),
            team_id=dossier.team_id,
        )
    return len(events)


def set_claim_form(
    *, dossier: Dossier, claim_form: str, actor: User | Actor, reason: str = ""
) -> Dossier:
    """An analyst edits the proposition under examination; every extracted article of the
    dossier is scored again against it, in the same transaction as the change."""
    require_role(actor, dossier.team, Role.ANALYST)
    text = " ".join(claim_form.split())
    if not text:
        raise ValueError("a claim form cannot be empty")
    expected = dossier.version
    articles = _extracted(dossier.articles.all())
    events = [_stance_event(article, text) for article in articles]
    with transaction.atomic():
        record(
            stream_type=StreamType.DOSSIER,
            stream_id=dossier.id,
            expected_version=expected,
            event_type=EventType.DOSSIER_CLAIM_FORM_SET,
            data={"claim_form": text, "previous": dossier.claim_form},
            context=Context.of(actor, reason or "claim form changed"),
            team_id=dossier.team_id,
        )
        record_many(
            events,
            context=Context.of(actor, "claim form changed: stances re-scored"),
            team_id=dossier.team_id,
        )
    dossier.refresh_from_db()
    return dossier


@transaction.atomic
def correct_question_stance(
    *, article: Article, label: str, actor: User | Actor, reason: str = ""
) -> Article:
    """An analyst sets the article's stance; re-analysis and re-scoring keep it."""
    require_role(actor, article.dossier.team, Role.ANALYST)
    if label not in QuestionStance.values:
        raise ValueError(f"a stance is one of {', '.join(QuestionStance.values)}")
    record(
        stream_type=StreamType.ARTICLE,
        stream_id=article.id,
        expected_version=article.version,
        event_type=EventType.QUESTION_STANCE_CORRECTED,
        data={"label": label, "model_label": article.question_stance_model},
        context=Context.of(actor, reason or "question stance corrected"),
        team_id=article.dossier.team_id,
    )
    article.refresh_from_db()
    return article
