"""Ingest through the API with one real worker, against the pure extraction pipeline on the
same texts, in one run (goal: the system within 2x of the pipeline).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/bench_ingest.py [--limit 0] [--clients 4]

Texts: the FNC-1 training bodies (../shared/data/fnc1/train_bodies.csv, 1,683; `--limit N`
takes the first N). Skipped, saying why, without them, PostgreSQL or Redis.

1. Pipeline: `claims.extraction.extract_article` on every text, in this process (models loaded
   before timing).
2. System: a fresh database named after DATABASE_URL's with `_bench_ingest` appended; gunicorn
   (2 processes) serving the API and one `celery worker --pool=solo` on a queue of its own;
   `--clients` threads upload every text as JSON with an analyst's token. Timed from the first
   upload to the last article `done` (stored, extracted, claims stored through the event log),
   then to the queue drained (the dossier re-clustered as well). The per-user API throttle is
   raised for the run: it is not what is measured.

Both wall and CPU seconds are printed; on a shared machine CPU is the steadier figure.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from services import (  # noqa: E402
    bench_database,
    ensure_database,
    start,
    start_worker,
    wait_until,
    within,
)

BODIES = REPO / ".." / "shared" / "data" / "fnc1" / "train_bodies.csv"
PORT = 8765


def fnc1_bodies(limit: int) -> list[str]:
    with BODIES.open(encoding="utf-8", newline="") as handle:
        bodies = [row["articleBody"] for row in csv.DictReader(handle)]
    return bodies[:limit] if limit else bodies


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children, from /proc (Linux)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pipeline_run(texts: list[str]) -> dict:
    from claims.extraction import extract_article

    extract_article(texts[0])  # load the models outside the timing
    cpu, wall = time.process_time(), time.perf_counter()
    claims = sum(len(extract_article(text).claims) for text in texts)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "claims": claims}


def system_run(texts: list[str], clients: int, bench_url: str, drain_budget: float) -> dict:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from config.celery import app as celery_app
    from dossiers import commands
    from dossiers.models import Article, Role
    from eventlog.context import SYSTEM

    user = get_user_model().objects.create_user("bench-ingest", password=None)
    team = commands.create_team(name="Ingest bench", actor=SYSTEM)
    commands.add_member(team=team, user=user, role=Role.ANALYST, actor=SYSTEM)
    dossier = commands.create_dossier(team=team, title="FNC-1 bodies", actor=user)
    token = Token.objects.create(user=user).key

    queue = f"bench-ingest-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "CELERY_QUEUE": queue,
        "API_THROTTLE_USER": "1000000/s",
        "LOG_LEVEL": "WARNING",
    }
    logs = REPO / "var" / "bench_ingest"
    logs.mkdir(parents=True, exist_ok=True)
    worker_name = f"{queue}@localhost"
    worker = start_worker(worker_name, env, logs / "worker.log")
    server = start(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2",
         "-b", f"127.0.0.1:{PORT}"],
        env,
        logs / "gunicorn.log",
    )  # fmt: skip
    try:
        wait_until(lambda: celery_app.control.ping([worker_name], timeout=0.5), 90, "worker up")
        wait_until(lambda: _answers(f"http://127.0.0.1:{PORT}/api/v1/"), 60, "gunicorn up")
        worker_cpu, server_cpu = cpu_seconds(worker.pid), cpu_seconds(server.pid)
        articles = Article.objects.filter(dossier=dossier)
        finished = articles.filter(status__in=[Article.Status.DONE, Article.Status.FAILED])
        session_headers = {"Authorization": f"Token {token}"}

        def upload(text: str) -> int:
            # http.client rather than requests: the clients share this machine's two cores
            # with the system measured, and requests cost them more CPU than gunicorn spent.
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
            try:
                connection.request(
                    "POST",
                    "/api/v1/articles/",
                    body=json.dumps({"dossier": str(dossier.id), "text": text}),
                    headers={**session_headers, "Content-Type": "application/json"},
                )
                return connection.getresponse().status
            finally:
                connection.close()

        wall = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(upload, texts))
        uploaded = time.perf_counter() - wall
        stored = articles.count()
        wait_until(lambda: finished.count() == stored, 3600, "extraction of every upload")
        extracted = time.perf_counter() - wall
        with celery_app.connection_for_write() as conn:
            redis = conn.default_channel.client
            left = drain_budget - (time.perf_counter() - wall)
            # A worker busy re-clustering answers no ping: answering means the queue is done.
            drained = within(
                lambda: (
                    redis.llen(queue) == 0 and celery_app.control.ping([worker_name], timeout=1)
                ),
                max(left, 1),
                interval=2,
            )
        drained = time.perf_counter() - wall if drained else None
        from claims.models import Claim

        return {
            "uploaded": uploaded,
            "extracted": extracted,
            "drained": drained,
            "statuses": {code: statuses.count(code) for code in sorted(set(statuses))},
            "articles": stored,
            "failed": articles.filter(status=Article.Status.FAILED).count(),
            "claims": Claim.objects.filter(dossier=dossier).count(),
            "worker_cpu": cpu_seconds(worker.pid) - worker_cpu,
            "server_cpu": cpu_seconds(server.pid) - server_cpu,
        }
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:  # still re-clustering past the drain budget
            worker.kill()
            worker.wait()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.ConnectionError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N bodies; 0 = all")
    parser.add_argument("--clients", type=int, default=4, help="concurrent uploading clients")
    parser.add_argument(
        "--drain-budget",
        type=float,
        default=1800,
        help="seconds from the first upload to wait for the queue (re-clustering) to drain",
    )
    args = parser.parse_args()

    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not BODIES.exists():
        print(f"bench_ingest: skipped, {BODIES} is absent")
        return 0
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print("bench_ingest: skipped, it needs DATABASE_URL=postgres://... and REDIS_URL")
        return 0
    bench_url, name, maintenance_url = bench_database(url, "_bench_ingest")
    ensure_database(maintenance_url, name, rebuild=True)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    texts = fnc1_bodies(args.limit)
    distinct = len({" ".join(t.split()) for t in texts})
    print(f"{len(texts):,} FNC-1 bodies ({distinct:,} distinct), {sum(map(len, texts)):,} chars")

    pipeline = pipeline_run(texts)
    system = system_run(texts, args.clients, bench_url, args.drain_budget)

    print(f"pipeline: {pipeline['wall']:7.1f} s wall {pipeline['cpu']:7.1f} s CPU, "
          f"{len(texts) / pipeline['wall']:6.1f} articles/s, {pipeline['claims']:,} claims")  # fmt: skip
    drained = system["drained"]
    print(f"system:   uploads answered in {system['uploaded']:.1f} s {system['statuses']}; "
          f"{system['articles']:,} articles extracted in {system['extracted']:.1f} s "
          f"({system['articles'] / system['extracted']:.1f}/s, {system['failed']} failed, "
          f"{system['claims']:,} claims); queue drained (re-clustered) "
          + (f"at {drained:.1f} s" if drained else f"not within {args.drain_budget:.0f} s"))  # fmt: skip
    print(
        f"          CPU: worker {system['worker_cpu']:.1f} s, gunicorn {system['server_cpu']:.1f} s"
    )
    to_drained = (
        f"{drained / pipeline['wall']:.2f}x"
        if drained
        else "more than " + (f"{args.drain_budget / pipeline['wall']:.0f}x")
    )
    print(f"ratio system/pipeline: {system['extracted'] / pipeline['wall']:.2f}x wall to extracted, "
          f"{to_drained} to drained, "
          f"{system['worker_cpu'] / pipeline['cpu']:.2f}x worker CPU (goal: within 2x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
