"""Writes of the metrics roll-ups: what ``refresh_metrics`` runs (see ``metrics.rollup`` for the definitions)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from content.services.tickers import ticker_posts_recount
from content.trending import hourly_mentions_refresh
from core.dates import day_start, utc_date
from core.errors import Invalid
from metrics.models import DailyMetrics, RetentionCohort
from metrics.rollup import (
    DAY,
    RETENTION_DAYS,
    WEEK_DAYS,
    daily_metrics_compute,
    retention_compute,
    week_start,
)

DEFAULT_REFRESH_DAYS = 3  # today, yesterday (now complete) and the day before: cron may be late
MAX_REFRESH_DAYS = 3650
HOURLY_MENTIONS_DAYS = 8  # more than trending's longest window (168 hours)
# Any constant shared by every process; PostgreSQL advisory locks are keyed by a 64-bit integer.
ADVISORY_LOCK_KEY = 0x7061676573686172  # "pageshar"
CACHE_LOCK_KEY = "metrics:refresh-lock"
CACHE_LOCK_SECONDS = 60 * 60  # a crashed run's lock lapses after this


@dataclass(frozen=True)
class RefreshResult:
    first: date
    last: date
    days: int
    cohorts: int
    tickers_recounted: int
    hourly_rows: int


@contextmanager
def refresh_lock() -> Iterator[bool]:
    """Yields whether this run holds the refresh lock; a second run at the same time gets False.

    PostgreSQL: a session-level advisory lock (released on exit, or when the connection dies).
    Other databases: an entry added to the cache (shared between processes with Redis; with the
    in-process cache it only guards one process, which is fine for SQLite development).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            (acquired,) = cursor.fetchone()
        try:
            yield bool(acquired)
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    token = uuid.uuid4().hex
    acquired = cache.add(CACHE_LOCK_KEY, token, timeout=CACHE_LOCK_SECONDS)
    try:
        yield acquired
    finally:
        if acquired and cache.get(CACHE_LOCK_KEY) == token:
            cache.delete(CACHE_LOCK_KEY)


@transaction.atomic
def daily_metrics_refresh(*, first: date, last: date, now: datetime) -> int:
    """Recomputes and stores the ``DailyMetrics`` rows of ``first``..``last``; returns how many.

    An upsert on the unique date: running it twice leaves the same rows (``computed_at`` aside).
    """
    rows = daily_metrics_compute(first=first, last=last, now=now)
    fields = [f.name for f in DailyMetrics._meta.concrete_fields if f.name not in ("id", "date")]
    DailyMetrics.objects.bulk_create(
        rows, batch_size=500, update_conflicts=True, unique_fields=["date"], update_fields=fields
    )
    return len(rows)


@transaction.atomic
def retention_cohorts_refresh(*, first: date, last: date, now: datetime) -> int:
    """Recomputes the cohorts whose numbers depend on activity during ``first``..``last``; returns how many.

    A cohort's numbers read the activity of the 36 days after its Monday, so those are the weeks
    starting from 36 days before ``first`` to ``last``. Their rows are replaced (a week that has
    lost all its members loses its row).
    """
    first_week = week_start(first - (WEEK_DAYS - 1 + max(RETENTION_DAYS)) * DAY)
    last_week = week_start(last)
    cohorts = retention_compute(first_week=first_week, last_week=last_week, today=utc_date(now), now=now)
    RetentionCohort.objects.filter(week__gte=first_week, week__lte=last_week).delete()
    RetentionCohort.objects.bulk_create(cohorts, batch_size=500)
    return len(cohorts)


def metrics_refresh(*, days: int = DEFAULT_REFRESH_DAYS, now: datetime | None = None) -> RefreshResult | None:
    """Everything ``refresh_metrics`` does, under the refresh lock; None when another run holds it.

    In order: the daily roll-up and the retention cohorts of the last ``days`` days (today
    included), the ticker post counters (``ticker_posts_recount``, repairing any drift), then the
    hourly ticker mentions behind trending for the last 8 days, or ``days`` if more. Each step
    commits on its own, so a long backfill never holds locks that posting needs.
    """
    if not 1 <= days <= MAX_REFRESH_DAYS:
        raise Invalid({"days": [f"Must be between 1 and {MAX_REFRESH_DAYS}."]})
    now = now or timezone.now()
    last = utc_date(now)
    first = last - (days - 1) * DAY
    with refresh_lock() as acquired:
        if not acquired:
            return None
        daily_metrics_refresh(first=first, last=last, now=now)
        cohorts = retention_cohorts_refresh(first=first, last=last, now=now)
        with transaction.atomic():
            recounted = ticker_posts_recount()
        since = min(now - timedelta(days=HOURLY_MENTIONS_DAYS), day_start(first))
        hourly = hourly_mentions_refresh(since=since, until=now)
    return RefreshResult(
        first=first, last=last, days=days, cohorts=cohorts, tickers_recounted=recounted, hourly_rows=hourly
    )
