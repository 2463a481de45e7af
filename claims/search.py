"""Full-text search over the team's articles, claims and verdicts, for the API and the admin.
Archived articles and their claims are left out, as lists leave them out.

On PostgreSQL it reads the stored, GIN-indexed `search_vector` columns that the database
generates (migration `claims.0005`): a web-search query (`"quoted phrase"`, `or`, `-word`),
ranked, with highlighted snippets made only for the page shown. SQLite has no full-text
search: there every word and quoted phrase must appear in the searched fields (case
aside), newest first, with the same results shape.
"""

from __future__ import annotations

import html
import re
import uuid
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import Claim, ClaimCluster, Verdict
from dossiers.models import Article
from dossiers.selectors import dossiers_for

KINDS = ("article", "claim", "verdict")
CONFIG = "english"  # the migration's to_tsvector configuration
SNIPPET_WORDS = 30
# Marks PostgreSQL puts around matches; the text is escaped before they become <mark>.
_START, _STOP = "\ue000", "\ue001"
_TERMS = re.compile(r'"([^"]+)"|(\S+)')


class SearchInputError(ValueError):
    """A query or filter the search cannot run; the message says what to change."""


@dataclass(frozen=True)
class SearchRequest:
    text: str
    kinds: tuple[str, ...] = KINDS
    speaker: str = ""
    outlet: str = ""
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise SearchInputError("type something to search for")
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise SearchInputError(f"search in one or more of: {', '.join(KINDS)}")
        if self.since and self.until and self.since > self.until:
            raise SearchInputError("the start of the date range is after its end")

    @property
    def terms(self) -> list[str]:
        """Quoted phrases and single words, as the plain fallback matches them."""
        return [phrase or word for phrase, word in _TERMS.findall(self.text) if phrase or word]


@dataclass
class Hit:
    """One result; `snippet` is HTML (escaped text, matches in <mark>)."""

    kind: str
    id: uuid.UUID
    dossier_id: uuid.UUID
    rank: float
    date: datetime | None
    title: str = ""
    snippet: str = ""
    dossier_title: str = ""
    extra: dict = field(default_factory=dict)


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


class StoredVector(Func):
    """A stored vector (`search_vector`, or `column`) of the table holding `field`, under
    whatever alias the query gives that table: PostgreSQL generates these columns and no
    model declares them."""

    output_field = SearchVectorField()

    def __init__(self, field: str, column: str = "search_vector") -> None:
        super().__init__(F(field))
        self.column = column

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        table = sql.rsplit(".", 1)[0]
        return f"{table}.{connection.ops.quote_name(self.column)}", params


class SearchResults:
    """What `search` answers: everything matching, best first, a page at a time."""

    ORDER = "rank DESC, stamp DESC NULLS LAST, result, id"

    def __init__(self, ranked: QuerySet) -> None:
        self._ranked = ranked

    def page(self, number: int, size: int) -> Page:
        """Page `number` (from 1) and the total in one query: ranking reads every match
        anyway, so counting them there costs nothing more, where a count of its own would
        read them all again. A page past the end is empty (the total says how many)."""
        paginator = Paginator([], size)
        try:
            sql, params = self._ranked.query.sql_with_params()
        except EmptyResultSet:  # a user in no team: no dossier to search
            paginator.count = 0
            return Page([], number, paginator)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT *, COUNT(*) OVER () FROM ({sql}) AS found "  # noqa: S608 - Django's SQL
                f"ORDER BY {self.ORDER} LIMIT %s OFFSET %s",
                [*params, size, (number - 1) * size],
            )
            found = cursor.fetchall()
            names = [column[0] for column in cursor.description][:-1]
        rows = [_row(dict(zip(names, row, strict=False))) for row in found]
        paginator.count = found[0][-1] if found else self._total_past_the_end(number)
        return Page(rows, number, paginator)

    def _total_past_the_end(self, number: int) -> int:
        return self._ranked.count() if number > 1 else 0

    def __iter__(self):
        return (_Row(*row) for row in self._ranked)


_Row = namedtuple("_Row", ["result", "id", "dossier_id", "rank", "stamp"])


def _row(values: dict) -> _Row:
    """A row of the raw page query as the ORM would give it (SQLite answers raw SQL with
    text for ids and times)."""
    stamp = values["stamp"]
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    return _Row(
        values["result"],
        uuid.UUID(str(values["id"])),
        uuid.UUID(str(values["dossier_id"])),
        float(values["rank"]),
        stamp,
    )


