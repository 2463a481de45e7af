"""Every operational setting comes from the environment, as the README promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

ENVIRONMENT = {
    "WEBHOOK_ALLOW_PRIVATE_NETWORKS": ("1", True),
    "WEBHOOK_MAX_ATTEMPTS": ("3", 3),
    "WEBHOOK_RETRY_BASE_SECONDS": ("7", 7.0),
    "WEBHOOK_TIMEOUT_SECONDS": ("4", 4.0),
    "CELERY_WEBHOOK_QUEUE": ("hooks", "hooks"),
    "EXTRACTION_MAX_SECONDS": ("12", 12.0),
    "EXTRACTION_MAX_CLAIMS": ("40", 40),
    "EXTRACTION_MAX_PARAGRAPH_CHARS": ("3000", 3000),
    "ARTICLE_MAX_BYTES": ("1000000", 1000000),
    "ARTICLE_BATCH_MAX": ("10", 10),
    "API_THROTTLE_USER": ("5/s", "5/s"),
    "API_THROTTLE_ANON": ("9/min", "9/min"),
    "API_NUM_PROXIES": ("1", 1),
    "API_GZIP": ("0", False),
    "CACHE_URL": ("redis://cache.example:6379/2", "redis://cache.example:6379/2"),
}

_PRINT = """
import json, django
django.setup()
from django.conf import settings
names = json.loads(__import__("sys").argv[1])
values = {name: getattr(settings, name) for name in names}
values["_schedule"] = {k: v["schedule"] for k, v in settings.CELERY_BEAT_SCHEDULE.items()}
values["_routes"] = settings.CELERY_TASK_ROUTES
values["_cache"] = settings.CACHES["default"]["BACKEND"]
print(json.dumps(values))
"""


def _settings_under(environment: dict[str, str]) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ENVIRONMENT and key not in ("REDIS_URL", "DEBUG")
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", _PRINT, json.dumps(sorted(ENVIRONMENT))],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_each_setting_is_read_from_its_variable():
    values = _settings_under(
        {
            **{name: raw for name, (raw, _) in ENVIRONMENT.items()},
            "WEBHOOK_DISPATCH_INTERVAL_SECONDS": "2",
            "REANALYZE_INTERVAL_SECONDS": "60",
        }
    )
    for name, (_, expected) in ENVIRONMENT.items():
        assert values[name] == expected, name
    assert values["_schedule"]["dispatch-webhooks"] == 2.0
    assert values["_schedule"]["reanalyze-outdated-articles"] == 60.0
    assert values["_routes"]["api.tasks.deliver_webhook"] == {"queue": "hooks"}
    assert values["_cache"] == "django.core.cache.backends.redis.RedisCache"


def test_private_networks_follow_debug_unless_set():
    assert _settings_under({})["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] is False
    assert _settings_under({"DEBUG": "1"})["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] is True
    off = _settings_under({"DEBUG": "1", "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "0"})
    assert off["WEBHOOK_ALLOW_PRIVATE_NETWORKS"] is False
