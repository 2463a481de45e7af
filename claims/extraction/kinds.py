"""What kind of statement a claim is, by transparent rules over its wording.

A fact-checker checks statements about the world as it is or was: plain facts and figures.
Predictions cannot be checked yet, questions assert nothing, and a speaker's opinion in their
own words is a fact only about the speaker. Each claim gets one kind, the first rule that fires:

1. `question`: ends with "?" (also inside a closing quote: "“Why not?” she asked.").
2. `other`: a market-index move ("The Dow fell 200 points"), routine data that the exchanges
   publish and nobody asserts, and leftover page furniture (imperatives such as "Click here",
   "Sign up"; copyright lines).
3. `prediction`: a future or modal in the statement itself: "will", "'ll", "going to" (a verb,
   not "going to the convention"), "expected/likely/poised/set/projected to" (not "was
   expected to", a past expectation), "could", "may", "might", "would" (not "would have",
   which looks back, nor "would-be"), "forecasts", "predicts".
4. `statistic`: a figure: a quantity with a digit, a percentage, money, or a count of ten or
   more (`entities.extract_quantities`, dates and years excluded), or one in words
   ("thousands of", "doubled").
5. `quote_opinion`: an opinion in a speaker's words: inside quotation marks, first-person
   ("I", "we") with a verb of opinion or feeling, an evaluative word, or "should"/"must";
   also an unquoted first-person "I think/believe/feel" and a reported "X believes/thinks".
6. `factual`: everything else that reads as a statement.

Order matters: a predicted figure ("unemployment will reach 5 %") is a prediction; a figure
inside a quoted opinion ("I'm proud we won 27 states") is a statistic, because the figure can
be checked. Only `factual` and `statistic` are check-worthy (`CHECKWORTHY_KINDS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from claims.extraction.dates import extract_dates
from claims.extraction.quantities import extract_quantities


class ClaimKind(StrEnum):
    FACTUAL = "factual"
    STATISTIC = "statistic"
    QUOTE_OPINION = "quote_opinion"
    PREDICTION = "prediction"
    QUESTION = "question"
    OTHER = "other"


CHECKWORTHY_KINDS = frozenset({ClaimKind.FACTUAL, ClaimKind.STATISTIC})
# What a claim stored before kinds existed counts as (see ClaimsExtracted in docs/API.md).
UNCLASSIFIED_KIND = ClaimKind.FACTUAL

_QUESTION_END = re.compile(r"\?[\"“”‘’')\s]*(?:[―—–-]+[^?]*)?$")
_QUOTED_QUESTION = re.compile(r"\?[”\"’']\s*,?\s*(?:\w+\s+){1,4}(?:asked|wondered|said)\b")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,})[”\"]|‘([^’]{3,})’")

_INDEX = (
    r"(?:Dow(?: Jones)?(?: Industrial Average| industrials)?|S&P(?: 500)?|Standard & Poor's 500"
    r"|Nasdaq(?: Composite)?|FTSE(?: 100)?|Nikkei(?: 225)?|DAX|CAC 40|Hang Seng"
    r"|Russell 2000|Stoxx(?: Europe)? 600|(?:stock|share|equity) (?:index|indexes|indices)"
    r"|(?:blue-chip|benchmark) (?:index|stocks))"
)
_MOVE = (
    r"(?:rose|fell|gained|lost|dropped|jumped|slid|slipped|climbed|tumbled|plunged|surged"
    r"|rallied|sank|edged (?:up|down|higher|lower)|closed (?:up|down|higher|lower)|ended"
    r"(?: the day)? (?:up|down|higher|lower)|rise|fall|gain|drop|jump|slide|climb|tumble)"
)
_MARKET_MOVE = re.compile(
    rf"\b{_INDEX}\b[^.;]{{0,60}}?\b{_MOVE}\b"
    rf"|\b(?:stocks|shares|equities|stock markets?|Wall Street)\s+(?:\w+\s+){{0,2}}{_MOVE}\b",
    re.I,
)
_FURNITURE = re.compile(
    r"^(?:click (?:here|to)|tap here|sign up|subscribe (?:to|now|here)|follow (?:us|him|her|me)"
    r" on|share this|read more|watch:|watch the video|download the|like us on"
    r"|email (?:us|tips|any tips)|send (?:us )?tips)\b|©|\bcopyright\b|\ball rights reserved\b",
    re.I,
)

_FUTURE = re.compile(
    r"\b(?:will|won['’]t|shall|going to(?! the\b| a\b| an\b| his\b| her\b| their\b)|gonna"
    r"|about to|(?:expected|likely|unlikely|poised|set|projected|slated|scheduled|on track|bound"
    r"|certain|sure) to|could|(?-i:may)|might|would(?!-)|wouldn['’]t|forecasts|forecasting"
    r"|predicts|predicting|(?:in|over) the (?:coming|next) (?:days|weeks|months|years))\b"
    r"|\w['’]ll\b",
    re.I,
)
# Modals that look back or describe a past habit, not the future.
_NOT_FUTURE = re.compile(
    r"\b(?:would|could|might|may|will|should|must)(?: not|n['’]t)? have\b"
    r"|\b(?:who|which) (?:will|would|could|may|might)\b"
    r"|\bcould(?: not|n['’]t) be reached\b"
    # An expectation or a schedule in the past: what was expected, not what will be.
    r"|\b(?:was|were|had been)(?: not)?(?: \w+ly)? (?:expected|scheduled|set|slated|poised"
    r"|projected|likely|unlikely|due|going) to\b",
    re.I,
)
_OPINION_VERB = re.compile(
    r"\b(?:think|thinks|believe|believes|feel|feels|hope|hopes|wish|want|wants|love|hate"
    r"|like|trust|doubt|fear|suspect|guess|bet|consider|agree|disagree|am proud|are proud)\b",
    re.I,
)
_EVALUATIVE = re.compile(
    r"\b(?:great|greatest|terrible|horrible|awful|wonderful|amazing|incredible|fantastic"
    r"|disaster|disastrous|disgrace(?:ful)?|ridiculous|absurd|shameful|outrageous|unfair"
    r"|wrong|best|worst|good|bad|proud|honou?red|thrilled|excited|disappointed"
    r"|sad|tragic|dangerous|crazy|stupid|smart|brilliant|strong|weak|historic|important"
    r"|critical|unacceptable|deplorable|corrupt|crooked|rigged|failed|phony|fake|nonsense"
    r"|shame|hero|heroes)\b",
    re.I,
)
# "US" (the country) is not "us".
_FIRST_PERSON = re.compile(
    r"\b(?:I|I['’](?:m|ve|d|ll)|[Mm]e|[Mm]y|[Ww]e|[Ww]e['’](?:re|ve)|[Uu]s|[Oo]urs?)\b"
)
_NORMATIVE = re.compile(r"\b(?:should|shouldn['’]t|must|ought to|need to|needs to)\b", re.I)
_UNQUOTED_OPINION = re.compile(
    r"\b(?:I|we) (?:really |strongly |truly )?(?:think|believe|feel|hope|want)\b"
    r"|\b(?:believes|thinks|feels|argues|argued|insists|insisted|hopes) (?:that )?\w+",
)
_NUMBER_WITH_DIGIT = re.compile(r"\d")
# Figures in words that `extract_quantities` leaves alone ("thousands of people").
_FIGURE_WORDS = re.compile(
    r"\b(?:dozens|hundreds|thousands|millions|billions|trillions|doubled|tripled|quadrupled"
    r"|halved|twice as|three times as)\b",
    re.I,
)
_STATISTIC_UNITS = frozenset({"percent", "%", "per cent", "percentage", "points", "$", "€", "£"})


def classify_claim_kind(
    text: str, quantities: Iterable[Mapping[str, object]] | None = None
) -> ClaimKind:
    """The kind of one claim. `quantities` are its mentions from `entities.extract_quantities`
    as dicts (`text`, `value`, `unit`), as a claim stores them; when None they are found here."""
    stripped = text.strip()
    if _QUESTION_END.search(stripped) or _QUOTED_QUESTION.search(stripped):
        return ClaimKind.QUESTION
    if _MARKET_MOVE.search(stripped) or _FURNITURE.search(stripped):
        return ClaimKind.OTHER
    if is_prediction(stripped):
        return ClaimKind.PREDICTION
    if _has_figure(stripped, quantities):
        return ClaimKind.STATISTIC
    if _is_opinion(stripped):
        return ClaimKind.QUOTE_OPINION
    return ClaimKind.FACTUAL


def is_checkworthy_kind(kind: str) -> bool:
    return kind in CHECKWORTHY_KINDS


def is_prediction(text: str) -> bool:
    """Does the statement itself look ahead ("will", "expected to", "could")?"""
    without_hindsight = _NOT_FUTURE.sub(" ", text)
    return bool(_FUTURE.search(without_hindsight))


def _has_figure(text: str, quantities: Iterable[Mapping[str, object]] | None) -> bool:
    if _FIGURE_WORDS.search(text):
        return True
    if quantities is None:
        quantities = [
            vars(q) for q in extract_quantities(text, dates=extract_dates(text, reference=None))
        ]
    for quantity in quantities:
        mention = str(quantity.get("text") or "")
        unit = str(quantity.get("unit") or "").lower()
        value = quantity.get("value")
        if _NUMBER_WITH_DIGIT.search(mention) or unit in _STATISTIC_UNITS:
            return True
        if isinstance(value, int | float) and value >= 10:
            return True
    return False


def _is_opinion(text: str) -> bool:
    for match in _QUOTED.finditer(text):
        quoted = match.group(1) or match.group(2)
        if len(quoted.split()) < 3:
            continue  # a scare-quoted word or title, not a quotation
        first_person = bool(_FIRST_PERSON.search(quoted))
        if first_person and (_OPINION_VERB.search(quoted) or _NORMATIVE.search(quoted)):
            return True
        if _EVALUATIVE.search(quoted) or (first_person and _NORMATIVE.search(quoted)):
            return True
    return bool(_UNQUOTED_OPINION.search(text))
