"""Fixed-window counters shared between processes through the cache (Redis when ``REDIS_URL`` is set).

The counting behind every rate limit, with no HTTP framework in it: the API's
throttle classes (``core.throttling``) count requests with it, and
``failures_limited`` counts failed attempts wherever they are made. A counter is
kept with the cache's atomic ``incr``: DRF's own ``SimpleRateThrottle`` keeps a
request log with a read-then-write that loses counts under concurrent requests,
which is exactly when a limit matters. Every counted request carries
``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (the Mastodon convention).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.errors import RateLimited
from core.net import client_ip, hash_ip

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` → (10, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period[:1]]


@dataclass(frozen=True)
class Window:
    """One client's count in the current fixed window of a limit."""

    key: str
    limit: int
    count: int
    reset: int  # when the window ends, in seconds since the epoch
    now: float

    @property
    def wait(self) -> float:
        return max(self.reset - self.now, 0)

    def publish(self, request: HttpRequest) -> None:
        """Leaves the ``X-RateLimit-*`` headers for ``RequestIDMiddleware`` to add; when several
        limits apply to one request, the one with the fewest requests left is shown."""
        remaining = max(self.limit - self.count, 0)
        shown = getattr(request, "ratelimit_headers", None)
        if shown is None or remaining <= int(shown["X-RateLimit-Remaining"]):
            request.ratelimit_headers = {  # type: ignore[attr-defined]
                "X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(self.reset),
            }

    def give_back(self) -> Window:
        """Takes this request's count back out of the window (it turned out not to count)."""
        try:
            count = cache.decr(self.key)
        except ValueError:  # the window expired meanwhile
            count = 0
        return replace(self, count=count)


def window_hit(scope: str, ident: str) -> Window:
    """Counts one more request of ``ident`` in the current window of ``RATE_LIMITS[scope]``."""
    limit, period = parse_rate(settings.RATE_LIMITS[scope])
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{scope}:{ident}:{window}"
    # add() is a no-op when the key exists, so the window's TTL is set once.
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=period + 1)
        count = 1
    return Window(key=key, limit=limit, count=count, reset=(window + 1) * period, now=now)


@contextmanager
def failures_limited(
    request: HttpRequest, scope: str, key: str, *, counts: Callable[[Exception], bool]
) -> Iterator[None]:
    """Limits failed attempts per ``key`` (an account's email, a user id), whoever makes them.

    Only an exception for which ``counts`` is true stays counted. Once the window
    of ``RATE_LIMITS[scope]`` holds that many failures, every attempt for the key
    is refused with ``RateLimited`` (a 429) until the window ends, a right password
    included: that is what stops many clients from sharing out the guessing of one
    password. Each attempt takes its place in the count before it runs and gives it
    back when it did not fail, so a burst of parallel attempts cannot all slip in
    under the limit. The key is stored and logged only as a keyed hash, and is
    counted the same whether or not an account has it, so the answers tell nothing
    about which accounts exist.
    """
    if not settings.RATE_LIMITS_ENABLED:
        yield
        return
    ident = hash_ip(key)  # the keyed hash used for IPs: no email address in the cache or the logs
    window = window_hit(scope, ident)
    if window.count > window.limit:
        # Refused, so not an attempt: only failures may keep the key locked.
        window.give_back().publish(request)
        raise RateLimited("Too many failed attempts.", wait=window.wait)
    try:
        yield
    except Exception as exc:
        if not counts(exc):
            window.give_back().publish(request)
        else:
            window.publish(request)
            if window.count == window.limit:
                ip = client_ip(request)
                logger.warning(
                    "%s: %s failures, further attempts refused for %d s",
                    scope,
                    window.count,
                    window.wait,
                    extra={"scope": scope, "key_hash": ident, "ip_hash": hash_ip(ip) if ip else None},
                )
        raise
    window.give_back().publish(request)
