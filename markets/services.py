"""Writes to the price tables: bars upserted (changed values only), quotes derived from them.

Every write of bars, from a CSV file (``markets.importer``), a provider (``markets.fetching``) or
``bars_write``, goes through ``BarWriter``: a chunk of bars is loaded into a temporary table
(PostgreSQL: ``COPY``; SQLite: ``executemany``) and merged into ``DailyBar`` by one
``INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE`` that changes only the bars whose values
differ. So re-importing the same file changes nothing, ``updated_at`` included, and
``score_calls`` rescans only the calls whose prices really changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from types import TracebackType
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from markets.models import DailyBar, Quote

# Bars per chunk: large enough that a statement's fixed cost vanishes, small enough for flat memory.
WRITE_BATCH = 50_000


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
_COLUMNS = ("symbol", "date", *_VALUE_COLUMNS)
_STAGING = "markets_bars_staging"


@dataclass
class WriteCounts:
    """What a write did: bars new to the table, bars whose values changed, bars already as given."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        return self

    @property
    def written(self) -> int:
        return self.new + self.changed


def _merge_sql() -> str:
    table = DailyBar._meta.db_table
    changed = " OR ".join(f"{table}.{column} IS DISTINCT FROM excluded.{column}" for column in _VALUE_COLUMNS)
    # Table and column names only: the one value (updated_at) is a parameter. "WHERE true" lets
    # SQLite tell the SELECT's end from the ON CONFLICT clause; the order makes PostgreSQL walk
    # the primary key's index once from left to right.
    return (
        f"INSERT INTO {table} ({', '.join(_COLUMNS)}, updated_at) "  # noqa: S608
        f"SELECT {', '.join(_COLUMNS)}, %s FROM {_STAGING} WHERE true ORDER BY symbol, date "
        f"ON CONFLICT (symbol, date) DO UPDATE SET "
        f"{', '.join(f'{column} = excluded.{column}' for column in (*_VALUE_COLUMNS, 'updated_at'))} "
        f"WHERE {changed}"
    )


