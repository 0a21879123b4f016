"""The API's rate limits: DRF throttle classes counting requests per client in ``core.ratelimit``'s windows.

Every limited answer carries ``X-RateLimit-Limit``, ``-Remaining`` and
``-Reset`` (the Mastodon convention); a refused one is a 429 with ``Retry-After``.
Failed attempts (``core.ratelimit.failures_limited``) are counted there too,
without DRF, so that any caller may use them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core.net import client_ip
from core.ratelimit import window_hit


class RateThrottle(BaseThrottle):
    """Limits requests per client within a fixed window; ``scope`` names a key of ``RATE_LIMITS``."""

    scope = ""

    def get_scope(self, view: Any) -> str:
        return self.scope

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
        window = window_hit(self.get_scope(view), self.ident(request))
        self.wait_seconds = window.wait
        window.publish(request._request)
        return window.count <= window.limit

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
        return anonymous and request.method not in SAFE_METHODS


class UserWriteThrottle(RateThrottle):
    """Signed-in writes per user, in the budget the view names with ``throttle_scope``.

    A default throttle: a view opts in by setting ``throttle_scope`` (a key of
    ``RATE_LIMITS``; a property when the budget depends on the request). Reads
    (GET, HEAD, OPTIONS) are never counted, nor are views without a scope.
    """

    def get_scope(self, view: Any) -> str:
        return getattr(view, "throttle_scope", "") or ""

    def applies(self, request: Request, view: Any) -> bool:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        return signed_in and request.method not in SAFE_METHODS and bool(self.get_scope(view))


class ErrorLogThrottle(RateThrottle):
    """Frontend error reports per signed-in user, or per IP when anonymous: a crash loop cannot flood the log."""

    scope = "error_log"


class ExportThrottle(RateThrottle):
    """Data exports (GET users/me/export) per signed-in user: each reads every row the account has."""

    scope = "export"