def search(user, request: SearchRequest) -> SearchResults:
    """Everything matching `request` in the user's teams only."""
    # The user's dossiers as a list of ids, neither a join nor a subquery: with either,
    # PostgreSQL scanned the text index once per dossier (ten dossiers: 44 of 58 ms).
    dossiers = list(dossiers_for(user).values_list("id", flat=True))
    first, *rest = [_ranked(kind, dossiers, request) for kind in request.kinds]
    return SearchResults(first.union(*rest, all=True) if rest else first)


def _matching(kind: str, dossiers: list, request: SearchRequest) -> QuerySet:
    model, date_of, fields = {
        "article": (Article, Coalesce("published_at", "uploaded_at"), ARTICLE_FIELDS),
        "claim": (
            Claim,
            Coalesce("article__published_at", "article__uploaded_at"),
            CLAIM_FIELDS,
        ),
        "verdict": (Verdict, Coalesce("published_at", "created_at"), VERDICT_FIELDS),
    }[kind]
    rows = model.objects.filter(dossier_id__in=dossiers).order_by()
    if kind == "article":
        rows = rows.filter(archived=False)
    elif kind == "claim":
        rows = rows.exclude(article_id__in=_archived_articles(dossiers))
    if _dated(kind, request):
        rows = rows.alias(date=date_of)
    rows = rows.filter(_filters(kind, request))
    if not uses_full_text():
        return rows.filter(_plain_match(fields, request.terms))
    query = _query(request)
    matches = Q(vector=query)
    if kind == "verdict":  # or the claim it reviews: its cluster's canonical text
        clusters = ClaimCluster.objects.alias(vector=StoredVector("canonical_text"))
        matches |= Q(cluster_id__in=clusters.filter(vector=query).values("id"))
    return rows.alias(vector=StoredVector(VECTORS[kind])).filter(matches)


def _archived_articles(dossiers: list) -> QuerySet:
    """The dossiers' archived articles, whose claims search leaves out as it leaves out the
    articles (as lists do): a subquery over the few archived ones, not a join of every
    matching claim to its article (see `_ranked`)."""
    return Article.objects.filter(dossier_id__in=dossiers, archived=True).values("id")


def _dated(kind: str, request: SearchRequest) -> bool:
    """Whether the rows read their date: a claim's is its article's, a join PostgreSQL's
    search pays for only when a date range is asked (see `_ranked`)."""
    return kind != "claim" or bool(request.since or request.until) or not uses_full_text()


def _ranked(kind: str, dossiers: list, request: SearchRequest) -> QuerySet:
    """Ranked by the smaller vector where a table has two: an article's title vector (its
    whole vector, body included, is kilobytes; ranking thousands of them took 70 ms).
    Equal ranks go newest first, but on PostgreSQL claims among themselves by id: their date
    is their article's, and joining every matching claim to its article took a third of a
    search (`hits` gives the page's claims their date)."""
    rows = _matching(kind, dossiers, request)
    if uses_full_text():
        vector = StoredVector(VECTORS[kind], column=RANKED_VECTORS.get(kind, "search_vector"))
        rank = SearchRank(vector, _query(request))
    else:
        rank = Value(0.0)
    stamp = F("date") if _dated(kind, request) else Value(None, output_field=DateTimeField())
    return rows.annotate(
        result=Value(kind, output_field=CharField()), rank=rank, stamp=stamp
    ).values_list("result", "id", "dossier_id", "rank", "stamp", named=True)


ARTICLE_FIELDS = ("title", "body")
CLAIM_FIELDS = ("text", "speaker", "cited_source")
VERDICT_FIELDS = ("rationale", "cluster__canonical_text")
# A column of each table whose stored vector is searched (`StoredVector`).
VECTORS = {"article": "title", "claim": "text", "verdict": "rationale"}
RANKED_VECTORS = {"article": "title_vector"}


def _query(request: SearchRequest) -> SearchQuery:
    return SearchQuery(request.text, search_type="websearch", config=CONFIG)


def _plain_match(fields: tuple[str, ...], terms: list[str]) -> Q:
    match = Q()
    for term in terms:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": term})
        match &= any_field
    return match


