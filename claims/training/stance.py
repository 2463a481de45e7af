"""Train and evaluate the stance model (claims/extraction/stance.py) on FNC-1.

Protocol: the FNC-1 training split is divided by body id (80/20, fixed seed) so no article
is on both sides; the shipped model is trained on the 80 % part only and scored on the
20 % part with the official FNC-1 weighting. Because FNC-1 pairs the same headlines with
many bodies, `evaluate_unseen_topics` also scores a stricter split where whole topics
(claims and their bodies) are held out. The competition test split is never used.

    python -m claims.training.stance train ../shared/data claims/extraction/models
    python -m claims.training.stance evaluate ../shared/data
    python -m claims.training.stance unseen-topics ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from claims.extraction import stance

SEED = 20150601
HELD_OUT_FRACTION = 0.2
MIN_DOCUMENT_FREQUENCY = 2
STACKING_FOLDS = 5
MODEL_FILE = "stance.npz"


@dataclass(frozen=True)
class Pair:
    claim: str
    body_id: int
    label: str


def load_fnc1(data_root: Path) -> tuple[dict[int, str], list[Pair]]:
    folder = data_root / "fnc1"
    with open(folder / "train_bodies.csv", encoding="utf-8", newline="") as handle:
        bodies = {int(row["Body ID"]): row["articleBody"] for row in csv.DictReader(handle)}
    with open(folder / "train_stances.csv", encoding="utf-8", newline="") as handle:
        pairs = [
            Pair(row["Headline"], int(row["Body ID"]), row["Stance"])
            for row in csv.DictReader(handle)
        ]
    return bodies, pairs


def split_by_body(pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair]]:
    """Hold out a fixed 20 % of body ids; every pair follows its body."""
    body_ids = sorted({p.body_id for p in pairs})
    held_out = _sample(body_ids)
    return (
        [p for p in pairs if p.body_id not in held_out],
        [p for p in pairs if p.body_id in held_out],
    )


def split_by_topic(pairs: Sequence[Pair]) -> tuple[list[Pair], list[Pair]]:
    """Hold out 20 % of topics: groups of claims and bodies linked by related pairs.

    Held-out pairs are those whose body is in a held-out topic, so every related held-out
    pair has a claim never seen in training; training keeps pairs with both sides outside.
    """
    claims = sorted({p.claim for p in pairs})
    body_ids = sorted({p.body_id for p in pairs})
    node = {("claim", c): i for i, c in enumerate(claims)}
    node |= {("body", b): len(claims) + i for i, b in enumerate(body_ids)}
    related = [p for p in pairs if p.label != "unrelated"]
    graph = sparse.coo_matrix(
        (
            np.ones(len(related)),
            ([node["claim", p.claim] for p in related], [node["body", p.body_id] for p in related]),
        ),
        shape=(len(node), len(node)),
    )
    n_topics, topic = connected_components(graph, directed=False)
    held_out = _sample(range(n_topics))
    train = [
        p
        for p in pairs
        if topic[node["body", p.body_id]] not in held_out
        and topic[node["claim", p.claim]] not in held_out
    ]
    return train, [p for p in pairs if topic[node["body", p.body_id]] in held_out]


def _sample(items: Sequence[int]) -> set[int]:
    rng = np.random.default_rng(SEED)
    chosen = rng.choice(
        np.asarray(items), size=round(len(items) * HELD_OUT_FRACTION), replace=False
    )
    return {int(i) for i in chosen}


def fnc1_score(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Official FNC-1 weighted score as a percentage of the best possible score."""
    score = best = 0.0
    for g, p in zip(gold, predicted, strict=True):
        if g == "unrelated":
            best += 0.25
            score += 0.25 if p == "unrelated" else 0.0
        else:
            best += 1.0
            score += (0.25 if p != "unrelated" else 0.0) + (0.75 if p == g else 0.0)
    return 100.0 * score / best


def metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    labels = stance.STANCE_LABELS
    confusion = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        confusion[labels.index(g)][labels.index(p)] += 1
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return {
        "fnc1_score": round(fnc1_score(gold, predicted), 2),
        "accuracy": round(correct / len(gold), 4),
        "class_accuracy": {
            label: round(row[i] / (sum(row) or 1), 4)
            for i, (label, row) in enumerate(zip(labels, confusion, strict=True))
        },
        "confusion_gold_rows_predicted_columns": {
            label: dict(zip(labels, row, strict=True))
            for label, row in zip(labels, confusion, strict=True)
        },
        "pairs": len(gold),
        "anchor_all_unrelated_fnc1_score": round(fnc1_score(gold, ["unrelated"] * len(gold)), 2),
    }


def fit_encoder(texts: Sequence[str]) -> stance.TextEncoder:
    """Vocabulary and smoothed IDF (as scikit-learn computes it) from training texts only."""
    frequency = Counter(
        term for text in texts for term in set(stance.content_terms(stance.raw_tokens(text)))
    )
    vocabulary = sorted(t for t, n in frequency.items() if n >= MIN_DOCUMENT_FREQUENCY)
    idf = np.log((1 + len(texts)) / (1 + np.array([frequency[t] for t in vocabulary]))) + 1
    return stance.TextEncoder(vocabulary, idf)


def featurise(
    encoder: stance.TextEncoder, bodies: dict[int, str], pairs: Sequence[Pair]
) -> tuple[np.ndarray, sparse.csr_matrix]:
    profiles = {i: stance.profile_body(encoder, bodies[i]) for i in {p.body_id for p in pairs}}
    return stance.pair_features(
        encoder,
        stance.profile_claims(encoder, [p.claim for p in pairs]),
        [profiles[p.body_id] for p in pairs],
    )


