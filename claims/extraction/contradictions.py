"""Pairs of claims about the same matter that cannot both be true (issue 12).

Read on the clustering's candidate pairs (claims that share rare wording), so the work stays
sub-quadratic. Two claims contradict when they are about the same matter (their wording
similarity reaches a floor) and:

- `dates`: they put the event on different days ("on Monday night" / "after Tuesday night's
  primaries");
- `numbers`: they give different quantities for it ("five killed" / "seven killed"); this
  needs closer wording, since two counts of different things often share a sentence frame;
- `denial`: one asserts what the other denies ("has withdrawn" / "has not withdrawn",
  "denied that", "no evidence that").

Every contradiction carries its reason in words, for the analyst who has to settle it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

KINDS = ("dates", "numbers", "denial")

# Similarity floors (the clustering's wording similarity, 0-1) for each kind.
TOPIC_FLOOR = 0.3
NUMBERS_FLOOR = 0.45
DENIAL_FLOOR = 0.45

_NEGATION = re.compile(
    r"\b(?:not|never|no|nothing|none|nobody|neither|nor|den(?:y|ies|ied|ying)|refut\w*"
    r"|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|false(?:ly)?|untrue|baseless)\b|n['’]t\b",
    re.I,
)


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


def _differ(a: frozenset, b: frozenset) -> bool:
    return bool(a) and bool(b) and not (a <= b or b <= a)


def _values(values: frozenset) -> str:
    return ", ".join(
        f"{v:g}" if isinstance(v, float) else str(v).capitalize() for v in sorted(values)
    )


def find_contradictions(
    claims: Sequence[ContradictionInput],
    left: np.ndarray,
    right: np.ndarray,
    similarity: np.ndarray,
) -> list[Contradiction]:
    """`left`/`right` index `claims`; `similarity` is their wording similarity."""
    dated = np.array([bool(c.dates) for c in claims], dtype=bool)
    counted = np.array([bool(c.quantities) for c in claims], dtype=bool)
    negated = np.array([is_negated(c.text) for c in claims], dtype=bool)
    # Only pairs where some kind can apply reach the per-pair checks (millions at 100k claims).
    possible = (similarity >= TOPIC_FLOOR) & (
        (dated[left] & dated[right])
        | ((similarity >= NUMBERS_FLOOR) & counted[left] & counted[right])
        | ((similarity >= DENIAL_FLOOR) & (negated[left] != negated[right]))
    )
    found = []
    for pair in np.flatnonzero(possible).tolist():
        i, j = int(left[pair]), int(right[pair])
        a, b = claims[i], claims[j]
        if a.text == b.text:
            continue
        if _differ(a.dates, b.dates) and _dates_anchored(a, b):
            reason = f"different days: {_values(a.dates)} vs {_values(b.dates)}"
            found.append(Contradiction(a.claim_key, b.claim_key, "dates", reason))
            continue
        if similarity[pair] >= NUMBERS_FLOOR and _differ(a.quantities, b.quantities):
            reason = f"different figures: {_values(a.quantities)} vs {_values(b.quantities)}"
            found.append(Contradiction(a.claim_key, b.claim_key, "numbers", reason))
            continue
        if similarity[pair] < DENIAL_FLOOR or negated[i] == negated[j]:
            continue
        denying, asserting = (a, b) if negated[i] else (b, a)
        if _anchored(denying, asserting, _NEGATION):
            found.append(
                Contradiction(
                    a.claim_key,
                    b.claim_key,
                    "denial",
                    f"one denies what the other asserts: “{_negation_phrase(denying.text)}”",
                )
            )
    return found


_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I)


def _dates_anchored(a: ContradictionInput, b: ContradictionInput) -> bool:
    """Both dated clauses are about the same thing (weekday names are what `dates` hold when
    no full date resolved; a full date is specific enough on its own)."""
    if not any(_WEEKDAY.search(str(d)) for d in a.dates | b.dates):
        return True
    return _anchored(a, b, _WEEKDAY) and _anchored(b, a, _WEEKDAY)


def _negation_phrase(text: str) -> str:
    """A few words around the first negation cue, to quote in the reason."""
    match = _NEGATION.search(text)
    if match is None:
        return text[:60]
    words_before = text[: match.start()].split()[-3:]
    words_after = text[match.end() :].split()[:4]
    return " ".join([*words_before, match.group(0), *words_after])
