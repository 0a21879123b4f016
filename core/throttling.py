"""Rate limits shared between processes through the cache (Redis when ``REDIS_URL`` is set).

A fixed window counter kept with the cache's atomic ``incr``: DRF's own
``SimpleRateThrottle`` keeps a request log with a read-then-write that loses
counts under concurrent requests, which is exactly when a limit matters.
Every limited answer carries ``X-RateLimit-Limit``, ``-Remaining`` and
``-Reset`` (the Mastodon convention); a refused one is a 429 with ``Retry-After``.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.net import client_ip

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` → (10, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period[:1]]


class RateThrottle(BaseThrottle):
    """Limits requests per client within a fixed window; ``scope`` names a key of ``RATE_LIMITS``."""

    scope = ""

    def applies(self, request: Request, view: Any) -> bool:
        return True

    def ident(self, request: Request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{client_ip(request._request) or 'unknown'}"

    def allow_request(self, request: Request, view: Any) -> bool:
        if not settings.RATE_LIMITS_ENABLED or not self.applies(request, view):
            return True
        limit, period = parse_rate(settings.RATE_LIMITS[self.scope])
        now = time.time()
        window = int(now // period)
        key = f"ratelimit:{self.scope}:{self.ident(request)}:{window}"
        # add() is a no-op when the key exists, so the window's TTL is set once.
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=period + 1)
            count = 1
        reset = (window + 1) * period
        self.wait_seconds = max(reset - now, 0)
        request._request.ratelimit_headers = {  # type: ignore[attr-defined]
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - count, 0)),
            "X-RateLimit-Reset": str(int(reset)),
        }
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "wait_seconds", None)


class LoginThrottle(RateThrottle):
    scope = "login"


class RegisterThrottle(RateThrottle):
    scope = "register"


class PasswordResetThrottle(RateThrottle):
    scope = "password_reset"


class AnonWriteThrottle(RateThrottle):
    """Anything anonymous that writes (POST, PUT, PATCH, DELETE) shares one budget per IP."""

    scope = "anon_write"

    def applies(self, request: Request, view: Any) -> bool:
        user = getattr(request, "user", None)
        anonymous = user is None or not user.is_authenticated
        return anonymous and request.method not in ("GET", "HEAD", "OPTIONS")


class MediaUploadThrottle(RateThrottle):
    """Image uploads per signed-in user: each request decodes and stores up to four images."""

    scope = "media_upload"


class ReportThrottle(RateThrottle):
    """Abuse reports per signed-in user, so the moderation queue cannot be flooded."""

    scope = "reports"


class ErrorLogThrottle(RateThrottle):
    """Frontend error reports per signed-in user, or per IP when anonymous: a crash loop cannot flood the log."""

    scope = "error_log"
