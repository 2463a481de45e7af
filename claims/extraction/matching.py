"""Do two sentences state the same proposition? (issue 12: proposition matching)

A pair is described by a few features that a reader can check, and a logistic model trained
on graded news headline pairs (SemEval STS headlines, `claims/training/matching.py`) turns
them into a probability:

- `meaning_similarity`: cosine of the two contents' sentence-encoder vectors
  (`sentence_encoder.py`, a small pretrained encoder that reads words in context: "500
  employees were laid off" ~ "the company cut 500 jobs");
- `similarity`: cosine of the two sentences' static embeddings (`embeddings.py`), after the
  attribution frame is removed ("X said", "according to X", datelines, "spoke on condition of
  anonymity"): who reports a claim is not what it asserts;
- `clause_similarity`: the best cosine between clauses, since news sentences state their
  claim in one clause and frame it in others;
- `alignment`: how well each content word finds a near word in the other sentence (soft word
  overlap: "pulled out" ~ "left", "advisers" ~ "experts");
- `shared_terms`: Dice overlap of the content words;
- `same_numbers` / `different_numbers`: both state quantities and share all of them / one
  states a quantity the other contradicts ("67 delegates" vs "71 delegates");
- `negation_differs`: one sentence is negated and the other is not ("has withdrawn" vs "has
  not withdrawn");
- `opposite_predicates`: one holds a word whose opposite only the other holds ("shares rose" /
  "shares fell", "will open three plants" / "will close three plants");
- `length_ratio`.

The parts are returned with the score, so the analyst can see why two claims were linked.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claims.extraction import embeddings, sentence_encoder
from claims.extraction.contradictions import is_negated
from claims.extraction.quantities import extract_quantities
from claims.extraction.stance import content_terms, content_words, raw_tokens

MODEL_PATH = Path(__file__).parent / "models" / "matching.json"
FEATURES = (
    "meaning_similarity",
    "similarity",
    "clause_similarity",
    "alignment",
    "shared_terms",
    "same_numbers",
    "different_numbers",
    "negation_differs",
    "opposite_predicates",
    "length_ratio",
)

# --- attribution frames ------------------------------------------------------------------

_DASH = "[-\u2013\u2014\u2015]"
_FRAMES = [
    # Datelines and wire credits: "WASHINGTON (AP) —", "(AFP) –", "BEIRUT, Lebanon —".
    re.compile(
        rf"^\s*(?:[A-Z][A-Z.'’ ]+(?:, [A-Z][\w. ]+)?\s*)?(?:\((?:AP|AFP|Reuters|UPI)\)\s*)?{_DASH}+\s+"
    ),
    re.compile(r"^\s*\((?:AP|AFP|Reuters|UPI)\)\s*"),
    # "According to X, ..." and "..., according to X."
    re.compile(r"^\s*according to [^,]{1,80},\s*", re.I),
    re.compile(r",?\s*according to [^,.;]{1,80}(?=[,.;]|$)", re.I),
    # "X said (on Monday) (that) ..." at the start, "..., X said (on Monday)." at the end.
    re.compile(
        r"^\s*(?:[A-Z][\w.'’-]*\s+){0,5}(?:said|says|told [\w ]{1,30}?|added|noted|reported"
        r"|announced|argued|insisted|claimed|wrote)\s+(?:on \w+\s+)?(?:that\s+)?",
    ),
    re.compile(
        r",?\s*(?:he|she|they|it|(?:the |an? )?[\w.'’-]+(?:\s+[\w.'’-]+){0,5})\s+"
        r"(?:said|says|told [\w ]{1,30}?|added|noted|reported|wrote)(?:\s+on \w+)?\s*[.]?\s*$",
        re.I,
    ),
    re.compile(
        r",?\s*(?:who\s+)?(?:spoke|speaking) on (?:the )?condition of anonymity[^,.;]*", re.I
    ),
]
_QUOTES = re.compile("[\"“”‘’']")

# --- opposite predicates -------------------------------------------------------------------

# Pairs of words that say opposite things of the same subject: "shares rose" / "shares
# fell", "will open three plants" / "will close three plants". Each line: one pole's word
# forms | the other pole's.
_OPPOSITES = """
rise rises rose risen rising | fall falls fell fallen falling
increase increases increased increasing | decrease decreases decreased decreasing
gain gains gained gaining | lose loses lost losing loss losses
jump jumps jumped | drop drops dropped
climb climbs climbed | slide slides slid
surge surges surged | plunge plunges plunged
up | down
higher | lower
more | less fewer
open opens opened opening | close closes closed closing
hire hires hired hiring | fire fires fired firing
win wins won winning victory | lose loses lost losing defeat
approve approves approved approval | reject rejects rejected rejection
accept accepts accepted | refuse refuses refused
support supports supported | oppose opposes opposed
allow allows allowed | ban bans banned
lift lifts lifted | impose imposes imposed
join joins joined | leave leaves left quit quits
buy buys bought | sell sells sold
start starts started | end ends ended
begin begins began begun | stop stops stopped
expand expands expanded | shrink shrinks shrank shrunk
strengthen strengthens strengthened | weaken weakens weakened
boost boosts boosted | cut cuts
acquit acquits acquitted | convict convicts convicted
guilty | innocent
legal | illegal
confirm confirms confirmed | deny denies denied
"""


def _poles_of_words() -> dict[str, frozenset[tuple[int, int]]]:
    """Each word form -> its (pair, side) poles ("lost" is the opposite of "gain" and of
    "win")."""
    poles: dict[str, set[tuple[int, int]]] = {}
    for pair, line in enumerate(_OPPOSITES.strip().splitlines()):
        for side, forms in enumerate(line.split("|")):
            for word in forms.split():
                poles.setdefault(word, set()).add((pair, side))
    return {word: frozenset(found) for word, found in poles.items()}


_POLES_OF = _poles_of_words()


def _poles(tokens: Sequence[str]) -> frozenset[tuple[int, int]]:
    return frozenset(pole for t in tokens for pole in _POLES_OF.get(t, ()))


def _opposite(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    """One sentence holds a pole of a pair that the other lacks, and the other holds only
    the opposite pole ("rose" / "fell"; not "rose, then fell" / "fell")."""
    return any(
        (pair, 1 - side) in mine - theirs
        for mine, theirs in ((b, a), (a, b))
        for pair, side in theirs - mine
    )


def strip_frame(text: str, *, keep_quotation_marks: bool = False) -> str:
    """The asserted content of a sentence without who said it or where the wire filed it.
    Quotation marks and apostrophes go too unless kept (the sentence encoder reads "don't")."""
    stripped = text if keep_quotation_marks else _QUOTES.sub(" ", text)
    for pattern in _FRAMES:
        candidate = pattern.sub(" ", stripped)
        if len(candidate.split()) >= 3:  # never strip a sentence down to nothing
            stripped = candidate
    return " ".join(stripped.split())


# --- parts of a sentence -------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(
    r"[,;:()]|\s(?:that|when|after|because|while|which|but|although|though)\s|\s[\u2013\u2014\u2015]\s|--"
)


@dataclass(frozen=True)
class _Profile:
    """What the features read of one sentence, computed once however many pairs it is in."""

    meaning: np.ndarray
    vector: np.ndarray
    clause_vectors: np.ndarray
    word_vectors: np.ndarray
    terms: frozenset[str]
    numbers: frozenset[float]
    negated: bool
    poles: frozenset[tuple[int, int]]  # the opposite-pair words it holds
    length: int


def _clauses(text: str) -> list[str]:
    parts = [" ".join(p.split()) for p in _CLAUSE_BREAK.split(text)]
    return [p for p in parts if len(p.split()) >= 3] or [text]


def profile_sentences(texts: Sequence[str]) -> list[_Profile]:
    contents = [strip_frame(text) for text in texts]
    whole = embeddings.embed(contents)
    meanings = sentence_encoder.encode([strip_frame(t, keep_quotation_marks=True) for t in texts])
    clause_lists = [_clauses(content) for content in contents]
    clause_vectors = embeddings.embed([c for clauses in clause_lists for c in clauses])
    profiles, start = [], 0
    for row, (content, clauses) in enumerate(zip(contents, clause_lists, strict=True)):
        tokens = raw_tokens(content)
        words = content_words(tokens)
        word_vectors = (
            np.stack([embeddings.word_vector(w) for w in dict.fromkeys(words)])
            if words
            else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
        )
        profiles.append(
            _Profile(
                meaning=meanings[row],
                vector=whole[row],
                clause_vectors=clause_vectors[start : start + len(clauses)],
                word_vectors=word_vectors,
                terms=frozenset(content_terms(words)),
                numbers=frozenset(q.value for q in extract_quantities(content)),
                negated=is_negated(content),
                poles=_poles(tokens),
                length=max(1, len(words)),
            )
        )
        start += len(clauses)
    return profiles


def _alignment(a: np.ndarray, b: np.ndarray) -> float:
    """Mean over both sentences of each word's best cosine to a word of the other."""
    if not len(a) or not len(b):
        return 0.0
    similarity = a @ b.T
    return float((similarity.max(axis=1).mean() + similarity.max(axis=0).mean()) / 2)


