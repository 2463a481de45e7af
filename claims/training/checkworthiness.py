"""Train and evaluate the check-worthiness model on CLEF-2019 CheckThat! Task 1 (training split).

Protocol: leave-one-document-out over the 19 transcripts. Every transcript's sentences are
scored by a model that never saw that transcript, then ranked within it, as the task ranks
them; MAP, R-Precision and P@10 are averaged over transcripts. The same held-out scores
calibrate the final model's scores (Platt scaling with balanced classes).

    python -m claims.training.checkworthiness [DATA_ROOT] [--evaluate-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from claims.extraction.checkworthiness import (
    MODEL_PATH,
    WORD_NGRAMS,
    CheckworthinessModel,
    cue_matrix,
)

DATASET = Path("checkworthy") / "clef2019_task1_en" / "train"
MIN_DOCUMENT_FREQUENCY = 2
CUE_WEIGHT = 0.05
REGULARISATION_C = 0.3


@dataclass(frozen=True)
class Transcript:
    name: str
    speakers: list[str]
    sentences: list[str]
    labels: np.ndarray


def read_transcripts(data_root: Path) -> list[Transcript]:
    """The 19 training transcripts, in file-name order (TSV: line, speaker, text, label)."""
    folder = data_root / DATASET
    files = sorted(folder.glob("*.tsv"))
    if not files:
        raise FileNotFoundError(f"no transcripts in {folder}")
    transcripts = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        transcripts.append(
            Transcript(
                name=path.stem,
                speakers=[row[1] for row in rows],
                sentences=[row[2] for row in rows],
                labels=np.array([int(row[3]) for row in rows]),
            )
        )
    return transcripts


def fit_model(
    transcripts: Sequence[Transcript], calibration: tuple[float, float] = (1.0, 0.0)
) -> CheckworthinessModel:
    sentences = [s for t in transcripts for s in t.sentences]
    speakers = [s for t in transcripts for s in t.speakers]
    labels = np.concatenate([t.labels for t in transcripts])
    words = TfidfVectorizer(**WORD_NGRAMS, min_df=MIN_DOCUMENT_FREQUENCY).fit(sentences)
    cues = cue_matrix(sentences, speakers)
    scale = cues.std(axis=0)
    unscored = CheckworthinessModel(
        words=words,
        cue_mean=cues.mean(axis=0),
        cue_scale=np.where(scale > 0, scale, 1.0),
        cue_weight=CUE_WEIGHT,
        coef=np.zeros(0),
        intercept=0.0,
        calibration=calibration,
    )
    # Balanced weights: 2.7% positives would otherwise pull every weight towards "no".
    classifier = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=5000)
    classifier.fit(unscored.features(sentences, speakers), labels)
    return replace(
        unscored, coef=classifier.coef_.ravel(), intercept=float(classifier.intercept_[0])
    )


def held_out_decisions(transcripts: Sequence[Transcript]) -> list[np.ndarray]:
    """Each transcript's decision values from a model trained on all the other transcripts."""
    decisions = []
    for index, held_out in enumerate(transcripts):
        model = fit_model([t for i, t in enumerate(transcripts) if i != index])
        decisions.append(model.decision(held_out.sentences, held_out.speakers))
    return decisions


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    ranked = labels[np.argsort(-scores, kind="stable")]
    hit_ranks = np.flatnonzero(ranked) + 1
    if not len(hit_ranks):
        return 0.0
    return float(np.mean(np.arange(1, len(hit_ranks) + 1) / hit_ranks))


def precision_at(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    return float(labels[np.argsort(-scores, kind="stable")][:k].sum() / k)


def ranking_metrics(transcripts: Sequence[Transcript], decisions: Sequence[np.ndarray]) -> dict:
    per_document = {
        t.name: {
            "average_precision": average_precision(t.labels, d),
            "r_precision": precision_at(t.labels, d, int(t.labels.sum())),
            "precision_at_10": precision_at(t.labels, d, 10),
        }
        for t, d in zip(transcripts, decisions, strict=True)
    }
    return {
        "protocol": "leave-one-document-out",
        "documents": len(transcripts),
        "sentences": sum(len(t.sentences) for t in transcripts),
        "map": _mean(per_document, "average_precision"),
        "r_precision": _mean(per_document, "r_precision"),
        "precision_at_10": _mean(per_document, "precision_at_10"),
        "per_document": per_document,
    }


def _mean(per_document: dict, key: str) -> float:
    return float(np.mean([scores[key] for scores in per_document.values()]))


def platt_calibration(
    transcripts: Sequence[Transcript], decisions: Sequence[np.ndarray]
) -> tuple[float, float]:
    """Slope and offset turning held-out decision values into equal-prior probabilities."""
    values = np.concatenate(decisions).reshape(-1, 1)
    labels = np.concatenate([t.labels for t in transcripts])
    calibrator = LogisticRegression(C=1e6, class_weight="balanced").fit(values, labels)
    return float(calibrator.coef_[0, 0]), float(calibrator.intercept_[0])


def evaluate(data_root: Path) -> dict:
    """Leave-one-document-out MAP, R-Precision and P@10 over the 19 transcripts."""
    transcripts = read_transcripts(data_root)
    return ranking_metrics(transcripts, held_out_decisions(transcripts))


def train(data_root: Path, out_dir: Path) -> dict:
    """Fit on all 19 transcripts, write checkworthiness.npz to out_dir, return CV metrics."""
    started = time.perf_counter()
    transcripts = read_transcripts(data_root)
    decisions = held_out_decisions(transcripts)
    model = fit_model(transcripts, platt_calibration(transcripts, decisions))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_PATH.name
    model.save(path)
    return {
        **ranking_metrics(transcripts, decisions),
        "model_path": str(path),
        "model_bytes": path.stat().st_size,
        "vocabulary": len(model.words.vocabulary_),
        "calibration": model.calibration,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    repo = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_root", nargs="?", type=Path, default=repo.parent / "shared" / "data")
    parser.add_argument("--out-dir", type=Path, default=MODEL_PATH.parent)
    parser.add_argument("--evaluate-only", action="store_true")
    args = parser.parse_args(argv)
    if args.evaluate_only:
        metrics = evaluate(args.data_root)
    else:
        metrics = train(args.data_root, args.out_dir)
    json.dump(metrics, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
