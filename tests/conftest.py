"""Test harness.

Without REDIS_URL, Celery runs tasks eagerly in-process. With REDIS_URL (CI), tests marked
`worker` get a real `celery worker` process on the test database; every other test still
runs tasks eagerly so that it does not depend on the worker's timing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data folder is only in CI and dev machines")
    return path


def pytest_report_header(config):
    database = settings.DATABASES["default"]
    broker = settings.REDIS_URL or "none (tasks run eagerly in-process)"
    return [f"claimdesk: database {database['ENGINE'].rsplit('.', 1)[-1]}, broker {broker}"]


@pytest.fixture(autouse=True)
def _eager_tasks_unless_worker(request):
    wants_worker = request.node.get_closest_marker("worker") is not None
    celery_app.conf.task_always_eager = not wants_worker
    yield
    celery_app.conf.task_always_eager = not settings.REDIS_URL


@pytest.fixture(autouse=True)
def _no_throttle_history():
    """Each test starts with an empty cache, so with no API throttle history: a rolled-back
    test's user ids are given again on SQLite, and a new user inherited the requests of an
    earlier one (a 429 in `test_bad_input.py` after the fuzz tests)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if isinstance(cache, RedisCache):
        # Not clear(): that would flush the Redis database the Celery broker may share.
        client = cache._cache.get_client(write=True)
        pattern = cache.make_key("ratelimit:*")
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    else:
        cache.clear()


def database_url_for(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{settings_dict['TEST']['NAME'] or settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


class WorkerProcess:
    """A real `celery worker` subprocess on the test database."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                # Both queues: extraction and webhook deliveries (config/settings.py).
                "-Q",
                f"{settings.CELERY_TASK_DEFAULT_QUEUE},{settings.CELERY_WEBHOOK_QUEUE}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            cwd=REPO,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if celery_app.control.ping(timeout=0.5):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited; see {self.log_path}")
        raise RuntimeError(f"celery worker did not answer a ping; see {self.log_path}")

    def ensure_running(self) -> None:
        """Start again if an earlier test's fault (a database restart, a kill) ended it."""
        if self.process is None or self.process.poll() is not None:
            self.log.close()
            self.start()

    def kill(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    if not settings.REDIS_URL:
        if os.environ.get("CI_REQUIRE_WORKER"):
            pytest.fail("CI_REQUIRE_WORKER is set but REDIS_URL is not")
        pytest.skip("REDIS_URL is not set: the real-worker tests run in CI (make ci)")
    from django.db import connection

    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        # Tests' webhook receivers listen on 127.0.0.1.
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1",
    }
    worker = WorkerProcess(env, tmp_path_factory.mktemp("worker") / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2):
    """Poll until `predicate()` is truthy; return its value or fail with the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