def pair_features(a: _Profile, b: _Profile) -> dict[str, float]:
    shared = len(a.terms & b.terms)
    both_count = a.numbers and b.numbers
    return {
        "meaning_similarity": float(a.meaning @ b.meaning),
        "similarity": float(a.vector @ b.vector),
        "clause_similarity": float((a.clause_vectors @ b.clause_vectors.T).max()),
        "alignment": _alignment(a.word_vectors, b.word_vectors),
        "shared_terms": 2 * shared / (len(a.terms) + len(b.terms)) if a.terms or b.terms else 0.0,
        "same_numbers": float(bool(both_count) and a.numbers == b.numbers),
        "different_numbers": float(
            bool(both_count) and not (a.numbers <= b.numbers or b.numbers <= a.numbers)
        ),
        "negation_differs": float(a.negated != b.negated),
        "opposite_predicates": float(_opposite(a.poles, b.poles)),
        "length_ratio": min(a.length, b.length) / max(a.length, b.length),
    }


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchModel:
    weights: dict[str, float]
    bias: float
    threshold: float  # probability at which two sentences are called the same claim

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights[name] * features[name] for name in FEATURES)
        return 1.0 / (1.0 + math.exp(-z))

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """`probability` of each row of a (pairs x FEATURES) matrix."""
        weights = np.array([self.weights[name] for name in FEATURES])
        return 1.0 / (1.0 + np.exp(-(matrix @ weights + self.bias)))

    def contributions(self, features: dict[str, float]) -> dict[str, float]:
        """Each feature's push on the log-odds: the "why" shown beside a link."""
        return {name: round(self.weights[name] * features[name], 3) for name in FEATURES}


@functools.lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> MatchModel:
    stored = json.loads(path.read_text(encoding="utf-8"))
    return MatchModel(weights=stored["weights"], bias=stored["bias"], threshold=stored["threshold"])


@dataclass(frozen=True)
class Match:
    same: bool
    score: float
    features: dict[str, float]


def match_pairs(pairs: Sequence[tuple[str, str]], model: MatchModel | None = None) -> list[Match]:
    """Judge each (a, b) pair; every distinct sentence is profiled once."""
    model = model or load_model()
    texts = list(dict.fromkeys(text for pair in pairs for text in pair))
    profiles = dict(zip(texts, profile_sentences(texts), strict=True))
    results = []
    for a, b in pairs:
        features = pair_features(profiles[a], profiles[b])
        score = model.probability(features)
        results.append(
            Match(
                same=score >= model.threshold,
                score=round(score, 4),
                features={k: round(v, 4) for k, v in features.items()},
            )
        )
    return results
