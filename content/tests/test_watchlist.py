"""users/me/watchlist: list (with each ticker's activity), add and remove tickers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Sentiment, Ticker, WatchlistItem
from content.services import watchlist
from content.tests.factories import TickerFactory, WatchlistItemFactory, mention
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/me/watchlist"


def item_url(symbol: str) -> str:
    return f"{URL}/{symbol}"


def watch(user, symbol: str, *, minutes_ago: int = 0, name: str | None = None):
    ticker = TickerFactory(symbol=symbol, **({"name": name} if name is not None else {}))
    return WatchlistItemFactory(user=user, ticker=ticker, created_at=timezone.now() - timedelta(minutes=minutes_ago))


def symbols_of(user) -> list[str]:
    return sorted(WatchlistItem.objects.filter(user=user).values_list("ticker_id", flat=True))


# GET


def test_watchlist_lists_tickers_newest_first_with_their_activity(auth_client, user, other_user):
    aapl = watch(user, "AAPL", minutes_ago=30, name="Apple Inc.").ticker
    watch(user, "TSLA", minutes_ago=5, name="")
    watch(user, "BRK.B", minutes_ago=10, name="Berkshire Hathaway Inc. Class B")
    watch(other_user, "NVDA")
    mention(aapl, sentiment=Sentiment.BULLISH)
    mention(aapl, sentiment=Sentiment.BULLISH, hours_ago=23)
    mention(aapl, sentiment=Sentiment.BEARISH)
    mention(aapl)  # no sentiment
    mention(aapl, sentiment=Sentiment.BULLISH, hours_ago=25)  # counts, but outside the sentiment window
    mention(aapl, sentiment=Sentiment.BULLISH, deleted_at=timezone.now())  # gone
    mention(aapl, sentiment=Sentiment.BEARISH, is_hidden=True)  # hidden by a moderator

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "symbol": "TSLA",
            "name": None,
            "post_count": 0,
            "sentiment": {"bullish": 0, "bearish": 0},
            "listed": True,
            "price": None,
        },
        {
            "symbol": "BRK.B",
            "name": "Berkshire Hathaway Inc. Class B",
            "post_count": 0,
            "sentiment": {"bullish": 0, "bearish": 0},
            "listed": True,
            "price": None,
        },
        {
            "symbol": "AAPL",
            "name": "Apple Inc.",
            "post_count": 5,
            "sentiment": {"bullish": 2, "bearish": 1},
            "listed": True,
            "price": None,
        },
    ]


def test_an_empty_watchlist_is_an_empty_list(auth_client, other_user):
    watch(other_user, "AAPL")

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("size", [1, 50])
def test_watchlist_query_count_does_not_grow_with_its_size(auth_client, user, size, django_assert_max_num_queries):
    for index in range(size):
        ticker = watch(user, "W" + "".join(chr(65 + int(digit)) for digit in f"{index:02}")).ticker
        mention(ticker, sentiment=Sentiment.BULLISH)
        mention(ticker, sentiment=Sentiment.BEARISH)

    # The viewer (authentication); the tickers with their counts.
    with django_assert_max_num_queries(2):
        response = auth_client.get(URL)

    assert len(response.json()) == size
    assert all(item["post_count"] == 2 for item in response.json())


# POST


@pytest.mark.parametrize(
    ("raw", "symbol", "name"),
    [
        ("AAPL", "AAPL", "Apple Inc."),
        ("$aapl", "AAPL", "Apple Inc."),
        ("#Aapl", "AAPL", "Apple Inc."),
        (" brk.b ", "BRK.B", "Berkshire Hathaway Inc. Class B"),
        ("$f", "F", "Ford Motor Company"),
        ("$zzzq", "ZZZQ", None),  # not on the reference list: made unlisted, as a post would make it
    ],
)
def test_adding_a_ticker_creates_it_on_first_use(auth_client, user, other_user, raw, symbol, name):
    response = auth_client.post(URL, {"symbol": raw}, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "symbol": symbol,
        "name": name,
        "post_count": 0,
        "sentiment": {"bullish": 0, "bearish": 0},
        "listed": name is not None,
        "price": None,
    }
    assert Ticker.objects.filter(symbol=symbol, is_listed=name is not None).exists()
    assert symbols_of(user) == [symbol]
    assert symbols_of(other_user) == []


def test_adding_a_known_ticker_shows_its_name_and_activity(auth_client, user):
    ticker = TickerFactory(symbol="MSFT", name="Microsoft Corporation")
    mention(ticker, sentiment=Sentiment.BEARISH)

    response = auth_client.post(URL, {"symbol": "msft"}, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "symbol": "MSFT",
        "name": "Microsoft Corporation",
        "post_count": 1,
        "sentiment": {"bullish": 0, "bearish": 1},
        "listed": True,
        "price": None,
    }
    assert Ticker.objects.count() == 1


def test_adding_a_ticker_already_there_answers_200(auth_client, user):
    first = watch(user, "AAPL", minutes_ago=60)

    response = auth_client.post(URL, {"symbol": "$AAPL"}, format="json")

    assert response.status_code == 200
    assert response.json()["symbol"] == "AAPL"
    assert list(WatchlistItem.objects.filter(user=user)) == [first]


def test_adding_a_ticker_another_request_just_added_answers_200(auth_client, user, monkeypatch):
    # The other request inserts between our check and our insert: the unique constraint decides.
    real_ensure = watchlist.ticker_symbols_ensure

    def ensure_while_another_request_adds(symbols):
        real_ensure(symbols)
        WatchlistItem.objects.create(user=user, ticker_id=symbols[0])

    monkeypatch.setattr(watchlist, "ticker_symbols_ensure", ensure_while_another_request_adds)

    response = auth_client.post(URL, {"symbol": "AAPL"}, format="json")

    assert response.status_code == 200
    assert symbols_of(user) == ["AAPL"]


@pytest.mark.parametrize(
    "payload",
    [
        {"symbol": ""},
        {"symbol": "$"},
        {"symbol": "TOOLONG"},
        {"symbol": "AB1"},
        {"symbol": "BRK.BBB"},
        {"symbol": "BRK."},
        {"symbol": "$$AAPL"},
        {"symbol": "ÄPPL"},
        {"symbol": 123},
        {"symbol": None},
        {"symbol": ["AAPL"]},
        {"symbol": "A" * 100},
        {},
    ],
)
def test_adding_a_malformed_symbol_is_a_400_naming_symbol(auth_client, user, payload):
    response = auth_client.post(URL, payload, format="json")

    assert_problem(response, 400, "symbol")
    assert not WatchlistItem.objects.exists()
    assert not Ticker.objects.exists()


def test_a_watchlist_holds_at_most_200_tickers(auth_client, user, monkeypatch):
    monkeypatch.setattr(watchlist, "WATCHLIST_MAX", 3)
    for symbol in ("AAA", "BBB", "CCC"):
        watch(user, symbol)

    full = auth_client.post(URL, {"symbol": "DDD"}, format="json")
    again = auth_client.post(URL, {"symbol": "AAA"}, format="json")

    body = assert_problem(full, 400, "symbol")
    assert "at most 3" in body["errors"]["symbol"][0]
    assert again.status_code == 200
    assert symbols_of(user) == ["AAA", "BBB", "CCC"]
    assert not Ticker.objects.filter(symbol="DDD").exists()


def test_the_watchlist_cap_is_200(auth_client, user):
    tickers = Ticker.objects.bulk_create(
        [Ticker(symbol="".join(chr(65 + int(digit)) for digit in f"{n:03}")) for n in range(200)]
    )
    WatchlistItem.objects.bulk_create([WatchlistItem(user=user, ticker=ticker) for ticker in tickers])

    response = auth_client.post(URL, {"symbol": "ZZZZ"}, format="json")

    assert_problem(response, 400, "symbol")
    assert WatchlistItem.objects.filter(user=user).count() == 200


# DELETE


@pytest.mark.parametrize("path_symbol", ["AAPL", "aapl", "$aapl"])
def test_removing_a_ticker_takes_it_off_the_callers_list_only(auth_client, user, other_user, path_symbol):
    watch(user, "AAPL")
    watch(user, "MSFT")
    watch(other_user, "AAPL")

    response = auth_client.delete(item_url(path_symbol))

    assert response.status_code == 204
    assert response.content == b""
    assert symbols_of(user) == ["MSFT"]
    assert symbols_of(other_user) == ["AAPL"]
    # The ticker itself stays: other people watch it, posts mention it.
    assert Ticker.objects.filter(symbol="AAPL").exists()


def test_removing_a_share_class_symbol(auth_client, user):
    watch(user, "BRK.B")

    response = auth_client.delete(item_url("brk.b"))

    assert response.status_code == 204
    assert symbols_of(user) == []


@pytest.mark.parametrize("path_symbol", ["AAPL", "NOTATICKER", "A1"])
def test_removing_a_ticker_not_on_the_list_is_404(auth_client, user, other_user, path_symbol):
    watch(other_user, "AAPL")

    assert_problem(auth_client.delete(item_url(path_symbol)), 404)
    assert symbols_of(other_user) == ["AAPL"]


# Anonymous callers


def test_watchlist_refuses_anonymous_callers(api_client, user):
    watch(user, "AAPL")

    assert_problem(api_client.get(URL), 401)
    assert_problem(api_client.post(URL, {"symbol": "MSFT"}, format="json"), 401)
    assert_problem(api_client.delete(item_url("AAPL")), 401)
    assert symbols_of(user) == ["AAPL"]
    assert not Ticker.objects.filter(symbol="MSFT").exists()


def test_watchlist_writes_touch_only_the_callers_list(client_for, user, other_user):
    watch(other_user, "AAPL")
    client = client_for(user)

    client.post(URL, {"symbol": "TSLA"}, format="json")
    client.delete(item_url("AAPL"))

    assert symbols_of(other_user) == ["AAPL"]
    assert symbols_of(user) == ["TSLA"]


def test_with_stats_counts_posts_for_many_tickers_in_one_query(django_assert_num_queries):
    tickers = [TickerFactory(symbol=symbol) for symbol in ("AAA", "BBB", "CCC")]
    for count, ticker in enumerate(tickers, start=1):
        for _ in range(count):
            mention(ticker, sentiment=Sentiment.BULLISH)

    with django_assert_num_queries(1):
        counts = {t.symbol: (t.post_count, t.bullish_count, t.bearish_count) for t in Ticker.objects.with_stats()}

    assert counts == {"AAA": (1, 1, 0), "BBB": (2, 2, 0), "CCC": (3, 3, 0)}


def test_with_stats_counts_sentiment_in_the_24_hours_before_now():
    ticker = TickerFactory(symbol="AAPL")
    mention(ticker, sentiment=Sentiment.BULLISH, hours_ago=30)

    now = timezone.now()
    assert Ticker.objects.with_stats(now=now).get().bullish_count == 0
    assert Ticker.objects.with_stats(now=now - timedelta(hours=10)).get().bullish_count == 1
    assert Ticker.objects.with_stats(now=now).get().post_count == 1
