"""Check-worthiness: how much a sentence deserves a fact-check, as a score in [0, 1].

A linear model over TF-IDF word n-grams and a few hand-written cues (numbers, statistics
words, comparatives, named-entity-like capitals, first-person opinions, greetings).
It is trained on political debate transcripts (CLEF-2019 CheckThat! Task 1) but must also
score news-article sentences, so it never uses who the speaker is; the speaker only tells
whether a line is an audience reaction rather than speech.

The score is calibrated on held-out debates as if check-worthy and other sentences were
equally common: 0.5 means the wording is as typical of one class as of the other. Fact-checkers
picked only 2.7% of debate sentences; for the probability at a base rate p, multiply the odds
score / (1 - score) by p / (1 - p). Within a document, the order is what carries meaning.
"""

from __future__ import annotations

import functools
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer

MODEL_PATH = Path(__file__).parent / "models" / "checkworthiness.npz"
MODEL_VERSION = "checkworthiness-1"

NON_SPEECH_SPEAKERS = frozenset({"SYSTEM", "AUDIENCE"})

_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*")
_NUMBER = re.compile(r"\d[\d,.]*")
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|'\d0s\b")
_PERCENT = re.compile(r"%|\bper ?cent(?:age)?\b", re.I)
_MONEY = re.compile(
    r"[$£€]|\b(?:dollars?|euros?|pounds?|cents?|billions?|millions?|trillions?)\b", re.I
)
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|half|third"
    r"|quarter|double[ds]?|tripled?|twice|times)\b",
    re.I,
)
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|most|least|higher|lower|highest|lowest|largest|biggest|smallest"
    r"|worst|best|greatest|record|ever|since|than|increased?|increases|decreased?|decreases"
    r"|rose|risen|fell|fallen|dropped|grew|grown|cut|raised|lost|gained)\b",
    re.I,
)
_SUPERLATIVE = re.compile(r"\b[a-z]{3,}est\b", re.I)
_STATISTIC = re.compile(
    r"\b(?:rates?|unemployment|jobs?|tax(?:es)?|deficit|debt|budget|average|economy|gdp"
    r"|wages?|incomes?|crime|murders?|killed|deaths?|votes?|voted|polls?|trade|spending"
    r"|spent|costs?|funding|laws?|bills?|deals?|illegal|immigrants?|refugees?|reports?"
    r"|study|data|statistics|numbers?|population|country|countries|nation|states?|federal"
    r"|government|million|billion)\b",
    re.I,
)
_PAST_TENSE = re.compile(
    r"\b[a-z]{3,}ed\b|\b(?:was|were|had|did|said|made|gave|took|came|went|got|paid|sold|built"
    r"|left|told|knew|became|began|brought|bought|won|ran|wrote|saw|sent|led|held|passed"
    r"|signed)\b",
    re.I,
)
_FIRST_SECOND_PERSON = re.compile(
    r"\b(?:i|i'm|i’m|i've|i’ve|i'll|i’ll|me|my|you|your|you're|you’re)\b", re.I
)
_OPINION_OR_INTENT = re.compile(
    r"\b(?:think|believe|feel|hope|want|wish|love|like|going to|gonna|will|would|should"
    r"|could|must|need|let's|let’s|maybe|perhaps|probably)\b",
    re.I,
)
_COURTESY = re.compile(
    r"\b(?:thank|thanks|welcome|hello|good (?:evening|morning|night)|congratulations"
    r"|applause|laughter|crosstalk|ladies and gentlemen|god bless|okay|yeah|yes|wow|please)\b",
    re.I,
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|according to|reported|announced|admitted|claimed|voted|supported"
    r"|opposed)\b",
    re.I,
)
_INNER_CAPITALISED = re.compile(r"(?<=\s)[A-Z][a-z]+")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_NEGATION = re.compile(r"\b(?:not|never|no|nothing|none)\b|n['’]t\b", re.I)
_STAGE_DIRECTION = re.compile(r"^\s*\(.*\)\s*$")

CUE_NAMES = (
    "log_tokens",
    "very_short",
    "long",
    "has_digit",
    "numbers",
    "year",
    "percent",
    "money",
    "number_words",
    "comparisons",
    "superlatives",
    "statistics_words",
    "past_tense",
    "first_second_person",
    "opinion_or_intent",
    "courtesy",
    "attribution",
    "inner_capitalised",
    "acronyms",
    "negation",
    "question",
    "exclamation",
    "non_speech",
    "broken_off",
)


def normalise(text: str) -> str:
    """Lower-case and map every digit to 0, so "4.1 percent" and "7.9 percent" share n-grams."""
    return _DIGIT.sub("0", text.lower())


