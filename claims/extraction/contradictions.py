"""Pairs of claims about the same matter that cannot both be true (issue 12).

Read on the clustering's candidate pairs (claims that share rare wording), so the work stays
sub-quadratic. Two claims contradict when they are about the same matter (they share content
terms, at least ANCHOR_TERMS of them) and:

- `dates`: they put the event on different days ("on Monday night" / "after Tuesday night's
  primaries");
- `numbers`: they give different quantities for it ("five killed" / "seven killed"); this
  needs closer wording, since two counts of different things often share a sentence frame;
- `denial`: one denies what the other asserts. Polarity is read per word, not per sentence:
  a cue ("not", "never", "nor", "denied", "nearly") denies the predicate after it, and a
  shared word denied in one claim and asserted in the other is the contradiction. So "did not
  address his tweets" does not contradict "defended his tweets" (nothing shared is denied),
  while "neither she nor her campaign helped Machado get citizenship" contradicts "Clinton
  helped Machado get citizenship". A claim that disputes the report another claim came
  through ("called AP's report a rush to judgment") denies it too;
- `opposed`: one says something stopped and the other that it goes on, about a shared object
  ("a Russian pullback from support of Assad" / "Russia will keep offering support to
  Assad"); or one puts A ahead of B and the other B ahead of A, or calls the race a tie
  while the other gives a lead beyond the usual margin of error.

Every contradiction carries its reason in words, for the analyst who has to settle it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from claims.extraction.origins import normalise_name, same_origin

KINDS = ("dates", "numbers", "denial", "opposed")

# Similarity floors (the clustering's wording similarity, 0-1) for each kind.
TOPIC_FLOOR = 0.05
DATES_FLOOR = 0.3
NUMBERS_FLOOR = 0.45
DENIAL_FLOOR = 0.1
# Two claims are about the same matter when they share this many content terms.
ANCHOR_TERMS = 3
# A denial is reported against this many asserting claims at most, the most similar first.
DENIALS_PER_CLAIM = 2
# A lead of more points than this is not a statistical tie.
MARGIN_OF_ERROR = 3

_CUE = re.compile(
    r"\b(?:not|never|no|nothing|none|nobody|neither|nor|without|den(?:y|ies|ied|ying)"
    r"|refut\w*|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?"
    # verbs that deny what follows them: "avoid paying", "failed to", "refused to"
    r"|avoid(?:s|ed|ing)?|fail(?:s|ed|ing)?|refus(?:e|es|ed|ing))\b|n['’]t\b",
    re.I,
)
# Cues that add rather than deny ("not only ... but also").
_NOT_A_CUE = re.compile(r"\bnot\s+(?:only|just|merely)\b|\bno\s+(?:doubt|matter)\b", re.I)
_NEARLY = re.compile(r"\b(?:nearly|almost)\b", re.I)
_NEGATION = re.compile(
    r"\b(?:not|never|no|nothing|none|nobody|neither|den(?:y|ies|ied|ying)|refut\w*"
    r"|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|false(?:ly)?|untrue|baseless)\b|n['’]t\b",
    re.I,
)
_STOPPED = re.compile(
    r"\b(?:withdr[ae]w\w*|pull(?:s|ed|ing)?[ -]?(?:back|out)|pullbacks?|end(?:s|ed|ing)?"
    r"|stop(?:s|ped|ping)?|ceas(?:e|es|ed|ing)|halt(?:s|ed|ing)?|abandon(?:s|ed|ing)?"
    r"|suspend(?:s|ed|ing)?|cut(?:s|ting)? off)\b",
    re.I,
)
_GOES_ON = re.compile(
    r"\b(?:keep(?:s|ing)?|kept|continu(?:e|es|ed|ing)|sustain(?:s|ed|ing)?)\b", re.I
)
_NAME = r"([A-Z][\w’'-]+)"
_AHEAD = re.compile(
    rf"{_NAME}(?:'s|’s)?\s+(?:is\s+|was\s+)?(?:leads?|leading|led|ahead\s+of|beats?|beating|tops?|topped)"
    rf"\s+{_NAME}"
)
_BEHIND = re.compile(rf"{_NAME}\s+(?:is\s+|was\s+)?(?:trails?|trailing|trailed|behind)\s+{_NAME}")
_TIE = re.compile(r"\b(?:statistical tie|dead heat|neck and neck|deadlocked|tied)\b", re.I)
_LEAD_MARGIN = re.compile(
    r"\bby (?:about |nearly |almost |some )?(\d+(?:\.\d+)?) (?:percentage )?points?\b"
)
# "Sanders' campaign called AP's report a “rush to judgment”", "the ministry denied the
# Reuters story": a claim that disputes what a named source reported.
_DISPUTE = re.compile(
    r"\b(?:call(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|den(?:y|ies|ied|ying)|disput(?:e|es|ed|ing)"
    r"|reject(?:s|ed|ing)?|refut(?:e|es|ed|ing)|deride[sd]?)\s+(?:the\s+|an?\s+)?"
    r"(?P<target>[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,4}?)(?:['’]s?)?\s+"
    r"(?:report|story|call|announcement|projection|count|tally|article|claim|account)s?\b"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*|\d[\d,.]*")
# "whether he has paid", "should release", "if he had any intention of releasing", "urged him
# not to back down": nothing is asserted or denied as a fact.
_HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|unless|should|would|could|might|must|ought|needs? to|wants? to"
    r"|(?:urg|ask|pledg|promis|plan|hop|vow)(?:e|es|ed|ing|s)? (?:\w+ )?(?:not )?to)\b|\?",
    re.I,
)
# "paid nothing": these cues also deny the word before them.
_DENIES_BEFORE = frozenset({"nothing", "none"})
# Cues whose predicate comes after a noun phrase: "nor her campaign helped", "denied that
# Russia had withdrawn".
_FAR_REACHING = frozenset({"nor", "deny", "denies", "denied", "denying"})
_NOUN_START = frozenset({
    "that", "a", "an", "the", "his", "her", "their", "its", "my", "our", "your", "this",
    "these", "those",
})  # fmt: skip
# Words between a cue and its predicate: "has not yet been", "did not necessarily", "failed
# to".
_AUXILIARIES = frozenset({
    "to", "have", "has", "had", "be", "been", "being", "is", "are", "was", "were", "do", "does",
    "did", "will", "would", "yet", "even", "ever", "always", "necessarily", "really", "just",
    "also", "actually", "immediately", "currently", "officially", "publicly", "fully",
    "directly",
})  # fmt: skip


@dataclass(frozen=True)
class Contradiction:
    a: str  # claim_key
    b: str  # claim_key
    kind: str  # one of KINDS
    reason: str

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class ContradictionInput:
    claim_key: str
    text: str
    quantities: frozenset[float]
    dates: frozenset[str]
    terms: Callable[[str], frozenset[str]]  # content terms of a piece of text
    word_term: Callable[[str], str | None]  # the content term of one lower-case word, or None
    source: str | None = None  # the named speaker or cited source it came through
    article_key: str | None = None


_CLAUSE_BREAK = re.compile(r"[,;:()]|\s[\u2013\u2014\u2015]\s|--|\s(?:but|while|although|though)\s")
# The clause that carries a contradicting element must share this many content terms with
# the other claim: "did not respond to my messages" is not about "the campaign now hopes".
MIN_SHARED_TERMS = 2


def _clause_with(text: str, pattern: re.Pattern[str]) -> str | None:
    for clause in _CLAUSE_BREAK.split(text):
        if pattern.search(clause):
            return clause
    return None


@functools.lru_cache(maxsize=100_000)
def _anchor_terms(text: str, pattern: re.Pattern[str], terms) -> frozenset[str] | None:
    """The terms of the clause of `text` that `pattern` finds (a claim meets many others)."""
    clause = _clause_with(text, pattern)
    return None if clause is None else terms(clause)


def _anchored(claim: ContradictionInput, other: ContradictionInput, pattern) -> bool:
    """Is the clause of `claim` that `pattern` finds about what `other` says?"""
    anchor = _anchor_terms(claim.text, pattern, claim.terms)
    if anchor is None:
        return False
    return len(anchor & other.terms(other.text)) >= MIN_SHARED_TERMS


def is_negated(text: str) -> bool:
    """An odd number of negation cues: "did not deny" asserts, "did not" denies."""
    return len(_NEGATION.findall(text)) % 2 == 1


@dataclass(frozen=True)
class _Polarity:
    """What one clause denies and asserts, as content terms of lower-case words (names are who
    and where, not what is asserted)."""

    denied: dict[str, str]  # term -> the words that deny it, as written ("has not withdrawn")
    asserted: frozenset[str]
    hypothetical: bool  # a condition, question, wish or duty, not an assertion of fact
    stopped: str  # the words saying something stopped ("withdrew", "pullback"), or ""
    goes_on: str  # the words saying something goes on ("keep", "continues"), or ""
    terms: frozenset[str]


@dataclass(frozen=True)
class _Profile:
    terms: frozenset[str]
    clauses: tuple[_Polarity, ...]
    ahead: frozenset[tuple[str, str]]  # (leader, trailer) terms of the names
    names: dict[str, str]  # the term of each name in `ahead` -> the name as written
    tie: bool
    lead_margin: float | None


_WordTerm = Callable[[str], "str | None"]


def _found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0) if match else ""


def _polarity(clause: str, word_term: _WordTerm) -> _Polarity:
    """Read a clause word by word. A cue denies the predicate after it: the next content word,
    past auxiliaries and adverbs ("has not yet withdrawn"); "nor" and "denied" also reach past
    the noun phrase of who is concerned ("nor her campaign helped", "denied that Russia had
    withdrawn"). Any other word ends the cue's reach ("no one is writing" denies nothing of
    "writing"). "nothing" and "none" deny the word before them ("paid nothing")."""
    clause = _NOT_A_CUE.sub(" ", clause)
    denied: dict[str, str] = {}
    asserted, every = set(), set()
    reach, cue_start, previous, before = "", 0, None, ""
    for position, match in enumerate(_WORD.finditer(clause)):
        word = match.group(0)
        lower = word.lower()
        if lower == "neither":  # "neither she nor her campaign helped": "nor" carries it
            before = lower
            continue
        if _CUE.fullmatch(word) or lower.endswith(("n't", "n’t")) or _NEARLY.fullmatch(word):
            reach = "far" if lower in _FAR_REACHING else "near"
            cue_start = match.start()
            if lower in _DENIES_BEFORE and previous is not None:
                denied.setdefault(previous[0], clause[previous[1] : match.end()])
            before = lower
            continue
        term = word_term(lower)
        plain = (word[0].islower() or position == 0) and not word[0].isdigit()
        if reach:
            if lower in _AUXILIARIES or (reach == "far" and (not plain or lower in _NOUN_START)):
                before = lower
                continue
            if reach == "far" and before in _NOUN_START and term is not None:
                before = lower  # the noun a determiner announced: who, not what
                continue
            if term is not None and plain:
                denied.setdefault(term, clause[cue_start : match.end()])
                every.add(term)
                reach, previous, before = "", None, lower
                continue
            reach = ""
        before = lower
        if term is None:
            continue
        every.add(term)
        previous = (term, match.start()) if plain else None
        if plain:
            asserted.add(term)
    return _Polarity(
        hypothetical=bool(_HYPOTHETICAL.search(clause)),
        denied=denied,
        asserted=frozenset(asserted - denied.keys()),
        stopped=_found(_STOPPED, clause),
        goes_on=_found(_GOES_ON, clause),
        terms=frozenset(every),
    )


@functools.lru_cache(maxsize=200_000)
def _profile(claim: ContradictionInput, claim_terms: frozenset[str]) -> _Profile:
    text, word_term = claim.text, claim.word_term
    ahead = {(a, b) for a, b in _AHEAD.findall(text)} | {(b, a) for a, b in _BEHIND.findall(text)}
    names = {word_term(name.lower()): name for pair in ahead for name in pair}
    ahead_terms = {(word_term(a.lower()), word_term(b.lower())) for a, b in ahead}
    margin = _LEAD_MARGIN.search(text)
    return _Profile(
        terms=claim_terms,
        clauses=tuple(_polarity(c, word_term) for c in _CLAUSE_BREAK.split(text) if c.strip()),
        ahead=frozenset(pair for pair in ahead_terms if None not in pair),
        names={term: name for term, name in names.items() if term is not None},
        tie=bool(_TIE.search(text)),
        lead_margin=float(margin.group(1)) if margin else None,
    )


@functools.lru_cache(maxsize=200_000)
def _plain_profile(terms: frozenset[str]) -> _Profile:
    """A claim with no cue, condition or lead in it: one clause asserting all its terms."""
    clause = _Polarity(
        denied={}, asserted=terms, hypothetical=False, stopped="", goes_on="", terms=terms
    )
    return _Profile(
        terms=terms, clauses=(clause,), ahead=frozenset(), names={}, tie=False, lead_margin=None
    )


def _differ(a: frozenset, b: frozenset) -> bool:
    return bool(a) and bool(b) and not (a <= b or b <= a)


def _values(values: frozenset) -> str:
    return ", ".join(
        f"{v:g}" if isinstance(v, float) else str(v).capitalize() for v in sorted(values)
    )


class Vocabulary(Protocol):
    """The content terms of the claims passed to `find_contradictions`, by index. The
    clustering has them as a matrix already; recomputing them from the text would double the
    cost of a dossier."""

    def terms(self, index: int) -> frozenset[str]: ...

    def shared_counts(self, left: np.ndarray, right: np.ndarray) -> np.ndarray: ...


def find_contradictions(
    claims: Sequence[ContradictionInput],
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
    vocabulary: Vocabulary,
) -> list[Contradiction]:
    """`left`/`right` index `claims`; `similarity` is their wording similarity; `vocabulary`
    their terms (the batch's, demonyms folded into countries: "Russian" meets "Russia")."""
    dated = np.array([bool(c.dates) for c in claims], dtype=bool)
    counted = np.array([bool(c.quantities) for c in claims], dtype=bool)
    lowered = [c.text.lower() for c in claims]
    denying, hypothetical, stopped, goes_on, ahead, tie = (
        np.array(
            [
                _mentions(text, low, hints, pattern)
                for text, low in zip((c.text for c in claims), lowered, strict=True)
            ],
            dtype=bool,
        )
        for hints, pattern in _CUE_PATTERNS
    )
    opposing = (
        (stopped[left] & goes_on[right])
        | (goes_on[left] & stopped[right])
        | (ahead[left] & (ahead[right] | tie[right]))
        | (tie[left] & ahead[right])
    )
    disputed = [_disputed_source(c.text) for c in claims]
    disputing = np.array([bool(d) for d in disputed], dtype=bool)
    # Only pairs where some kind can apply reach the per-pair checks (millions at 100k claims).
    denial = (similarity >= DENIAL_FLOOR) & (denying[left] | denying[right])
    opposition = (similarity >= TOPIC_FLOOR) & opposing
    polar = np.flatnonzero(denial | opposition)
    anchored = np.zeros(len(left), dtype=bool)
    anchored[polar] = vocabulary.shared_counts(left[polar], right[polar]) >= ANCHOR_TERMS
    denial &= anchored
    opposition &= anchored
    possible = (
        ((similarity >= DATES_FLOOR) & dated[left] & dated[right])
        | ((similarity >= NUMBERS_FLOOR) & counted[left] & counted[right])
        | denial
        | opposition
        | ((similarity >= DENIAL_FLOOR) & (disputing[left] | disputing[right]))
    )
    careful = denying | hypothetical | stopped | goes_on | ahead | tie
    profiles: dict[int, _Profile] = {}

    def profile(index: int) -> _Profile:
        if index not in profiles:
            profiles[index] = (
                _profile(claims[index], vocabulary.terms(index))
                if careful[index]
                else _plain_profile(vocabulary.terms(index))
            )
        return profiles[index]

    found: list[Contradiction] = []
    denials: dict[int, list[tuple[float, Contradiction]]] = {}  # denying claim -> candidates
    for pair in np.flatnonzero(possible).tolist():
        i, j = int(left[pair]), int(right[pair])
        a, b = claims[i], claims[j]
        if a.text == b.text:
            continue
        if similarity[pair] >= DATES_FLOOR and _differ(a.dates, b.dates) and _dates_anchored(a, b):
            reason = f"different days: {_values(a.dates)} vs {_values(b.dates)}"
            found.append(Contradiction(a.claim_key, b.claim_key, "dates", reason))
            continue
        if similarity[pair] >= NUMBERS_FLOOR and _differ(a.quantities, b.quantities):
            reason = f"different figures: {_values(a.quantities)} vs {_values(b.quantities)}"
            found.append(Contradiction(a.claim_key, b.claim_key, "numbers", reason))
            continue
        if a.article_key != b.article_key and similarity[pair] >= DENIAL_FLOOR:
            dispute = _dispute(a, disputed[i], b) or _dispute(b, disputed[j], a)
            if dispute:
                found.append(Contradiction(a.claim_key, b.claim_key, "denial", dispute))
                continue
        if not (denial[pair] or opposition[pair]):
            continue
        first, second = profile(i), profile(j)
        denied = _denial(first, second) if denial[pair] else None
        if denied is not None:
            reason, denier = denied
            denials.setdefault((i, j)[denier], []).append(
                (
                    -float(similarity[pair]),
                    Contradiction(a.claim_key, b.claim_key, "denial", reason),
                )
            )
            continue
        opposed = _opposition(first, second) if opposition[pair] else None
        if opposed is not None:
            found.append(Contradiction(a.claim_key, b.claim_key, "opposed", opposed))
    # A denial in a dossier that discusses the point at length meets every sentence that
    # asserts it: report it against its closest ones only.
    for candidates in denials.values():
        found.extend(c for _, c in sorted(candidates, key=lambda x: x[0])[:DENIALS_PER_CLAIM])
    known = {(c.a, c.b) for c in found}
    return found + _disputes_within_articles(claims, disputed, vocabulary, known)


def _disputes_within_articles(
    claims: Sequence[ContradictionInput],
    disputed: Sequence[tuple[str, str] | None],
    vocabulary: Vocabulary,
    known: set[tuple[str, str]],
) -> list[Contradiction]:
    """An article that reports a claim and then a dispute of its source ("AP reported ...";
    "Sanders' campaign called AP's report a rush to judgment, because superdelegates can
    change their mind") contradicts itself when the two sentences share a content word: one
    is enough, since the dispute names the source and rarely repeats the claim."""
    by_article: dict[str | None, list[int]] = {}
    for index, claim in enumerate(claims):
        by_article.setdefault(claim.article_key, []).append(index)
    found = []
    for index, claim in enumerate(claims):
        if disputed[index] is None or claim.article_key is None:
            continue
        for other in by_article[claim.article_key]:
            a, b = claims[min(index, other)], claims[max(index, other)]
            if other == index or (a.claim_key, b.claim_key) in known:
                continue
            reason = _dispute(claim, disputed[index], claims[other])
            if reason and vocabulary.terms(index) & vocabulary.terms(other):
                found.append(Contradiction(a.claim_key, b.claim_key, "denial", reason))
                known.add((a.claim_key, b.claim_key))
    return found


# Words that can start a denial (a cheap filter before profiling).
_DENIAL_HINT = re.compile(f"{_CUE.pattern}|{_NEARLY.pattern}", re.I)
_AHEAD_OR_BEHIND = re.compile(f"{_AHEAD.pattern}|{_BEHIND.pattern}")
# (substrings one of which a match needs, pattern): denial cues, conditions, "stopped",
# "goes on", a lead, a tie.
_CUE_PATTERNS = (
    (("not", "n't", "n’t", "no", "never", "none", "nor", "without", "den", "refut", "reject",
      "dismiss", "nearly", "almost", "avoid", "fail", "refus"), _DENIAL_HINT),
    (("if", "whether", "unless", "should", "would", "could", "might", "must", "ought", "need",
      "want", "urg", "ask", "pledg", "promis", "plan", "hop", "vow", "?"), _HYPOTHETICAL),
    (("withdr", "pull", "end", "stop", "ceas", "halt", "abandon", "suspend", "cut"), _STOPPED),
    (("keep", "kept", "continu", "sustain"), _GOES_ON),
    (("lead", "led ", "ahead", "beat", "top", "trail", "behind"), _AHEAD_OR_BEHIND),
    (("tie", "heat", "neck", "deadlock"), _TIE),
)  # fmt: skip
_DISPUTE_HINT = re.compile(
    r"report|story|call |announcement|projection|count|tally|article|claim|account"
)


def _mentions(text: str, lowered: str, hints: tuple[str, ...], pattern: re.Pattern[str]) -> bool:
    """`pattern` found in `text`, tried only when one of the `hints` is in the lower-cased
    text (most claims have none, and the patterns are the slow part)."""
    return any(hint in lowered for hint in hints) and pattern.search(text) is not None


def _disputed_source(text: str) -> tuple[str, str] | None:
    """(normalised name, name as written) of the source whose report `text` disputes."""
    if _DISPUTE_HINT.search(text) is None:
        return None
    match = _DISPUTE.search(text)
    if match is None:
        return None
    return normalise_name(match.group("target")), match.group(0)


def _dispute(
    disputing: ContradictionInput, disputed: tuple[str, str] | None, other: ContradictionInput
) -> str | None:
    """Does `disputing` dispute the report `other` came through?"""
    if disputed is None or not other.source:
        return None
    name, words = disputed
    if not same_origin(name, normalise_name(other.source)):
        return None
    return f"one disputes the other's source: “{words}”"


def _denial(a: _Profile, b: _Profile) -> tuple[str, int] | None:
    """A word one claim denies that the other asserts, in clauses about the same thing: the
    reason, and which claim denies (0 for `a`, 1 for `b`)."""
    for side, (x, y) in enumerate(((a, b), (b, a))):
        for denying in x.clauses:
            if not denying.denied or denying.hypothetical:
                continue
            for asserting in y.clauses:
                if asserting.denied or asserting.hypothetical:
                    continue
                shared = denying.denied.keys() & asserting.asserted
                if shared and len(denying.terms & asserting.terms) >= ANCHOR_TERMS:
                    words = denying.denied[sorted(shared)[0]]
                    return f"one denies what the other asserts: “{words}”", side
    return None


def _opposition(a: _Profile, b: _Profile) -> str | None:
    """Something stopped against something that goes on, about a shared object; a lead
    reversed; a tie against a lead beyond the margin of error."""
    for x, y in ((a, b), (b, a)):
        for ended in x.clauses:
            if not ended.stopped or ended.goes_on or ended.denied:
                continue
            for going in y.clauses:
                if (
                    going.goes_on
                    and not going.stopped
                    and not going.denied
                    and ended.asserted & going.asserted
                ):
                    return (
                        f"one says it stopped (“{ended.stopped}”), the other that it goes on"
                        f" (“{going.goes_on}”)"
                    )
        reversed_lead = {(trailer, leader) for leader, trailer in x.ahead} & y.ahead
        if reversed_lead:
            leader, trailer = sorted(reversed_lead)[0]
            first, second = y.names[trailer], y.names[leader]
            return f"one puts {first} ahead of {second}, the other the reverse"
        if x.tie and y.ahead and (y.lead_margin or 0) > MARGIN_OF_ERROR:
            leader, trailer = sorted(y.ahead)[0]
            if leader in x.terms and trailer in x.terms:
                return (
                    f"one calls it a tie, the other gives {y.names[leader]} a lead of"
                    f" {y.lead_margin:g} points"
                )
    return None


_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)


def _dates_anchored(a: ContradictionInput, b: ContradictionInput) -> bool:
    """Both dated clauses are about the same thing (weekday names are what `dates` hold when
    no full date resolved; a full date is specific enough on its own)."""
    if not any(_WEEKDAY.search(str(d)) for d in a.dates | b.dates):
        return True
    return _anchored(a, b, _WEEKDAY) and _anchored(b, a, _WEEKDAY)
