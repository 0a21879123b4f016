"""fetch_prices and the service behind it, with Tiingo faked on 127.0.0.1 (markets.tests.fake_tiingo)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.errors import Invalid
from markets.fetching import prices_fetch, symbols_to_refresh
from markets.models import DailyBar, Quote
from markets.services import Bar, bars_write
from markets.tests.fake_tiingo import tiingo_row

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 6, 23, tzinfo=datetime.UTC)


@pytest.fixture
def now():
    return NOW


def run(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("fetch_prices", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_fetch_prices_writes_the_bars_of_the_symbols_asked_for(tiingo):
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-05", 10), tiingo_row("2026-03-06", 11)]))
    tiingo.answer("msft", (200, [tiingo_row("2026-03-06", 300)]))

    out, error = run("--symbols", "aapl, MSFT", "--days", "3")

    assert error is None
    assert out.startswith(
        "Fetched 2 of 2 symbols from tiingo (2026-03-04 to 2026-03-06): 3 bars new, 0 changed, 0 unchanged in "
    )
    assert [request.query for request in tiingo.requests] == [{"startDate": "2026-03-04", "endDate": "2026-03-06"}] * 2
    assert list(DailyBar.objects.order_by("symbol", "date").values_list("symbol", "date", "close")) == [
        ("AAPL", datetime.date(2026, 3, 5), 10.0),
        ("AAPL", datetime.date(2026, 3, 6), 11.0),
        ("MSFT", datetime.date(2026, 3, 6), 300.0),
    ]
    assert Quote.objects.get(symbol="AAPL").previous_close == 10.0


def test_fetching_again_changes_only_what_the_provider_corrected(tiingo):
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-05", 10), tiingo_row("2026-03-06", 11)]))
    run("--symbols", "AAPL")
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-05", 10), tiingo_row("2026-03-06", 11.5)]))

    out, _ = run("--symbols", "AAPL")

    assert ": 0 bars new, 1 changed, 1 unchanged in " in out
    assert Quote.objects.get(symbol="AAPL").last == 11.5


def test_unknown_and_failed_symbols_are_listed_and_skipped(tiingo):
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-06", 10)]))
    tiingo.answer("ibm", (500, {}))
    tiingo.answer("nvda", (200, b"not json"))
    tiingo.answer("amd", (200, [tiingo_row("2026-03-06", 10, high=5, low=6)]))

    out, error = run("--symbols", "ZZZZ,AAPL,IBM,NVDA,AMD")

    assert error is None
    lines = out.splitlines()
    assert lines[0].startswith("Fetched 1 of 5 symbols from tiingo")
    assert lines[1].startswith(
        "Skipped 4: ZZZZ (unknown symbol), IBM (HTTP 500), NVDA (bad data (JSONDecodeError: Expecting value"
    )
    assert lines[1].endswith("AMD (bad data (high 5 is below low 6)).")
    assert list(DailyBar.objects.values_list("symbol", flat=True)) == ["AAPL"]


def test_bad_data_in_one_bar_skips_the_whole_symbol(tiingo):
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-05", 10), {**tiingo_row("2026-03-06", 10), "close": -1}]))

    result = prices_fetch(symbols=["AAPL"])

    assert result.failed == {"AAPL": "bad data (close -1 is not a finite number >= 0)"}
    assert not DailyBar.objects.exists()


def test_a_refused_key_stops_the_run_lists_the_rest_and_fails_the_command(tiingo):
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-06", 10)]))
    tiingo.answer("msft", (403, {"detail": "no"}))

    out, error = run("--symbols", "AAPL,MSFT,IBM")

    assert "Fetched 1 of 3 symbols" in out
    assert "Not fetched 2: MSFT, IBM." in out
    assert str(error) == "Stopped: Tiingo refused the API key (HTTP 403)."
    assert DailyBar.objects.count() == 1  # what was fetched before is kept


def test_a_provider_that_cannot_start_stops_the_run_before_any_request(tiingo, settings):
    settings.MARKET_DATA_API_KEY = ""

    out, error = run("--symbols", "AAPL,MSFT")

    assert "Not fetched 2: AAPL, MSFT." in out
    assert str(error) == "Stopped: Tiingo needs an API key (MARKET_DATA_API_KEY)."
    assert tiingo.requests == []


def test_a_spent_budget_stops_a_run_that_may_not_wait(tiingo, settings):
    settings.MARKET_DATA_RATE_LIMIT = ["2/d"]
    for symbol in ("aapl", "msft", "ibm"):
        tiingo.answer(symbol, (200, [tiingo_row("2026-03-06", 10)]))

    result = prices_fetch(symbols=["AAPL", "MSFT", "IBM"], wait_for_budget=False)

    assert result.fetched == 2
    assert result.not_fetched == ["IBM"]
    assert result.budget_spent
    assert result.retry_in == 3600  # NOW is 23:00 UTC: the day's window ends in an hour
    assert len(tiingo.requests) == 2


def test_a_split_in_the_range_fetches_the_history_again(tiingo):
    bars_write([Bar("AAPL", datetime.date(2026, 2, day), 20, 20, 20, 20, 20, None) for day in (2, 3)])
    tiingo.answer(
        "aapl",
        (200, [tiingo_row("2026-03-06", 10, splitFactor=2.0)]),
        (200, [tiingo_row("2026-02-02", 10), tiingo_row("2026-02-03", 10), tiingo_row("2026-03-06", 10)]),
    )

    result = prices_fetch(symbols=["AAPL"], days=5)

    assert [request.query["startDate"] for request in tiingo.requests] == ["2026-03-02", "2026-02-02"]
    assert (result.counts.new, result.counts.changed) == (1, 2)
    assert set(DailyBar.objects.values_list("adj_close", flat=True)) == {10.0}


def test_by_default_the_tracked_symbols_are_fetched_stalest_first(tiingo, tracked):
    tracked += ["MSFT", "AAPL", "IBM"]
    bars_write(
        [
            Bar("AAPL", datetime.date(2026, 3, 5), 1, 1, 1, 1, None, None),
            Bar("MSFT", datetime.date(2026, 3, 2), 1, 1, 1, 1, None, None),
            Bar("NVDA", datetime.date(2026, 1, 2), 1, 1, 1, 1, None, None),  # priced, not tracked
        ]
    )

    assert symbols_to_refresh() == ["IBM", "MSFT", "AAPL"]
    out, _ = run()

    assert tiingo.paths() == [f"/tiingo/daily/{symbol}/prices" for symbol in ("ibm", "msft", "aapl")]
    assert "Skipped 3: IBM (unknown symbol), MSFT (unknown symbol), AAPL (unknown symbol)." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days: Between 1 and 10980."),
        (["--days", "99999"], "--days: Between 1 and 10980."),
        (["--symbols", "AAPL,TOOLONG,b@d"], "--symbols: Not ticker symbols: TOOLONG, B@D."),
    ],
)
def test_bad_arguments_are_refused(tiingo, args, message):
    _, error = run(*args)

    assert str(error) == message
    assert tiingo.requests == []


def test_with_the_provider_none_fetch_prices_says_so(settings):
    settings.MARKET_DATA_PROVIDER = "none"

    out, error = run("--symbols", "AAPL")

    assert error is None
    assert out == "MARKET_DATA_PROVIDER is none: no market data provider, nothing fetched.\n"


def test_with_the_provider_csv_fetch_prices_says_where_prices_come_from(settings):
    settings.MARKET_DATA_PROVIDER = "csv"

    out, error = run()

    assert error is None
    assert "prices come only from files given to import_prices" in out


def test_the_service_fetches_nothing_with_the_provider_none(settings, tracked):
    settings.MARKET_DATA_PROVIDER = "none"
    tracked.append("AAPL")

    result = prices_fetch()

    assert (result.provider, result.symbols, result.fetched) == ("none", 0, 0)


def test_the_service_refuses_bad_days():
    with pytest.raises(Invalid) as refused:
        prices_fetch(symbols=["AAPL"], days=0)

    assert refused.value.errors == {"days": ["Between 1 and 10980."]}
