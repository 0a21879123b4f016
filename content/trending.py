"""Trending tickers: which symbols many people are talking about right now.

The window is made of whole hours: the current hour (up to now) and the
``hours - 1`` hours before it. So ``hours=24`` at 12:10 covers 13:00 yesterday
to 12:10 today, and ``hours=1`` is the current hour alone. Over that window::

    score = Σ over the window's hours h of authors_h * 0.5 ** (age_h / (hours / 2))

where ``authors_h`` is the number of distinct authors of visible posts
mentioning the ticker during hour h (one author counts at most once per hour,
however often they post: one account cannot trend a ticker), and ``age_h`` is
the time in hours from the *start* of hour h to now (in [0, 1) for the current
hour, up to ``hours`` for the oldest one). An hour's weight halves every half
window: about 1 for the current hour, 0.5 at mid-window, 0.25 at the window's
start, so a fresh burst beats an older one of the same size. ``mentions`` is the
number of visible posts mentioning the ticker in the window. Order: score
(to 6 decimals), then more mentions, then the symbol. A mention counts when its
post is visible to everyone (``content.querysets.COUNTED_MENTION``: not
deleted, not hidden, by an active and unsuspended author). Only discoverable
tickers trend (``content.querysets.discoverable``): listed symbols, and
unlisted ones once ``TICKER_MIN_AUTHORS`` distinct members mention them.

Where the numbers come from
---------------------------
``TickerHourlyMentions`` holds one row per (ticker, hour) with that hour's
``mentions``, distinct ``authors``, ``bullish`` and ``bearish`` mentions, written
by :func:`hourly_mentions_refresh` (``refresh_metrics`` runs it for the last 8
days on every run). The ``RollupWatermark`` row named ``HOURLY_MENTIONS`` says
for which hours those rows are complete: ``[complete_from, complete_until)``.
:func:`trending_scores` reads the roll-up rows for the window's hours inside
that range and computes the very same per-hour rows live from PostTicker for
the others (normally the current hour and perhaps the previous one; with no
watermark, the whole window: slower, still right). :func:`hourly_rows` is the
one aggregation both use, so the two halves cannot disagree, and an hour is
read from exactly one of them, so nothing is counted twice at the boundary.

Freshness: an hour's roll-up row is a snapshot. A post deleted or hidden, or
an author suspended, after their hour was rolled up keeps counting until the
next ``refresh_metrics`` run (it recomputes the last 8 days each time), so run
it every few minutes from cron. New posts count at once (their hour is live).

Cost: the roll-up part reads one row per (ticker, hour) on the ``(hour,
ticker)`` index (about 44,000 rows for a week of the 300,000-post demo set)
and the live part the mentions of an hour or two: 30-65 ms on PostgreSQL on a
busy 2-core machine, where computing everything live took 0.16-0.63 s
(docs/performance.md, "Trending").
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, F, FloatField, Func, Q, Value
from django.db.models.functions import Power, TruncHour
from django.utils import timezone

from content.models import PostTicker, RollupWatermark, Sentiment, Ticker, TickerHourlyMentions
from content.querysets import COUNTED_MENTION, discoverable
from content.search import with_reference_names

TRENDING_DEFAULT_HOURS = 24
TRENDING_MAX_HOURS = 168
TRENDING_DEFAULT_LIMIT = 10
TRENDING_MAX_LIMIT = 50
# The list is the same for everyone, so each (hours, limit) is computed at most once per this many
# seconds for all processes (the cache is shared). The scores are cheap now (tens of ms); what is
# left is the tickers' 24-hour sentiment counts (``with_stats``), which grow with the posts per day.
TRENDING_CACHE_SECONDS = 30

HOURLY_MENTIONS = "ticker_hourly_mentions"
HOUR = timedelta(hours=1)
# A mention's time is set when its post is written, a moment before that transaction commits,
# so an hour is taken as complete (final) only once this much time has passed since its end.
ROLLUP_SETTLE = timedelta(minutes=1)
# The refresh recomputes this many hours per step, so its memory stays flat over a long backfill.
REFRESH_CHUNK = timedelta(hours=24)

SCORE_FORMULA = (
    "The window is whole hours: the current hour and the `hours - 1` hours before it. "
    "`score` = Σ over the window's hours of authors_h * 0.5 ^ (age_h / (hours / 2)), where authors_h is the number "
    "of distinct authors of visible posts mentioning the ticker in that hour (one author counts at most once per "
    "hour) and age_h the hours from that hour's start to now: an hour's weight halves every half window "
    "(about 1 for the current hour, 0.25 at the window's start). "
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


Span = tuple[datetime, datetime]  # [start, end), on whole hours


def floor_hour(moment: datetime) -> datetime:
    # In UTC: an hour of a zone offset by 30 or 45 minutes is not an hour of the roll-up.
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    floored = floor_hour(moment)
    return floored if floored == moment else floored + HOUR


def hourly_rows(spans: Sequence[Span]) -> models.QuerySet[Any]:
    """Per (ticker, hour) of the visible mentions made within ``spans``: dicts of ``ticker_id``,
    ``hour``, ``mentions``, distinct ``authors``, ``bullish`` and ``bearish``; one grouped query.

    The one definition of a roll-up row: the refresh stores these, trending computes the hours not
    rolled up yet with them. ``spans`` must be on whole hours (so every hour is whole) and not empty.
    """
    within = functools.reduce(
        operator.or_,
        (
            # The same bounds on the post's own time (PostTicker's is a copy), so the join reads only
            # those posts, from the partial index of visible posts by time.
            Q(created_at__gte=start, created_at__lt=end, post__created_at__gte=start, post__created_at__lt=end)
            for start, end in spans
        ),
    )
    return (
        PostTicker.objects.filter(COUNTED_MENTION)
        .filter(within)
        .values("ticker_id", hour=TruncHour("created_at"))
        .annotate(
            mentions=Count("*"),
            authors=Count("post__author_id", distinct=True),
            bullish=Count("pk", filter=Q(sentiment=Sentiment.BULLISH)),
            bearish=Count("pk", filter=Q(sentiment=Sentiment.BEARISH)),
        )
        .order_by()
    )


@transaction.atomic
def hourly_mentions_refresh(*, since: datetime, until: datetime) -> int:
    """Recomputes the ``TickerHourlyMentions`` rows of every whole hour overlapping ``[since, until)``
    and returns how many rows it wrote.

    Those hours' rows are replaced (deleted, then inserted from :func:`hourly_rows`, a day at a
    time), so running it twice gives the same rows and an hour whose mentions were all deleted,
    hidden or suspended since loses its rows. Concurrent runs queue on the watermark row's lock.

    The watermark ``[complete_from, complete_until)`` then grows by the hours this run made final:
    from the first refreshed hour up to the last one that ended at least ``ROLLUP_SETTLE`` ago (the
    current hour is written but stays live). Where that range overlaps or touches the recorded one,
    the two merge; a range that leaves a gap after the recorded one replaces it (trending needs the
    recent hours); one that leaves a gap before it changes nothing, since the hours between would be
    missing. So a first run, or one after a long pause, must cover the hours trending may read
    (``refresh_metrics`` refreshes 8 days: more than the longest window).
    """
    if since >= until:
        return 0
    first, end = floor_hour(since), ceil_hour(until)
    watermark, _ = RollupWatermark.objects.select_for_update().get_or_create(name=HOURLY_MENTIONS)
    written = 0
    start = first
    while start < end:
        stop = min(start + REFRESH_CHUNK, end)
        rows = [TickerHourlyMentions(**row) for row in hourly_rows([(start, stop)])]
        TickerHourlyMentions.objects.filter(hour__gte=start, hour__lt=stop).delete()
        TickerHourlyMentions.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
        start = stop
    final_until = min(end, floor_hour(timezone.now() - ROLLUP_SETTLE))
    if first < final_until:
        _watermark_extend(watermark, first, final_until)
    return written


def _watermark_extend(watermark: RollupWatermark, start: datetime, end: datetime) -> None:
    known_from, known_until = watermark.complete_from, watermark.complete_until
    if known_from is None or known_until is None or start > known_until:
        watermark.complete_from, watermark.complete_until = start, end
    elif end >= known_from:
        watermark.complete_from, watermark.complete_until = min(start, known_from), max(end, known_until)
    else:  # a gap before the recorded range: the hours between are not rolled up
        return
    watermark.save(update_fields=["complete_from", "complete_until", "updated_at"])


def rolled_up_span() -> Span | None:
    """The hours ``[from, until)`` whose roll-up rows are complete, or None; one query."""
    found = RollupWatermark.objects.filter(name=HOURLY_MENTIONS).values_list("complete_from", "complete_until").first()
    if found is None or found[0] is None or found[1] is None:
        return None
    return found[0], found[1]


def trending_window(*, hours: int, now: datetime) -> Span:
    """The hours a window of ``hours`` covers at ``now``: the current hour and the ``hours - 1`` before."""
    current = floor_hour(now)
    return current - (hours - 1) * HOUR, current + HOUR


def trending_scores(*, hours: int, limit: int, now: datetime) -> list[Trend]:
    """The ``limit`` highest-scoring tickers of the window of ``hours`` at ``now`` (formula above).

    Two queries: the watermark, then one statement summing, per ticker, the roll-up rows of the
    window's rolled-up hours and the live per-hour rows of the others (a UNION ALL). Only
    discoverable tickers (``content.querysets.discoverable``) take part; the roll-up keeps every
    ticker, so one that becomes discoverable trends with its whole window at once.
    """
    start, end = trending_window(hours=hours, now=now)
    rolled = rolled_up_span()
    half_life = Value(hours * 3600 / 2)
    now_seconds = Value(now.timestamp())

    def weight() -> Any:
        # authors_h * 0.5 ^ (age of the hour's start / half the window)
        return F("authors") * Power(Value(0.5), (now_seconds - Epoch("hour")) / half_life)

    parts: list[models.QuerySet[Any]] = []
    live = [(start, end)]
    if rolled is not None:
        stored_from, stored_until = max(start, rolled[0]), min(end, rolled[1])
        if stored_from < stored_until:
            parts.append(
                TickerHourlyMentions.objects.filter(
                    discoverable("ticker__"), hour__gte=stored_from, hour__lt=stored_until
                )
                .annotate(weight=weight())
                .values_list("ticker_id", "mentions", "weight")
            )
        live = [(a, b) for a, b in ((start, min(end, rolled[0])), (max(start, rolled[1]), end)) if a < b]
    if live:
        parts.append(
            hourly_rows(live)
            .filter(discoverable("ticker__"))
            .annotate(weight=weight())
            .values_list("ticker_id", "mentions", "weight")
        )

    rows_sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    # Django cannot GROUP BY over a subquery in FROM, hence this one wrapping statement. Scores are
    # compared rounded to 6 decimals (as shown), so float noise cannot break a tie between equals.
    sql = (
        "SELECT hourly.ticker_id, SUM(hourly.mentions), SUM(hourly.weight) "  # noqa: S608
        f"FROM ({rows_sql}) hourly "
        "GROUP BY hourly.ticker_id "
        "ORDER BY ROUND(SUM(hourly.weight) * 1000000) DESC, SUM(hourly.mentions) DESC, hourly.ticker_id "
        "LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        found = cursor.fetchall()
    return [
        Trend(symbol=symbol, mentions=int(mentions), score=round(float(score), 6)) for symbol, mentions, score in found
    ]


def trending_tickers(*, hours: int, limit: int, now: datetime | None = None) -> list[Ticker]:
    """Trending tickers with their activity (``with_stats``), ``mentions`` and ``score``; three queries."""
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