def sentence_cues(text: str, speaker: str | None = None) -> list[float]:
    """The hand-written cues of one sentence, in the order of CUE_NAMES."""
    n_tokens = len(_TOKEN.findall(text))

    def count(pattern: re.Pattern[str]) -> float:
        return math.log1p(len(pattern.findall(text)))

    stripped = text.strip()
    non_speech = (speaker or "").strip().upper() in NON_SPEECH_SPEAKERS or bool(
        _STAGE_DIRECTION.match(stripped)
    )
    return [
        math.log1p(n_tokens),
        float(n_tokens <= 4),
        float(n_tokens >= 25),
        float(bool(_DIGIT.search(text))),
        count(_NUMBER),
        float(bool(_YEAR.search(text))),
        float(bool(_PERCENT.search(text))),
        count(_MONEY),
        count(_NUMBER_WORD),
        count(_COMPARISON),
        count(_SUPERLATIVE),
        count(_STATISTIC),
        count(_PAST_TENSE),
        count(_FIRST_SECOND_PERSON),
        count(_OPINION_OR_INTENT),
        count(_COURTESY),
        count(_ATTRIBUTION),
        count(_INNER_CAPITALISED),
        count(_ACRONYM),
        count(_NEGATION),
        float(stripped.endswith("?")),
        float("!" in text),
        float(non_speech),
        float(stripped.endswith(("--", "...", "…", "-"))),
    ]


def cue_matrix(sentences: Sequence[str], speakers: Sequence[str | None]) -> np.ndarray:
    return np.array(
        [sentence_cues(text, speaker) for text, speaker in zip(sentences, speakers, strict=True)],
        dtype=np.float64,
    ).reshape(len(sentences), len(CUE_NAMES))


WORD_NGRAMS = {"preprocessor": normalise, "ngram_range": (1, 2), "sublinear_tf": True}


@dataclass(frozen=True)
class CheckworthinessModel:
    """A fitted model: vectoriser state, cue scaling, linear weights and calibration."""

    words: TfidfVectorizer
    cue_mean: np.ndarray
    cue_scale: np.ndarray
    cue_weight: float
    coef: np.ndarray
    intercept: float
    calibration: tuple[float, float]

    def features(
        self, sentences: Sequence[str], speakers: Sequence[str | None]
    ) -> sparse.csr_matrix:
        cues = (cue_matrix(sentences, speakers) - self.cue_mean) / self.cue_scale
        return sparse.hstack(
            [self.words.transform(sentences), sparse.csr_matrix(cues * self.cue_weight)]
        ).tocsr()

    def decision(self, sentences: Sequence[str], speakers: Sequence[str | None]) -> np.ndarray:
        return self.features(sentences, speakers) @ self.coef + self.intercept

    def probability(self, sentences: Sequence[str], speakers: Sequence[str | None]) -> np.ndarray:
        slope, offset = self.calibration
        return expit(slope * self.decision(sentences, speakers) + offset)

    def save(self, path: Path) -> None:
        """Write an .npz archive (no pickle) with fixed timestamps, so retraining is byte-stable."""
        vocabulary = "\n".join(self.words.get_feature_names_out())
        arrays = {
            "version": np.array(MODEL_VERSION),
            "vocabulary": np.frombuffer(vocabulary.encode("utf-8"), dtype=np.uint8),
            "idf": self.words.idf_.astype(np.float32),
            "cue_names": np.array(CUE_NAMES),
            "cue_mean": self.cue_mean,
            "cue_scale": self.cue_scale,
            "cue_weight": np.array(self.cue_weight),
            "coef": self.coef.astype(np.float32),
            "intercept": np.array(self.intercept),
            "calibration": np.array(self.calibration),
        }
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(entry, "w") as handle:
                    np.lib.format.write_array(handle, array, allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> CheckworthinessModel:
        with np.load(path, allow_pickle=False) as stored:
            if str(stored["version"]) != MODEL_VERSION or tuple(stored["cue_names"]) != CUE_NAMES:
                raise ValueError(f"{path} was trained for another feature set; retrain it")
            terms = stored["vocabulary"].tobytes().decode("utf-8").split("\n")
            words = TfidfVectorizer(**WORD_NGRAMS, vocabulary={t: i for i, t in enumerate(terms)})
            words.idf_ = stored["idf"].astype(np.float64)
            return cls(
                words=words,
                cue_mean=stored["cue_mean"],
                cue_scale=stored["cue_scale"],
                cue_weight=float(stored["cue_weight"]),
                coef=stored["coef"].astype(np.float64),
                intercept=float(stored["intercept"]),
                calibration=tuple(float(v) for v in stored["calibration"]),
            )


@functools.cache
def load_model() -> CheckworthinessModel:
    """The committed model, read once per process."""
    return CheckworthinessModel.load(MODEL_PATH)


def score_checkworthiness(
    sentences: Sequence[str],
    *,
    speakers: Sequence[str | None] | None = None,
    contexts: Sequence[str | None] | None = None,
) -> list[float]:
    """Score each sentence's check-worthiness in [0, 1]; higher means check it first.

    `contexts` (the text just before each sentence) is accepted so callers need not change
    when a model uses it; the shipped model does not: the previous sentence's cues and words
    moved cross-validated MAP by less than its noise (docs/quality_checkworthiness.md).
    """
    speakers = speakers if speakers is not None else [None] * len(sentences)
    for name, values in (("speakers", speakers), ("contexts", contexts)):
        if values is not None and len(values) != len(sentences):
            raise ValueError(f"{name} must have one entry per sentence")
    if not sentences:
        return []
    return load_model().probability(list(sentences), list(speakers)).tolist()
