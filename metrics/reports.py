"""The staff metrics groups as the API and the admin dashboard show them (reads only).

Past days come from the ``DailyMetrics`` roll-up (a day the roll-up lacks is computed on the spot,
with the same code, so nothing is missing before the first ``refresh_metrics``); today is always
computed live. Retention comes from the ``RetentionCohort`` roll-up. Definitions: ``metrics.rollup``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum

from accounts.models import User
from content.models import CALL_HORIZONS, Call, CallStatus, TickerHourlyMentions
from content.trending import trending_tickers
from core.dates import day_start, utc_date
from core.stats import wilson_interval
from metrics.health import readiness
from metrics.models import DailyMetrics, ErrorLog, RetentionCohort
from metrics.rollup import (
    DAY,
    RETENTION_DAYS,
    WEEK_DAYS,
    daily_metrics_compute,
    day_metrics_live,
    share,
)
from moderation.models import Reason, Report, ReportStatus

DEFAULT_DAYS = 30
MAX_DAYS = 365
TRENDING_HOURS = 24
TRENDING_LIMIT = 10
ENGAGEMENT_FIELDS = ("posts", "comments", "reactions", "reposts", "poll_votes")
GROWTH_FIELDS = ("signups", "wau", "posts")


@dataclass(frozen=True)
class Window:
    """The ``days`` UTC days ending today (today so far included)."""

    days: int
    now: datetime

    @property
    def last(self) -> date:
        return utc_date(self.now)

    @property
    def first(self) -> date:
        return self.last - (self.days - 1) * DAY

    def header(self) -> dict[str, Any]:
        return {"days": self.days, "first": self.first, "last": self.last}


def daily_series(*, first: date, now: datetime) -> list[DailyMetrics]:
    """One row per day from ``first`` to today, oldest first: the roll-up's, today's live."""
    today = utc_date(now)
    stored = {row.date: row for row in DailyMetrics.objects.between(first, today - DAY)}
    missing = [first + k * DAY for k in range((today - first).days) if first + k * DAY not in stored]
    if missing:
        for row in daily_metrics_compute(first=missing[0], last=missing[-1], now=now):
            stored.setdefault(row.date, row)
    stored[today] = day_metrics_live(day=today, now=now)
    return [stored[first + k * DAY] for k in range((today - first).days + 1)]


def _change(current: int, previous: int) -> dict[str, Any]:
    percent = round((current - previous) * 100 / previous, 1) if previous else None
    return {"this_week": current, "last_week": previous, "change": current - previous, "change_percent": percent}


def users_group(window: Window, series: list[DailyMetrics]) -> dict[str, Any]:
    cohorts = RetentionCohort.objects.overlapping(window.first, window.last)
    return {
        **window.header(),
        "total_users": User.objects.count(),
        "signups": sum(row.signups for row in series),
        "daily": [
            {
                "date": row.date,
                "signups": row.signups,
                "dau": row.dau,
                "wau": row.wau,
                "mau": row.mau,
                "stickiness": row.stickiness,
            }
            for row in series
        ],
        "retention": [
            {
                "week": cohort.week,
                "users": cohort.users,
                **{f"day_{n}": share(getattr(cohort, f"day_{n}"), cohort.users) for n in RETENTION_DAYS},
            }
            for cohort in cohorts
        ],
    }


def engagement_group(window: Window, series: list[DailyMetrics]) -> dict[str, Any]:
    daily = []
    for row in series:
        counts = {name: getattr(row, name) for name in ENGAGEMENT_FIELDS}
        per_user = {name: round(value / row.dau, 4) if row.dau else 0.0 for name, value in counts.items()}
        daily.append({"date": row.date, "dau": row.dau, **counts, "per_active_user": per_user})
    totals = {name: sum(getattr(row, name) for row in series) for name in ENGAGEMENT_FIELDS}
    return {**window.header(), "totals": totals, "daily": daily}


def growth_group(window: Window, series: list[DailyMetrics]) -> dict[str, Any]:
    """``series`` must end today and hold at least ``growth_days(window)`` days."""
    weeks: list[dict[str, Any]] = []
    count = growth_days(window) // WEEK_DAYS
    for k in range(count, 0, -1):
        rows = series[len(series) - k * WEEK_DAYS : len(series) - (k - 1) * WEEK_DAYS]
        weeks.append(
            {
                "first": rows[0].date,
                "last": rows[-1].date,
                "signups": sum(row.signups for row in rows),
                "wau": rows[-1].wau,
                "posts": sum(row.posts for row in rows),
            }
        )
    this_week, last_week = weeks[-1], weeks[-2]
    return {
        **window.header(),
        **{name: _change(this_week[name], last_week[name]) for name in GROWTH_FIELDS},
        "weeks": weeks,
    }


def growth_days(window: Window) -> int:
    """Whole weeks ending today covering the window, at least two (this week and last week)."""
    return max(2, window.days // WEEK_DAYS) * WEEK_DAYS


def health_group(window: Window, series: list[DailyMetrics]) -> dict[str, Any]:
    since = window.now - timedelta(hours=24)
    errors = ErrorLog.objects.aggregate(
        unresolved=Count("pk", filter=Q(resolved=False)),
        **{f"groups_{level}": Count("pk", filter=Q(level=level, last_seen__gte=since)) for level in ErrorLog.Level},
        **{f"count_{level}": Sum("count", filter=Q(level=level, last_seen__gte=since)) for level in ErrorLog.Level},
    )
    open_reports = dict(
        Report.objects.filter(status=ReportStatus.OPEN)
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("reason", "n")
    )
    return {
        **window.header(),
        "errors": {
            "unresolved_groups": errors["unresolved"],
            "last_24h": {
                level.value: {"groups": errors[f"groups_{level}"], "occurrences": errors[f"count_{level}"] or 0}
                for level in ErrorLog.Level
            },
        },
        "reports": {
            "open": sum(open_reports.values()),
            "open_by_reason": {reason.value: open_reports.get(reason.value, 0) for reason in Reason},
        },
        "checks": readiness(),
        "daily": [{"date": row.date, "errors": row.errors, "reports": row.reports} for row in series],
    }


def trending_group(window: Window) -> dict[str, Any]:
    most_mentioned = (
        TickerHourlyMentions.objects.filter(hour__gte=day_start(window.first))
        .values("ticker_id")
        .annotate(mentions=Sum("mentions"), bullish=Sum("bullish"), bearish=Sum("bearish"))
        .order_by("-mentions", "ticker_id")[:TRENDING_LIMIT]
    )
    return {
        **window.header(),
        "hours": TRENDING_HOURS,
        "tickers": trending_tickers(hours=TRENDING_HOURS, limit=TRENDING_LIMIT, now=window.now),
        "most_mentioned": [
            {
                "symbol": row["ticker_id"],
                "mentions": row["mentions"],
                "bullish": row["bullish"],
                "bearish": row["bearish"],
            }
            for row in most_mentioned
        ],
    }


def calls_group(window: Window) -> dict[str, Any]:
    """Calls per day of the window (by ``posted_on``: made, scored, void), and the hit rate at each horizon
    of every call scored at it, all time, with its 95% interval. Two aggregate queries on ``Call``,
    whatever its size: the days through ``call_posted_idx``, the hit rates in one pass over the table."""
    per_day = {
        posted_on: (calls, scored, void)
        for posted_on, calls, scored, void in Call.objects.filter(posted_on__range=(window.first, window.last))
        .values("posted_on")
        .annotate(
            calls=Count("pk"),
            scored=Count("pk", filter=Q(status=CallStatus.SCORED)),
            void=Count("pk", filter=Q(status=CallStatus.VOID)),
        )
        .values_list("posted_on", "calls", "scored", "void")
        .order_by()
    }
    counts = Call.objects.aggregate(
        **{f"scored_{h}": Count(f"hit_{h}") for h in CALL_HORIZONS},  # a null hit is pending or void: not counted
        **{f"hits_{h}": Count("pk", filter=Q(**{f"hit_{h}": True})) for h in CALL_HORIZONS},
    )
    daily = []
    for k in range(window.days):
        day = window.first + k * DAY
        calls, scored, void = per_day.get(day, (0, 0, 0))
        daily.append({"date": day, "calls": calls, "scored": scored, "void": void})
    horizons = {}
    for horizon in CALL_HORIZONS:
        scored, hits = counts[f"scored_{horizon}"], counts[f"hits_{horizon}"]
        horizons[horizon] = {
            "scored": scored,
            "hits": hits,
            "hit_rate": round(hits / scored, 4) if scored else None,
            "interval": wilson_interval(hits, scored),
        }
    return {**window.header(), "daily": daily, "horizons": horizons}


def report(group: str, *, days: int, now: datetime) -> dict[str, Any]:
    """One group (``users``, ``engagement``, ``growth``, ``health``, ``trending``) for the last ``days`` days."""
    window = Window(days=days, now=now)
    if group == "trending":
        return trending_group(window)
    length = growth_days(window) if group == "growth" else days
    series = daily_series(first=window.last - (length - 1) * DAY, now=now)
    builders = {"users": users_group, "engagement": engagement_group, "growth": growth_group, "health": health_group}
    return builders[group](window, series)


def dashboard(*, days: int, now: datetime) -> dict[str, Any]:
    """Every group at once, sharing one daily series."""
    window = Window(days=days, now=now)
    length = max(days, growth_days(window))
    series = daily_series(first=window.last - (length - 1) * DAY, now=now)
    recent = series[-days:]
    return {
        **window.header(),
        "users": users_group(window, recent),
        "engagement": engagement_group(window, recent),
        "growth": growth_group(window, series),
        "health": health_group(window, recent),
        "trending": trending_group(window),
    }
