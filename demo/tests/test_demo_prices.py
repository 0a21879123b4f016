from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F, Max, Min, Q
from rest_framework.test import APIClient

from content.models import CALL_HORIZONS, Call, CallStatus, Post, PostTicker, Sentiment
from content.reference import well_known_tickers
from demo.generator import TEMPLATES, SeedResult, demo_data_seed
from demo.prices import market_holidays, price_walk, trading_days
from markets.models import DailyBar, Quote

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # a Sunday: the last bar is Friday's
LAST_BAR = date(2025, 5, 30)
MONTH = CALL_HORIZONS["1m"]


def seed(*args: str) -> None:
    call_command("seed_demo", "--users=30", "--posts=200", "--now=2025-06-01T12:00:00", *args, stdout=StringIO())


def bars() -> list[tuple[object, ...]]:
    return list(
        DailyBar.objects.order_by("symbol", "date").values_list(
            "symbol", "date", "open", "high", "low", "close", "adj_close", "volume"
        )
    )


def test_market_holidays_are_the_listed_days() -> None:
    assert market_holidays(2025) == {date(2025, 1, 1), date(2025, 7, 4), date(2025, 11, 27), date(2025, 12, 25)}
    assert date(2026, 11, 26) in market_holidays(2026)  # Thanksgiving: the fourth Thursday
    days = trading_days(date(2025, 12, 24), date(2026, 1, 5))
    assert days == [
        date(2025, 12, 24),
        date(2025, 12, 26),
        date(2025, 12, 29),
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 2),
        date(2026, 1, 5),
    ]


def test_price_walk_is_a_function_of_seed_and_symbol() -> None:
    days = trading_days(date(2025, 1, 1), date(2025, 3, 31))

    first = price_walk(seed=1, symbol="NVDA", fund=False, days=days)

    assert price_walk(seed=1, symbol="NVDA", fund=False, days=days) == first
    assert price_walk(seed=2, symbol="NVDA", fund=False, days=days) != first
    assert price_walk(seed=1, symbol="AMD", fund=False, days=days) != first
    assert [bar.date for bar in first] == days


@pytest.mark.django_db
def test_seed_demo_writes_the_same_prices_for_the_same_seed_and_anchor() -> None:
    seed("--seed=7")
    first = bars()

    seed("--seed=7", "--flush")
    assert bars() == first

    seed("--seed=8", "--flush")
    second = bars()
    assert [row[:2] for row in second] == [row[:2] for row in first]  # the same days...
    assert second != first  # ...other prices


@pytest.mark.django_db
def test_seed_demo_prices_every_ticker_on_trading_days_up_to_the_anchor() -> None:
    seed()

    symbols = set(well_known_tickers())
    spans = {
        row["symbol"]: row for row in DailyBar.objects.values("symbol").annotate(first=Min("date"), last=Max("date"))
    }
    assert spans.keys() == symbols
    # Every series covers the same trading days: from well before the first post to the last weekday
    # before the anchor's date, weekends and the listed holidays skipped.
    oldest_post = Post.objects.aggregate(oldest=Min("created_at"))["oldest"].date()
    first_day = {row["first"] for row in spans.values()}.pop()
    assert {row["last"] for row in spans.values()} == {LAST_BAR}
    assert len(trading_days(first_day, oldest_post)) > 30
    calendar = trading_days(first_day, LAST_BAR)
    assert DailyBar.objects.count() == len(symbols) * len(calendar)
    assert set(DailyBar.objects.values_list("date", flat=True)) == set(calendar)
    assert not any(day.weekday() >= 5 or day in market_holidays(day.year) for day in calendar)
    # Consistent bars.
    assert not DailyBar.objects.filter(
        Q(low__gt=F("open")) | Q(low__gt=F("close")) | Q(high__lt=F("open")) | Q(high__lt=F("close"))
    ).exists()
    assert not DailyBar.objects.exclude(adj_close=F("close")).exists()
    assert not DailyBar.objects.filter(Q(low__lte=0) | Q(volume__lte=0) | Q(volume__isnull=True)).exists()
    # The quotes are the latest two closes.
    latest = dict(DailyBar.objects.filter(date=LAST_BAR).values_list("symbol", "close"))
    assert {q.symbol: (q.last, q.as_of) for q in Quote.objects.all()} == {s: (latest[s], LAST_BAR) for s in symbols}
    assert not Quote.objects.filter(previous_close__isnull=True).exists()


@pytest.mark.django_db
def test_seed_demo_prices_cover_every_calls_entry() -> None:
    seed()

    calendar = sorted(set(DailyBar.objects.values_list("date", flat=True)))
    priced = set(DailyBar.objects.values_list("symbol", "date"))
    calls = PostTicker.objects.filter(position=0, sentiment__isnull=False).values_list("ticker_id", "created_at")
    assert calls
    for symbol, created_at in calls:
        day = created_at.astimezone(UTC).date()
        if day > calendar[-1]:
            continue  # posted since the last close: pending
        entry = calendar[bisect_left(calendar, day)]
        assert (symbol, entry) in priced
        assert (entry - day).days <= 4  # a weekend and a holiday at most


