"""The Tiingo provider against a fake Tiingo on 127.0.0.1 (markets.tests.fake_tiingo): no test leaves the machine."""

from __future__ import annotations

import datetime
import logging
import socket

import pytest
import urllib3.util.retry

from markets.providers import (
    BudgetSpent,
    CsvProvider,
    Fetched,
    NoProvider,
    ProviderUnavailable,
    RequestBudget,
    TiingoProvider,
    provider_from_settings,
)
from markets.services import Bar
from markets.tests.fake_tiingo import fake_tiingo, tiingo_row

KEY = "secret-test-key-123"
START, END = datetime.date(2026, 3, 2), datetime.date(2026, 3, 6)


@pytest.fixture
def fake():
    with fake_tiingo() as server:
        yield server


@pytest.fixture
def sleeps(monkeypatch):
    """urllib3's waits between retries, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", recorded.append)
    return recorded


def budget(rates=("1000/h",), **kwargs) -> RequestBudget:
    return RequestBudget(list(rates), scope="test", **kwargs)


def tiingo(fake, **kwargs) -> TiingoProvider:
    return TiingoProvider(api_key=KEY, budget=kwargs.pop("budget", budget()), url=fake.url, timeout=2, **kwargs)


def test_tiingo_turns_its_json_into_bars_and_sends_the_key_in_a_header(fake):
    fake.answer(
        "aapl",
        (200, [tiingo_row("2026-03-02", 10.5, adjClose=10.25, volume=1234), tiingo_row("2026-03-03", 11, volume=0)]),
    )

    [fetched] = tiingo(fake).fetch(["AAPL"], START, END)

    assert fetched == Fetched(
        "AAPL",
        [
            Bar("AAPL", datetime.date(2026, 3, 2), 10.5, 11.5, 9.5, 10.5, 10.25, 1234),
            Bar("AAPL", datetime.date(2026, 3, 3), 11, 12, 10, 11, 11, 0),
        ],
    )
    [request] = fake.requests
    assert request.path == "/tiingo/daily/aapl/prices"
    assert request.query == {"startDate": "2026-03-02", "endDate": "2026-03-06"}
    assert request.headers["Authorization"] == f"Token {KEY}"
    assert KEY not in request.path + str(request.query)


def test_a_share_class_is_asked_for_with_a_hyphen(fake):
    fake.answer("brk-b", (200, [tiingo_row("2026-03-02", 400)]))

    [fetched] = tiingo(fake).fetch(["BRK.B"], START, END)

    assert fake.paths() == ["/tiingo/daily/brk-b/prices"]
    assert fetched.bars[0].symbol == "BRK.B"


def test_an_unknown_symbol_is_reported_and_the_run_goes_on(fake):
    fake.answer("msft", (200, [tiingo_row("2026-03-02", 300)]))

    results = list(tiingo(fake).fetch(["ZZZZ", "MSFT"], START, END))

    assert results[0] == Fetched("ZZZZ", [], "unknown symbol")
    assert results[1].error is None
    assert len(results[1].bars) == 1


def test_a_server_error_is_retried_with_backoff_then_succeeds(fake, sleeps):
    fake.answer("aapl", (500, {"detail": "oops"}), (503, {"detail": "busy"}), (200, [tiingo_row("2026-03-02", 10)]))

    [fetched] = tiingo(fake, backoff=0.5).fetch(["AAPL"], START, END)

    assert fetched.error is None
    assert len(fake.requests) == 3
    # urllib3's exponential backoff: the first retry at once, then backoff x 2.
    assert sleeps == [1.0]


def test_a_server_error_that_persists_fails_the_symbol_only(fake, sleeps):
    fake.answer("aapl", (502, b"<html>bad gateway</html>"))
    fake.answer("msft", (200, [tiingo_row("2026-03-02", 300)]))

    results = list(tiingo(fake).fetch(["AAPL", "MSFT"], START, END))

    assert results[0] == Fetched("AAPL", [], "HTTP 502")
    assert results[1].error is None
    assert fake.paths().count("/tiingo/daily/aapl/prices") == 4  # the request and 3 retries


def test_a_429_is_retried_after_the_retry_after_it_names(fake, sleeps):
    fake.answer("aapl", (429, {"detail": "slow down"}, {"Retry-After": "7"}), (200, [tiingo_row("2026-03-02", 10)]))

    [fetched] = tiingo(fake).fetch(["AAPL"], START, END)

    assert fetched.error is None
    assert sleeps == [7]


def test_a_429_that_persists_stops_the_run_with_the_wait(fake, sleeps):
    fake.answer("aapl", (429, {"detail": "hourly limit"}, {"Retry-After": "1200"}))

    with pytest.raises(BudgetSpent, match="rate limit is reached") as stopped:
        list(tiingo(fake).fetch(["AAPL", "MSFT"], START, END))

    assert stopped.value.wait == 1200
    assert sleeps == [60, 60, 60]  # Retry-After is honoured up to a minute per wait
    assert "/tiingo/daily/msft/prices" not in fake.paths()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<html>not json", "bad data (JSONDecodeError"),
        ({"detail": "an object"}, "bad data (TypeError: expected a list of daily prices, got dict)"),
        ([{"date": "2026-03-02T00:00:00.000Z", "open": 1}], "bad data (KeyError: 'high')"),
        ([{**tiingo_row("2026-03-02", 10), "date": "yesterday"}], "bad data (ValueError"),
    ],
)
def test_bad_json_fails_the_symbol_only(fake, body, error):
    fake.answer("aapl", (200, body))
    fake.answer("msft", (200, [tiingo_row("2026-03-02", 300)]))

    results = list(tiingo(fake).fetch(["AAPL", "MSFT"], START, END))

    assert results[0].error.startswith(error)
    assert results[0].bars == []
    assert results[1].error is None


def test_a_refused_key_stops_the_run(fake):
    fake.answer("aapl", (401, {"detail": "Invalid token."}))

    with pytest.raises(ProviderUnavailable, match=r"Tiingo refused the API key \(HTTP 401\)"):
        list(tiingo(fake).fetch(["AAPL", "MSFT"], START, END))

    assert len(fake.requests) == 1


def test_a_split_or_dividend_in_the_range_is_flagged(fake):
    fake.answer("aapl", (200, [tiingo_row("2026-03-02", 10), tiingo_row("2026-03-03", 5, splitFactor=2.0)]))
    fake.answer("msft", (200, [tiingo_row("2026-03-02", 300, divCash=0.75)]))
    fake.answer("ibm", (200, [tiingo_row("2026-03-02", 200)]))

    results = list(tiingo(fake).fetch(["AAPL", "MSFT", "IBM"], START, END))

    assert [result.adjusted for result in results] == [True, True, False]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_service_that_does_not_answer_fails_symbols_then_stops_the_run(sleeps):
    provider = TiingoProvider(api_key=KEY, budget=budget(), url=f"http://127.0.0.1:{unused_port()}", timeout=1)

    results = []
    fetching = provider.fetch(["AAPL", "MSFT", "IBM", "NVDA"], START, END)
    results.append(next(fetching))
    results.append(next(fetching))
    with pytest.raises(ProviderUnavailable, match="Tiingo did not answer 3 times in a row"):
        next(fetching)

    assert [(result.symbol, result.error) for result in results] == [
        ("AAPL", "no answer (NewConnectionError)"),
        ("MSFT", "no answer (NewConnectionError)"),
    ]
    assert len(sleeps) == 3 * 2  # each symbol: 3 retries, the first at once (not slept)


def test_the_key_is_never_logged(fake, caplog, sleeps):
    fake.answer("aapl", (500, {}), (200, [tiingo_row("2026-03-02", 10)]))
    caplog.set_level(logging.DEBUG)

    list(tiingo(fake).fetch(["AAPL", "ZZZZ"], START, END))

    assert "daily/aapl/prices" in caplog.text  # urllib3 logs its requests at DEBUG...
    assert KEY not in caplog.text  # ...without the key


def test_tiingo_needs_a_key():
    with pytest.raises(ProviderUnavailable, match="MARKET_DATA_API_KEY"):
        TiingoProvider(api_key="", budget=budget())


# The request budget (MARKET_DATA_RATE_LIMIT), counted in the cache.


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_budget_refuses_past_its_limit_without_waiting():
    clock = Clock(3600 * 1000 + 600)
    spent = budget(["2/h"], wait=False, clock=clock)

    spent.take()
    spent.take()
    with pytest.raises(BudgetSpent) as refused:
        spent.take()

    assert refused.value.wait == 3000  # the hour's window ends 50 minutes later
    clock.now += 3000
    spent.take()  # a new window


def test_the_budget_waits_for_the_next_window_when_allowed():
    clock = Clock(3600 * 1000 + 600)
    waiting = budget(["2/h"], clock=clock, sleep=clock.sleep)

    for _ in range(5):
        waiting.take()

    assert clock.slept == [3000, 3600]


def test_every_rate_of_the_budget_applies_and_a_refusal_takes_nothing():
    clock = Clock(86400 * 100)
    both = budget(["3/m", "4/d"], wait=False, clock=clock)

    for _ in range(3):
        both.take()
    with pytest.raises(BudgetSpent):
        both.take()  # the minute's
    clock.now += 60
    both.take()  # the day's fourth
    with pytest.raises(BudgetSpent) as refused:
        both.take()  # the day's

    assert refused.value.wait == 86400 - 60


def test_the_budget_is_shared_by_every_provider_object(fake):
    fake.answer("aapl", (200, [tiingo_row("2026-03-02", 10)]))
    clock = Clock(3600 * 1000)

    tiingo(fake, budget=budget(["1/h"], wait=False, clock=clock)).fetch_one("AAPL", START, END)
    with pytest.raises(BudgetSpent):
        tiingo(fake, budget=budget(["1/h"], wait=False, clock=clock)).fetch_one("AAPL", START, END)

    assert len(fake.requests) == 1


def test_retries_are_taken_from_the_budget(fake, sleeps):
    fake.answer("aapl", (500, {}), (200, [tiingo_row("2026-03-02", 10)]))
    clock = Clock(3600 * 1000)

    with pytest.raises(BudgetSpent):
        tiingo(fake, budget=budget(["1/h"], wait=False, clock=clock)).fetch_one("AAPL", START, END)

    assert len(fake.requests) == 1


# The other providers.


def test_the_none_provider_fetches_nothing():
    assert list(NoProvider().fetch(["AAPL"], START, END)) == []


def test_the_csv_provider_reads_the_symbols_and_dates_asked_for(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "symbol,date,open,high,low,close,adj_close,volume\n"
        "AAPL,2026-03-01,1,1,1,1,,\n"
        "AAPL,2026-03-02,2,2,2,2,,\n"
        "MSFT,2026-03-02,3,3,3,3,,\n"
        "IBM,2026-03-02,4,3,5,4,,\n"
    )

    results = list(CsvProvider([path]).fetch(["AAPL", "IBM", "NVDA"], START, END))

    assert results == [
        Fetched("AAPL", [Bar("AAPL", datetime.date(2026, 3, 2), 2, 2, 2, 2, None, None)]),
        Fetched("IBM", [], "p.csv, line 5: high 3 is below low 5"),
        Fetched("NVDA", []),
    ]
    assert list(CsvProvider().fetch(["AAPL"], START, END)) == []


def test_the_provider_comes_from_the_settings(settings):
    settings.MARKET_DATA_PROVIDER = "none"
    assert provider_from_settings().name == "none"
    settings.MARKET_DATA_PROVIDER = "csv"
    assert provider_from_settings().name == "csv"
    settings.MARKET_DATA_PROVIDER = "tiingo"
    settings.MARKET_DATA_API_KEY = KEY
    settings.MARKET_DATA_URL = "http://127.0.0.1:9"
    settings.MARKET_DATA_RATE_LIMIT = ["5/m"]
    provider = provider_from_settings(wait=False)
    assert isinstance(provider, TiingoProvider)
    assert provider.url == "http://127.0.0.1:9"
    assert provider.budget.limits == [(5, 60)]
    assert provider.budget.wait is False
