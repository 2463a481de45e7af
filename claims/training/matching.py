"""Train and evaluate the same-claim matcher (claims/extraction/matching.py) on the SemEval STS
headlines pairs (2013-2016, graded 0-5; "same" = 4 or more).

Protocol: whole years are held out. Each year is scored by a model (and threshold) fitted on
the other years only, so no event of the scored year was seen in training: the headlines of a
year come from that year's news. The shipped model is fitted on every year. Baselines beside
it: "always same", and word overlap (Dice of content words) with its threshold chosen the same
way.

    python -m claims.training.matching evaluate ../shared/data
    python manage.py train_models --only matching
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from claims.extraction import matching

SAME_GRADE = 4.0
MODEL_FILE = "matching.json"
REGULARISATION = 1.0


@dataclass(frozen=True)
class GradedPair:
    year: int
    grade: float
    a: str
    b: str


def load_sts(data_root: Path) -> list[GradedPair]:
    pairs = []
    for path in sorted((data_root / "sts_headlines").glob("headlines_*.tsv")):
        year = int(path.stem.rsplit("_", 1)[1])
        for line in path.read_text(encoding="utf-8").splitlines():
            grade, _, rest = line.partition("\t")
            a, _, b = rest.partition("\t")
            if grade.strip() and a and b:  # some years leave pairs ungraded
                pairs.append(GradedPair(year, float(grade), a, b))
    return pairs


def feature_matrix(pairs: list[GradedPair]) -> np.ndarray:
    texts = list(dict.fromkeys(t for p in pairs for t in (p.a, p.b)))
    profiles = dict(zip(texts, matching.profile_sentences(texts), strict=True))
    return np.array(
        [
            [matching.pair_features(profiles[p.a], profiles[p.b])[n] for n in matching.FEATURES]
            for p in pairs
        ]
    )


def _fit(features: np.ndarray, same: np.ndarray) -> matching.MatchModel:
    classifier = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(features, same)
    model = matching.MatchModel(
        weights=dict(zip(matching.FEATURES, classifier.coef_[0].tolist(), strict=True)),
        bias=float(classifier.intercept_[0]),
        threshold=0.5,
    )
    scores = model.probabilities(features)
    return matching.MatchModel(model.weights, model.bias, _best_threshold(scores, same))


def _best_threshold(scores: np.ndarray, same: np.ndarray) -> float:
    """The cut with the best accuracy on the fitting data."""
    candidates = np.unique(np.round(scores, 3))
    accuracy = [((scores >= c) == same).mean() for c in candidates]
    return float(candidates[int(np.argmax(accuracy))])


def _scores(predicted: np.ndarray, same: np.ndarray, graded: np.ndarray, grades: np.ndarray):
    true_positive = (predicted & same).sum()
    f1 = 2 * true_positive / (predicted.sum() + same.sum()) if predicted.sum() + same.sum() else 0
    pearson = float(np.corrcoef(graded, grades)[0, 1]) if np.std(graded) > 0 else 0.0
    return {
        "accuracy": round(float((predicted == same).mean()), 4),
        "f1": round(float(f1), 4),
        "pearson": round(pearson, 4),
    }


def evaluate(data_root: Path) -> dict:
    """Leave-one-year-out figures of the matcher and the two baselines."""
    pairs = load_sts(data_root)
    features = feature_matrix(pairs)
    years = np.array([p.year for p in pairs])
    grades = np.array([p.grade for p in pairs])
    same = grades >= SAME_GRADE
    overlap = features[:, matching.FEATURES.index("shared_terms")]
    held_out = {"matcher": [], "word_overlap": [], "always_same": []}
    per_year = {}
    for year in sorted(set(years.tolist())):
        train, test = years != year, years == year
        model = _fit(features[train], same[train])
        scores = model.probabilities(features[test])
        log_odds = np.log(scores / (1 - scores))  # correlates linearly, as a grade would
        cut = _best_threshold(overlap[train], same[train])
        per_year[year] = {
            "pairs": int(test.sum()),
            "matcher": _scores(scores >= model.threshold, same[test], log_odds, grades[test]),
            "word_overlap": _scores(overlap[test] >= cut, same[test], overlap[test], grades[test]),
        }
        held_out["matcher"].append((scores >= model.threshold, log_odds, test))
        held_out["word_overlap"].append((overlap[test] >= cut, overlap[test], test))
        held_out["always_same"].append((np.ones(test.sum(), bool), np.ones(test.sum()), test))
    pooled = {}
    for name, parts in held_out.items():
        predicted = np.concatenate([p for p, _, _ in parts])
        graded = np.concatenate([g for _, g, _ in parts])
        order = np.concatenate([np.flatnonzero(t) for _, _, t in parts])
        pooled[name] = _scores(predicted, same[order], graded, grades[order])
    return {"pairs": len(pairs), "same_share": round(float(same.mean()), 4), "pooled": pooled,
            "per_year": per_year}  # fmt: skip


def train(data_root: Path, out_dir: Path) -> dict:
    pairs = load_sts(data_root)
    features = feature_matrix(pairs)
    same = np.array([p.grade >= SAME_GRADE for p in pairs])
    model = _fit(features, same)
    out_dir.mkdir(parents=True, exist_ok=True)
    stored = {
        "about": "same-claim matcher: logistic model over claims.extraction.matching.FEATURES,"
        " fitted on SemEval STS headlines 2013-2016 (same = grade >= 4);"
        " reproduce with `manage.py train_models --only matching`",
        "weights": {k: round(v, 6) for k, v in model.weights.items()},
        "bias": round(model.bias, 6),
        "threshold": model.threshold,
    }
    (out_dir / MODEL_FILE).write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    matching.load_model.cache_clear()
    return {"pairs": len(pairs), "threshold": model.threshold}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["train", "evaluate"])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path, nargs="?", default=Path(matching.MODEL_PATH).parent)
    args = parser.parse_args()
    if args.action == "train":
        print(json.dumps(train(args.data, args.out)))
    else:
        print(json.dumps(evaluate(args.data), indent=2))
