"""Stance of an article body towards a claim: agree, disagree, discuss or unrelated.

Trained on FNC-1 (see claims/training/stance.py). A pair goes through two boosted-tree
stages: "is the body about the claim at all?" (lexical and TF-IDF similarity), then
"does it agree, disagree or merely discuss?" (refuting/hedging cues in the sentences closest
to the claim, plus a linear text model). Body-side work is cached per body text, because
the common case is many claims checked against the same article.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

STANCE_LABELS: tuple[str, ...] = ("agree", "disagree", "discuss", "unrelated")
RELATED_LABELS: tuple[str, ...] = STANCE_LABELS[:3]
MODEL_PATH = Path(__file__).parent / "models" / "stance.npz"

LEAD_SENTENCES = 3


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Cue words; matched on lower-cased raw tokens (not stemmed) so "not" and "no" survive.
REFUTING_WORDS = _word_set(
    "fake fraud hoax false deny denies denied denying not despite nope doubt doubts bogus "
    "debunk debunked debunks debunking prank pranks retract retracted retraction rumor rumors "
    "rumour rumours untrue misleading satire satirical never no refute refuted refutes dismiss "
    "dismissed dismisses unfounded baseless wrong myth fabricated fiction nonsense parody "
    "incorrect contrary disputed dispute disputes neither nor"
)
HEDGING_WORDS = _word_set(
    "allegedly reportedly reported claims claimed claim alleged apparently rumored rumoured "
    "unconfirmed may might could possibly suggest suggests suggested appears appear purportedly "
    "according sources unverified believed speculation speculated speculate perhaps supposedly "
    "if whether report reports unclear unknown likely unlikely seems seemingly"
)
AFFIRMING_WORDS = _word_set(
    "confirmed confirms confirm confirmation official officially announced announces true "
    "indeed verified revealed reveals proved proven actually finally admitted admits "
    "acknowledged"
)
_CUE_SETS = (REFUTING_WORDS, HEDGING_WORDS, AFFIRMING_WORDS)
_CUE_OF = {word: i for i, cues in reversed(list(enumerate(_CUE_SETS))) for word in cues}

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n+")
_STOP_WORDS = ENGLISH_STOP_WORDS - REFUTING_WORDS


def raw_tokens(text: str) -> list[str]:
    """Lower-cased word tokens with curly apostrophes folded, so "didn’t" == "didn't"."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))


