"""Raw article -> clean body, metadata and check-worthy claims.

Stages, each a small module: `text` (clean body and metadata), `sentences` (spans),
`attribution` (sentence-level source/cue/content), `speakers` (article-level resolution of
who said it and through which outlet), `checkworthiness` (score per sentence), `entities`
(names, quantities, dates per claim), `kinds` (fact, figure, opinion, prediction, question).
Every claim span indexes into `body`.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import date

from claims.extraction.attribution import extract_attributions
from claims.extraction.checkworthiness import score_checkworthiness
from claims.extraction.dates import extract_dates
from claims.extraction.kinds import ClaimKind, classify_claim_kind
from claims.extraction.names import Entity, extract_entities
from claims.extraction.quantities import extract_quantities
from claims.extraction.sentences import Sentence, split_sentences
from claims.extraction.speakers import (
    SentenceAttribution,
    SpanAttribution,
    attribute_sentences,
    may_report,
)
from claims.extraction.text import clean_article, detect_language
from claims.extraction.wordlists import word_set


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
    kind: str = ClaimKind.FACTUAL.value


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
    # From the dateline ("WASHINGTON (AP) —"), which is left out of the body and the claims.
    place: str | None = None
    wire: str | None = None
    # Set when the budget cut something: what was left out, for the article's status.
    notice: str = ""


@dataclass(frozen=True)
class ExtractionBudget:
    """What one article may cost. Stages that look at a whole line or paragraph grow with
    its square (a 1 MB single line held a worker for 108 s), so over-long paragraphs are cut
    into pieces of at most `paragraph_chars` at a sentence end (a space there becomes a
    line break: the body keeps its length and every span its meaning); `seconds` bounds the
    extraction as a whole and `max_claims` the claims kept (the most check-worthy)."""

    seconds: float | None = None
    max_claims: int | None = None
    paragraph_chars: int = 10_000


class ExtractionBudgetExceeded(Exception):
    """The article could not be extracted within its time budget."""


MIN_CLAIM_WORDS = 5
# checkworthiness.py gives calibrated probabilities learnt on debate transcripts. News prose
# is denser in facts: its median sentence scores ~0.6 and small talk ~0.15-0.2 (seeds and
# FNC-1 bodies), so the bar sits below the middle. An attributed statement gets a lower bar:
# that someone said it is itself checkable.
CHECKWORTHY_THRESHOLD = 0.3
ATTRIBUTED_THRESHOLD = 0.2


def extract_article(
    raw: str, *, content_type: str = "text/plain", budget: ExtractionBudget | None = None
) -> ExtractedArticle:
    budget = budget or ExtractionBudget()
    clock = _Deadline(budget.seconds)
    cleaned = clean_article(raw, content_type=content_type)
    body, paragraphs = bounded_paragraphs(cleaned.body, cleaned.paragraphs, budget.paragraph_chars)
    clock.check("cleaning the text")
    sentences = split_sentences(body)
    clock.check("splitting sentences")
    reference = (
        date.fromisoformat(cleaned.published_at) if cleaned.published_precision == "day" else None
    )
    entities = []
    for sentence in sentences:
        entities.append(extract_entities(sentence.text))
        clock.check("finding names")
    names = [
        replace(entity, start=entity.start + sentence.start, end=entity.end + sentence.start)
        for sentence, found in zip(sentences, entities, strict=True)
        for entity in found
    ]
    attributions = _body_attributions(body, paragraphs, sentences, clock)
    attributed = attribute_sentences(body, paragraphs, sentences, attributions, names)
    clock.check("attributing sentences")
    scores = score_checkworthiness(
        [s.text for s in sentences], speakers=[a.speaker for a in attributed]
    )
    clock.check("scoring check-worthiness")
    repeated = _repeated_earlier(sentences)
    alone = _alone_in_paragraph(sentences, paragraphs)
    chosen = [
        (sentence, attribution, score, found)
        for index, (sentence, attribution, score, found) in enumerate(
            zip(sentences, attributed, scores, entities, strict=True)
        )
        if index not in repeated and _is_claim(sentence, attribution, score, index in alone)
    ]
    chosen, notice = _within_claim_budget(chosen, budget.max_claims)
    claims = []
    for sentence, attribution, score, found in chosen:
        claims.append(_claim(sentence, attribution, score, found, reference))
        clock.check("reading claims")
    return ExtractedArticle(
        title=cleaned.title,
        subtitle=cleaned.subtitle,
        author=cleaned.author,
        published_at=cleaned.published_at,
        published_precision=cleaned.published_precision,
        body=body,
        claims=claims,
        language=detect_language(body),
        place=cleaned.place,
        wire=cleaned.wire,
        notice=notice,
    )


class _Deadline:
    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.started = time.monotonic()

    def check(self, stage: str) -> None:
        if self.seconds is None:
            return
        if time.monotonic() - self.started > self.seconds:
            raise ExtractionBudgetExceeded(
                f"extraction was stopped after {self.seconds:g} s while {stage}: the article "
                "is too long or too unusual to extract in time; split it into smaller "
                "articles and upload those"
            )


def bounded_paragraphs(
    body: str, paragraphs: list[tuple[int, int]], limit: int
) -> tuple[str, list[tuple[int, int]]]:
    """The body and its paragraphs with none longer than `limit` characters: an over-long
    one is cut after the last sentence end (else the last space) before the limit, where the
    space becomes a line break. Nothing changes for a body without over-long paragraphs."""
    if all(end - start <= limit for start, end in paragraphs):
        return body, paragraphs
    text = list(body)
    bounded: list[tuple[int, int]] = []
    for start, end in paragraphs:
        while end - start > limit:
            cut = _piece_end(body, start, start + limit)
            if cut is None:  # no space at all: a hard cut, mid-word
                cut = start + limit
                bounded.append((start, cut))
                start = cut
                continue
            text[cut] = "\n"
            bounded.append((start, cut))
            start = cut + 1
        bounded.append((start, end))
    return "".join(text), bounded


_SENTENCE_END = re.compile(r"[.!?…][”\"’')\]]*\s")


def _piece_end(body: str, start: int, limit: int) -> int | None:
    """The position of the space that ends the last sentence (else the last word) before
    `limit`, in the second half of the piece so that pieces stay long."""
    floor = start + (limit - start) // 2
    last = None
    for match in _SENTENCE_END.finditer(body, floor, limit + 1):
        last = match.end() - 1
    if last is not None:
        return last
    space = body.rfind(" ", floor, limit)
    return space if space != -1 else None


def _within_claim_budget(chosen: list, max_claims: int | None) -> tuple[list, str]:
    """At most `max_claims`, the most check-worthy (in text order), and a notice if cut."""
    if max_claims is None or len(chosen) <= max_claims:
        return chosen, ""
    ranked = sorted(range(len(chosen)), key=lambda i: (-chosen[i][2], i))[:max_claims]
    notice = (
        f"the article holds {len(chosen):,} claims; only the {max_claims:,} most check-worthy "
        "were kept (the per-article claim budget)"
    )
    return [chosen[i] for i in sorted(ranked)], notice


def _body_attributions(
    body: str, paragraphs: list[tuple[int, int]], sentences: list[Sentence], clock: _Deadline
) -> list[SpanAttribution]:
    """Attributions over windows of the body: each sentence holding a reporting word, with
    its neighbours in the same paragraph (a quotation may open before the cue or close after
    it). The tagger is the slowest stage, and speakers.py discards cues outside these
    windows anyway, so the rest of the text is not tagged."""
    found = []
    for start, end in _reporting_windows(paragraphs, sentences):
        clock.check("finding who said what")
        for attribution in extract_attributions(body[start:end]):
            found.append(
                SpanAttribution(
                    content=(start + attribution.content.start, start + attribution.content.end),
                    source=_shift(attribution.source, start),
                    cue=_shift(attribution.cue, start),
                )
            )
    return found


def _reporting_windows(
    paragraphs: list[tuple[int, int]], sentences: list[Sentence]
) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    index = 0
    for paragraph_start, paragraph_end in paragraphs:
        inside = []
        while index < len(sentences) and sentences[index].start < paragraph_end:
            if sentences[index].start >= paragraph_start:
                inside.append(sentences[index])
            index += 1
        reporting = [may_report(s.text) for s in inside]
        chosen = [any(reporting[max(i - 1, 0) : i + 2]) for i in range(len(inside))]
        for i, sentence in enumerate(inside):
            if not chosen[i]:
                continue
            if i and chosen[i - 1] and windows:
                windows[-1] = (windows[-1][0], sentence.end)
            else:
                windows.append((sentence.start, sentence.end))
    return windows


def _shift(span, offset: int) -> tuple[int, int] | None:
    return (offset + span.start, offset + span.end) if span is not None else None


_VERBS = word_set("""is was are were be been has have had do does did will would can could may might
    must should said says met meets won wins lost loses beat beats chose chooses named names
    hired fired backed backs told tells""")
# "“…?” ― Jane Doe": a quotation signed with a dash.
_DASH_SIGNATURE = re.compile(r"[”\"’']\s*[―—–]+\s*[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4}\.?$")
# Words a credit line ("Former NAACP president Jane Doe.") may hold besides the name.
_CREDIT_WORDS = word_set(
    """former current acting interim deputy vice president chairman chairwoman chair director
    spokesman spokeswoman spokesperson senator governor representative secretary executive
    founder co-founder professor editor reporter correspondent columnist analyst of the and at
    for a an"""
)


def _is_claim(
    sentence: Sentence, attribution: SentenceAttribution, score: float, alone: bool = False
) -> bool:
    text = sentence.text
    if len(text.split()) < MIN_CLAIM_WORDS or not _is_statement(text):
        return False
    if alone and _is_credit_line(text.split()):
        return False
    attributed = attribution.speaker is not None or attribution.cited_source is not None
    return score >= (ATTRIBUTED_THRESHOLD if attributed else CHECKWORTHY_THRESHOLD)


def _repeated_earlier(sentences: list[Sentence]) -> set[int]:
    """Sentences said again later in the body (an abstract or summary repeating the lead):
    only the last copy, in the article proper, becomes a claim."""
    last: dict[str, int] = {}
    for index, sentence in enumerate(sentences):
        last[" ".join(sentence.text.split())] = index
    return {
        index
        for index, sentence in enumerate(sentences)
        if last[" ".join(sentence.text.split())] != index and len(sentence.text.split()) >= 5
    }


def _is_statement(text: str) -> bool:
    """Not a question, an all-capitals header ("PLEDGED DELEGATES.") or a lead-in ("Jane Doe
    wrote:")."""
    unsigned = _DASH_SIGNATURE.sub(lambda m: m.group()[0], text)
    if unsigned.rstrip("”\"’')").endswith("?"):
        return False
    if not any(char.islower() for char in text):
        return False
    words = text.split()
    return not (text.rstrip().endswith(":") and len(words) <= 12 and may_report(text))


def _alone_in_paragraph(sentences: list[Sentence], paragraphs: list[tuple[int, int]]) -> set[int]:
    starts = [start for start, _ in paragraphs]
    paragraph_of = [bisect_right(starts, s.start) for s in sentences]
    return {
        i
        for i in range(len(sentences))
        if (i == 0 or paragraph_of[i - 1] != paragraph_of[i])
        and (i + 1 == len(sentences) or paragraph_of[i + 1] != paragraph_of[i])
    }


def _is_credit_line(words: list[str]) -> bool:
    """ "Former NAACP president Jane Doe.", a paragraph of its own: a short noun phrase ending
    in a name, no verb."""
    bare = [w.strip(".,;“”\"’'()") for w in words]
    if len(bare) > 8 or len(bare) < 3 or not all(w[:1].isupper() for w in bare[-2:]):
        return False
    lower = [w.lower() for w in bare[:-2] if w[:1].islower()]
    return all(
        w in _CREDIT_WORDS or (w not in _VERBS and not w.endswith(("ed", "s"))) for w in lower
    )


def _claim(
    sentence: Sentence,
    attribution: SentenceAttribution,
    score: float,
    entities: list[Entity],
    reference: date | None,
) -> ExtractedClaim:
    dates = extract_dates(sentence.text, reference=reference)
    quantities = [dict(vars(q)) for q in extract_quantities(sentence.text, dates=dates)]
    return ExtractedClaim(
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        speaker=attribution.speaker,
        cue=attribution.cue,
        cited_source=attribution.cited_source,
        entities=[dict(vars(e)) for e in entities],
        quantities=quantities,
        dates=[dict(vars(d)) for d in dates],
        checkworthiness=round(score, 4),
        kind=classify_claim_kind(sentence.text, quantities).value,
    )