# Templates as patterns: a post is its template filled in, spaces collapsed, maybe with "cc @someone".
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    body = r"\s*.*?\s*".join(r"\s*".join(re.escape(word) for word in part.split()) for part in parts)
    return re.compile(rf"\s*{body}\s*( cc @\w+)?")


PATTERNS = {
    mood: [_pattern(template) for by_count in TEMPLATES[mood].values() for template in by_count]
    for mood in ("bull", "bear")
}


def agreement(result: SeedResult) -> dict[str, tuple[int, int]]:
    """By kind of author: (calls with a 1m move in the seeded prices, calls that agree with it).

    Read from the rows: a call is a post with a sentiment on its first ticker, entering on the
    first bar on or after its UTC date, scored on the close 21 bars later.
    """
    closes: dict[str, list[tuple[date, float]]] = defaultdict(list)  # adj_close is the close
    for symbol, day, close in DailyBar.objects.order_by("symbol", "date").values_list("symbol", "date", "close"):
        closes[symbol].append((day, close))
    kind = dict.fromkeys(result.skilled, "skilled") | dict.fromkeys(result.contrarians, "contrarian")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    posts = PostTicker.objects.filter(position=0, sentiment__isnull=False).values_list(
        "ticker_id", "created_at", "sentiment", "post__author__username"
    )
    for symbol, created_at, sentiment, author in posts:
        series = closes[symbol]
        entry = bisect_left(series, (created_at.astimezone(UTC).date(),))
        if entry + MONTH < len(series):
            move = series[entry + MONTH][1] / series[entry][1] - 1
            tally = counts[kind.get(author, "none")]
            tally[0] += 1
            tally[1] += move > 0 if sentiment == Sentiment.BULLISH else move < 0
    return {name: (calls, agreed) for name, (calls, agreed) in counts.items()}


@pytest.mark.django_db
def test_seed_demo_skilled_authors_call_the_next_month_right_more_often() -> None:
    result = demo_data_seed(now=NOW)  # the default size

    assert result.skilled
    assert result.contrarians
    tallies = agreement(result)
    rates = {name: agreed / calls for name, (calls, agreed) in tallies.items()}
    assert tallies["skilled"][0] >= 40
    assert rates["skilled"] > 0.62
    assert 0.42 < rates["none"] < 0.58
    assert rates["contrarian"] < 0.42
    # The demo accounts are ordinary callers.
    assert not {"demo", "admin"} & {*result.skilled, *result.contrarians}
    # Texts say what the sentiment says, whoever wrote them.
    for content, sentiment in Post.objects.filter(sentiment__isnull=False).values_list("content", "sentiment"):
        mood, other = ("bull", "bear") if sentiment == Sentiment.BULLISH else ("bear", "bull")
        assert any(p.fullmatch(content) for p in PATTERNS[mood]), content
        assert not any(p.fullmatch(content) for p in PATTERNS[other]), content
    # Enough callers for the leaderboard: authors with 10 calls or more scored in the last 90 days.
    since = NOW - timedelta(days=90)
    scored = PostTicker.objects.filter(
        position=0, sentiment__isnull=False, created_at__gte=since, created_at__lt=NOW - timedelta(days=35)
    )
    per_author = Counter(scored.values_list("post__author", flat=True))
    assert sum(1 for n in per_author.values() if n >= 10) >= 5


@pytest.mark.django_db
def test_seed_demo_scores_the_calls_into_a_leaderboard_the_skilled_lead(api_client: APIClient) -> None:
    result = demo_data_seed(now=NOW)  # the default size

    # Every call of the posts is there, scored as of the anchor (entries after the last bar pending).
    calls = Call.objects.all()
    assert result.calls == calls.count() == PostTicker.objects.filter(position=0, sentiment__isnull=False).count()
    assert calls.filter(status=CallStatus.SCORED).count() > 300
    assert not calls.filter(status=CallStatus.VOID).exists()
    assert calls.filter(status=CallStatus.PENDING, entry_date__isnull=True).exists()  # posted on the weekend
    # The scores are the agreement read from the rows above.
    tallies = agreement(result)
    kind = dict.fromkeys(result.skilled, "skilled") | dict.fromkeys(result.contrarians, "contrarian")
    scored: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for author, hit in calls.filter(status=CallStatus.SCORED).values_list("author__username", "hit_1m"):
        scored[kind.get(author, "none")][0] += 1
        scored[kind.get(author, "none")][1] += bool(hit)
    assert {name: tuple(tally) for name, tally in scored.items()} == tallies
    rates = {name: hits / count for name, (count, hits) in scored.items()}
    assert rates["skilled"] > 0.62
    assert 0.42 < rates["none"] < 0.58

    with time_machine.travel(NOW, tick=False):
        response = api_client.get("/api/v1/leaderboard?horizon=1m&days=90&min_calls=10&limit=50")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) >= 8
    assert all(row["record"]["scored"] >= 10 for row in rows)
    ranked = [kind.get(row["user"]["username"], "none") for row in rows]
    # A skilled author on top, and the skilled ones high: most of the top three, few of the bottom half.
    assert ranked[0] == "skilled"
    assert ranked[:3].count("skilled") >= 2
    assert ranked[len(ranked) // 2 :].count("skilled") <= 1
