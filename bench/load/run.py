"""Load test: locust, headless, against gunicorn and one real Celery worker on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimdesk REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load/run.py [--users 20] [--seconds 60] [--rebuild]

Database: DATABASE_URL's name with `_load` appended, seeded once (reused after; `--rebuild`
starts over): a team of `--users` analysts, each with a token and a draft verdict of their
own, and a dossier of 40 articles extracted and clustered through the commands.

Runs gunicorn (2 processes x 4 threads) and `celery worker --pool=solo` on a queue of its own,
then `locust --headless` with the traffic in locustfile.py (reads of clusters and claims,
uploads that the worker extracts, verdict edits with If-Match, and deliberately stale edits
that must get 412). Prints throughput, p50/p95/p99 per request and overall, and the error
count (a stale edit answered 412 is the expected outcome, counted on its own line, not an
error); exits 1 on any error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from services import bench_database, ensure_database, start, start_worker, wait_until  # noqa: E402

PORT = 8766
ARTICLES = 40
OUT = REPO / "var" / "load"


def seed(users: int) -> dict:
    """The newsroom the traffic works on, made through the commands (once per database)."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from claims.commands import draft_verdict
    from claims.models import ClaimCluster
    from claims.reclustering import recluster_dossier
    from dossiers import commands
    from dossiers.models import Dossier, Role
    from eventlog.context import SYSTEM
    from tests.factories import article_text
    from workers.pipeline import run_extraction

    fixture = OUT / "fixture.json"
    dossier = Dossier.objects.filter(title="Load test").first()
    if dossier is not None and fixture.exists():
        known = json.loads(fixture.read_text())
        if len(known["analysts"]) >= users:
            return known
    if dossier is not None:
        raise SystemExit(
            "bench/load: the load database is not the one the fixture names; --rebuild"
        )

    team = commands.create_team(name="Load newsroom", actor=SYSTEM)
    people = []
    for n in range(users):
        user = get_user_model().objects.create_user(f"load-analyst-{n}", password=None)
        commands.add_member(team=team, user=user, role=Role.ANALYST, actor=SYSTEM)
        people.append(user)
    dossier = commands.create_dossier(team=team, title="Load test", actor=people[0])
    texts = [article_text(n) for n in range(ARTICLES)]
    for text in texts:
        article = commands.upload_article(dossier=dossier, payload=text, actor=people[0]).article
        run_extraction(article.id)
    recluster_dossier(dossier=dossier, actor=SYSTEM)
    clusters = list(ClaimCluster.objects.filter(dossier=dossier, is_active=True)[:users])
    if len(clusters) < users:
        raise SystemExit(f"bench/load: only {len(clusters)} clusters for {users} analysts")
    analysts = []
    for user, cluster in zip(people, clusters, strict=True):
        verdict = draft_verdict(cluster=cluster, actor=user, rating="unproven", rationale="Open.")
        token = Token.objects.create(user=user).key
        analysts.append({"token": token, "verdict": str(verdict.id)})
    known = {"dossier": str(dossier.id), "analysts": analysts, "texts": texts}
    OUT.mkdir(parents=True, exist_ok=True)
    fixture.write_text(json.dumps(known))
    return known


def serving() -> bool:
    import requests

    try:
        return requests.get(f"http://127.0.0.1:{PORT}/api/v1/", timeout=2).status_code < 500
    except requests.ConnectionError:
        return False


def report(stats_csv: Path, seconds: float) -> int:
    """Print locust's figures per request and overall; non-zero when any request failed."""
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    print(f"{'request':36} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in rows:
        name = f"{row['Type']} {row['Name']}".strip()
        print(
            f"{name[:36]:36} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    errors, count = int(total["Failure Count"]), int(total["Request Count"])
    print(
        f"throughput {float(total['Requests/s']):.1f} req/s over {seconds:.0f} s; latency ms "
        f"p50 {total['50%']} p95 {total['95%']} p99 {total['99%']}; "
        f"errors {errors} of {count} ({errors / max(1, count):.2%})"
    )
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print("bench/load: skipped, it needs DATABASE_URL=postgres://... and REDIS_URL")
        return 0
    load_url, name, maintenance_url = bench_database(url, "_load")
    ensure_database(maintenance_url, name, args.rebuild)
    os.environ["DATABASE_URL"] = load_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from config.celery import app as celery_app

    call_command("migrate", verbosity=0)
    seed(args.users)
    OUT.mkdir(parents=True, exist_ok=True)
    queue = f"load-{uuid.uuid4().hex[:8]}"
    worker_name = f"{queue}@localhost"
    env = {**os.environ, "CELERY_QUEUE": queue, "LOG_LEVEL": "WARNING"}
    worker = start_worker(worker_name, env, OUT / "worker.log")
    server = start(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-w", "2",
         "--threads", "4", "-b", f"127.0.0.1:{PORT}"],
        env,
        OUT / "gunicorn.log",
    )  # fmt: skip
    try:
        wait_until(lambda: celery_app.control.ping([worker_name], timeout=0.5), 90, "worker up")
        wait_until(serving, 60, "gunicorn up")
        print(f"{args.users} analysts for {args.seconds} s against http://127.0.0.1:{PORT}")
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
             "--headless", "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
             "--host", f"http://127.0.0.1:{PORT}", "--csv", str(OUT / "locust"),
             "--only-summary", "--loglevel", "WARNING"],
            cwd=REPO,
            env={**env, "CLAIMDESK_LOAD_FIXTURE": str(OUT / "fixture.json")},
            check=False,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return report(OUT / "locust_stats.csv", args.seconds)
    finally:
        server.terminate()
        worker.terminate()
        server.wait(timeout=30)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


if __name__ == "__main__":
    sys.exit(main())
