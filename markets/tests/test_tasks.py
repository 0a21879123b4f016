"""markets.tasks: the daily price refresh celery beat sends (eager in tests)."""

from __future__ import annotations

import datetime

import pytest

from core.testing_celery import celery_conf
from markets.models import DailyBar
from markets.tasks import REFRESH_DAYS, refresh_prices
from markets.tests.fake_tiingo import tiingo_row

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 6, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def now():
    return NOW


def test_refresh_prices_fetches_the_last_days_of_the_tracked_symbols(
    tiingo, tracked, django_capture_on_commit_callbacks
):
    tracked += ["AAPL", "MSFT"]
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-05", 10), tiingo_row("2026-03-06", 11)]))
    tiingo.answer("msft", (200, [tiingo_row("2026-03-06", 300)]))

    with django_capture_on_commit_callbacks(execute=True):
        refresh_prices.delay()

    assert sorted(tiingo.paths()) == ["/tiingo/daily/aapl/prices", "/tiingo/daily/msft/prices"]
    assert {request.query["startDate"] for request in tiingo.requests} == {
        (NOW.date() - datetime.timedelta(days=REFRESH_DAYS - 1)).isoformat()
    }
    assert DailyBar.objects.count() == 3


def test_refresh_prices_does_nothing_with_the_provider_none(settings, tracked, django_assert_num_queries):
    settings.MARKET_DATA_PROVIDER = "none"
    tracked.append("AAPL")

    with django_assert_num_queries(0):
        refresh_prices.delay()

    assert not DailyBar.objects.exists()


def test_a_spent_budget_sends_the_refresh_again_for_the_symbols_left(tiingo, tracked, settings, monkeypatch):
    settings.MARKET_DATA_RATE_LIMIT = ["1/h"]
    tracked += ["AAPL", "IBM", "MSFT"]
    tiingo.answer("aapl", (200, [tiingo_row("2026-03-06", 10)]))
    sent = []
    monkeypatch.setattr(refresh_prices, "apply_async", lambda **options: sent.append(options))

    with celery_conf(task_always_eager=False):
        refresh_prices.run()

    assert tiingo.paths() == ["/tiingo/daily/aapl/prices"]
    # 23:30 UTC: the hour's window ends in 30 minutes (and a second).
    assert sent == [{"kwargs": {"symbols": ["IBM", "MSFT"]}, "countdown": 1801}]


def test_run_eagerly_a_spent_budget_leaves_the_rest_for_the_next_day(tiingo, tracked, settings, monkeypatch):
    settings.MARKET_DATA_RATE_LIMIT = ["1/h"]
    tracked += ["AAPL", "IBM"]
    sent = []
    monkeypatch.setattr(refresh_prices, "apply_async", lambda **options: sent.append(options))

    refresh_prices.run()

    assert len(tiingo.requests) == 1
    assert sent == []
