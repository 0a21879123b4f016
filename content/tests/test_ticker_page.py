"""GET tickers/{symbol}: one ticker with its activity, known from a row or from the reference list."""

from __future__ import annotations

import pytest
from django.utils import timezone

from content.models import Sentiment, Ticker
from content.tests.factories import TickerFactory, mention

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
NO_ACTIVITY = {"post_count": 0, "sentiment": {"bullish": 0, "bearish": 0}, "listed": True, "price": None}


def url(symbol: str) -> str:
    return f"/api/v1/tickers/{symbol}"


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["status"] == 404


def test_a_ticker_shows_its_name_and_activity(api_client, django_assert_max_num_queries):
    tsla = TickerFactory(symbol="TSLA", name="Tesla, Inc.")
    mention(tsla, sentiment=Sentiment.BULLISH)
    mention(tsla, sentiment=Sentiment.BULLISH, hours_ago=23)
    mention(tsla, sentiment=Sentiment.BEARISH)
    mention(tsla)  # no sentiment
    mention(tsla, sentiment=Sentiment.BEARISH, hours_ago=30)  # counts, but outside the sentiment window
    mention(tsla, sentiment=Sentiment.BULLISH, deleted_at=timezone.now())  # gone
    mention(tsla, sentiment=Sentiment.BULLISH, is_hidden=True)  # hidden by a moderator
    mention(TickerFactory(symbol="TSM"), sentiment=Sentiment.BULLISH)  # another ticker

    # The ticker with its counts.
    with django_assert_max_num_queries(1):
        response = api_client.get(url("TSLA"))

    assert response.status_code == 200
    assert response.json() == {
        "symbol": "TSLA",
        "name": "Tesla, Inc.",
        "post_count": 5,
        "sentiment": {"bullish": 2, "bearish": 1},
        "listed": True,
        "price": None,
    }


@pytest.mark.parametrize("raw", ["brk.b", "$BRK.B", "$brk.b", "%23BRK.B", "%23brk.B"])
def test_the_symbol_ignores_case_and_a_leading_cashtag_sign(api_client, raw):
    TickerFactory(symbol="BRK.B", name="Berkshire Hathaway Inc. Class B")

    response = api_client.get(url(raw))

    assert response.status_code == 200, response.content
    assert response.json()["symbol"] == "BRK.B"


def test_a_reference_ticker_nobody_posted_about_is_shown_without_creating_it(api_client):
    response = api_client.get(url("$nvda"))

    assert response.status_code == 200
    assert response.json() == {"symbol": "NVDA", "name": "NVIDIA Corporation", **NO_ACTIVITY}
    assert not Ticker.objects.exists()


def test_a_row_made_without_a_name_shows_the_reference_name(api_client):
    TickerFactory(symbol="AAPL", name="")

    assert api_client.get(url("AAPL")).json()["name"] == "Apple Inc."


def test_a_ticker_unknown_to_the_reference_list_shows_a_null_name(api_client):
    TickerFactory(symbol="ZZZZ", name="", is_listed=False)

    assert api_client.get(url("ZZZZ")).json() == {"symbol": "ZZZZ", "name": None, **NO_ACTIVITY, "listed": False}


def test_a_well_formed_but_unknown_symbol_is_a_404(api_client):
    assert_not_found(api_client.get(url("QQQQX")))
    assert not Ticker.objects.exists()


@pytest.mark.parametrize(
    "raw", ["TOOLONG", "A1", "BRK.", "BRK.BBB", "$$AAPL", "AA-PL", "%00", "%24", "1234", "a" * 500]
)
def test_a_malformed_symbol_is_a_404(api_client, raw):
    assert_not_found(api_client.get(url(raw)))


def test_signed_in_callers_see_the_same_ticker(client_for, user):
    TickerFactory(symbol="AMD", name="Advanced Micro Devices, Inc.")

    response = client_for(user).get(url("amd"))

    assert response.status_code == 200
    assert response.json() == {"symbol": "AMD", "name": "Advanced Micro Devices, Inc.", **NO_ACTIVITY}


def test_trending_is_not_taken_for_a_symbol(api_client):
    response = api_client.get(url("trending"))

    assert response.status_code == 200
    assert response.json() == []
