"""Prices on tickers: the ``price`` object of every ticker rendering, and a ticker's chart data:
``tickers/{symbol}/prices`` and ``tickers/{symbol}/sentiment``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from content import search
from content.models import Sentiment
from content.tests.factories import TickerFactory, WatchlistItemFactory, mention
from core.testing import assert_problem
from markets.services import Bar, bars_write

pytestmark = pytest.mark.django_db

FRIDAY, MONDAY = date(2026, 2, 27), date(2026, 3, 2)


def bar(symbol: str, day: date, close: float, *, adj_close: float | None = None, volume: int | None = None) -> Bar:
    return Bar(symbol, day, open=close, high=close + 2, low=close / 2, close=close, adj_close=adj_close, volume=volume)


def ticker_url(symbol: str) -> str:
    return f"/api/v1/tickers/{symbol}"


# The price object


def test_a_ticker_with_two_bars_shows_the_last_close_and_its_move(api_client):
    TickerFactory(symbol="NVDA")
    bars_write([bar("NVDA", FRIDAY, 185.1), bar("NVDA", MONDAY, 187.3)])

    response = api_client.get(ticker_url("NVDA"))

    assert response.status_code == 200
    # 187.3 - 185.1 = 2.2 (without the float noise); 2.2 / 185.1 = 1.1885...%
    assert response.json()["price"] == {
        "last": 187.3,
        "change": 2.2,
        "change_pct": 1.19,
        "currency": "USD",
        "as_of": "2026-03-02",
    }


def test_a_fall_is_a_negative_change(api_client):
    TickerFactory(symbol="TSLA")
    bars_write([bar("TSLA", date(2026, 2, 20), 999.0), bar("TSLA", FRIDAY, 200.0), bar("TSLA", MONDAY, 190.0)])

    price = api_client.get(ticker_url("TSLA")).json()["price"]

    # Only the two latest bars count.
    assert (price["last"], price["change"], price["change_pct"]) == (190.0, -10.0, -5.0)


def test_a_ticker_with_one_bar_has_no_change_yet(api_client):
    TickerFactory(symbol="ARM")
    bars_write([bar("ARM", MONDAY, 120.5)])

    assert api_client.get(ticker_url("ARM")).json()["price"] == {
        "last": 120.5,
        "change": None,
        "change_pct": None,
        "currency": "USD",
        "as_of": "2026-03-02",
    }


def test_a_ticker_without_bars_has_a_null_price(api_client):
    TickerFactory(symbol="AMD")
    bars_write([bar("AMDL", MONDAY, 10.0)])  # another symbol's

    assert api_client.get(ticker_url("AMD")).json()["price"] is None


def test_a_previous_close_of_zero_has_a_change_but_no_percentage(api_client):
    TickerFactory(symbol="ZERO", is_listed=False)
    bars_write([bar("ZERO", FRIDAY, 0.0), bar("ZERO", MONDAY, 0.5)])

    price = api_client.get(ticker_url("ZERO")).json()["price"]

    assert (price["change"], price["change_pct"]) == (0.5, None)


def test_a_reference_ticker_without_a_row_shows_its_price(api_client):
    bars_write([bar("NVDA", FRIDAY, 100.0), bar("NVDA", MONDAY, 101.0)])

    response = api_client.get(ticker_url("nvda"))

    assert response.json()["post_count"] == 0
    assert response.json()["price"]["change_pct"] == 1.0


def test_search_trending_and_the_watchlist_show_prices(api_client, client_for, user, monkeypatch):
    monkeypatch.setattr(search, "reference_tickers", lambda: {"NVDA": "NVIDIA Corporation", "NVDL": "Leveraged"})
    search._reference_entries.cache_clear()
    nvda = TickerFactory(symbol="NVDA")
    mention(nvda, sentiment=Sentiment.BULLISH)
    WatchlistItemFactory(user=user, ticker=nvda)
    bars_write([bar("NVDA", FRIDAY, 100.0), bar("NVDA", MONDAY, 102.0), bar("NVDL", MONDAY, 7.0)])
    expected = {"last": 102.0, "change": 2.0, "change_pct": 2.0, "currency": "USD", "as_of": "2026-03-02"}

    found = api_client.get("/api/v1/search", {"q": "nvd", "type": "tickers"}).json()["tickers"]
    trending = api_client.get("/api/v1/tickers/trending").json()
    watchlist = client_for(user).get("/api/v1/users/me/watchlist").json()
    search._reference_entries.cache_clear()

    # NVDL has no row: its price is read from the reference list's side.
    assert [(ticker["symbol"], ticker["price"]) for ticker in found] == [
        ("NVDA", expected),
        ("NVDL", {**expected, "last": 7.0, "change": None, "change_pct": None}),
    ]
    assert [ticker["price"] for ticker in trending] == [expected]
    assert [ticker["price"] for ticker in watchlist] == [expected]


def queries(client, url: str, params: dict | None = None) -> int:
    cache.clear()  # trending's cached list
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(captured)


def test_a_page_of_tickers_with_prices_costs_the_same_queries_as_without(client_for, user, monkeypatch):
    monkeypatch.setattr(search, "reference_tickers", dict)
    search._reference_entries.cache_clear()
    symbols = [f"P{chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(30)]
    for symbol in symbols:
        ticker = TickerFactory(symbol=symbol, is_listed=True)
        mention(ticker, sentiment=Sentiment.BEARISH)
        WatchlistItemFactory(user=user, ticker=ticker)
    client = client_for(user)
    reads = [
        ("/api/v1/users/me/watchlist", None),
        ("/api/v1/search", {"q": "p", "type": "tickers", "limit": 50}),
        ("/api/v1/tickers/trending", {"limit": 50}),
        (ticker_url("PAA"), None),
    ]
    without = [queries(client, url, params) for url, params in reads]

    bars_write(bar(symbol, day, 10.0 + n) for n, symbol in enumerate(symbols) for day in (FRIDAY, MONDAY))
    with_prices = [queries(client, url, params) for url, params in reads]

    search._reference_entries.cache_clear()
    assert with_prices == without
    assert all(ticker["price"] for ticker in client.get("/api/v1/users/me/watchlist").json())


# Chart data: the clock is frozen on Wednesday 4 March 2026, 12:00 UTC.

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def prices_url(symbol: str) -> str:
    return f"/api/v1/tickers/{symbol}/prices"


def sentiment_url(symbol: str) -> str:
    return f"/api/v1/tickers/{symbol}/sentiment"


def dates(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["date"] for row in response.json()]


# GET tickers/{symbol}/prices


def test_prices_are_the_bars_oldest_first(api_client, frozen):
    TickerFactory(symbol="NVDA")
    bars_write(
        [
            bar("NVDA", MONDAY, 187.3, adj_close=187.1, volume=151_032_400),
            bar("NVDA", FRIDAY, 185.1),  # no adjusted close nor volume from the source
            bar("MSFT", MONDAY, 400.0),  # another symbol's
        ]
    )

    response = api_client.get(prices_url("NVDA"))

    assert response.status_code == 200
    assert response.json() == [
        {
            "date": "2026-02-27",
            "open": 185.1,
            "high": 187.1,
            "low": 92.55,
            "close": 185.1,
            "adj_close": None,
            "volume": None,
        },
        {
            "date": "2026-03-02",
            "open": 187.3,
            "high": 189.3,
            "low": 93.65,
            "close": 187.3,
            "adj_close": 187.1,
            "volume": 151_032_400,
        },
    ]


def test_prices_default_to_the_365_days_ending_today(api_client, frozen):
    TickerFactory(symbol="NVDA")
    first = TODAY - timedelta(days=364)
    bars_write(bar("NVDA", day, 100.0) for day in (first - timedelta(days=1), first, TODAY, TODAY + timedelta(days=1)))

    assert dates(api_client.get(prices_url("NVDA"))) == [first.isoformat(), TODAY.isoformat()]
    # `to` alone moves the window; `from` alone ends it today.
    assert dates(api_client.get(prices_url("NVDA"), {"to": first.isoformat()})) == [
        (first - timedelta(days=1)).isoformat(),
        first.isoformat(),
    ]
    assert dates(api_client.get(prices_url("NVDA"), {"from": TODAY.isoformat()})) == [TODAY.isoformat()]


def test_prices_between_two_dates_include_both(api_client, frozen):
    TickerFactory(symbol="NVDA")
    bars_write(bar("NVDA", date(2026, 2, day), 100.0 + day) for day in range(23, 28))

    response = api_client.get(prices_url("nvda"), {"from": "2026-02-24", "to": "2026-02-26"})

    assert dates(response) == ["2026-02-24", "2026-02-25", "2026-02-26"]
    assert dates(api_client.get(prices_url("NVDA"), {"from": "2026-02-25", "to": "2026-02-25"})) == ["2026-02-25"]
    assert dates(api_client.get(prices_url("NVDA"), {"from": "2026-02-28", "to": "2026-03-01"})) == []  # a weekend


def test_prices_span_at_most_five_years(api_client, frozen):
    TickerFactory(symbol="NVDA")
    bars_write([bar("NVDA", date(2021, 3, 4), 10.0), bar("NVDA", TODAY, 100.0)])

    assert dates(api_client.get(prices_url("NVDA"), {"from": "2021-03-04"})) == ["2021-03-04", "2026-03-04"]
    assert_problem(api_client.get(prices_url("NVDA"), {"from": "2021-03-03"}), 400, "from")
    # Five years before a 29 February is the 28th.
    assert_problem(api_client.get(prices_url("NVDA"), {"from": "2019-02-27", "to": "2024-02-29"}), 400, "from")
    assert api_client.get(prices_url("NVDA"), {"from": "2019-02-28", "to": "2024-02-29"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-05", "to": "2026-03-04"}, "from"),
        ({"from": "2026-03-05"}, "from"),  # after today
        ({"from": "2026-13-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-01T00:00:00Z"}, "from"),
        ({"to": "04/03/2026"}, "to"),
        ({"to": "2026-02-30"}, "to"),
    ],
)
def test_bad_price_ranges_are_a_400_naming_the_parameter(api_client, frozen, params, field):
    TickerFactory(symbol="NVDA")

    assert_problem(api_client.get(prices_url("NVDA"), params), 400, field)


@pytest.mark.parametrize("to", ["0001-01-01", "0003-02-01", "9999-12-31"])
def test_prices_at_the_ends_of_the_calendar_are_empty_not_an_error(api_client, frozen, to):
    TickerFactory(symbol="NVDA")

    assert dates(api_client.get(prices_url("NVDA"), {"to": to})) == []


@pytest.mark.parametrize("raw", ["QQQQX", "TOOLONG", "A1", "%24"])
def test_prices_of_a_symbol_without_a_ticker_page_are_a_404(api_client, frozen, raw):
    bars_write([bar("QQQQX", TODAY, 1.0)])  # prices alone make no ticker

    assert_problem(api_client.get(prices_url(raw)), 404)
    assert_problem(api_client.get(sentiment_url(raw)), 404)


def test_prices_of_a_reference_ticker_nobody_posted_about(api_client, frozen, django_assert_num_queries):
    bars_write([bar("NVDA", TODAY, 100.0)])

    # The bars (the symbol is on the reference list: known without a query).
    with django_assert_num_queries(1):
        response = api_client.get(prices_url("$nvda"))

    assert dates(response) == [TODAY.isoformat()]


@pytest.mark.parametrize("years", [1, 5])
def test_prices_are_two_queries_whatever_the_range(api_client, frozen, years, django_assert_num_queries):
    TickerFactory(symbol="ZZZZ", is_listed=False)
    start = TODAY - timedelta(days=365 * years - 1)
    bars_write(bar("ZZZZ", start + timedelta(days=n), 50.0) for n in range(0, 365 * years, 1))

    # The ticker's row (it has a page); the bars.
    with django_assert_num_queries(2):
        response = api_client.get(prices_url("ZZZZ"), {"from": start.isoformat()})

    assert len(response.json()) == 365 * years


def test_chart_data_is_publicly_cacheable_when_anonymous(api_client, client_for, user, frozen):
    TickerFactory(symbol="NVDA")

    for url in (prices_url("NVDA"), sentiment_url("NVDA")):
        anonymous = api_client.get(url)
        assert anonymous["Cache-Control"] == "public, max-age=60"
        assert "ETag" in anonymous
        assert client_for(user).get(url)["Cache-Control"] == "private, no-store"


# GET tickers/{symbol}/sentiment


def at(day: date, hour: int, minute: int = 0) -> float:
    """``hours_ago`` for ``mention``: the hours between that UTC time and NOW."""
    return (NOW - datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)).total_seconds() / 3600


def test_sentiment_counts_each_utc_day_with_its_close(api_client, frozen):
    nvda = TickerFactory(symbol="NVDA")
    yesterday, two_days_ago = TODAY - timedelta(days=1), TODAY - timedelta(days=2)
    mention(nvda, sentiment=Sentiment.BULLISH, hours_ago=at(TODAY, 0, 1))
    mention(nvda, sentiment=Sentiment.BULLISH, hours_ago=at(TODAY, 11))
    mention(nvda, sentiment=Sentiment.BEARISH, hours_ago=at(yesterday, 23, 59))
    mention(nvda, hours_ago=at(yesterday, 12))  # no sentiment
    mention(nvda, sentiment=Sentiment.BULLISH, hours_ago=at(TODAY - timedelta(days=7), 12))  # before the window
    mention(TickerFactory(symbol="AMD"), sentiment=Sentiment.BULLISH, hours_ago=at(TODAY, 1))  # another ticker
    bars_write([bar("NVDA", two_days_ago, 180.0), bar("NVDA", yesterday, 181.5), bar("AMD", TODAY, 99.0)])

    response = api_client.get(sentiment_url("nvda"), {"days": 7})

    assert response.status_code == 200
    rows = response.json()
    assert [row["date"] for row in rows] == [(TODAY - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    assert rows[-3:] == [
        {"date": "2026-03-02", "bullish": 0, "bearish": 0, "close": 180.0},
        {"date": "2026-03-03", "bullish": 0, "bearish": 1, "close": 181.5},
        {"date": "2026-03-04", "bullish": 2, "bearish": 0, "close": None},  # no bar yet today
    ]
    assert all(row["bullish"] == row["bearish"] == 0 for row in rows[:-2])


def test_sentiment_counts_only_posts_everyone_may_see(api_client, frozen):
    nvda = TickerFactory(symbol="NVDA")
    hours = at(TODAY, 9)
    mention(nvda, sentiment=Sentiment.BULLISH, hours_ago=hours)
    mention(nvda, sentiment=Sentiment.BULLISH, hours_ago=hours, deleted_at=timezone.now())
    mention(nvda, sentiment=Sentiment.BULLISH, hours_ago=hours, is_hidden=True)
    mention(nvda, sentiment=Sentiment.BEARISH, hours_ago=hours, author=UserFactory(suspended_at=timezone.now()))
    mention(nvda, sentiment=Sentiment.BEARISH, hours_ago=hours, author=UserFactory(is_active=False))

    rows = api_client.get(sentiment_url("NVDA"), {"days": 1}).json()

    assert rows == [{"date": "2026-03-04", "bullish": 1, "bearish": 0, "close": None}]


def test_sentiment_close_is_null_on_weekends(api_client, frozen):
    TickerFactory(symbol="NVDA")
    bars_write(bar("NVDA", day, 100.0 + n) for n, day in enumerate([FRIDAY, MONDAY, date(2026, 3, 3)]))

    rows = api_client.get(sentiment_url("NVDA"), {"days": 6}).json()

    assert [(row["date"], row["close"]) for row in rows] == [
        ("2026-02-27", 100.0),
        ("2026-02-28", None),  # Saturday
        ("2026-03-01", None),  # Sunday
        ("2026-03-02", 101.0),
        ("2026-03-03", 102.0),
        ("2026-03-04", None),
    ]


def test_sentiment_defaults_to_90_days(api_client, frozen):
    TickerFactory(symbol="NVDA")

    rows = api_client.get(sentiment_url("NVDA")).json()

    assert len(rows) == 90
    assert (rows[0]["date"], rows[-1]["date"]) == ((TODAY - timedelta(days=89)).isoformat(), TODAY.isoformat())


@pytest.mark.parametrize("days", ["0", "366", "-1", "ninety", "1.5"])
def test_sentiment_days_outside_1_to_365_are_a_400(api_client, frozen, days):
    TickerFactory(symbol="NVDA")

    assert_problem(api_client.get(sentiment_url("NVDA"), {"days": days}), 400, "days")


@pytest.mark.parametrize("days", [1, 365])
def test_sentiment_is_three_queries_whatever_the_days(api_client, frozen, days, django_assert_num_queries):
    ticker = TickerFactory(symbol="ZZZZ", is_listed=False)
    for n in range(0, days, max(days // 20, 1)):
        mention(ticker, sentiment=Sentiment.BULLISH, hours_ago=24 * n)
    bars_write(bar("ZZZZ", TODAY - timedelta(days=n), 10.0) for n in range(days))

    # The ticker's row (it has a page); the counts by day; the closes.
    with django_assert_num_queries(3):
        response = api_client.get(sentiment_url("ZZZZ"), {"days": days})

    rows = response.json()
    assert len(rows) == days
    assert sum(row["bullish"] for row in rows) == len(range(0, days, max(days // 20, 1)))
    assert all(row["close"] == 10.0 for row in rows)
