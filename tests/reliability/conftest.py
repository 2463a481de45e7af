"""Fault-test harness: workers on a private queue, and hands on Redis and PostgreSQL.

Each test gets its own queue, so the session's `celery_worker_process` (which consumes the
default queue) can never take its tasks, and a worker can be killed without harming other
tests. Redis and PostgreSQL are shared with everything else on the machine: the helpers stop
them as briefly as they can and restore them in `finally`, whatever the test did.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests.conftest import REPO, WorkerProcess, database_url_for

POSTGRES_CONFIG = Path("/etc/postgresql")


def require_broker() -> None:
    if settings.REDIS_URL:
        return
    if os.environ.get("CI_REQUIRE_WORKER"):
        pytest.fail("CI_REQUIRE_WORKER is set but REDIS_URL is not")
    pytest.skip("REDIS_URL is not set: the fault tests need Redis and a real worker (make ci)")


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("this fault test needs PostgreSQL (DATABASE_URL=postgres://...)")


class QueueWorker(WorkerProcess):
    """A `celery worker` consuming only its own queue, answering pings by its own name."""

    def __init__(self, env: dict[str, str], log_path: Path, name: str, extra: list[str]):
        super().__init__(env, log_path)
        self.name, self.extra = name, extra

    def start(self) -> None:
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info",
             "-n", self.name, *self.extra],
            cwd=REPO,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if celery_app.control.ping(destination=[self.name], timeout=0.5):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited; see {self.log_path}")
        raise RuntimeError(f"celery worker did not answer a ping; see {self.log_path}")

    def stop(self, grace: float = 20) -> None:
        """Warm shutdown (the current task finishes) within `grace` seconds, else SIGKILL."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


WorkerStarter = Callable[..., QueueWorker]


@pytest.fixture
def private_workers(django_db_setup, tmp_path) -> Iterator[WorkerStarter]:
    """Start workers on a queue of this test's own; tasks published here go to that queue.

    `start(beat=True, **env)` embeds beat (the periodic re-queue) and overrides settings
    read from the environment, e.g. ARTICLE_REQUEUE_AFTER_SECONDS="2".
    """
    require_broker()
    queue = f"reliability-{uuid.uuid4().hex[:10]}"
    base_env = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
    }
    started: list[QueueWorker] = []
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue

    def start(*, beat: bool = False, **env: str) -> QueueWorker:
        number = len(started) + 1
        extra = ["-B", "-s", str(tmp_path / f"beat-{number}")] if beat else []
        worker = QueueWorker(
            {**base_env, **env},
            tmp_path / f"worker-{number}.log",
            name=f"{queue}-{number}@localhost",
            extra=extra,
        )
        started.append(worker)
        worker.start()
        return worker

    try:
        yield start
    finally:
        celery_app.conf.task_default_queue = default_queue
        for worker in started:
            worker.stop(grace=5)
        _delete_queue(queue)


def queue_length(queue: str | None = None) -> int:
    """Messages waiting in `queue` (default: the queue tasks are published to now)."""
    with celery_app.connection_for_write() as conn:
        name = queue or celery_app.conf.task_default_queue
        return conn.default_channel.client.llen(name)


def _delete_queue(queue: str) -> None:
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


# --- Redis --------------------------------------------------------------------------------


def _redis_address() -> tuple[str, str]:
    url = urlparse(settings.REDIS_URL)
    return url.hostname or "127.0.0.1", str(url.port or 6379)


def redis_answers() -> bool:
    host, port = _redis_address()
    ping = subprocess.run(
        ["redis-cli", "-h", host, "-p", port, "ping"], capture_output=True, text=True, timeout=5
    )
    return ping.stdout.strip() == "PONG"


def start_redis() -> None:
    """Start Redis the way CI does (no persistence) unless it already answers."""
    if redis_answers():
        return
    host, port = _redis_address()
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", host, "--port", port,
         "--save", "", "--appendonly", "no"],
        check=True,
        timeout=30,
    )  # fmt: skip
    _until(redis_answers, "Redis did not come back")


@contextmanager
def redis_stopped() -> Iterator[None]:
    """Redis is down inside the block, and running again after it, whatever happened."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed here: cannot stop and restart the broker")
    host, port = _redis_address()
    try:
        subprocess.run(
            ["redis-cli", "-h", host, "-p", port, "shutdown", "nosave"],
            capture_output=True,
            timeout=10,
        )
        _until(lambda: not redis_answers(), "Redis did not stop")
        yield
    finally:
        start_redis()


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_ctlcluster(action: str) -> None:
    versions = sorted(p.name for p in POSTGRES_CONFIG.iterdir()) if POSTGRES_CONFIG.is_dir() else []
    if shutil.which("pg_ctlcluster") is None or not versions:
        pytest.skip("pg_ctlcluster is not available: cannot restart PostgreSQL here")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", action],
        check=True,
        capture_output=True,
        timeout=120,
    )


def postgresql_answers() -> bool:
    db = connection.settings_dict
    ready = subprocess.run(
        [
            "pg_isready",
            "-q",
            "-h",
            db.get("HOST") or "127.0.0.1",
            "-p",
            str(db.get("PORT") or 5432),
        ],
        timeout=10,
    )
    return ready.returncode == 0


@contextmanager
def postgresql_restarted_during() -> Iterator[Callable[[], None]]:
    """Yield a function that restarts PostgreSQL; after the block it is running, always.

    Every connection of this process is closed afterwards so the next query reconnects.
    """
    try:
        yield lambda: _pg_ctlcluster("restart")
    finally:
        if not postgresql_answers():
            _pg_ctlcluster("start")
        _until(postgresql_answers, "PostgreSQL did not come back")
        for conn in connections.all():
            conn.close()


def _until(predicate: Callable[[], bool], failure: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(failure)


# --- API clients --------------------------------------------------------------------------


def token_for(user) -> str:
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