def _lexical_model() -> LogisticRegression:
    return LogisticRegression(C=1.0, max_iter=2000)


def _tree_model(seed_offset: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=600,
        max_leaf_nodes=31,
        min_samples_leaf=20,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=SEED + seed_offset,
    )


def export_trees(model: HistGradientBoostingClassifier) -> stance.TreeEnsemble:
    """Flatten a fitted model's trees into the arrays the runtime walks (no pickle needed)."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in stance.TreeEnsemble.FIELDS}
    roots = np.zeros((model.n_iter_, model.n_trees_per_iteration_), dtype=np.intp)
    offset = 0
    for iteration, trees in enumerate(model._predictors):
        for output, tree in enumerate(trees):
            nodes = tree.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported by the runtime")
            roots[iteration, output] = offset
            columns["feature"].append(nodes["feature_idx"])
            columns["threshold"].append(nodes["num_threshold"])
            columns["missing_left"].append(nodes["missing_go_to_left"])
            columns["left"].append(nodes["left"].astype(np.intp) + offset)
            columns["right"].append(nodes["right"].astype(np.intp) + offset)
            columns["leaf"].append(nodes["is_leaf"])
            columns["value"].append(nodes["value"])
            offset += len(nodes)
    return stance.TreeEnsemble(
        **{name: np.concatenate(parts) for name, parts in columns.items() if name != "roots"},
        roots=roots,
        baseline=np.asarray(model._baseline_prediction),
    )


def fit_model(bodies: dict[int, str], pairs: Sequence[Pair]) -> stance.StanceModel:
    """Fit encoder, linear text model and both tree stages on `pairs` only, on one core.

    The trees see out-of-fold linear-model probabilities (folds grouped by body), so they
    learn how far to trust the linear model on bodies it has not seen.
    """
    with threadpool_limits(1):
        return _fit_model(bodies, pairs)


def _fit_model(bodies: dict[int, str], pairs: Sequence[Pair]) -> stance.StanceModel:
    body_ids = sorted({p.body_id for p in pairs})
    encoder = fit_encoder([bodies[i] for i in body_ids] + sorted({p.claim for p in pairs}))
    dense, lexical = featurise(encoder, bodies, pairs)
    labels = np.array([stance.STANCE_LABELS.index(p.label) for p in pairs])
    if len(set(labels)) < len(stance.STANCE_LABELS):
        raise ValueError("training pairs must include every stance label")
    groups = np.array([p.body_id for p in pairs])
    out_of_fold = np.zeros((len(pairs), len(stance.STANCE_LABELS)))
    for fit_rows, predict_rows in GroupKFold(n_splits=STACKING_FOLDS).split(dense, labels, groups):
        fold_model = _lexical_model().fit(lexical[fit_rows], labels[fit_rows])
        fold_scores = fold_model.predict_proba(lexical[predict_rows])
        out_of_fold[np.ix_(predict_rows, fold_model.classes_)] = fold_scores
    linear = _lexical_model().fit(lexical, labels)
    inputs = np.hstack([dense, out_of_fold])
    related = labels != stance.STANCE_LABELS.index("unrelated")
    return stance.StanceModel(
        encoder=encoder,
        lexical_coef=linear.coef_,
        lexical_intercept=linear.intercept_,
        relatedness=export_trees(_tree_model(0).fit(inputs, related)),
        stance=export_trees(_tree_model(1).fit(inputs[related], labels[related])),
    )


def score_model(model: stance.StanceModel, bodies: dict[int, str], pairs: Sequence[Pair]) -> dict:
    predicted = model.predict(*featurise(model.encoder, bodies, pairs))
    return metrics([p.label for p in pairs], predicted)


def train(data_root: Path, out_dir: Path) -> dict:
    """Train on the 80 % body split, write `stance.npz` to out_dir, score the other 20 %."""
    started = time.perf_counter()
    bodies, pairs = load_fnc1(data_root)
    train_pairs, held_out = split_by_body(pairs)
    model = fit_model(bodies, train_pairs)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    stance.save_model(model, path)
    with np.load(path, allow_pickle=False) as arrays:
        result = score_model(stance.StanceModel.from_arrays(arrays), bodies, held_out)
    return {
        "split": "FNC-1 train, 80/20 by body id",
        "train_pairs": len(train_pairs),
        **result,
        "model_bytes": path.stat().st_size,
        "train_seconds": round(time.perf_counter() - started, 1),
    }


def evaluate(data_root: Path) -> dict:
    """Score the committed model on the held-out 20 % of bodies, through the runtime API."""
    bodies, pairs = load_fnc1(data_root)
    _, held_out = split_by_body(pairs)
    predicted = stance.classify_stance([(p.claim, bodies[p.body_id]) for p in held_out])
    return {
        "split": "FNC-1 train, 80/20 by body id",
        **metrics([p.label for p in held_out], predicted),
    }


def evaluate_unseen_topics(data_root: Path) -> dict:
    """Retrain on 80 % of topics and score the held-out topics (claims never seen)."""
    bodies, pairs = load_fnc1(data_root)
    train_pairs, held_out = split_by_topic(pairs)
    result = score_model(fit_model(bodies, train_pairs), bodies, held_out)
    return {"split": "FNC-1 train, 80/20 by topic", "train_pairs": len(train_pairs), **result}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("train", "evaluate", "unseen-topics"):
        command = commands.add_parser(name)
        command.add_argument("data_root", type=Path, help="the shared/data folder")
        if name == "train":
            command.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "train":
        result = train(args.data_root, args.out_dir)
    elif args.command == "evaluate":
        result = evaluate(args.data_root)
    else:
        result = evaluate_unseen_topics(args.data_root)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
