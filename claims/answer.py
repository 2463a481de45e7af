"""The dossier's question answered over time (issue 18): its articles' stances toward the
claim form by publication date, each side counted in independent origins.

An article's origin for the question is where its deciding sentences came from: the source
the claims in those sentences reached the article through (`origins.sources_in_article`:
"... was reported Sunday by ... Asharq Al-Awsat" makes the rewrite's sentences that
newspaper's), else its wire agency, else its outlet. Three outlets echoing one report are
then one independent origin (`origins.independent_origins`), as for clusters.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max

from claims.extraction.origins import OriginEvidence, independent_origins
from claims.models import Claim
from claims.selectors import cited_sources_in_context
from dossiers.commands import claim_form
from dossiers.models import Article, Dossier, QuestionStance

SIDES = (QuestionStance.AGREE, QuestionStance.DISAGREE, QuestionStance.DISCUSS)
SIDE_VERBS = {
    QuestionStance.AGREE: "Supported",
    QuestionStance.DISAGREE: "disputed",
    QuestionStance.DISCUSS: "discussed",
}


@dataclass(frozen=True)
class AnswerPoint:
    """The articles of one side published on one day (or undated)."""

    day: str  # YYYY-MM-DD, or "" for undated articles
    label: str
    articles: list[Article]
    learned_at: datetime  # when the last of them got its current stance: the as-of link


@dataclass(frozen=True)
class AnswerSide:
    label: str
    articles: list[Article]
    origins: tuple[str, ...]
    years: tuple[int, ...]

    @property
    def origin_count(self) -> int:
        return len(self.origins)


@dataclass
class QuestionAnswer:
    claim_form: str
    points: list[AnswerPoint] = field(default_factory=list)
    sides: dict[str, AnswerSide] = field(default_factory=dict)
    unrelated: int = 0
    unscored: int = 0

    @property
    def summary(self) -> str:
        """ "Supported by 3 articles from 1 independent origin (2015); disputed by 1 (2016)"."""
        parts = []
        for label in SIDES:
            side = self.sides.get(label)
            if not side or not side.articles:
                continue
            count = len(side.articles)
            text = f"{SIDE_VERBS[label]} by {count} article{'s' if count != 1 else ''}"
            if label != QuestionStance.DISCUSS and side.origin_count:
                plural = "s" if side.origin_count != 1 else ""
                text += f" from {side.origin_count} independent origin{plural}"
            if side.years:
                first, last = side.years[0], side.years[-1]
                text += f" ({first})" if first == last else f" ({first}–{last})"
            parts.append(text)
        if not parts:
            return "No article takes a side on the claim yet."
        summary = "; ".join(parts)
        return summary[:1].upper() + summary[1:]


def question_answer(dossier: Dossier) -> QuestionAnswer:
    """Each side's articles, points by publication day and origins, as the dossier stands
    (archived articles left out)."""
    articles = list(
        Article.objects.filter(dossier=dossier, status=Article.Status.DONE, archived=False)
        .select_related("source")
        .defer("raw_upload")
        .order_by("published_at", "uploaded_at")
    )
    answer = QuestionAnswer(claim_form=claim_form(dossier))
    answer.unscored = sum(1 for a in articles if not a.question_stance)
    answer.unrelated = sum(1 for a in articles if a.question_stance == QuestionStance.UNRELATED)
    taking_part = [a for a in articles if a.question_stance in SIDES]
    origin_of = article_origins(taking_part)
    learned = dict(
        Article.history.filter(id__in=[a.id for a in taking_part])
        .values_list("id")
        .annotate(at=Max("history_date"))
    )
    grouped: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in taking_part:
        day = article.published_at.date().isoformat() if article.published_at else ""
        grouped[(day, article.question_stance)].append(article)
    answer.points = sorted(
        (
            AnswerPoint(day, label, group, max(learned[a.id] for a in group))
            for (day, label), group in grouped.items()
        ),
        key=lambda p: (p.day == "", p.day, SIDES.index(p.label)),
    )
    for label in SIDES:
        side = [a for a in taking_part if a.question_stance == label]
        summary = independent_origins([origin_of[a.id] for a in side])
        answer.sides[label] = AnswerSide(
            label=label,
            articles=side,
            origins=summary.origins,
            years=tuple(sorted({a.published_at.year for a in side if a.published_at})),
        )
    return answer


def article_origins(articles: list[Article]) -> dict:
    """Article id -> the OriginEvidence of its stance: the source of the claims found in its
    deciding sentences (the first with a source), else of its lead claim, else its outlet."""
    claims: dict = defaultdict(list)
    for claim in Claim.objects.filter(article__in=articles).order_by("article_id", "ordinal"):
        claims[claim.article_id].append(claim)
    cited = cited_sources_in_context([a.id for a in articles])
    evidence = {}
    for article in articles:
        own = claims.get(article.id, [])
        deciding = [
            claim
            for claim in own
            if any(_overlaps(claim.text, s) for s in article.question_stance_sentences)
        ]
        chosen = next((c for c in [*deciding, *own[:1]] if cited.get(c.id) or c.speaker), None)
        evidence[article.id] = OriginEvidence(
            article_key=str(article.id),
            article_source=article.source.name if article.source else None,
            speaker=(chosen.speaker or None) if chosen else None,
            cited_source=cited.get(chosen.id) if chosen else article.wire or None,
        )
    return evidence


def _overlaps(claim_text: str, sentence: str) -> bool:
    claim, sentence = " ".join(claim_text.split()), " ".join(sentence.split())
    return bool(claim) and (claim in sentence or sentence in claim)


# --- the chart: server-rendered SVG, no script ------------------------------------------

CHART_WIDTH = 720
ROW_Y = {QuestionStance.AGREE: 40, QuestionStance.DISCUSS: 95, QuestionStance.DISAGREE: 150}
LEFT, RIGHT = 110, 30


@dataclass(frozen=True)
class ChartDot:
    point: AnswerPoint
    x: float
    y: float
    radius: float
    href: str = ""


@dataclass(frozen=True)
class ChartTick:
    x: float
    label: str


def chart_layout(answer: QuestionAnswer) -> tuple[list[ChartDot], list[ChartTick]]:
    """One column per publication day (undated last), in time order; a dot per side and
    day, its area growing with the number of articles."""
    days = sorted({p.day for p in answer.points}, key=lambda d: (d == "", d))
    if not days:
        return [], []
    step = (CHART_WIDTH - LEFT - RIGHT) / max(len(days) - 1, 1)
    x_of = {day: LEFT + (i * step if len(days) > 1 else (CHART_WIDTH - LEFT - RIGHT) / 2)
            for i, day in enumerate(days)}  # fmt: skip
    dots = [
        ChartDot(p, x_of[p.day], ROW_Y[p.label], 7 + 4 * (len(p.articles) - 1) ** 0.5)
        for p in answer.points
    ]
    ticks = [ChartTick(x_of[day], day or "undated") for day in days]
    return dots, ticks
