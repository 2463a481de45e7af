"""Claimdesk settings, read from the environment.

With no environment at all the project runs on an embedded default: SQLite in the
project folder and Celery tasks executed eagerly in-process (the demo). Production and
CI set DATABASE_URL (PostgreSQL) and REDIS_URL (a real broker and worker).
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLAIMDESK_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A per-checkout key for development; `check --deploy` flags it (see dossiers.checks)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's assets, pinned, served from here: no CDN
    "simple_history",
    "eventlog",
    "dossiers",
    "claims",
    "workers",
    "api",
]

MIDDLEWARE = [
    "api.middleware.ApiErrorShapeMiddleware",  # first: it shapes what the others answer
    "api.compression.ApiGZipMiddleware",  # gzip under /api/ for clients that accept it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "api.ratelimit.ApiRateLimitMiddleware",  # after authentication, before any API view
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "eventlog.middleware.RequestIdMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (server thread + eager tasks) wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# `collectstatic` fills STATIC_ROOT (compose, the Dockerfile, `make demo`); until it has run,
# WhiteNoise serves the apps' static files straight from the finders, so the admin is styled
# on every documented path, with or without DEBUG.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

# Uploads: the article limit is enforced by the upload command; the request limits keep
# Django from buffering more than that in memory.
ARTICLE_MAX_BYTES = int(os.environ.get("ARTICLE_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = ARTICLE_MAX_BYTES + 1024 * 1024
# Articles in one batch upload (the whole body stays under the cap above).
ARTICLE_BATCH_MAX = int(os.environ.get("ARTICLE_BATCH_MAX", "100"))
FILE_UPLOAD_MAX_MEMORY_SIZE = ARTICLE_MAX_BYTES + 1024 * 1024

# Security: cookies and HSTS follow HTTPS_ONLY, which production sets behind TLS.
HTTPS_ONLY = env_bool("HTTPS_ONLY")
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 31536000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS_ONLY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Celery: no REDIS_URL means tasks run eagerly in-process (demo); with it, a real broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "claimdesk")
# Webhook deliveries have a queue of their own, so that a long extraction never delays them:
# run a worker on it (`celery -A config worker -Q claimdesk-webhooks`), or one worker on both.
CELERY_WEBHOOK_QUEUE = os.environ.get("CELERY_WEBHOOK_QUEUE", "claimdesk-webhooks")
CELERY_TASK_ROUTES = {
    "api.tasks.deliver_webhook": {"queue": CELERY_WEBHOOK_QUEUE},
    "api.tasks.dispatch_webhooks": {"queue": CELERY_WEBHOOK_QUEUE},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "240"))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2}
# Publishing must not hang a web request when Redis is down: fail fast, the periodic
# re-queue task picks up articles left pending.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# Articles of one dossier a worker extracts and stores together (see workers/pipeline.py).
EXTRACTION_BATCH_SIZE = max(1, int(os.environ.get("EXTRACTION_BATCH_SIZE", "16")))
# The budget of one article (workers/pipeline.py): past EXTRACTION_MAX_SECONDS its extraction
# stops and the article fails with that reason; of more than EXTRACTION_MAX_CLAIMS claims the
# most check-worthy are kept (the article says so); paragraphs (and single lines) longer than
# EXTRACTION_MAX_PARAGRAPH_CHARS are cut at a sentence end. 0 turns the first two off.
EXTRACTION_MAX_SECONDS = float(os.environ.get("EXTRACTION_MAX_SECONDS", "60"))
EXTRACTION_MAX_CLAIMS = int(os.environ.get("EXTRACTION_MAX_CLAIMS", "500"))
EXTRACTION_MAX_PARAGRAPH_CHARS = max(
    1000, int(os.environ.get("EXTRACTION_MAX_PARAGRAPH_CHARS", "10000"))
)
ARTICLE_REQUEUE_AFTER_SECONDS = int(os.environ.get("ARTICLE_REQUEUE_AFTER_SECONDS", "300"))
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-articles": {
        "task": "workers.tasks.requeue_stale_articles",
        "schedule": float(os.environ.get("REQUEUE_INTERVAL_SECONDS", "60")),
    },
    "dispatch-webhooks": {
        "task": "api.tasks.dispatch_webhooks",
        "schedule": float(os.environ.get("WEBHOOK_DISPATCH_INTERVAL_SECONDS", "5")),
    },
    "purge-idempotency-keys": {"task": "api.tasks.purge_idempotency_keys", "schedule": 3600.0},
    "reanalyze-outdated-articles": {
        "task": "workers.tasks.reanalyze_outdated_articles",
        "schedule": float(os.environ.get("REANALYZE_INTERVAL_SECONDS", "600")),
    },
}

# Webhook deliveries (api/webhooks.py). Private, loopback and link-local addresses are
# refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS (default: on with DEBUG, for local tests).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", DEBUG)
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))

# The cache holds the API's rate-limit counters, so it must be shared by every web process:
# Redis when CACHE_URL (default: REDIS_URL) is set, process memory otherwise (the demo).
CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "claimdesk",
            # A Redis outage must not hang requests: the rate limiter lets them through.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits under /api/ (api/ratelimit.py): per user with a token or session, per address
# otherwise (no credentials or bad ones). "N/s", "N/min", "N/hour" or "N/day".
API_THROTTLE_ENABLED = env_bool("API_THROTTLE_ENABLED", True)
API_THROTTLE_USER = os.environ.get("API_THROTTLE_USER", "100/s")
API_THROTTLE_ANON = os.environ.get("API_THROTTLE_ANON", "60/min")
API_THROTTLE_CACHE = "default"
# gzip API responses for clients that send Accept-Encoding: gzip (api/compression.py).
API_GZIP = env_bool("API_GZIP", True)
# Reverse proxies in front of the app whose X-Forwarded-For is trusted for the address of
# anonymous callers (0: use the connection's address).
API_NUM_PROXIES = int(os.environ.get("API_NUM_PROXIES", "0"))

# Longer URLs under /api/ are refused with 414 (run gunicorn with --limit-request-line 8190,
# above this, so that it is this JSON 414 that clients get, not the app server's own).
API_MAX_URL_LENGTH = int(os.environ.get("API_MAX_URL_LENGTH", "4096"))

# Seconds an API process may keep accepting a token after it was revoked elsewhere (or its
# user deactivated); the revoking process forgets it at once. 0: look up every request.
API_TOKEN_CACHE_SECONDS = float(os.environ.get("API_TOKEN_CACHE_SECONDS", "10"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "api.filtersets.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "api.filtersets.StrictOrderingFilter",
    ],
    # JSON everywhere; only the article upload also reads multipart and form bodies (its
    # own parser_classes), so a garbled form body elsewhere is 415, not an empty request.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ClaimdeskSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.NumberedPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # Rate limits are api.ratelimit's middleware: it counts every request under /api/,
    # before authentication can refuse it, in the shared cache.
    "DEFAULT_THROTTLE_CLASSES": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Claimdesk API",
    "DESCRIPTION": (
        "Dossiers, articles, claims, clusters, verdicts and the event feed. "
        "Authenticate with `Authorization: Token <key>` (a scoped token from `/tokens/`, "
        "or a session). "
        'Every error is `{"error": {"code", "message", "details"}}`; see docs/API.md.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar (pinned), not a CDN's @latest
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.rows_of_selectable_lists",
        "api.schema.rate_limit_and_replay_headers",
        "api.schema.strict_parameters",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "dossiers.models.Article.Status",
        "VerdictStatusEnum": "claims.models.Verdict.Status",
        "DeliveryStatusEnum": "api.models.WebhookDelivery.Status",
        "SourceReliabilityEnum": "dossiers.models.SourceReliability",
        "ContradictionKindEnum": "claims.extraction.contradictions.KINDS",
        "SourceKindEnum": "dossiers.models.Source.Kind",
        "QuestionStanceEnum": "dossiers.models.QuestionStance",
        "DossierStatusEnum": "dossiers.models.Dossier.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
