"""Train and evaluate the attribution extractor on PolNeAR (train and dev splits only).

Gold policy: an article annotated by several people is read from its first annotator file in
alphabetical order. A discontinuous part is taken as its covering span, and an attribution
with several content parts as the span covering all of them.

Scoring: a predicted attribution is FOUND when its content overlaps the content of a gold
attribution of the same article by at least half of the shorter of the two spans. Matching is
one-to-one (greedy, largest overlap first), so one long gold quote cut in two counts once.
Within found attributions the source is correct when it overlaps the gold source (or both are
missing) and the cue is correct when it overlaps the gold cue (or both are missing).
"""

from __future__ import annotations

import bisect
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from claims.extraction.attribution import (
    LEXICON_FILE,
    MODEL_DIR,
    MODEL_FILE,
    Attribution,
    AttributionTagger,
    CueLexicon,
    Document,
    Span,
    analyse_text,
    stem,
    token_features,
)

CORPUS = "polnear"
LEXICON_FOLDS = 5
MIN_CUE_COUNT = 2
STRONG_CUE = 0.3
CRF_PARAMS = {
    "c1": 1.2,
    "c2": 0.01,
    "max_iterations": 150,
    "feature.minfreq": 3,
    "feature.possible_transitions": True,
}


_ROLES = {"Content": "CON", "Source": "SRC", "Cue": "CUE"}


@dataclass(frozen=True)
class GoldPart:
    """One contiguous piece of a gold attribution, as the tagger is taught to label it."""

    attribution: int
    role: str
    span: Span


@dataclass(frozen=True)
class Article:
    name: str
    text: str
    attributions: tuple[Attribution, ...]
    parts: tuple[GoldPart, ...]


def load_split(data_root: Path, split: str) -> list[Article]:
    """The articles of one split with the gold attributions of their first annotator."""
    if split not in {"train", "dev"}:
        raise ValueError(f"unknown or held-out split: {split!r}")
    folder = Path(data_root) / CORPUS / split
    first_annotation: dict[str, Path] = {}
    for path in sorted((folder / "attributions").glob("*.ann")):
        first_annotation.setdefault(path.stem.rsplit("_", 1)[0], path)
    articles = []
    for text_path in sorted((folder / "text").glob("*.txt")):
        text = text_path.read_text(encoding="utf-8")
        annotation = first_annotation.get(text_path.stem)
        attributions, parts = (
            _read_brat(annotation.read_text(encoding="utf-8")) if annotation else ([], [])
        )
        articles.append(Article(text_path.stem, text, tuple(attributions), tuple(parts)))
    return articles


