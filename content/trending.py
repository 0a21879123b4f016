"""Trending tickers: which symbols many people are talking about right now.

The score of a ticker over a window of ``hours`` ending at ``now``::

    score = Σ over the distinct authors of a visible post mentioning it in the window
            of 0.5 ** (age_hours / (hours / 2))

where ``age_hours`` is the age of that author's latest such mention. So each
author counts once however often they post (one account cannot trend a
ticker), and a mention loses half its weight every half window (1 now, 0.5
at mid-window, 0.25 at the window's start), so a fresh burst beats an older
one of the same size. ``mentions`` is the number of visible posts mentioning
the ticker in the window. Ties: more mentions first, then by symbol.

Computed directly from PostTicker (its copies of the post's time, read on the
``(created_at, ticker)`` index) joined to the post for visibility and author,
and aggregated in the database: the result is one row per ticker whatever
the number of posts. The per-(ticker, author) grouping is the cost: about
0.5 s on PostgreSQL for 150,000 mentions in 24 hours (the 1,000,000-post demo
set), hence the view's one-minute shared cache. ``trending_scores`` is the
only function that reads posts, so it can later read the hourly roll-up
(``metrics.TickerHourlyMentions``) instead; its per-hour ``authors`` would
count an author once per hour rather than once per window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, FloatField, Func, Max, Value
from django.db.models.functions import Power
from django.utils import timezone

from content.models import PostTicker, Ticker
from content.search import with_reference_names

TRENDING_DEFAULT_HOURS = 24
TRENDING_MAX_HOURS = 168
TRENDING_DEFAULT_LIMIT = 10
TRENDING_MAX_LIMIT = 50
# The list is the same for everyone, and a minute-old trend is still a trend: each (hours, limit)
# is computed at most once a minute for all processes (the cache is shared), until the hourly
# roll-up makes the computation cheap.
TRENDING_CACHE_SECONDS = 60

SCORE_FORMULA = (
    "`score` = Σ over the distinct authors of visible posts mentioning the ticker in the window of "
    "0.5 ^ (age_hours / (hours / 2)), `age_hours` being the age of that author's latest mention: "
    "each author counts once, and a mention's weight halves every half window (1 now, 0.25 at the window's start). "
    "`mentions` counts the visible posts mentioning the ticker in the window. "
    "Ordered by score, then mentions, then symbol."
)


class Epoch(Func):
    """Seconds since 1970-01-01 UTC of a datetime expression, as a float (PostgreSQL and SQLite)."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps UTC datetimes as text; julianday() parses it; 2440587.5 is 1970-01-01.
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)")


@dataclass(frozen=True)
class Trend:
    symbol: str
    mentions: int
    score: float


def trending_scores(*, hours: int, limit: int, now: datetime) -> list[Trend]:
    """The ``limit`` highest-scoring tickers of the ``hours`` before ``now`` (formula above); one query."""
    since = now - timedelta(hours=hours)
    half_life = hours * 3600 / 2
    # One row per (ticker, author): their mentions, and the weight of their latest one.
    per_author = (
        PostTicker.objects.filter(
            created_at__gt=since,
            created_at__lte=now,
            post__deleted_at__isnull=True,
            post__is_hidden=False,
            # The same window on the post's own time (PostTicker's is a copy), so the join reads
            # only the window's posts, from the partial index of visible posts by time.
            post__created_at__gt=since,
            post__created_at__lte=now,
        )
        .values("ticker_id", author_id=F("post__author_id"))
        .annotate(
            mentions=Count("*"),
            weight=Power(Value(0.5), (Value(now.timestamp()) - Epoch(Max("created_at"))) / Value(half_life)),
        )
        .order_by()
    )
    inner_sql, params = per_author.query.sql_with_params()
    # Django cannot GROUP BY over a subquery in FROM, hence this one wrapping statement.
    sql = (
        "SELECT per_author.ticker_id, SUM(per_author.mentions) AS mentions, SUM(per_author.weight) AS score "  # noqa: S608
        f"FROM ({inner_sql}) per_author "
        "GROUP BY per_author.ticker_id "
        "ORDER BY score DESC, mentions DESC, per_author.ticker_id "
        "LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    return [
        Trend(symbol=symbol, mentions=int(mentions), score=round(float(score), 6)) for symbol, mentions, score in rows
    ]


def trending_tickers(*, hours: int, limit: int, now: datetime | None = None) -> list[Ticker]:
    """Trending tickers with their activity (``with_stats``), ``mentions`` and ``score``; two queries."""
    now = now or timezone.now()
    trends = trending_scores(hours=hours, limit=limit, now=now)
    if not trends:
        return []
    tickers = Ticker.objects.filter(symbol__in=[trend.symbol for trend in trends]).with_stats(now=now).in_bulk()
    ranked = []
    for trend in trends:
        ticker = tickers.get(trend.symbol)
        if ticker is None:  # deleted since the first query
            continue
        ticker.mentions = trend.mentions  # type: ignore[attr-defined]
        ticker.score = trend.score  # type: ignore[attr-defined]
        ranked.append(ticker)
    return with_reference_names(ranked)
