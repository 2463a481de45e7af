"""Full-text search at 100k claims and 20k articles (issue 17): p95 of two-word queries
through `GET /api/v1/search/` and through the search service alone (goal: p95 < 50 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk_bench17 \\
        .venv/bin/python bench/bench_search.py [--claims 100000] [--articles 20000]
        [--queries 300] [--rebuild]

PostgreSQL only, in its own database named after DATABASE_URL's with `_search` appended
(created and migrated on first run, reused after). Teams, user and dossiers are made with
commands; articles, claims, clusters and verdicts are bulk-inserted (the benchmark only reads
them), and PostgreSQL generates their search vectors on insert as on every write. Text is
real news prose: sentences of the FNC-1 bodies (../shared/data/fnc1, else the seed
articles), an article being fifteen of them and a claim one. A second team holds a fifth
more of each, so team scoping has rows to exclude.

Queries are two content words of one claim of the reader's team (so every query finds
something, common words included), drawn with a fixed seed; each is run as the first page
(20 results, ranked, counted, with snippets). Prints median and p95 of each side.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from services import describe, django_in_bench_database  # noqa: E402

FNC1_BODIES = REPO / ".." / "shared" / "data" / "fnc1" / "train_bodies.csv"
SEEDS = REPO / "examples" / "seeds"
SENTENCES_PER_ARTICLE = 15
DOSSIERS_PER_TEAM = 10
VERDICTS_PER_TEAM = 1000
SPEAKERS = ("the ministry", "Reuters", "police", "the mayor", "a spokesman", "witnesses", "")
OUTLETS = ("Daily Planet", "Evening Star", "Morning Post", "Wire Service", "The Observer")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z]{4,}")


def load_sentences() -> list[str]:
    if FNC1_BODIES.exists():
        csv.field_size_limit(1 << 26)
        with FNC1_BODIES.open(encoding="utf-8") as handle:
            bodies = [row["articleBody"] for row in csv.DictReader(handle)]
    else:
        bodies = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    sentences = {
        " ".join(piece.split())
        for body in bodies
        for piece in _SENTENCE_END.split(body)
        if 6 <= len(piece.split()) <= 60
    }
    return sorted(sentences)


def populate(claims: int, articles: int) -> object:
    """The benchmark reader; builds the data set once."""
    from django.contrib.auth import get_user_model

    from dossiers import commands
    from dossiers.models import Article, Role
    from eventlog.context import SYSTEM

    User = get_user_model()
    reader = User.objects.filter(username="bench-searcher").first()
    if reader is not None and Article.objects.count() >= articles:
        return reader
    started = time.perf_counter()
    reader = User.objects.create(username="bench-searcher")
    sentences = load_sentences()
    rng = random.Random(17)
    for name, share in (("Bench newsroom", 1.0), ("Bench rivals", 0.2)):
        team = commands.create_team(name=name, actor=SYSTEM)
        if share == 1.0:
            commands.add_member(team=team, user=reader, role=Role.ANALYST, actor=SYSTEM)
        for n in range(DOSSIERS_PER_TEAM):
            dossier = commands.create_dossier(team=team, title=f"{name} {n}", actor=SYSTEM)
            _bulk(
                dossier,
                reader,
                int(articles * share) // DOSSIERS_PER_TEAM,
                int(claims * share) // DOSSIERS_PER_TEAM,
                sentences,
                rng,
            )
    print(f"populated in {time.perf_counter() - started:.0f}s", flush=True)
    return reader


def _bulk(dossier, author, article_count: int, claim_count: int, sentences, rng) -> None:
    from claims.models import Claim, ClaimCluster, Verdict
    from dossiers.models import Article

    now = datetime.now(UTC)
    articles = []
    for _ in range(article_count):
        body = " ".join(rng.choice(sentences) for _ in range(SENTENCES_PER_ARTICLE))
        articles.append(
            Article(
                dossier=dossier,
                title=rng.choice(sentences)[:200],
                raw_upload=body,
                body=body,
                content_hash=uuid.uuid4().hex,
                status=Article.Status.DONE,
                status_changed_at=now,
                uploaded_at=now,
                published_at=now - timedelta(days=rng.randint(0, 3650)),
                wire=rng.choice(OUTLETS),
                extractor_version="bench",
            )
        )
    Article.objects.bulk_create(articles, batch_size=1000)
    clusters = ClaimCluster.objects.bulk_create(
        [
            ClaimCluster(
                dossier=dossier,
                canonical_text=rng.choice(sentences),
                created_at=now,
                updated_at=now,
            )
            for _ in range(VERDICTS_PER_TEAM // DOSSIERS_PER_TEAM)
        ]
    )
    Verdict.objects.bulk_create(
        [
            Verdict(
                cluster=cluster,
                dossier=dossier,
                rationale=" ".join(rng.choice(sentences) for _ in range(4)),
                author=author,
                created_at=now,
                updated_at=now,
            )
            for cluster in clusters
        ]
    )
    batch = []
    for n in range(claim_count):
        text = rng.choice(sentences)
        batch.append(
            Claim(
                article=articles[n % len(articles)],
                dossier=dossier,
                ordinal=n // len(articles),
                text=text,
                start=0,
                end=len(text),
                speaker=rng.choice(SPEAKERS),
                extractor_version="bench",
            )
        )
        if len(batch) == 5000:
            Claim.objects.bulk_create(batch)
            batch = []
    Claim.objects.bulk_create(batch)


def two_word_queries(reader, count: int) -> list[str]:
    from claims.selectors import claims_for

    rng = random.Random(7)
    texts = list(claims_for(reader).order_by("id").values_list("text", flat=True)[:20_000])
    queries = []
    while len(queries) < count:
        words = list(dict.fromkeys(_WORD.findall(rng.choice(texts))))
        if len(words) >= 2:
            queries.append(" ".join(rng.sample(words, 2)))
    return queries


def timed(run, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    args = parser.parse_args()

    url, name = django_in_bench_database("_search", args.rebuild)
    from django.db import connection
    from django.test import Client

    from claims.search import SearchRequest, hits, search

    reader = populate(args.claims, args.articles)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics, as autovacuum would give
    client = Client(HTTP_HOST="localhost")
    client.force_login(reader)

    def through_api(query: str) -> None:
        response = client.get("/api/v1/search/", {"q": query})
        assert response.status_code == 200, response.content[:500]

    def through_service(query: str) -> None:
        wanted = SearchRequest(text=query)
        hits(search(reader, wanted).page(1, 20), wanted)

    queries = two_word_queries(reader, args.queries)
    timed(through_api, queries[:20])  # warm caches and connections
    api, service = [], []
    for query in queries:  # interleaved: machine load hits both alike
        api += timed(through_api, [query])
        service += timed(through_service, [query])
    from claims.models import Claim
    from dossiers.models import Article

    print(
        f"two-word queries, first page of 20, {Claim.objects.count():,} claims and "
        f"{Article.objects.count():,} articles in all (the reader's team: {args.claims:,} and "
        f"{args.articles:,}), database {name}, load average {os.getloadavg()[0]:.1f}"
    )
    describe("API GET /api/v1/search/?q=", api, width=40)
    describe("service: search, page with total, hits", service, width=40)


if __name__ == "__main__":
    main()
