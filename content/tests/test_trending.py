"""GET tickers/trending: distinct authors, recency-weighted, over visible posts in the window.

score = Σ over distinct authors of 0.5 ** (age_hours / (hours / 2)), age of each author's latest mention.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from accounts.tests.factories import UserFactory
from content.models import Sentiment, Ticker
from content.tests.factories import TickerFactory, mention
from content.trending import trending_scores
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickers/trending"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def market(db):
    """A small fixed data set; the expected scores below are worked out by hand for hours=24 (half-life 12 h)."""
    spammer, b, c, d, e, f, g = (UserFactory() for _ in range(7))
    aapl = TickerFactory(symbol="AAPL", name="Apple Inc.")
    amd = TickerFactory(symbol="AMD", name="")
    msft = TickerFactory(symbol="MSFT", name="Microsoft Corporation")
    nvda = TickerFactory(symbol="NVDA", name="NVIDIA Corporation")
    TickerFactory(symbol="IBM", name="IBM")  # never mentioned

    # AAPL: one author three times (counts once, at their latest, 1 h ago) and one 12 h ago.
    for hours_ago in (1, 2, 3):
        mention(aapl, author=spammer, hours_ago=hours_ago, sentiment=Sentiment.BULLISH)
    mention(aapl, author=b, hours_ago=12, sentiment=Sentiment.BEARISH)
    mention(aapl, author=c, hours_ago=0.5, is_hidden=True)  # hidden by a moderator: no trace
    mention(aapl, author=d, hours_ago=0.5, deleted_at=NOW)  # deleted: no trace
    # AMD: a fresh burst of two authors 1 h ago ...
    mention(amd, author=c, hours_ago=1)
    mention(amd, author=d, hours_ago=1)
    # ... beats an older one of three authors 22 h ago on MSFT.
    for author in (e, f, g):
        mention(msft, author=author, hours_ago=22)
    # NVDA: one author right now, one just outside the window.
    mention(nvda, author=b, hours_ago=0)
    mention(nvda, author=c, hours_ago=24)
    mention(nvda, author=d, hours_ago=30)
    return {"spammer": spammer}


# Expected, by hand: 0.5 ** (age / 12) per distinct author.
AAPL_SCORE = 0.5 ** (1 / 12) + 0.5**1  # 0.943874 + 0.5 = 1.443874
AMD_SCORE = 2 * 0.5 ** (1 / 12)  # 1.887749
NVDA_SCORE = 0.5**0  # 1.0 (the 24 h old mention sits on the window's open edge: out)
MSFT_SCORE = 3 * 0.5 ** (22 / 12)  # 3 * 0.280616 = 0.841847


def test_trending_ranks_by_recency_weighted_distinct_authors(api_client, market, django_assert_max_num_queries):
    # The scores; the tickers' activity.
    with django_assert_max_num_queries(2):
        response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [ticker["symbol"] for ticker in body] == ["AMD", "AAPL", "NVDA", "MSFT"]
    assert [ticker["score"] for ticker in body] == pytest.approx([AMD_SCORE, AAPL_SCORE, NVDA_SCORE, MSFT_SCORE])
    assert [ticker["score"] for ticker in body] == pytest.approx([1.887749, 1.443874, 1.0, 0.841847], abs=1e-6)
    assert [ticker["mentions"] for ticker in body] == [2, 4, 1, 3]
    assert body[1] == {
        "symbol": "AAPL",
        "name": "Apple Inc.",
        "post_count": 4,
        "sentiment": {"bullish": 3, "bearish": 1},
        "mentions": 4,
        "score": pytest.approx(AAPL_SCORE),
    }
    # A row made without a name shows the reference list's.
    assert body[0]["name"] == "Advanced Micro Devices, Inc."


def test_one_author_posting_many_times_counts_once(api_client, market):
    spam_ticker = TickerFactory(symbol="SPAM", name="")
    for minutes_ago in range(30):
        mention(spam_ticker, author=market["spammer"], hours_ago=minutes_ago / 60)

    body = api_client.get(URL).json()

    spam = next(ticker for ticker in body if ticker["symbol"] == "SPAM")
    assert spam["mentions"] == 30
    assert spam["score"] == pytest.approx(1.0)  # the latest mention, right now: one author, weight 1
    # Level with NVDA's one fresh author; the tie goes to more mentions.
    assert [ticker["symbol"] for ticker in body] == ["AMD", "AAPL", "SPAM", "NVDA", "MSFT"]


def test_a_shorter_window_halves_faster_and_drops_older_mentions(api_client, market):
    # hours=6: half-life 3 h, window (06:00, 12:00]: MSFT (22 h) and AAPL's 12 h mention are out.
    body = api_client.get(URL, {"hours": 6}).json()

    assert [ticker["symbol"] for ticker in body] == ["AMD", "NVDA", "AAPL"]
    assert [ticker["score"] for ticker in body] == pytest.approx([2 * 0.5 ** (1 / 3), 1.0, 0.5 ** (1 / 3)])
    assert [ticker["mentions"] for ticker in body] == [2, 1, 3]


def test_a_week_window_counts_everything_visible(api_client, market):
    body = api_client.get(URL, {"hours": 168}).json()

    # Half-life 84 h. NVDA now has three authors (0 h, 24 h, 30 h).
    nvda = next(ticker for ticker in body if ticker["symbol"] == "NVDA")
    assert nvda["mentions"] == 3
    assert nvda["score"] == pytest.approx(1 + 0.5 ** (24 / 84) + 0.5 ** (30 / 84))
    # MSFT 3 * 0.834 = 2.502; AMD 2 * 0.992 = 1.984; AAPL 0.992 + 0.906 = 1.898.
    assert [ticker["symbol"] for ticker in body] == ["NVDA", "MSFT", "AMD", "AAPL"]


def test_ties_go_to_more_mentions_then_to_the_symbol(api_client):
    author, other = UserFactory(), UserFactory()
    for symbol in ("BBB", "AAA", "CCC"):
        ticker = TickerFactory(symbol=symbol, name="")
        mention(ticker, author=author, hours_ago=2)
    mention(Ticker.objects.get(symbol="CCC"), author=author, hours_ago=3)  # same score, one more mention
    mention(TickerFactory(symbol="DDD", name=""), author=other, hours_ago=2)

    body = api_client.get(URL).json()

    assert [ticker["symbol"] for ticker in body] == ["CCC", "AAA", "BBB", "DDD"]


def test_limit_keeps_the_top_tickers(api_client, market):
    body = api_client.get(URL, {"limit": 2}).json()

    assert [ticker["symbol"] for ticker in body] == ["AMD", "AAPL"]


def test_nothing_mentioned_is_an_empty_list(api_client, db):
    TickerFactory(symbol="IBM")

    assert api_client.get(URL).json() == []


def test_trending_scores_is_one_query_over_the_window(market, django_assert_num_queries):
    with django_assert_num_queries(1):
        trends = trending_scores(hours=24, limit=10, now=NOW)

    assert [(trend.symbol, trend.mentions) for trend in trends] == [("AMD", 2), ("AAPL", 4), ("NVDA", 1), ("MSFT", 3)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"hours": 0}, "hours"),
        ({"hours": 169}, "hours"),
        ({"hours": -1}, "hours"),
        ({"hours": "day"}, "hours"),
        ({"hours": "1.5"}, "hours"),
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api_client, db, params, field):
    assert_problem(api_client.get(URL, params), 400, field)


@pytest.mark.parametrize("size", [1, 50])
def test_trending_query_count_does_not_grow_with_the_list(
    api_client, client_for, user, size, django_assert_max_num_queries
):
    for n in range(size):
        ticker = TickerFactory(symbol=f"TR{chr(65 + n // 26)}{chr(65 + n % 26)}", name="")
        mention(ticker, author=user, hours_ago=n / 10, sentiment=Sentiment.BULLISH)
    client = client_for(user)

    # The scores; the tickers' activity.
    with django_assert_max_num_queries(2):
        response = api_client.get(URL, {"limit": 50})
    assert len(response.json()) == size

    cache.clear()
    # The viewer (authentication), the scores, the tickers' activity.
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"limit": 50})
    assert len(response.json()) == size


def test_the_list_is_shared_for_a_minute_per_window_and_limit(api_client, market, settings, django_assert_num_queries):
    # In-process, so the frozen clock also moves the cache's (Redis counts real seconds).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first = api_client.get(URL).json()
    TickerFactory(symbol="NEW", name="")
    mention(Ticker.objects.get(symbol="NEW"), author=UserFactory(), hours_ago=0)
    mention(Ticker.objects.get(symbol="NEW"), author=UserFactory(), hours_ago=0)

    # Served from the cache: no query.
    with django_assert_num_queries(0):
        assert api_client.get(URL).json() == first
    # Another window or limit is another entry.
    assert api_client.get(URL, {"limit": 3}).json()[0]["symbol"] == "NEW"

    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert api_client.get(URL).json()[0]["symbol"] == "NEW"
