"""Rate limits (issue 16, bug 10): counted before authentication, for every path under
/api/, in the shared cache, and told to the client in X-RateLimit-* headers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from api import ratelimit
from tests.api.conftest import client_for, error_of

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = "redis://127.0.0.1:6379/11"
LIMIT, REMAINING, RESET = "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"


def test_an_anonymous_flood_is_429_not_only_401(world, settings):
    settings.API_THROTTLE_ANON = "5/day"
    client = APIClient()
    statuses = [client.get("/api/v1/dossiers/").status_code for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    assert error_of(client.get("/api/v1/dossiers/"))["code"] == "throttled"


def test_bad_tokens_count_against_the_address_not_a_user(world, settings):
    settings.API_THROTTLE_ANON = "3/day"
    statuses = []
    for attempt in range(5):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token guess-{attempt}")
        statuses.append(client.get("/api/v1/dossiers/").status_code)
    assert statuses == [401, 401, 401, 429, 429]


def test_users_are_limited_apart_from_anonymous_callers_of_their_address(world, settings):
    settings.API_THROTTLE_ANON = "2/day"
    settings.API_THROTTLE_USER = "4/day"
    anonymous = APIClient()
    assert [anonymous.get("/api/v1/teams/").status_code for _ in range(3)] == [401, 401, 429]
    analyst, viewer = client_for(world.analyst), client_for(world.viewer)
    assert [analyst.get("/api/v1/teams/").status_code for _ in range(5)] == [200] * 4 + [429]
    assert viewer.get("/api/v1/teams/").status_code == 200, "each user has their own count"


def test_the_swagger_ui_and_the_schema_are_throttled(world, settings):
    settings.API_THROTTLE_ANON = "3/day"
    client = Client()
    statuses = [client.get("/api/docs/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/docs/")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert client.get("/api/schema/").status_code == 429, "one count per address"


def test_unknown_paths_are_throttled_too(world, settings):
    settings.API_THROTTLE_ANON = "2/day"
    client = Client()
    statuses = [client.post("/api/v1/nothing/").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_responses_carry_rate_limit_headers(world, settings):
    settings.API_THROTTLE_USER = "3/day"
    client = client_for(world.viewer)
    before = time.time()
    first, second, third, fourth = (client.get("/api/v1/teams/") for _ in range(4))
    assert [r.status_code for r in (first, second, third, fourth)] == [200, 200, 200, 429]
    assert first["X-RateLimit-Limit"] == "3"
    remaining = [r["X-RateLimit-Remaining"] for r in (first, second, third, fourth)]
    assert remaining == ["2", "1", "0", "0"]
    reset = int(first["X-RateLimit-Reset"])
    assert before < reset <= before + 86400, "the Unix time the window ends"
    assert reset % 86400 == 0, "windows are aligned to the clock"
    problem = error_of(fourth)
    assert int(fourth["Retry-After"]) == problem["details"]["retry_after"]
    assert 0 < problem["details"]["retry_after"] <= reset - before + 1
    assert fourth["X-RateLimit-Reset"] == first["X-RateLimit-Reset"]
    assert "Retry-After" not in first


def test_errors_from_the_view_keep_the_headers(world, settings):
    client = client_for(world.viewer)
    response = client.get("/api/v1/verdicts/not-a-uuid/")
    assert response.status_code == 404
    assert response["X-RateLimit-Limit"] == "100"


def test_pages_outside_the_api_are_not_counted(world, settings):
    settings.API_THROTTLE_ANON = "1/day"
    client = Client()
    for _ in range(3):
        response = client.get("/admin/login/")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response


def test_concurrent_requests_are_never_undercounted(world, settings):
    """The count is one atomic increment per request: of 30 requests racing on one limit of
    10, exactly 10 pass (a read-then-write count, like DRF's, lets more through)."""
    settings.API_THROTTLE_ANON = "10/day"
    request = type("Request", (), {})
    allowed = []

    def hit():
        fake = request()
        fake.META = {"REMOTE_ADDR": "198.51.100.7"}
        fake.headers = {}
        fake.user = None
        allowed.append(ratelimit.check(fake).allowed)

    threads = [threading.Thread(target=hit) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 10


def test_behind_trusted_proxies_the_forwarded_address_counts(world, settings):
    settings.API_THROTTLE_ANON = "1/day"
    settings.API_NUM_PROXIES = 1
    client = Client()
    first = client.get("/api/v1/teams/", HTTP_X_FORWARDED_FOR="203.0.113.1")
    other = client.get("/api/v1/teams/", HTTP_X_FORWARDED_FOR="203.0.113.2")
    again = client.get("/api/v1/teams/", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert [first.status_code, other.status_code, again.status_code] == [401, 401, 429]


def test_with_the_cache_unreachable_requests_pass_without_headers(world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client_for(world.viewer).get("/api/v1/teams/")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response


def test_with_a_redis_url_the_cache_is_redis_and_shared_by_processes():
    script = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("CACHE_URL", None)
    env["REDIS_URL"] = "redis://redis.example:6379/0"
    shared = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shared == ["django.core.cache.backends.redis.RedisCache", env["REDIS_URL"]]
    env.pop("REDIS_URL")
    local = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            + script.replace(", settings.CACHES['default']['LOCATION']", ""),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert local == ["django.core.cache.backends.locmem.LocMemCache"]


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.3).ping())
    except Exception:
        return False


def _forget_redis_counts() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    for key in client.scan_iter(match="claimdesk:*:ratelimit:*"):
        client.delete(key)


_COUNT_IN_ANOTHER_PROCESS = """
import django
django.setup()
from api import ratelimit
request = type("Request", (), {"META": {"REMOTE_ADDR": "127.0.0.1"}, "headers": {}, "user": None})
print([ratelimit.check(request()).count for _ in range(3)])
"""


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_processes_sharing_redis_share_one_count(world, settings):
    """Another web process counts three requests from an address; this one then allows the
    address only what is left of the limit."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": "claimdesk",
        }
    }
    settings.API_THROTTLE_ANON = "4/day"
    _forget_redis_counts()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CACHE_URL": REDIS_TEST_URL,
        "API_THROTTLE_ANON": "4/day",
    }
    try:
        other = subprocess.run(
            [sys.executable, "-c", _COUNT_IN_ANOTHER_PROCESS],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert other.stdout.strip() == "[1, 2, 3]"
        client = Client(REMOTE_ADDR="127.0.0.1")
        assert [client.get("/api/v1/teams/").status_code for _ in range(2)] == [401, 429]
    finally:
        _forget_redis_counts()


def test_an_unreadable_rate_fails_the_system_checks(settings):
    settings.API_THROTTLE_USER = "lots"
    problems = ratelimit.rates_are_readable(None)
    assert [problem.id for problem in problems] == ["claimdesk.E010"]
    assert "API_THROTTLE_USER" in problems[0].msg
    settings.API_THROTTLE_USER = "100/s"
    assert ratelimit.rates_are_readable(None) == []


@pytest.mark.parametrize(
    ("text", "rate"),
    [("100/s", (100, 1)), ("60/min", (60, 60)), ("1000/hour", (1000, 3600)), ("5/day", (5, 86400))],
)
def test_rates_read_like_drfs(text, rate):
    parsed = ratelimit.Rate.parse(text)
    assert (parsed.requests, parsed.seconds) == rate


def test_the_schema_declares_the_headers(world):
    schema = client_for(world.viewer).get("/api/schema/?format=json").json()
    for item in schema["paths"].values():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                assert {LIMIT, REMAINING, RESET} <= set(response["headers"]), (method, status)
            assert operation["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    created = schema["paths"]["/api/v1/dossiers/"]["post"]["responses"]["201"]["headers"]
    assert "Idempotent-Replayed" in created
