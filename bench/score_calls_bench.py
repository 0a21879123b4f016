#!/usr/bin/env python
"""Times ``score_calls`` on a big database: a full rebuild, a no-change run, and a one-bar correction.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_calls \\
        .venv/bin/python bench/score_calls_bench.py

The database must hold posts (``seed_demo --users 100000 --posts 1000000``). Tickers that
calls name but that have no prices get a deterministic random walk of weekday bars (seed 7,
drift and volatility per symbol) covering every call, so the run scores real numbers whatever
the seed wrote. Then, each timed from the command's start to its end (wall time):

1. ``score_calls --rebuild``: derives every call from the posts (INSERT ... SELECT), scores
   them all and recounts every author's record;
2. ``score_calls`` again: nothing changed, so it examines nothing and writes nothing;
3. one bar of the most-called ticker corrected (a re-import of one row), then ``score_calls``:
   only the calls reading that bar are examined, and only those whose values move are written;

and then the reads: the leaderboard's first page (1w over 90 days, 1m over 365) and the
leader's track record.

Figures go to docs/performance.md ("Call scoring").
"""

from __future__ import annotations

import datetime
import io
import math
import random
import time

from django_setup import django_setup

SEED = 7


def walk(symbol: str, first: datetime.date, last: datetime.date) -> list:
    from markets.services import Bar

    rng = random.Random(f"{SEED}:{symbol}")
    drift = rng.uniform(-0.10, 0.25) / 252
    vol = rng.uniform(0.15, 0.70) / math.sqrt(252)
    price = rng.uniform(10, 500)
    bars, day = [], first
    while day <= last:
        if day.weekday() < 5:
            price *= math.exp(rng.gauss(drift, vol))
            close = round(price, 4)
            bars.append(Bar(symbol, day, close, close * 1.01, close * 0.99, close, close, rng.randint(10**5, 10**7)))
        day += datetime.timedelta(days=1)
    return bars


def timed(label: str, *args: str) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("score_calls", *args, stdout=out)
    print(f"{label}: {time.perf_counter() - started:.1f} s  ({out.getvalue().strip()})")


def main() -> None:
    django_setup()
    from django.db.models import Count, Max, Min

    from content.models import Call, Post, PostTicker
    from markets.models import DailyBar
    from markets.services import Bar, bars_write

    posts = Post.objects.count()
    span = Post.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    first = span["first"].date() - datetime.timedelta(days=7)
    last = datetime.datetime.now(datetime.UTC).date()
    symbols = sorted(set(PostTicker.objects.filter(position=0).values_list("ticker_id", flat=True).distinct()))
    priced = set(DailyBar.objects.values_list("symbol", flat=True).distinct())
    missing = [symbol for symbol in symbols if symbol not in priced]
    if missing:
        started = time.perf_counter()
        written = bars_write(bar for symbol in missing for bar in walk(symbol, first, last))
        print(f"prices: {len(written)} symbols walked from {first} to {last} in {time.perf_counter() - started:.1f} s")
    print(f"{posts:,} posts, {DailyBar.objects.count():,} bars")

    timed("score_calls --rebuild", "--rebuild")
    by_status = dict(Call.objects.values_list("status").annotate(n=Count("pk")).order_by())
    print(f"  {Call.objects.count():,} calls: {by_status}")
    timed("score_calls (nothing changed)")

    top = Call.objects.values("ticker_id").annotate(n=Count("pk")).order_by("-n").first()
    assert top is not None
    symbol = top["ticker_id"]
    middle = DailyBar.objects.filter(symbol=symbol).order_by("date")
    bar = middle[middle.count() // 2]
    bars_write([Bar(symbol, bar.date, bar.open, bar.high, bar.low, bar.close * 1.05, None, bar.volume)])
    print(f"corrected {symbol} {bar.date} (+5%): {top['n']:,} calls on {symbol}")
    timed("score_calls (one bar corrected)")

    # The reads: the leaderboard's first page and one author's track record, from the stored scores.
    from content.querysets_calls import LEADERBOARD_ORDERING, leaderboard, track_record

    for horizon, days in (("1w", 90), ("1m", 365)):
        started = time.perf_counter()
        page = list(leaderboard(horizon=horizon, days=days, min_calls=10).order_by(*LEADERBOARD_ORDERING)[:21])
        print(f"leaderboard {horizon} {days} days, first page: {(time.perf_counter() - started) * 1000:.0f} ms")
    if page:
        started = time.perf_counter()
        track_record(page[0]["author_id"])
        print(f"track record of the leader: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
