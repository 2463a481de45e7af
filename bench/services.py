"""What the database-backed benchmarks share: their own PostgreSQL database beside the one in
DATABASE_URL, and the worker and web processes they start and wait for."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]


def bench_database(url: str, suffix: str) -> tuple[str, str, str]:
    """(bench URL, bench database name, URL of the server's maintenance database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        name,
        urlunsplit(parts._replace(path="/postgres")),
    )


def ensure_database(maintenance_url: str, name: str, rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = exists.fetchone()
        if exists and rebuild:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def django_in_bench_database(suffix: str, rebuild: bool) -> tuple[str, str]:
    """Point Django at the bench's own database (DATABASE_URL's name + `suffix`), set it up
    and migrate it; (its URL, its name). No worker: setup runs tasks in-process, and the API
    throttle is lifted so that the bench measures the work, not the limit."""
    import os

    source_url = os.environ.get("DATABASE_URL", "")
    if not source_url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL server (the bench database is derived)")
    url, name, maintenance = bench_database(source_url, suffix)
    ensure_database(maintenance, name, rebuild)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("API_THROTTLE_USER", "100000/s")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url, name


def describe(label: str, timings: list[float], width: int = 34) -> tuple[float, float]:
    """Print and return the median and p95 of `timings` (seconds) in milliseconds."""
    import statistics

    ordered = sorted(timings)
    median = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    print(f"{label:<{width}} median {median:7.2f} ms   p95 {p95:7.2f} ms   n={len(ordered)}")
    return median, p95


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A process of the system under test, its output appended to `log`."""
    handle = log.open("ab")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)


def start_worker(name: str, env: dict, log: Path) -> subprocess.Popen:
    """One Celery worker process (solo pool) named `name`, quiet on the control bus."""
    return start(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", name,
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env,
        log,
    )  # fmt: skip


def within(predicate, timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def wait_until(predicate, timeout: float, what: str, interval: float = 0.5) -> None:
    if not within(predicate, timeout, interval):
        raise SystemExit(f"{Path(sys.argv[0]).name}: {what} did not happen within {timeout:.0f} s")