class BarWriter:
    """Writes chunks of bars in the current transaction; ``with BarWriter() as writer: writer.write(bars)``.

    The caller owns the transaction (``transaction.atomic``), so a file or a fetch is written all or
    nothing. The bars of one ``write`` must not repeat a symbol and date (the merge would touch a
    row twice); the importer refuses such files before they get here. The quotes of the symbols
    written are refreshed on leaving, unless an error is leaving.
    """

    def __init__(self) -> None:
        self.symbols: set[str] = set()
        self.counts = WriteCounts()
        self._postgres = connection.vendor == "postgresql"

    def __enter__(self) -> BarWriter:
        if not connection.in_atomic_block:
            raise RuntimeError("BarWriter writes inside a transaction (transaction.atomic).")
        with connection.cursor() as cursor:
            if self._postgres:
                # Dropped at commit or rollback: nothing outlives the transaction (PgBouncer-safe).
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} "
                    f"(symbol varchar(8), date date, open float8, high float8, low float8, close float8, "
                    f"adj_close float8, volume bigint) ON COMMIT DROP"
                )
                cursor.execute(f"TRUNCATE {_STAGING}")
                # The merge sorts a chunk (a few MB) by key: in memory rather than spilled to disk at the
                # default 4 MB. For this transaction only.
                cursor.execute("SET LOCAL work_mem = '64MB'")
            else:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} "
                    f"(symbol text, date text, open real, high real, low real, close real, "
                    f"adj_close real, volume integer)"
                )
                cursor.execute(f"DELETE FROM {_STAGING}")  # noqa: S608
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc_type is None:
            quotes_refresh(sorted(self.symbols))

    def write(self, bars: Sequence[Bar], *, csv_lines: Sequence[str] | None = None) -> WriteCounts:
        """Merges ``bars`` (at most ``WRITE_BATCH`` of them, which must not repeat a symbol and date)
        into ``DailyBar``.

        ``csv_lines`` may give the same bars as lines of the import format, already checked: then
        PostgreSQL is sent that text as it is, which saves converting every value back to text.
        """
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.symbols.update(bar.symbol for bar in bars)
        with connection.cursor() as cursor:
            if self._postgres:
                raw: Any = cursor.cursor  # psycopg's own cursor, for COPY
                if csv_lines is not None:
                    # CSV format: an empty field is NULL, as an empty adj_close or volume means.
                    with raw.copy(f"COPY {_STAGING} ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
                        copy.write("\n".join(csv_lines))
                else:
                    with raw.copy(f"COPY {_STAGING} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                        for bar in bars:
                            copy.write_row(bar)
                # xmax is 0 on a row this statement inserted, and set on one it updated.
                cursor.execute(
                    f"WITH merged AS ({_merge_sql()} RETURNING xmax) "  # noqa: S608
                    f"SELECT count(*) FILTER (WHERE xmax = 0), count(*) FROM merged",
                    [now],
                )
                new, written = cursor.fetchone()
                cursor.execute(f"TRUNCATE {_STAGING}")
            else:
                ops = connection.ops
                cursor.executemany(
                    f"INSERT INTO {_STAGING} ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})",  # noqa: S608
                    [(bar.symbol, ops.adapt_datefield_value(bar.date), *bar[2:]) for bar in bars],
                )
                table = DailyBar._meta.db_table
                cursor.execute(f"SELECT count(*) FROM {_STAGING} JOIN {table} USING (symbol, date)")  # noqa: S608
                existing = cursor.fetchone()[0]
                cursor.execute(_merge_sql(), [now])
                written = cursor.rowcount
                new = len(bars) - existing
                cursor.execute(f"DELETE FROM {_STAGING}")  # noqa: S608
        counts = WriteCounts(new=new, changed=written - new, unchanged=len(bars) - written)
        self.counts += counts
        return counts


@transaction.atomic
def bars_write(bars: Iterable[Bar]) -> set[str]:
    """Inserts ``bars``, replacing the stored bar of the same symbol and date; returns the symbols written.

    A bar whose values are all unchanged is left as it was, ``updated_at`` included, so
    ``score_calls`` rescans only the calls whose prices really changed. Bars are sent in chunks
    (flat memory for any length of ``bars``); the quotes
    of the symbols written are refreshed in the same transaction.
    """
    with BarWriter() as writer:
        iterator = iter(bars)
        while chunk := list(islice(iterator, WRITE_BATCH)):
            # The last of a repeated symbol and date wins, as if each bar were written in turn.
            writer.write(list({(bar.symbol, bar.date): bar for bar in chunk}.values()))
    return writer.symbols


# Per symbol of a VALUES list, its latest bar's date and close and the close before: index probes on
# the (symbol, date) key, one statement for a chunk. VALUES names its column column1 on both databases.
_LATEST_SQL = """
SELECT v.column1,
       (SELECT b.date FROM {bar} b WHERE b.symbol = v.column1 ORDER BY b.date DESC LIMIT 1),
       (SELECT b.close FROM {bar} b WHERE b.symbol = v.column1 ORDER BY b.date DESC LIMIT 1),
       (SELECT b.close FROM {bar} b WHERE b.symbol = v.column1 ORDER BY b.date DESC LIMIT 1 OFFSET 1)
  FROM (VALUES {rows}) AS v
"""


@transaction.atomic
def quotes_refresh(symbols: Sequence[str]) -> None:
    """Rewrites the quotes of ``symbols`` from their two latest bars (none for a symbol without bars).

    Two statements and a bulk insert per 500 symbols, whatever their history."""
    for start in range(0, len(symbols), 500):
        chunk = list(symbols[start : start + 500])
        with connection.cursor() as cursor:
            cursor.execute(
                _LATEST_SQL.format(bar=DailyBar._meta.db_table, rows=", ".join(["(%s)"] * len(chunk))),
                chunk,
            )
            latest = cursor.fetchall()
        Quote.objects.filter(symbol__in=chunk).delete()
        Quote.objects.bulk_create(
            Quote(
                symbol=symbol,
                last=close,
                previous_close=previous_close,
                as_of=as_of,  # a date, or SQLite's ISO text, which the field parses
            )
            for symbol, as_of, close, previous_close in latest
            if as_of is not None
        )
