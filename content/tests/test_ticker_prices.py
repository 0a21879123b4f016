"""Prices on tickers: the ``price`` object of every ticker rendering."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import search
from content.models import Sentiment
from content.tests.factories import TickerFactory, WatchlistItemFactory, mention
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
