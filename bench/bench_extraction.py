"""Pure extraction speed: articles per second on one core.

    .venv/bin/python bench/bench_extraction.py [--seed-rounds 20] [--fnc1-limit 0]

Two corpora: the five seed articles (examples/seeds) extracted `--seed-rounds` times, and the
~1,683 FNC-1 training bodies (../shared/data/fnc1/train_bodies.csv; skipped when absent).
Both wall and CPU seconds are printed: on a shared machine the CPU figure is the one that
measures the extractor. Models (attribution, check-worthiness) are loaded before timing.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.extraction import EXTRACTOR_VERSION, extract_article  # noqa: E402

SEEDS = REPO / "examples" / "seeds"
FNC1_BODIES = REPO / ".." / "shared" / "data" / "fnc1" / "train_bodies.csv"


def seed_articles(rounds: int) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    return texts * rounds


def fnc1_bodies(limit: int) -> list[str] | None:
    if not FNC1_BODIES.exists():
        return None
    with FNC1_BODIES.open(encoding="utf-8", newline="") as handle:
        bodies = [row["articleBody"] for row in csv.DictReader(handle)]
    return bodies[:limit] if limit else bodies


def measure(name: str, articles: list[str]) -> dict[str, float | str | int]:
    per_article = []
    claims = 0
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for raw in articles:
        before = time.process_time()
        claims += len(extract_article(raw).claims)
        per_article.append(time.process_time() - before)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    return {
        "corpus": name,
        "articles": len(articles),
        "chars": sum(len(a) for a in articles),
        "claims": claims,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_s_cpu": len(articles) / cpu if cpu else float("inf"),
        "per_s_wall": len(articles) / wall if wall else float("inf"),
        "p50_ms": statistics.median(per_article) * 1000,
        "p95_ms": statistics.quantiles(per_article, n=20)[-1] * 1000 if len(per_article) > 1 else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-rounds", type=int, default=20)
    parser.add_argument("--fnc1-limit", type=int, default=0, help="0 = all bodies")
    args = parser.parse_args()

    extract_article(seed_articles(1)[0])  # load models outside the timings
    rows = [measure("seeds", seed_articles(args.seed_rounds))]
    bodies = fnc1_bodies(args.fnc1_limit)
    if bodies is None:
        print(f"FNC-1 skipped: {FNC1_BODIES} is absent")
    else:
        rows.append(measure("fnc1-train-bodies", bodies))

    print(f"extractor {EXTRACTOR_VERSION}, one process")
    header = (
        f"{'corpus':<18} {'articles':>8} {'chars':>10} {'claims':>7} {'cpu s':>7} {'wall s':>7} "
        f"{'art/s cpu':>9} {'art/s wall':>10} {'p50 ms':>7} {'p95 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['corpus']:<18} {row['articles']:>8} {row['chars']:>10} {row['claims']:>7} "
            f"{row['cpu_s']:>7.1f} {row['wall_s']:>7.1f} {row['per_s_cpu']:>9.1f} "
            f"{row['per_s_wall']:>10.1f} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f}"
        )


if __name__ == "__main__":
    main()
