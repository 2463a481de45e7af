"""Claim clustering time at 1k, 10k and 100k claims, and its growth exponent.

    .venv/bin/python bench/bench_clustering.py [--sizes 1000 10000 100000] [--seed 7]

Claims are synthetic but built from real news sentences (FNC-1 training bodies under
../shared/data/fnc1, else the seed articles in examples/seeds): each "fact" is one sentence,
reported by 1 to 40 outlets (a heavy-tailed count, as in real coverage). Each report rewords it:
an attribution prefix, a few words dropped, and three times in ten a framing
clause ("amid growing concern among officials in the region"). Because the true facts are known, the run also prints pairwise precision and
recall, so a faster setting that stops finding paraphrases shows up here.

CPU time (this process) is the figure to compare: on a shared machine wall time also counts
other people's jobs. About 1 minute of CPU for the three default sizes.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.extraction.clustering import ClusterItem, cluster_claims  # noqa: E402

FNC1_BODIES = REPO / ".." / "shared" / "data" / "fnc1" / "train_bodies.csv"
FNC1_STANCES = FNC1_BODIES.with_name("train_stances.csv")
SEEDS = REPO / "examples" / "seeds"
CLAIMS_PER_ARTICLE = 20
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"\u201cA-Z])|\n+")
# Words whose loss turns a report into its denial (the rewording keeps them).
_NEGATION = re.compile(r"\b(?:not|no|never|nor|neither|none|nothing)\b|n['’]t\b", re.I)
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w-])")
_PREFIXES = (
    "",
    "",
    "Officials said that ",
    "According to reports, ",
    "Sources told the newspaper that ",
    "It was reported that ",
    "Witnesses said ",
)
_FRAMINGS = (
    "while the investigation continues.",
    "amid growing concern among officials in the region.",
    "as questions remain over what happened next.",
    "a claim that could not be independently verified.",
    "in a development likely to raise tensions further.",
    "according to people familiar with the matter.",
)


def load_sentences() -> tuple[list[str], list[int]]:
    """Source sentences and the story each comes from. FNC-1 bodies linked (through any related
    headline) belong to one story; the seed articles are one story."""
    if FNC1_BODIES.exists():
        csv.field_size_limit(1 << 26)
        with FNC1_BODIES.open(encoding="utf-8") as handle:
            bodies = {int(row["Body ID"]): row["articleBody"] for row in csv.DictReader(handle)}
        story_of_body = _fnc1_stories(bodies)
    else:
        bodies = {
            n: p.read_text(encoding="utf-8") for n, p in enumerate(sorted(SEEDS.glob("*.txt")))
        }
        story_of_body = dict.fromkeys(bodies, 0)
    story_of_sentence: dict[str, int] = {}
    for body_id, body in sorted(bodies.items()):
        for piece in _SENTENCE_END.split(body):
            sentence = " ".join(piece.split())
            if 6 <= len(sentence.split()) <= 60:
                story_of_sentence.setdefault(sentence, story_of_body[body_id])
    sentences = sorted(story_of_sentence)
    return sentences, [story_of_sentence[sentence] for sentence in sentences]


def _fnc1_stories(bodies: dict[int, str]) -> dict[int, int]:
    """Connected components of bodies and the headlines they relate to (not 'unrelated')."""
    parent = {body_id: body_id for body_id in bodies}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    first_body_of_headline: dict[str, int] = {}
    with FNC1_STANCES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Stance"] == "unrelated" or int(row["Body ID"]) not in parent:
                continue
            body_id = int(row["Body ID"])
            other = first_body_of_headline.setdefault(row["Headline"], body_id)
            parent[root(body_id)] = root(other)
    return {body_id: root(body_id) for body_id in bodies}


def reword(sentence: str, rng: np.random.Generator) -> str:
    """Drop about one word in eight, never a number or a negation: a report that drops "not"
    says the opposite, and the clustering rightly keeps it apart as a contradiction."""
    words = sentence.split()
    keep = [
        word
        for word in words
        if any(character.isdigit() for character in word)
        or _NEGATION.search(word)
        or rng.random() > 0.12
    ]
    text = _PREFIXES[rng.integers(len(_PREFIXES))] + " ".join(keep)
    if rng.random() < 0.3:
        text = text.rstrip(".") + ", " + _FRAMINGS[rng.integers(len(_FRAMINGS))]
    return text


def synthetic_claims(
    n_claims: int, sentences: list[str], rng: np.random.Generator
) -> tuple[list[ClusterItem], list[int]]:
    """Claims and the index of the fact each one reports."""
    facts: list[int] = []
    order = rng.permutation(len(sentences))
    next_fact = 0
    while len(facts) < n_claims:
        reports = min(40, int(rng.pareto(1.2)) + 1)  # most facts once, a few widely
        facts.extend([int(order[next_fact % len(order)])] * reports)  # past the pool: repeats
        next_fact += 1
    facts = [facts[index] for index in rng.permutation(n_claims)]
    items = []
    for index, fact in enumerate(facts):
        sentence = sentences[fact]
        text = reword(sentence, rng)
        items.append(
            ClusterItem(
                claim_key=str(index),
                article_key=str(index // CLAIMS_PER_ARTICLE),
                text=text,
                quantities=tuple(
                    float(value.replace(",", "")) for value in _NUMBER.findall(sentence)
                ),
            )
        )
    return items, facts


def _pairs(labels: list) -> int:
    """Number of same-label pairs, from group sizes (no pair lists)."""
    counts: dict = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return sum(count * (count - 1) // 2 for count in counts.values())


def pair_scores(clusters: list[str], facts: list[int], stories: list[int]) -> dict[str, float]:
    """Recall of same-fact pairs; precision counting only same-fact pairs as right (strict),
    and counting only pairs from different stories as wrong (FNC-1 bodies of one story share
    many near-identical sentences, which are fair to merge)."""
    clustered = _pairs(clusters)
    same_fact = _pairs(list(zip(clusters, facts, strict=True)))
    same_story = _pairs(list(zip(clusters, stories, strict=True)))
    return {
        "recall": same_fact / max(_pairs(facts), 1),
        "precision_strict": same_fact / max(clustered, 1),
        "precision_story": same_story / max(clustered, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sentences, story_of_sentence = load_sentences()
    source = "FNC-1" if FNC1_BODIES.exists() else "seeds"
    print(f"{len(sentences)} source sentences, {len(set(story_of_sentence))} stories ({source})")
    timings = []
    for size in args.sizes:
        items, facts = synthetic_claims(size, sentences, np.random.default_rng(args.seed))
        wall, cpu = time.perf_counter(), time.process_time()
        result = cluster_claims(items)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        timings.append((size, cpu))
        scores = pair_scores(
            [result.assignments[item.claim_key] for item in items],
            facts,
            [story_of_sentence[fact] for fact in facts],
        )
        print(
            f"n={size:>7}  cpu={cpu:7.2f}s  wall={wall:7.2f}s"
            f"  candidate_pairs={result.candidate_pairs:>9}"
            f" ({result.candidate_pairs / (size * (size - 1) / 2):.1e} of all)"
            f"  clusters={len(result.clusters):>6}"
            + "".join(f"  {name}={value:.3f}" for name, value in scores.items())
        )
    for (small, t_small), (large, t_large) in zip(timings, timings[1:], strict=False):
        exponent = math.log(t_large / t_small) / math.log(large / small)
        print(f"growth exponent of cpu time {small} -> {large}: {exponent:.2f}")


if __name__ == "__main__":
    main()
