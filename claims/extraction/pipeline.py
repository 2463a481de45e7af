"""Raw article -> clean body, metadata and check-worthy claims.

Stages, each a small module: `text` (clean body and metadata), `sentences` (spans),
`attribution` (sentence-level source/cue/content), `speakers` (article-level resolution of
who said it and through which outlet), `checkworthiness` (score per sentence), `entities`
(names, quantities, dates per claim). Every claim span indexes into `body`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from claims.extraction.attribution import extract_attributions
from claims.extraction.entities import extract_dates, extract_entities, extract_quantities
from claims.extraction.sentences import Sentence, split_sentences
from claims.extraction.speakers import SentenceAttribution, SpanAttribution, attribute_sentences
from claims.extraction.text import clean_article, detect_language


@dataclass(frozen=True)
class ExtractedClaim:
    start: int
    end: int
    text: str
    speaker: str | None
    cue: str | None
    cited_source: str | None
    # JSON-ready mention dicts; their start/end are relative to `text` (see entities.py).
    entities: list[dict] = field(default_factory=list)
    quantities: list[dict] = field(default_factory=list)
    dates: list[dict] = field(default_factory=list)
    checkworthiness: float = 0.0


@dataclass(frozen=True)
class ExtractedArticle:
    title: str | None
    subtitle: str | None
    author: str | None
    published_at: str | None
    published_precision: str | None
    body: str
    claims: list[ExtractedClaim]
    language: str


MIN_CLAIM_WORDS = 5
# An attributed statement is kept at a lower score: who said what is itself checkable.
CHECKWORTHY_THRESHOLD = 0.5
ATTRIBUTED_THRESHOLD = 0.2
_OPINION = re.compile(r"\b(?:I|we|you)\b|\b(?:love|hate|wonderful|amazing|beautiful|awful)\b", re.I)


def extract_article(raw: str, *, content_type: str = "text/plain") -> ExtractedArticle:
    cleaned = clean_article(raw, content_type=content_type)
    body = cleaned.body
    sentences = split_sentences(body)
    attributions = _body_attributions(body, cleaned.paragraphs)
    attributed = attribute_sentences(body, cleaned.paragraphs, sentences, attributions)
    scores = score_sentences([s.text for s in sentences], attributed)
    reference = (
        date.fromisoformat(cleaned.published_at) if cleaned.published_precision == "day" else None
    )
    claims = [
        _claim(sentence, attribution, score, reference)
        for sentence, attribution, score in zip(sentences, attributed, scores, strict=True)
        if _is_claim(sentence, attribution, score)
    ]
    return ExtractedArticle(
        title=cleaned.title,
        subtitle=cleaned.subtitle,
        author=cleaned.author,
        published_at=cleaned.published_at,
        published_precision=cleaned.published_precision,
        body=body,
        claims=claims,
        language=detect_language(body),
    )


def _body_attributions(body: str, paragraphs: list[tuple[int, int]]) -> list[SpanAttribution]:
    """Attributions paragraph by paragraph (quotes and "he said" rarely cross paragraphs)."""
    found = []
    for start, end in paragraphs:
        for attribution in extract_attributions(body[start:end]):
            found.append(
                SpanAttribution(
                    content=(start + attribution.content.start, start + attribution.content.end),
                    source=_shift(attribution.source, start),
                    cue=_shift(attribution.cue, start),
                )
            )
    return found


def _shift(span, offset: int) -> tuple[int, int] | None:
    return (offset + span.start, offset + span.end) if span is not None else None


def _is_claim(sentence: Sentence, attribution: SentenceAttribution, score: float) -> bool:
    text = sentence.text
    if len(text.split()) < MIN_CLAIM_WORDS or text.rstrip("”\"’')").endswith("?"):
        return False
    attributed = attribution.speaker is not None or attribution.cited_source is not None
    return score >= (ATTRIBUTED_THRESHOLD if attributed else CHECKWORTHY_THRESHOLD)


def _claim(
    sentence: Sentence, attribution: SentenceAttribution, score: float, reference: date | None
) -> ExtractedClaim:
    text = sentence.text
    return ExtractedClaim(
        start=sentence.start,
        end=sentence.end,
        text=text,
        speaker=attribution.speaker,
        cue=attribution.cue,
        cited_source=attribution.cited_source,
        entities=[asdict(e) for e in extract_entities(text)],
        quantities=[asdict(q) for q in extract_quantities(text)],
        dates=[asdict(d) for d in extract_dates(text, reference=reference)],
        checkworthiness=round(score, 4),
    )


def score_sentences(texts: list[str], attributed: list[SentenceAttribution]) -> list[float]:
    """Check-worthiness per sentence (stand-in until checkworthiness.py lands)."""
    scores = []
    for text, attribution in zip(texts, attributed, strict=True):
        score = 0.2
        if extract_quantities(text) or any(d.kind != "relative" for d in extract_dates(text)):
            score += 0.3
        names = [e for e in extract_entities(text) if e.kind != "other"]
        score += min(0.3, 0.15 * len(names))
        if attribution.speaker or attribution.cue:
            score += 0.2
        if _OPINION.search(text):
            score -= 0.3
        scores.append(max(0.0, min(1.0, score)))
    return scores
