"""markets.services: bars merged by value (unchanged bars keep updated_at), quotes from the latest two."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction

from markets.models import DailyBar, Quote
from markets.services import Bar, BarWriter, WriteCounts, bars_write, quotes_refresh

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
D1, D2, D3 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 3), datetime.date(2026, 3, 4)


def bar(date: datetime.date, close: float, symbol: str = "AAPL", **fields) -> Bar:
    return Bar(symbol, date, close, close, close, close, fields.get("adj_close"), fields.get("volume"))


def test_bars_write_inserts_replaces_and_leaves_unchanged_bars_alone():
    with time_machine.travel(NOW, tick=False):
        assert bars_write([bar(D1, 10), bar(D2, 11, volume=5)]) == {"AAPL"}
    later = NOW + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        bars_write([bar(D1, 10), bar(D2, 11), bar(D3, 12, symbol="MSFT")])

    stored = {(row.symbol, row.date): row for row in DailyBar.objects.all()}
    assert stored["AAPL", D1].updated_at == NOW  # same values: untouched
    assert stored["AAPL", D2].updated_at == later  # volume 5 -> empty: changed
    assert stored["AAPL", D2].volume is None
    assert stored["MSFT", D3].updated_at == later


def test_bars_write_takes_the_last_of_a_repeated_symbol_and_date():
    bars_write([bar(D1, 10), bar(D1, 12)])

    assert list(DailyBar.objects.values_list("close", flat=True)) == [12.0]


def test_the_writer_counts_new_changed_and_unchanged_bars():
    bars_write([bar(D1, 10), bar(D2, 11)])

    with transaction.atomic(), BarWriter() as writer:
        counts = writer.write([bar(D1, 10), bar(D2, 11.5), bar(D3, 12)])

    assert counts == WriteCounts(new=1, changed=1, unchanged=1)
    assert writer.counts == counts
    assert writer.symbols == {"AAPL"}


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_the_writer_needs_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"), BarWriter():
        pass


def test_quotes_come_from_the_two_latest_bars_and_follow_a_correction():
    bars_write([bar(D1, 10), bar(D2, 11), bar(D3, 12), bar(D1, 50, symbol="MSFT")])

    assert set(Quote.objects.values_list("symbol", "last", "previous_close", "as_of")) == {
        ("AAPL", 12.0, 11.0, D3),
        ("MSFT", 50.0, None, D1),
    }

    bars_write([bar(D2, 11.25)])

    assert Quote.objects.get(symbol="AAPL").previous_close == 11.25


def failing_write() -> None:
    with transaction.atomic(), BarWriter() as writer:
        writer.write([bar(D1, 10)])
        raise ZeroDivisionError


def test_a_failed_write_refreshes_no_quote():
    with pytest.raises(ZeroDivisionError):
        failing_write()

    assert not DailyBar.objects.exists()
    assert not Quote.objects.exists()


@pytest.mark.parametrize("count", [2, 40])
def test_quotes_refresh_costs_the_same_queries_for_any_number_of_symbols(django_assert_num_queries, count):
    symbols = [f"S{chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(count)]
    day = datetime.date(2024, 1, 2)
    bars_write(
        Bar(symbol, day + datetime.timedelta(days=k), 1, 2, 0.5, 10 + k, None, None)
        for symbol in symbols
        for k in (0, 1, 2)
    )
    bars_write([bar(day, 7, "LONE")])
    # its savepoint; the latest bars of every symbol (one statement); the old quotes deleted; the new
    # ones inserted; the savepoint released
    with django_assert_num_queries(5):
        quotes_refresh([*symbols, "LONE", "NONE"])
    quotes = {quote.symbol: (quote.last, quote.previous_close, quote.as_of) for quote in Quote.objects.all()}
    assert quotes == {
        **{symbol: (12.0, 11.0, day + datetime.timedelta(days=2)) for symbol in symbols},
        "LONE": (7.0, None, day),
    }
