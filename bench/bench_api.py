"""Claims list latency through the API at 100k claims, against a raw psycopg query for the
same page, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk .venv/bin/python bench/bench_api.py
        [--claims 100000] [--pages 200] [--rebuild]

Runs on PostgreSQL only, in a separate database named after DATABASE_URL's with `_bench`
appended (created and migrated on first run, reused after). The team, user and dossier are
made with commands; the articles and claims are bulk-inserted directly because the benchmark
only reads them and 100k claims through the extractor would take an hour. A second team gets
20% more claims, so the team filter has rows to exclude.

Both sides walk the same pages of `GET /api/v1/claims/?page_size=50` (keyset cursor by id),
interleaved page by page so machine load hits both alike: the API through Django's test
client in this process (token authentication, team scoping, serialisation, JSON rendering,
ETag: one query once the token is in the per-process token cache, which the warm-up walk
fills), the same request again with the token dropped from that cache first (two queries: the
token lookup too, as on a token's first request in a process or after the cache's TTL),
and the baseline as the one SQL query for the page, fetched with psycopg, once with psycopg's
defaults (prepared statements) and once with client-side binding as Django uses it. Prints
median and p95 of each and the ratios to the API (goal: at most 3x).
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from services import describe, django_in_bench_database  # noqa: E402

PAGE_SIZE = 50
CLAIMS_PER_ARTICLE = 100
RAW_PAGE_SQL = """
SELECT c.id, c.article_id, c.dossier_id, c.cluster_id, c.ordinal, c.text, c.start, c."end",
       c.speaker, c.cue, c.cited_source, c.entities, c.quantities, c.dates,
       c.checkworthiness, c.extractor_version
FROM claims_claim c
JOIN dossiers_dossier d ON d.id = c.dossier_id
WHERE d.team_id IN (SELECT m.team_id FROM dossiers_membership m WHERE m.user_id = %s)
  AND c.id > %s