def _read_brat(standoff: str) -> tuple[list[Attribution], list[GoldPart]]:
    """Attributions with covering spans (for scoring) and their contiguous pieces (for labels)."""
    pieces: dict[str, list[Span]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in standoff.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            label_and_offsets = fields[1].split(" ", 1)
            if len(label_and_offsets) == 2:
                pieces[fields[0]] = [
                    Span(*(int(n) for n in piece.split()))
                    for piece in label_and_offsets[1].split(";")
                ]
        elif line.startswith("E") and len(fields) >= 2:
            events.append([tuple(arg.split(":", 1)) for arg in fields[1].split() if ":" in arg])
    gathered = []
    for arguments in events:
        by_role: dict[str, list[Span]] = {}
        for role, ref in arguments:
            role = _ROLES.get(role.rstrip("0123456789"))
            if role and ref in pieces:
                by_role.setdefault(role, []).extend(pieces[ref])
        if "CON" in by_role:
            gathered.append(by_role)
    gathered.sort(key=lambda by_role: (_cover(by_role["CON"]).start, _cover(by_role["CON"]).end))
    attributions = [
        Attribution(
            content=_cover(by_role["CON"]),
            source=_cover(by_role["SRC"]) if "SRC" in by_role else None,
            cue=_cover(by_role["CUE"]) if "CUE" in by_role else None,
        )
        for by_role in gathered
    ]
    parts = [
        GoldPart(number, role, span)
        for number, by_role in enumerate(gathered)
        for role in ("CON", "SRC", "CUE")
        for span in by_role.get(role, [])
    ]
    return attributions, parts


def _cover(spans: list[Span]) -> Span:
    return Span(min(s.start for s in spans), max(s.end for s in spans))


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _content_match(predicted: Span, gold: Span) -> int:
    """The overlap if it reaches half of the shorter span, else 0."""
    overlap = _overlap(predicted, gold)
    shorter = min(predicted.end - predicted.start, gold.end - gold.start)
    return overlap if shorter > 0 and 2 * overlap >= shorter else 0


def _part_correct(predicted: Span | None, gold: Span | None) -> bool:
    if predicted is None or gold is None:
        return predicted is None and gold is None
    return _overlap(predicted, gold) > 0


def match(predicted: list[Attribution], gold: list[Attribution]) -> list[tuple[int, int]]:
    """One-to-one pairs (predicted index, gold index) of found attributions."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if p.content.start < g.content.end and g.content.start < p.content.end:
                overlap = _content_match(p.content, g.content)
                if overlap:
                    candidates.append((-overlap, i, j))
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_predicted and j not in used_gold:
            used_predicted.add(i)
            used_gold.add(j)
            pairs.append((i, j))
    return pairs


def score(articles: list[Article], predictions: list[list[Attribution]]) -> dict:
    n_predicted = n_gold = n_found = source_ok = cue_ok = 0
    for article, predicted in zip(articles, predictions, strict=True):
        gold = list(article.attributions)
        pairs = match(predicted, gold)
        n_predicted += len(predicted)
        n_gold += len(gold)
        n_found += len(pairs)
        source_ok += sum(_part_correct(predicted[i].source, gold[j].source) for i, j in pairs)
        cue_ok += sum(_part_correct(predicted[i].cue, gold[j].cue) for i, j in pairs)
    precision = n_found / n_predicted if n_predicted else 0.0
    recall = n_found / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "articles": len(articles),
        "gold": n_gold,
        "predicted": n_predicted,
        "found": n_found,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "source_correct": round(source_ok / n_found, 4) if n_found else 0.0,
        "cue_correct": round(cue_ok / n_found, 4) if n_found else 0.0,
    }


def evaluate(data_root: Path, split: str = "dev", model_dir: Path = MODEL_DIR) -> dict:
    """Score the extractor (by default the committed model) on one split."""
    articles = load_split(data_root, split)
    tagger = AttributionTagger(Path(model_dir))
    started = time.perf_counter()
    predictions = [tagger.extract(article.text) for article in articles]
    result = score(articles, predictions)
    result["split"] = split
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


# Training.


def gold_labels(doc: Document, parts: tuple[GoldPart, ...]) -> list[str]:
    """BIO labels of the tokens, each piece of a discontinuous span starting with B; the
    pieces are laid content first, then source, then cue, so that a cue always shows."""
    starts = [t.start for t in doc.tokens]
    ends = [t.end for t in doc.tokens]
    piece_of: list[tuple[str, int] | None] = [None] * len(doc.tokens)
    layering = {"CON": 0, "SRC": 1, "CUE": 2}
    for number, part in sorted(enumerate(parts), key=lambda item: layering[item[1].role]):
        first = bisect.bisect_right(ends, part.span.start)
        last = bisect.bisect_left(starts, part.span.end)
        piece_of[first:last] = [(part.role, number)] * (last - first)
    labels = []
    for i, piece in enumerate(piece_of):
        if piece is None:
            labels.append("O")
        else:
            continues = i > 0 and piece_of[i - 1] == piece
            labels.append(("I-" if continues else "B-") + piece[0])
    return labels


def cue_lexicon(labelled: list[tuple[Document, list[str]]]) -> CueLexicon:
    """Share of each word's (and stem's) occurrences that sit inside a cue, for those seen as
    cues often enough; smoothed so that a word seen once is never a certain cue."""
    seen: Counter[str] = Counter()
    as_cue: Counter[str] = Counter()
    for doc, labels in labelled:
        for token, label in zip(doc.tokens, labels, strict=True):
            seen[token.lower] += 1
            if label.endswith("CUE"):
                as_cue[token.lower] += 1
    seen_stems: Counter[str] = Counter()
    stems_as_cue: Counter[str] = Counter()
    for word, count in seen.items():
        seen_stems[stem(word)] += count
        stems_as_cue[stem(word)] += as_cue[word]

    def shares(cue_counts: Counter[str], counts: Counter[str]) -> dict[str, float]:
        return {
            key: round(count / (counts[key] + 1), 3)
            for key, count in sorted(cue_counts.items())
            if count >= MIN_CUE_COUNT
        }

    return CueLexicon(shares(as_cue, seen), shares(stems_as_cue, seen_stems), STRONG_CUE)


def train(data_root: Path, out_dir: Path) -> dict:
    """Train the CRF on the PolNeAR train split and write the model files into `out_dir`.

    The lexicon feature of each training article comes from a lexicon built on the other
    folds, so that the CRF learns how far to trust it on words it has not been fitted to.
    """
    return train_articles(load_split(data_root, "train"), out_dir)


def train_articles(articles: list[Article], out_dir: Path, params: dict | None = None) -> dict:
    """Train on `articles` (see `train`) and write the model files into `out_dir`."""
    params = {**CRF_PARAMS, **(params or {})}
    started = time.perf_counter()
    cpu_started = time.process_time()
    labelled = []
    for article in articles:
        doc = analyse_text(article.text)
        labelled.append((doc, gold_labels(doc, article.parts)))
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(params)
    sequences = 0
    for fold in range(LEXICON_FOLDS):
        held_in = [pair for k, pair in enumerate(labelled) if k % LEXICON_FOLDS != fold]
        lexicon = cue_lexicon(held_in)
        for doc, labels in labelled[fold::LEXICON_FOLDS]:
            features = token_features(doc, lexicon)
            for lo, hi in doc.units:
                trainer.append(pycrfsuite.ItemSequence(features[lo:hi]), labels[lo:hi])
                sequences += 1
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out_dir / MODEL_FILE))
    lexicon = cue_lexicon(labelled)
    settings = {
        "cue_words": lexicon.words,
        "cue_stems": lexicon.stems,
        "strong_cue": lexicon.strong,
        "crf": params,
    }
    (out_dir / LEXICON_FILE).write_text(json.dumps(settings, indent=0, sort_keys=True) + "\n")
    return {
        "articles": len(articles),
        "sequences": sequences,
        "tokens": sum(len(doc.tokens) for doc, _ in labelled),
        "lexicon_words": len(lexicon.words),
        "iterations": trainer.logparser.last_iteration["num"],
        "model_bytes": (out_dir / MODEL_FILE).stat().st_size,
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu_started, 1),
    }


def month_of(article: Article) -> str:
    """The publication month of an article, from its file name (publisher_YYYY-MM-DD_slug)."""
    return article.name.split("_")[1][:7]


HELD_OUT_MONTHS = ("2016-07", "2016-08")


def held_out_months(
    data_root: Path,
    out_dir: Path,
    months: tuple[str, ...] = HELD_OUT_MONTHS,
    params: dict | None = None,
) -> dict:
    """Selection protocol on the train split only: train on the train articles of the other
    months, score on the articles of `months` (whole months held out, never dev or test)."""
    articles = load_split(data_root, "train")
    fitted = [a for a in articles if month_of(a) not in months]
    held = [a for a in articles if month_of(a) in months]
    trained = train_articles(fitted, Path(out_dir), params)
    tagger = AttributionTagger(Path(out_dir))
    result = score(held, [tagger.extract(a.text) for a in held])
    result["months"] = list(months)
    result["training"] = trained
    return result


def measure_speed(data_root: Path, short_texts: int = 25_000, long_chars: int = 5_000_000) -> dict:
    """Wall and CPU time of the committed model on `short_texts` paragraphs of the train split
    and on one article of `long_chars` characters glued from train articles."""
    paragraphs = [
        line
        for article in load_split(data_root, "train")
        for line in article.text.splitlines()
        if line.strip()
    ]
    batch = [paragraphs[k % len(paragraphs)] for k in range(short_texts)]
    article = "\n\n".join(paragraphs)
    article = (article * (long_chars // len(article) + 1))[:long_chars]
    tagger = AttributionTagger(MODEL_DIR)
    result = {}
    for name, texts in (("short_texts", batch), ("long_article", [article])):
        started, cpu_started = time.perf_counter(), time.process_time()
        found = sum(len(tagger.extract(text)) for text in texts)
        result[name] = {
            "texts": len(texts),
            "chars": sum(len(text) for text in texts),
            "attributions": found,
            "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu_started, 1),
        }
    return result
