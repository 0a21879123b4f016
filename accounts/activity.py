"""Who is active, and when: ``User.last_active_at`` and ``UserSession`` rows.

A user's activity forms sessions: a mark more than ``SESSION_GAP`` (30
minutes) after the latest session's ``last_seen_at`` starts a new session;
otherwise it extends that session. The metrics count a user as active on a
day when one of their sessions overlaps that day.

Marks are written at most once per user and ``WRITE_INTERVAL`` (5 minutes),
not on every request, in two layers:

1. an atomic cache ``add()`` of a key per user and 5-minute window (shared
   between processes when ``REDIS_URL`` is set): only the first request of a
   window gets past it; every other request costs one cache call and no query;
2. a conditional UPDATE (``last_active_at`` before the window's start), so
   even without a shared cache (per-process memory, a flushed Redis) the
   database is written at most once per user and window.

So ``last_seen_at`` and ``last_active_at`` lag the real last request by less
than ``WRITE_INTERVAL``, and the 30-minute gap is measured between recorded
marks. ``UserSession.request_count`` counts those recorded marks, i.e. the
5-minute windows of the session in which the user did something, not HTTP
requests.

Marks come from every request our bearer authentication accepts
(``accounts.authentication``), from sign-up, sign-in and token refresh
(``accounts.api.views``), and from signed-in admin pages (``ActivityMiddleware``).
Recording never makes a request fail: errors are logged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, Subquery
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.timezone import now

from accounts.models import User, UserSession
from core.net import client_ip, hash_ip
from core.text import storable

logger = logging.getLogger(__name__)

SESSION_GAP = timedelta(minutes=30)
WRITE_INTERVAL = timedelta(minutes=5)
USER_AGENT_MAX = UserSession._meta.get_field("user_agent").max_length or 255


def activity_window_start(at: datetime) -> datetime:
    """The start of the ``WRITE_INTERVAL`` window holding ``at`` (windows are aligned to the epoch)."""
    step = int(WRITE_INTERVAL.total_seconds())
    return datetime.fromtimestamp(int(at.timestamp()) // step * step, tz=at.tzinfo)


def activity_gate_open(*, user_id: int, at: datetime) -> bool:
    """True for the first caller per user and window, across processes sharing the cache."""
    window = int(activity_window_start(at).timestamp())
    key = f"activity:{user_id}:{window}"
    return bool(cache.add(key, 1, timeout=int(WRITE_INTERVAL.total_seconds()) + 1))


@transaction.atomic
def activity_write(*, user_id: int, at: datetime, user_agent: str = "", ip_hash: str = "") -> bool:
    """Writes one activity mark unless this user already has one in ``at``'s window; True when it wrote.

    The conditional UPDATE of the user row decides (and on PostgreSQL makes a
    concurrent writer of the same user wait, then find the row already
    marked); the mark then extends the user's latest session if it was seen
    within ``SESSION_GAP``, or starts a new one.
    """
    marked = (
        User.objects.filter(pk=user_id)
        .filter(Q(last_active_at__isnull=True) | Q(last_active_at__lt=activity_window_start(at)))
        .update(last_active_at=at)
    )
    if not marked:
        return False
    latest = UserSession.objects.filter(user_id=user_id).order_by("-last_seen_at", "-pk").values("pk")[:1]
    extended = (
        UserSession.objects.filter(pk=Subquery(latest))
        .filter(last_seen_at__gte=at - SESSION_GAP)
        # Greatest: a mark from a process whose clock lags never moves a session back.
        .update(last_seen_at=Greatest(F("last_seen_at"), at), request_count=F("request_count") + 1)
    )
    if not extended:
        UserSession.objects.create(
            user_id=user_id,
            started_at=at,
            last_seen_at=at,
            request_count=1,
            user_agent=user_agent[:USER_AGENT_MAX],
            ip_hash=ip_hash,
        )
    return True


def activity_record(*, request: HttpRequest, user: User, at: datetime | None = None) -> bool:
    """Marks ``user`` (of ``request``) active at ``at`` (now): at most one database write per user
    and ``WRITE_INTERVAL``; returns True when a write was scheduled. Never raises (failures are logged).

    A closed gate costs one cache call and nothing else: the client's IP is hashed only for a
    write. The write runs after the current transaction commits (at once outside a transaction),
    so it never holds the user's row locked for the rest of a view's transaction nor joins its
    rollback.
    """
    try:
        at = at or now()
        if not activity_gate_open(user_id=user.pk, at=at):
            return False
        ip = client_ip(request)
        # A client chooses its User-Agent: NUL or a lone surrogate would make PostgreSQL refuse the write.
        user_agent = storable(request.META.get("HTTP_USER_AGENT", ""))
        user_id, ip_hash = user.pk, hash_ip(ip) if ip else ""
        transaction.on_commit(
            _never_raising(lambda: activity_write(user_id=user_id, at=at, user_agent=user_agent, ip_hash=ip_hash))
        )
        return True
    except Exception:
        logger.exception("could not record the activity of user %s", user.pk)
        return False


def _never_raising(write: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            write()
        except Exception:
            logger.exception("could not write an activity mark")

    return run


class ActivityMiddleware:
    """Marks signed-in admin users active (the API marks its users in ``JWTAuthentication``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Only admin pages with a session cookie: they resolve request.user anyway,
        # so this costs no query; other pages would pay a session lookup.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.path.startswith(self.admin_prefix()):
            user = getattr(request, "user", None)
            if isinstance(user, User) and user.is_authenticated:
                activity_record(request=request, user=user)
        return response

    def admin_prefix(self) -> str:
        if self._admin_prefix is None:
            try:
                self._admin_prefix = reverse("admin:index")
            except NoReverseMatch:
                self._admin_prefix = "/admin/"
        return self._admin_prefix
