"""Train and evaluate the check-worthiness model on CLEF-2019 CheckThat! Task 1 (training split).

Protocols (`--protocol`), each scoring every transcript with a model that never saw it, then
ranking it within itself as the task does; MAP, R-Precision and P@10 are averaged over
transcripts:

- `document`: leave one transcript out (19 folds). Optimistic: the other 2016 debates share
  the held-out one's speakers, moderators and topics.
- `event` (the one models are chosen by): leave one event out (15 folds). The 2016
  general-election debates (three presidential, one vice-presidential) are one event, the two
  Democratic primary debates another; every speech, press conference and meeting is its own.
- `genre`: train on the 7 debates and score the 12 speeches, press conferences and meetings,
  then the other way round (2 folds): the closest this data comes to a new kind of text.

The leave-one-document-out scores calibrate the final model (Platt scaling, balanced classes).

    python -m claims.training.checkworthiness [DATA_ROOT] [--evaluate-only] [--protocol P]
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

# Transcripts held out together by the `event` protocol (the rest are one event each).
EVENTS = {
    "2016 general-election debates": (
        "20160926_1pres",
        "20161005_vice_pres",
        "20161010_2pres",
        "20161019_3pres",
    ),
    "2016 Democratic primary debates": ("20160209_msnbc_dem", "20160414_9dem"),
}
DEBATES = frozenset(
    (*EVENTS["2016 general-election debates"], *EVENTS["2016 Democratic primary debates"])
) | {"20160226_10_gop"}
PROTOCOLS = ("document", "event", "genre")


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


def fold_of(name: str, protocol: str) -> str:
    """The fold a transcript is held out in under `protocol`."""
    if protocol == "document":
        return name
    if protocol == "event":
        return next((event for event, names in EVENTS.items() if name in names), name)
    if protocol == "genre":
        return "debates" if name in DEBATES else "speeches"
    raise ValueError(f"unknown protocol {protocol!r}; one of {PROTOCOLS}")


def held_out_decisions(
    transcripts: Sequence[Transcript], protocol: str = "document"
) -> list[np.ndarray]:
    """Each transcript's decision values from a model trained on the transcripts outside its
    fold (for `document`, all the others)."""
    folds = [fold_of(t.name, protocol) for t in transcripts]
    decisions: list[np.ndarray | None] = [None] * len(transcripts)
    for fold in dict.fromkeys(folds):
        model = fit_model([t for t, f in zip(transcripts, folds, strict=True) if f != fold])
        for index, held_out in enumerate(transcripts):
            if folds[index] == fold:
                decisions[index] = model.decision(held_out.sentences, held_out.speakers)
    return decisions


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    ranked = labels[np.argsort(-scores, kind="stable")]
    hit_ranks = np.flatnonzero(ranked) + 1
    if not len(hit_ranks):
        return 0.0
    return float(np.mean(np.arange(1, len(hit_ranks) + 1) / hit_ranks))


def precision_at(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    return float(labels[np.argsort(-scores, kind="stable")][:k].sum() / k)


def ranking_metrics(
    transcripts: Sequence[Transcript],
    decisions: Sequence[np.ndarray],
    protocol: str = "document",
) -> dict:
    per_document = {
        t.name: {
            "average_precision": average_precision(t.labels, d),
            "r_precision": precision_at(t.labels, d, int(t.labels.sum())),
            "precision_at_10": precision_at(t.labels, d, 10),
        }
        for t, d in zip(transcripts, decisions, strict=True)
    }
    debates = {n: v for n, v in per_document.items() if n in DEBATES}
    speeches = {n: v for n, v in per_document.items() if n not in DEBATES}
    return {
        "protocol": f"leave-one-{protocol}-out",
        "documents": len(transcripts),
        "folds": len({fold_of(t.name, protocol) for t in transcripts}),
        "sentences": sum(len(t.sentences) for t in transcripts),
        "map": _mean(per_document, "average_precision"),
        "map_debates": _mean(debates, "average_precision") if debates else None,
        "map_speeches": _mean(speeches, "average_precision") if speeches else None,
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


def evaluate(data_root: Path, protocol: str = "event") -> dict:
    """MAP, R-Precision and P@10 over the 19 transcripts, each held out under `protocol`."""
    transcripts = read_transcripts(data_root)
    return ranking_metrics(transcripts, held_out_decisions(transcripts, protocol), protocol)


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
    parser.add_argument("--protocol", choices=PROTOCOLS, default="event")
    args = parser.parse_args(argv)
    if args.evaluate_only:
        metrics = evaluate(args.data_root, args.protocol)
    else:
        metrics = train(args.data_root, args.out_dir)
    json.dump(metrics, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
