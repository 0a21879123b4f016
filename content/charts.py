"""A ticker's chart data: its daily price bars, and its daily sentiment beside the close.

Days are UTC dates, as everywhere in the API: a post made at 23:30 in New York on a
Monday counts on Tuesday. Both reads take a fixed number of queries whatever the range.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any, TypedDict

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from content.models import PostTicker, Sentiment
from content.querysets import COUNTED_MENTION
from core.dates import day_start, utc_today
from markets.models import DailyBar

PRICES_DEFAULT_DAYS = 365
PRICES_MAX_YEARS = 5
SENTIMENT_DEFAULT_DAYS = 90
SENTIMENT_MAX_DAYS = 365

BAR_COLUMNS = ("date", "open", "high", "low", "close", "adj_close", "volume")


class SentimentDay(TypedDict):
    date: date
    bullish: int
    bearish: int
    close: float | None


def days_before(day: date, days: int) -> date:
    """``day`` minus ``days`` days; the first day there is when that falls before it."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def years_before(day: date, years: int) -> date:
    """The same calendar date ``years`` years before ``day`` (29 February gives the 28th); the first
    day there is when that falls before it."""
    if day.year <= years:
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def price_bars(symbol: str, *, start: date, end: date) -> list[dict[str, Any]]:
    """The daily bars of ``symbol`` from ``start`` to ``end`` (both included), oldest first; one query
    on the bars' (symbol, date) key."""
    return list(
        DailyBar.objects.filter(symbol=symbol, date__gte=start, date__lte=end).order_by("date").values(*BAR_COLUMNS)
    )


def sentiment_days(symbol: str, *, days: int, today: date | None = None) -> list[SentimentDay]:
    """One row for each of the ``days`` UTC dates ending ``today``, oldest first: the posts mentioning
    ``symbol`` tagged bullish and bearish that day, and that day's close (None without a bar).

    Posts count as in the ticker's 24-hour sentiment (``TickerQuerySet.with_stats``): visible to
    everyone (not deleted, not hidden, by an author in good standing), read from PostTicker's copies
    of the post's time and sentiment. Two queries: the counts grouped by UTC date, and the bars.
    """
    last = today or utc_today()
    first = last - timedelta(days=days - 1)
    counts = {
        row["day"]: row
        for row in PostTicker.objects.filter(
            COUNTED_MENTION,
            ticker_id=symbol,
            created_at__gte=day_start(first),
            created_at__lt=day_start(last + timedelta(days=1)),
            sentiment__isnull=False,
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .order_by()
        .values("day")
        .annotate(
            bullish=Count("pk", filter=Q(sentiment=Sentiment.BULLISH)),
            bearish=Count("pk", filter=Q(sentiment=Sentiment.BEARISH)),
        )
    }
    closes = dict(DailyBar.objects.filter(symbol=symbol, date__gte=first, date__lte=last).values_list("date", "close"))
    rows: list[SentimentDay] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        counted = counts.get(day)
        rows.append(
            {
                "date": day,
                "bullish": counted["bullish"] if counted else 0,
                "bearish": counted["bearish"] if counted else 0,
                "close": closes.get(day),
            }
        )
    return rows