def _filters(kind: str, request: SearchRequest) -> Q:
    """Speaker and outlet narrow claims directly, articles to those with such a claim (or
    from such an outlet) and verdicts to those whose cluster has such a claim."""
    narrowed = Q()
    if request.since:
        narrowed &= Q(date__gte=_start_of(request.since))
    if request.until:
        narrowed &= Q(date__lt=_start_of(request.until + timedelta(days=1)))
    if not (request.speaker or request.outlet):
        return narrowed
    claims = Claim.objects.all()
    if request.speaker:
        claims = claims.filter(speaker__icontains=request.speaker)
    if request.outlet:
        claims = claims.filter(_outlet_match("article__", request.outlet))
    if kind == "claim":
        return narrowed & Q(id__in=claims.values("id"))
    if kind == "article":
        if not request.speaker:
            return narrowed & _outlet_match("", request.outlet)
        return narrowed & Q(Exists(claims.filter(article_id=OuterRef("id"))))
    return narrowed & Q(Exists(claims.filter(cluster_id=OuterRef("cluster_id"))))


def _outlet_match(article_path: str, outlet: str) -> Q:
    """The article's source (by name or domain) or the wire it is the copy of."""
    return (
        Q(**{f"{article_path}source__name__icontains": outlet})
        | Q(**{f"{article_path}source__domain__icontains": outlet})
        | Q(**{f"{article_path}wire__iexact": outlet})
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


# --- a page of results ------------------------------------------------------------------------


def hits(rows, request: SearchRequest) -> list[Hit]:
    """The page's rows with their titles and highlighted snippets, made for these rows only."""
    page = [Hit(row.result, row.id, row.dossier_id, row.rank, row.stamp) for row in rows]
    marks = _marks(request)
    for kind in KINDS:
        ids = [hit.id for hit in page if hit.kind == kind]
        if ids:
            details = _details(kind, ids, request, marks)
            for hit in page:
                if hit.kind == kind:
                    hit.title, hit.snippet, hit.dossier_title, hit.extra, date = details[hit.id]
                    hit.date = hit.date or date
    return page


def _details(kind: str, ids: list, request: SearchRequest, marks: re.Pattern) -> dict:
    if kind == "article":
        rows = Article.objects.filter(id__in=ids).values("id", "title", "body", "dossier__title")
        text, title = "body", "title"
        extra = ()
    elif kind == "claim":
        rows = Claim.objects.filter(id__in=ids).values(
            "id",
            "text",
            "speaker",
            "cited_source",
            "article_id",
            "dossier__title",
            date=Coalesce("article__published_at", "article__uploaded_at"),
        )
        text, title = "text", "speaker"
        extra = ("speaker", "cited_source", "article_id")
    else:
        rows = Verdict.objects.filter(id__in=ids).values(
            "id",
            "rationale",
            "rating",
            "status",
            "cluster_id",
            "dossier__title",
            claim_reviewed=F("cluster__canonical_text"),
        )
        text, title = "rationale", "claim_reviewed"
        extra = ("rating", "status", "cluster_id")
    # PostgreSQL's headline parses the whole text: fine for a claim or a rationale, 5 ms
    # for a news article's body, so bodies are cut around the stems in Python.
    if uses_full_text() and kind != "article":
        rows = rows.annotate(snippet=_headline(text, request))
    found = {}
    for row in rows:
        snippet = row["snippet"] if "snippet" in row else _snippet(row[text], marks)
        found[row["id"]] = (
            row[title] or "",
            _marked(snippet),
            row["dossier__title"],
            {name: row[name] for name in extra},
            row.get("date"),
        )
    return found


def _headline(text: str, request: SearchRequest) -> SearchHeadline:
    return SearchHeadline(
        text,
        _query(request),
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
    )


def _marks(request: SearchRequest) -> re.Pattern:
    """What a snippet made in Python marks: the query's words (not the excluded ones), as
    PostgreSQL stems them when it searches, with any ending; the words as typed otherwise."""
    wanted = [term for term in request.terms if not term.startswith("-")]
    if uses_full_text():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT unnest(tsvector_to_array(to_tsvector(%s::regconfig, %s)))",
                [CONFIG, " ".join(wanted)],
            )
            alternatives = [rf"\b{re.escape(stem)}\w*" for (stem,) in cursor.fetchall()]
    else:
        alternatives = [re.escape(term) for term in wanted]
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(alternatives) or r"(?!)", re.IGNORECASE)


def _snippet(text: str, marks: re.Pattern, width: int = 200) -> str:
    """About `width` characters from a little before the first mark, marks marked."""
    first = marks.search(text)
    start = max(0, first.start() - width // 4) if first else 0
    window = marks.sub(lambda found: f"{_START}{found.group()}{_STOP}", text[start : start + width])
    return ("…" if start else "") + window + ("…" if start + width < len(text) else "")


def _marked(snippet: str) -> str:
    return html.escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")