ORDER BY c.id
LIMIT %s
"""


def populate(claim_count: int) -> tuple[object, str]:
    """The benchmark user and its API token; builds the data set once."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from claims.models import Claim
    from dossiers import commands
    from dossiers.models import Role
    from eventlog.context import SYSTEM

    User = get_user_model()
    user = User.objects.filter(username="bench-reader").first()
    if user is not None and Claim.objects.count() >= claim_count:
        return user, Token.objects.get(user=user).key
    started = time.perf_counter()
    user = User.objects.create(username="bench-reader")
    mine = commands.create_team(name="Bench newsroom", actor=SYSTEM)
    commands.add_member(team=mine, user=user, role=Role.ANALYST, actor=SYSTEM)
    theirs = commands.create_team(name="Bench rivals", actor=SYSTEM)
    for team, count in ((mine, claim_count), (theirs, claim_count // 5)):
        dossier = commands.create_dossier(team=team, title="Bench dossier", actor=SYSTEM)
        _bulk_articles_and_claims(dossier, count)
    print(f"populated {Claim.objects.count():,} claims in {time.perf_counter() - started:.0f}s")
    return user, Token.objects.create(user=user).key


def _bulk_articles_and_claims(dossier, claim_count: int) -> None:
    from claims.models import Claim
    from dossiers.models import Article

    rng = random.Random(7)
    now = datetime.now(UTC)
    articles = [
        Article(
            dossier=dossier,
            title=f"Bench article {n}",
            raw_upload=f"Bench article {n}",
            body=f"Bench article {n}",
            content_hash=uuid.uuid4().hex,
            status=Article.Status.DONE,
            status_changed_at=now,
            uploaded_at=now,
            extractor_version="bench",
        )
        for n in range(max(1, claim_count // CLAIMS_PER_ARTICLE))
    ]
    Article.objects.bulk_create(articles, batch_size=2000)
    claims = (
        Claim(
            article=articles[n % len(articles)],
            dossier=dossier,
            ordinal=n // len(articles),
            text=f"Officials said {rng.randint(1, 5000)} people were moved from district {n}.",
            start=0,
            end=60,
            speaker="Officials",
            cue="said",
            entities=[{"text": f"district {n}", "label": "LOC"}],
            quantities=[{"value": float(rng.randint(1, 5000)), "text": "people"}],
            dates=[],
            checkworthiness=round(rng.random(), 3),
            extractor_version="bench",
        )
        for n in range(claim_count)
    )
    batch: list = []
    for claim in claims:
        batch.append(claim)
        if len(batch) == 5000:
            Claim.objects.bulk_create(batch)
            batch = []
    Claim.objects.bulk_create(batch)


def walk(client, token: str, scoped: str, raw_connections: dict, user_id: int, pages: int) -> dict:
    """Walk `pages` pages; after each API page, fetch the same page gzipped, with a scoped
    token, with the token not cached, and with each raw connection.

    Interleaving puts the same machine load on both sides of the ratio."""
    from api.authentication import forget_token

    timings: dict[str, list[float]] = {
        "api": [],
        "api, gzip": [],
        "api, scoped token": [],
        "api, token not cached": [],
        **{name: [] for name in raw_connections},
    }
    params: dict = {"page_size": PAGE_SIZE}
    after = uuid.UUID(int=0)
    for _ in range(pages):
        started = time.perf_counter()
        response = client.get("/api/v1/claims/", params, HTTP_AUTHORIZATION=f"Token {token}")
        timings["api"].append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:500]
        started = time.perf_counter()
        zipped = client.get(
            "/api/v1/claims/",
            params,
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_ACCEPT_ENCODING="gzip",
        )
        timings["api, gzip"].append(time.perf_counter() - started)
        assert zipped["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.content) == response.content, "gzip is the same page"
        started = time.perf_counter()
        narrowed = client.get("/api/v1/claims/", params, HTTP_AUTHORIZATION=f"Token {scoped}")
        timings["api, scoped token"].append(time.perf_counter() - started)
        assert narrowed.content == response.content, "a read-scoped token reads the same page"
        forget_token(token)  # as on a token's first request, or after the cache's TTL
        started = time.perf_counter()
        uncached = client.get("/api/v1/claims/", params, HTTP_AUTHORIZATION=f"Token {token}")
        timings["api, token not cached"].append(time.perf_counter() - started)
        assert uncached.content == response.content, "both API requests return the same page"
        body = response.json()
        page_ids = [row["id"] for row in body["results"]]
        for name, connection in raw_connections.items():
            started = time.perf_counter()
            rows = connection.execute(RAW_PAGE_SQL, [user_id, after, PAGE_SIZE]).fetchall()
            timings[name].append(time.perf_counter() - started)
            assert [str(row[0]) for row in rows] == page_ids, "both sides return the same page"
        after = uuid.UUID(page_ids[-1])
        params["cursor"] = body["next"].split("cursor=")[1].split("&")[0]
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    args = parser.parse_args()

    url, name = django_in_bench_database("_bench", args.rebuild)
    from django.db import connection
    from django.test import Client

    user, token = populate(args.claims)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give in production
    client = Client(HTTP_HOST="localhost")

    import psycopg

    raw_connections = {
        # psycopg's defaults: server-side binding, prepared after five runs (no re-planning)
        "raw psycopg query": psycopg.connect(url),
        # what Django uses: client-side binding, planned on every run
        "raw psycopg, client-side binding": psycopg.connect(
            url, prepare_threshold=None, cursor_factory=psycopg.ClientCursor
        ),
    }
    from api.tokens import issue_token

    scoped = issue_token(user=user, name="bench", scopes=["read"])[1]
    walk(client, token, scoped, raw_connections, user.pk, 20)  # warm caches and statements
    timings = walk(client, token, scoped, raw_connections, user.pk, args.pages)

    print(
        f"claims list, keyset cursor, page size {PAGE_SIZE}, {args.pages} pages, "
        f"{args.claims:,} claims visible, database {name}, load average {os.getloadavg()[0]:.1f}"
    )
    apis = {
        "API": describe("API GET /api/v1/claims/", timings.pop("api")),
        "API, gzip": describe("  same, gzip", timings.pop("api, gzip")),
        "API, scoped token": describe("  same, scoped token", timings.pop("api, scoped token")),
        "API, token not cached": describe(
            "  same, token not cached", timings.pop("api, token not cached")
        ),
    }
    for label, raw in timings.items():
        raw_median, raw_p95 = describe(label, raw)
        for name, (api_median, api_p95) in apis.items():
            print(
                f"{f'  ratio {name}/raw':<34} median {api_median / raw_median:6.2f}x   "
                f"p95 {api_p95 / raw_p95:6.2f}x"
            )


if __name__ == "__main__":
    main()
