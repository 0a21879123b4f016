"""Writes to the price tables: bars upserted (changed values only), quotes derived from them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from markets.models import DailyBar, Quote

WRITE_BATCH = 5_000


class Bar(NamedTuple):
    """One daily bar as a provider gives it, checked (``markets.validation``) before it is written."""

    symbol: str
    date: datetime.date
    open: float
    high: float
    low: float
    close: float
    adj_close: float | None
    volume: int | None


_VALUE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")


def _upsert_sql() -> str:
    table = DailyBar._meta.db_table
    columns = ("symbol", "date", *_VALUE_COLUMNS, "updated_at")
    changed = " OR ".join(f"{table}.{column} IS DISTINCT FROM excluded.{column}" for column in _VALUE_COLUMNS)
    # Table and column names only: the values are parameters.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT (symbol, date) DO UPDATE SET "
        f"{', '.join(f'{column} = excluded.{column}' for column in (*_VALUE_COLUMNS, 'updated_at'))} "
        f"WHERE {changed}"
    )


@transaction.atomic
def bars_write(bars: Iterable[Bar]) -> set[str]:
    """Inserts ``bars``, replacing the stored bar of the same symbol and date; returns the symbols written.

    A bar whose values are all unchanged is left as it was, ``updated_at`` included, so
    ``score_calls`` rescans only the calls whose prices really changed. Bars are sent in
    batches (flat memory for any length of ``bars``); the quotes of the symbols written are
    refreshed in the same transaction.
    """
    sql = _upsert_sql()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    symbols: set[str] = set()
    iterator = iter(bars)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, WRITE_BATCH)):
            symbols.update(bar.symbol for bar in batch)
            cursor.executemany(
                sql,
                [(*bar[:1], ops.adapt_datefield_value(bar.date), *bar[2:], now) for bar in batch],
            )
    quotes_refresh(sorted(symbols))
    return symbols


@transaction.atomic
def quotes_refresh(symbols: Sequence[str]) -> None:
    """Rewrites the quotes of ``symbols`` from their two latest bars (none for a symbol without bars)."""
    for start in range(0, len(symbols), 500):
        chunk = symbols[start : start + 500]
        latest: dict[str, list[tuple[datetime.date, float]]] = {}
        # The two latest bars of each symbol: one small index range per symbol on the (symbol, date) key.
        for symbol in chunk:
            latest[symbol] = list(
                DailyBar.objects.filter(symbol=symbol).order_by("-date").values_list("date", "close")[:2]
            )
        Quote.objects.filter(symbol__in=chunk).delete()
        Quote.objects.bulk_create(
            Quote(
                symbol=symbol,
                last=bars[0][1],
                previous_close=bars[1][1] if len(bars) > 1 else None,
                as_of=bars[0][0],
            )
            for symbol, bars in latest.items()
            if bars
        )