@functools.lru_cache(maxsize=2**16)
def _stem(token: str) -> str:
    """A crude suffix stripper: enough to match "withdraws"/"withdrawn"/"withdrawing"."""
    if token.endswith("'s"):
        token = token[:-2]
    for suffix in ("ing", "ed", "es", "s", "n"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 4 and not token.endswith("ss"):
            return token[: -len(suffix)]
    return token


def content_words(tokens: Sequence[str]) -> list[str]:
    """The tokens that carry content: no stop words, no single letters."""
    return [t for t in tokens if t not in _STOP_WORDS and len(t) > 1]


def content_terms(tokens: Sequence[str]) -> list[str]:
    """Stemmed non-stop-word tokens: the vocabulary of the similarity features."""
    return [_stem(t) for t in content_words(tokens)]


def sentences(text: str) -> list[str]:
    found = [s for s in (part.strip() for part in _SENTENCE_BREAK.split(text)) if s]
    return found or [text]


def _cue_counts(tokens: Sequence[str]) -> np.ndarray:
    counts = np.zeros(len(_CUE_SETS))
    for token in tokens:
        cue = _CUE_OF.get(token)
        if cue is not None:
            counts[cue] += 1
        elif token.endswith("n't"):
            counts[0] += 1
    return counts


class TextEncoder:
    """Maps content terms to L2-normalised TF-IDF rows over a fixed training vocabulary."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        self.vocabulary = tuple(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self._index = {term: i for i, term in enumerate(self.vocabulary)}
        self._unknown_idf = float(self.idf.max()) if len(self.idf) else 1.0

    def words(self, term_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        for terms in term_lists:
            indices.extend(self._index[t] for t in terms if t in self._index)
            indptr.append(len(indices))
        counts = sparse.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(len(term_lists), len(self.vocabulary))
        )
        counts.sum_duplicates()
        counts.data *= self.idf[counts.indices]
        return normalize(counts)

    def term_idf(self, term: str) -> float:
        """IDF of a term; unseen terms count as the rarest, since they are the most specific."""
        index = self._index.get(term)
        return float(self.idf[index]) if index is not None else self._unknown_idf


_CUE_NAMES = ("refuting", "hedging", "affirming")


@dataclass(frozen=True)
class BodyProfile:
    """Everything about a body that does not depend on the claim."""

    terms: frozenset[str]
    lead_terms: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    vectors: sparse.csr_matrix  # rows: whole body, lead sentences
    sentence_vectors: sparse.csr_matrix
    sentence_cues: np.ndarray  # (n_sentences, 3) counts of refuting, hedging, affirming words
    cue_rates: np.ndarray
    length: int
    question_marks: int


@dataclass(frozen=True)
class ClaimBatch:
    terms: list[list[str]]
    vectors: sparse.csr_matrix
    cues: np.ndarray
    questions: np.ndarray


def profile_body(encoder: TextEncoder, body: str) -> BodyProfile:
    parts = sentences(body)
    part_tokens = [raw_tokens(p) for p in parts]
    part_terms = [content_terms(t) for t in part_tokens]
    all_terms = [term for terms in part_terms for term in terms]
    lead_terms = [term for terms in part_terms[:LEAD_SENTENCES] for term in terms]
    vectors = encoder.words([all_terms, lead_terms, *part_terms])
    n_tokens = sum(len(t) for t in part_tokens)
    cues = np.vstack([_cue_counts(t) for t in part_tokens])
    return BodyProfile(
        terms=frozenset(all_terms),
        lead_terms=frozenset(lead_terms),
        bigrams=frozenset(b for terms in part_terms for b in zip(terms, terms[1:], strict=False)),
        vectors=vectors[:2],
        sentence_vectors=vectors[2:],
        sentence_cues=cues,
        cue_rates=cues.sum(axis=0) * 100.0 / max(n_tokens, 1),
        length=n_tokens,
        question_marks=body.count("?"),
    )


def profile_claims(encoder: TextEncoder, claims: Sequence[str]) -> ClaimBatch:
    """Profiles each distinct claim once; rows follow `claims`, repeats included."""
    distinct = list(dict.fromkeys(claims))
    position = {c: i for i, c in enumerate(distinct)}
    rows = np.array([position[c] for c in claims], dtype=np.intp)
    tokens = [raw_tokens(c) for c in distinct]
    terms = [content_terms(t) for t in tokens]
    return ClaimBatch(
        terms=[terms[i] for i in rows],
        vectors=encoder.words(terms)[rows],
        cues=np.vstack([_cue_counts(t) for t in tokens]).reshape(len(distinct), 3)[rows],
        questions=np.array(["?" in c for c in distinct], dtype=np.float64)[rows],
    )


PAIR_FEATURE_NAMES: tuple[str, ...] = (
    "cos_word",
    "cos_lead",
    "sentence_max",
    "sentence_top3",
    "overlap",
    "overlap_idf",
    "overlap_lead",
    "overlap_bigram",
    "shared_terms",
    "claim_terms",
    "log_body_length",
    "claim_question",
    "body_question_marks",
    "claim_polarity",
    "body_polarity",
    *(f"claim_{cue}" for cue in _CUE_NAMES),
    *(f"body_{cue}_rate" for cue in _CUE_NAMES),
    *(f"near_{cue}" for cue in _CUE_NAMES),
    *(f"top3_{cue}" for cue in _CUE_NAMES),
    *(f"max_sim_{cue}" for cue in _CUE_NAMES),
)


def pair_features(
    encoder: TextEncoder, claims: ClaimBatch, bodies: Sequence[BodyProfile]
) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Features of claim i vs bodies[i]: dense columns in PAIR_FEATURE_NAMES order, and the
    sparse input of the linear text model: body terms and the terms claim and body share.
    Claim-only terms are left out on purpose: with them the model memorises FNC-1's claims
    and scores worse on unseen topics (docs/quality_stance.md).

    Sentence-level work is done once per distinct body for all the claims paired with it.
    """
    n = len(bodies)
    columns: dict[str, np.ndarray] = {}
    distinct: dict[int, int] = {}
    body_rows = np.array([distinct.setdefault(id(b), len(distinct)) for b in bodies])
    unique_bodies = list({id(b): b for b in bodies}.values())
    body_vectors = sparse.vstack([b.vectors[0] for b in unique_bodies], format="csr")[body_rows]
    lead_vectors = sparse.vstack([b.vectors[1] for b in unique_bodies], format="csr")[body_rows]
    columns["cos_word"] = _row_dot(claims.vectors, body_vectors)
    columns["cos_lead"] = _row_dot(claims.vectors, lead_vectors)
    for name, values in _term_overlaps(encoder, claims.terms, bodies).items():
        columns[name] = values
    columns["log_body_length"] = np.log1p([b.length for b in bodies])
    columns["claim_question"] = claims.questions
    columns["body_question_marks"] = np.array([b.question_marks for b in bodies], dtype=float)
    columns["claim_polarity"] = claims.cues[:, 0] % 2
    columns["body_polarity"] = np.array([b.sentence_cues[:, 0].sum() % 2 for b in bodies])
    sentence = _sentence_features(claims.vectors, body_rows, unique_bodies)
    body_rates = np.vstack([b.cue_rates for b in bodies])
    for j, cue in enumerate(_CUE_NAMES):
        columns[f"claim_{cue}"] = claims.cues[:, j]
        columns[f"body_{cue}_rate"] = body_rates[:, j]
    columns.update(sentence)
    dense = np.column_stack([columns[name] for name in PAIR_FEATURE_NAMES]).reshape(n, -1)
    lexical = sparse.hstack([body_vectors, claims.vectors.multiply(body_vectors)], format="csr")
    return dense, lexical


def _row_dot(left: sparse.csr_matrix, right: sparse.csr_matrix) -> np.ndarray:
    return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def _term_overlaps(
    encoder: TextEncoder, claim_terms: Sequence[Sequence[str]], bodies: Sequence[BodyProfile]
) -> dict[str, np.ndarray]:
    rows = []
    for terms, body in zip(claim_terms, bodies, strict=True):
        distinct = set(terms)
        shared = distinct & body.terms
        bigrams = set(zip(terms, terms[1:], strict=False))
        idf_total = math.fsum(encoder.term_idf(t) for t in distinct) or 1.0
        n_terms = max(len(distinct), 1)
        rows.append(
            (
                len(shared) / n_terms,
                math.fsum(encoder.term_idf(t) for t in shared) / idf_total,
                len(distinct & body.lead_terms) / n_terms,
                len(bigrams & body.bigrams) / max(len(bigrams), 1),
                len(shared),
                len(distinct),
            )
        )
    values = np.array(rows, dtype=np.float64).reshape(len(rows), 6)
    names = (
        "overlap",
        "overlap_idf",
        "overlap_lead",
        "overlap_bigram",
        "shared_terms",
        "claim_terms",
    )
    return {name: values[:, i] for i, name in enumerate(names)}


def _sentence_features(
    claim_vectors: sparse.csr_matrix, body_rows: np.ndarray, unique_bodies: Sequence[BodyProfile]
) -> dict[str, np.ndarray]:
    """How close the claim comes to the body's sentences, and which cues those sentences carry.

    Every (pair, sentence of its body) combination is one row, so the whole batch is scored
    with a few array operations; per-pair results are reductions over each pair's segment.
    """
    n = len(body_rows)
    counts = np.array([b.sentence_vectors.shape[0] for b in unique_bodies])
    first_sentence = np.cumsum(counts) - counts
    per_pair = counts[body_rows]
    segment = np.cumsum(per_pair) - per_pair
    pair_of = np.repeat(np.arange(n), per_pair)
    sentence_of = first_sentence[body_rows][pair_of] + np.arange(per_pair.sum()) - segment[pair_of]
    all_sentences = sparse.vstack([b.sentence_vectors for b in unique_bodies], format="csr")
    cues = np.vstack([b.sentence_cues for b in unique_bodies])[sentence_of]
    sims = _row_dot(all_sentences[sentence_of], claim_vectors[pair_of])
    totals = np.add.reduceat(sims, segment)
    weights = sims / np.where(totals > 0, totals, 1.0)[pair_of]
    order = np.lexsort((-sims, pair_of))  # by pair, then most similar first (ties: text order)
    top = order[np.arange(len(order)) - segment[pair_of[order]] < 3]
    top_cues = np.zeros((n, 3))
    np.add.at(top_cues, pair_of[top], cues[top])
    near = np.add.reduceat(weights[:, None] * cues, segment, axis=0)
    max_sim_cue = np.maximum.reduceat(sims[:, None] * (cues > 0), segment, axis=0)
    columns = {
        "sentence_max": np.maximum.reduceat(sims, segment),
        "sentence_top3": np.bincount(pair_of[top], sims[top], n) / np.minimum(per_pair, 3),
    }
    for j, cue in enumerate(_CUE_NAMES):
        columns[f"near_{cue}"] = near[:, j]
        columns[f"top3_{cue}"] = top_cues[:, j]
        columns[f"max_sim_{cue}"] = max_sim_cue[:, j]
    return columns


class TreeEnsemble:
    """Boosted trees (exported from HistGradientBoostingClassifier) as flat node arrays.

    Stored as plain arrays so the model file needs no pickle; all trees are walked together,
    one numpy step per tree level.
    """

    FIELDS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value", "roots")

    def __init__(
        self,
        *,
        feature: np.ndarray,
        threshold: np.ndarray,
        missing_left: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        leaf: np.ndarray,
        value: np.ndarray,
        roots: np.ndarray,
        baseline: np.ndarray,
    ) -> None:
        self.feature = feature.astype(np.intp)
        self.threshold = threshold.astype(np.float64)
        self.missing_left = missing_left.astype(bool)
        self.left = left.astype(np.intp)
        self.right = right.astype(np.intp)
        self.leaf = leaf.astype(bool)
        self.value = value.astype(np.float64)
        self.roots = roots.astype(np.intp)  # (iterations, outputs)
        self.baseline = baseline.astype(np.float64).ravel()

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        fields = {name: getattr(self, name) for name in (*self.FIELDS, "baseline")}
        return {f"{prefix}_{name}": value for name, value in fields.items()}

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> TreeEnsemble:
        return cls(**{name: arrays[f"{prefix}_{name}"] for name in (*cls.FIELDS, "baseline")})

    def raw_scores(self, x: np.ndarray) -> np.ndarray:
        """Sum of leaf values per output; only the (row, tree) walks not yet at a leaf move."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        iterations, outputs = self.roots.shape
        nodes = np.tile(self.roots.ravel(), len(x))
        cell_offset = np.repeat(np.arange(len(x)) * x.shape[1], self.roots.size)
        walking = np.flatnonzero(~self.leaf[nodes])
        has_missing = bool(np.isnan(x).any())
        while walking.size:
            at = nodes[walking]
            values = x.ravel()[cell_offset[walking] + self.feature[at]]
            go_left = values <= self.threshold[at]
            if has_missing:
                go_left = np.where(np.isnan(values), self.missing_left[at], go_left)
            at = np.where(go_left, self.left[at], self.right[at])
            nodes[walking] = at
            walking = walking[~self.leaf[at]]
        totals = self.value[nodes].reshape(len(x), iterations, outputs).sum(axis=1)
        return totals + self.baseline

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, columns in the order of the classes the trees were fit on."""
        raw = self.raw_scores(x)
        if raw.shape[1] == 1:
            positive = 1.0 / (1.0 + np.exp(-raw[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        return _softmax(raw)


def _softmax(raw: np.ndarray) -> np.ndarray:
    shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class StanceModel:
    """Text encoder, linear text model and the two tree stages, as trained together.

    The linear model scores all four labels; its probabilities are extra inputs to the trees.
    `relatedness` separates unrelated from related; `stance` (fit on related pairs only)
    picks agree, disagree or discuss.
    """

    encoder: TextEncoder
    lexical_coef: np.ndarray  # (labels, features)
    lexical_intercept: np.ndarray
    relatedness: TreeEnsemble
    stance: TreeEnsemble
    related_threshold: float = 0.5

    def tree_inputs(self, dense: np.ndarray, lexical: sparse.csr_matrix) -> np.ndarray:
        lexical_scores = _softmax(lexical @ self.lexical_coef.T + self.lexical_intercept)
        return np.hstack([dense, lexical_scores])

    def predict(self, dense: np.ndarray, lexical: sparse.csr_matrix) -> list[str]:
        inputs = self.tree_inputs(dense, lexical)
        related = self.relatedness.probabilities(inputs)[:, 1] > self.related_threshold
        labels = np.full(len(inputs), "unrelated", dtype=object)
        if related.any():
            which = self.stance.probabilities(inputs[related]).argmax(axis=1)
            labels[related] = np.asarray(RELATED_LABELS, dtype=object)[which]
        return labels.tolist()

    def arrays(self) -> dict[str, np.ndarray]:
        vocabulary = "\n".join(self.encoder.vocabulary).encode("utf-8")
        return {
            "format_version": np.array(FORMAT_VERSION),
            "vocabulary_utf8": np.frombuffer(vocabulary, dtype=np.uint8),
            "idf": self.encoder.idf.astype(np.float32),
            "lexical_coef": self.lexical_coef.astype(np.float32),
            "lexical_intercept": self.lexical_intercept.astype(np.float64),
            "related_threshold": np.array(self.related_threshold),
            **self.relatedness.arrays("relatedness"),
            **self.stance.arrays("stance"),
        }

    @classmethod
    def from_arrays(cls, arrays) -> StanceModel:
        if int(arrays["format_version"]) != FORMAT_VERSION:
            raise ValueError(f"stance model format {int(arrays['format_version'])} unsupported")
        vocabulary = arrays["vocabulary_utf8"].tobytes().decode("utf-8").split("\n")
        return cls(
            encoder=TextEncoder(vocabulary, arrays["idf"]),
            lexical_coef=arrays["lexical_coef"].astype(np.float64),
            lexical_intercept=arrays["lexical_intercept"],
            relatedness=TreeEnsemble.from_arrays(arrays, "relatedness"),
            stance=TreeEnsemble.from_arrays(arrays, "stance"),
            related_threshold=float(arrays["related_threshold"]),
        )


FORMAT_VERSION = 1


def save_model(model: StanceModel, path: Path) -> None:
    np.savez_compressed(path, **model.arrays())


@functools.cache
def load_model(path: Path = MODEL_PATH) -> StanceModel:
    """The model is read once per process; every later call returns the same object."""
    with np.load(path, allow_pickle=False) as arrays:
        return StanceModel.from_arrays(arrays)


@functools.lru_cache(maxsize=512)
def _body_profile(body: str) -> BodyProfile:
    return profile_body(load_model().encoder, body)


def classify_stance(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Stance label for each (claim, body) pair, in order. Bodies repeated across pairs
    are profiled once (and across calls, up to a cache of 512): looking each pair's body up
    in the cache alone would profile every pair again once a call holds more than 512
    bodies, as re-clustering a dossier of more articles does."""
    if not pairs:
        return []
    model = load_model()
    claims = profile_claims(model.encoder, [claim for claim, _ in pairs])
    profiles = {body: _body_profile(body) for body in dict.fromkeys(body for _, body in pairs)}
    bodies = [profiles[body] for _, body in pairs]
    return model.predict(*pair_features(model.encoder, claims, bodies))
