"""Rate limits for everything under /api/, counted in the shared cache.

A middleware, not DRF throttle classes, because DRF throttles run inside the view after
authentication and permission checks: an anonymous flood (or one with a bad token) got its
401 before any throttle counted it, and views that are not DRF viewsets (the Swagger UI,
JSON 404s) were not throttled at all. Here every request under /api/ counts, before the view:

- a request with a valid token or a browser session counts against its user's limit
  (`API_THROTTLE_USER`, default 100/s);
- any other request (no credentials, a bad token) counts against its address's limit
  (`API_THROTTLE_ANON`, default 60/min).

Counters are fixed windows aligned to the clock, kept in Django's default cache: Redis when
`REDIS_URL` is set, so every web process shares them; process memory otherwise (the demo).
Each increment is atomic (`cache.incr`), so concurrent requests are never undercounted.
If the cache cannot be reached the request is let through and the failure logged: an outage
of Redis must not take the API down with it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Error, register
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.exceptions import APIException

from api.authentication import CachedTokenAuthentication
from api.errors import error_body

logger = logging.getLogger("api.ratelimit")

API_PREFIX = "/api/"
KEY_PREFIX = "ratelimit"
LIMIT_HEADER = "X-RateLimit-Limit"
REMAINING_HEADER = "X-RateLimit-Remaining"
RESET_HEADER = "X-RateLimit-Reset"

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`"100/s"`, `"60/min"`, `"1000/hour"`, `"5000/day"` (DRF's notation)."""
        count, _, period = text.partition("/")
        try:
            requests = int(count)
            seconds = _PERIODS[period.strip()[:1].lower()]
        except (ValueError, KeyError):
            raise ValueError(f"not a rate: {text!r}; write e.g. 100/s or 60/min") from None
        if requests < 1:
            raise ValueError(f"not a rate: {text!r}; allow at least one request")
        return cls(requests, seconds)


@dataclass(frozen=True)
class Verdict:
    """One request's standing against its limit, and the headers that tell the client."""

    rate: Rate
    count: int
    reset_at: int  # Unix time the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.rate.requests

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.reset_at - now))

    def headers(self) -> dict[str, str]:
        return {
            LIMIT_HEADER: str(self.rate.requests),
            REMAINING_HEADER: str(max(0, self.rate.requests - self.count)),
            RESET_HEADER: str(self.reset_at),
        }


@register()
def rates_are_readable(app_configs, **kwargs) -> list[Error]:
    """A rate the middleware cannot read would fail every API request: say so at start."""
    problems = []
    for name in ("API_THROTTLE_USER", "API_THROTTLE_ANON"):
        try:
            Rate.parse(getattr(settings, name))
        except ValueError as exc:
            problems.append(Error(f"{name}: {exc}", id="claimdesk.E010"))
    return problems


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind `API_NUM_PROXIES` trusted proxies the
    address the outermost of them saw (the last ones in X-Forwarded-For are the proxies')."""
    proxies = settings.API_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _user_id(request: HttpRequest) -> int | None:
    """The authenticated user behind a request, or None: a bad token is anonymous here
    (DRF answers its 401 later, if the request gets that far)."""
    if request.headers.get("Authorization", "").strip():
        try:
            authenticated = CachedTokenAuthentication().authenticate(request)
        except APIException:
            return None
        if authenticated is not None:
            return authenticated[0].pk
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    return None


def check(request: HttpRequest, now: float | None = None) -> Verdict | None:
    """Count the request against its limit; None when the cache could not be reached."""
    now = time.time() if now is None else now
    user_id = _user_id(request)
    if user_id is not None:
        rate, ident = Rate.parse(settings.API_THROTTLE_USER), f"user:{user_id}"
    else:
        rate, ident = Rate.parse(settings.API_THROTTLE_ANON), f"anon:{client_address(request)}"
    window = int(now // rate.seconds)
    key = f"{KEY_PREFIX}:{rate.seconds}:{ident}:{window}"
    cache = caches[settings.API_THROTTLE_CACHE]
    try:
        # add() starts the window's counter (a no-op if another request did), incr() counts
        # this request atomically; the counter expires with its window.
        cache.add(key, 0, timeout=rate.seconds + 1)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.set(key, 1, timeout=rate.seconds + 1)
        count = 1
    except Exception:
        logger.warning("rate limit cache unavailable; request not counted", exc_info=True)
        return None
    return Verdict(rate=rate, count=count, reset_at=(window + 1) * rate.seconds)


def too_many_requests(verdict: Verdict, now: float) -> JsonResponse:
    wait = verdict.retry_after(now)
    response = JsonResponse(
        error_body(
            "throttled",
            f"too many requests: the limit is {verdict.rate.requests} per "
            f"{verdict.rate.seconds} s; retry in {wait} s",
            {"retry_after": wait},
        ),
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


class ApiRateLimitMiddleware:
    """After AuthenticationMiddleware (a session's user is known), before any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX) or not settings.API_THROTTLE_ENABLED:
            return self.get_response(request)
        now = time.time()
        verdict = check(request, now)
        if verdict is None:
            return self.get_response(request)
        response = (
            self.get_response(request) if verdict.allowed else too_many_requests(verdict, now)
        )
        for name, value in verdict.headers().items():
            response[name] = value
        return response
