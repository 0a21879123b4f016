#!/usr/bin/env python
"""Times ``import_prices`` on a generated file of N symbols x Y years of weekday bars.

    createdb -h 127.0.0.1 -U postgres bench_prices
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_prices .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_prices \\
        .venv/bin/python bench/import_prices_bench.py [--symbols 5000] [--years 10] [--file var/prices.csv]

Writes the CSV (deterministic: a seeded random walk per symbol, every weekday of the Y years
ending 2025-12-31, sorted by symbol then date; kept and reused when it exists with the same
size), empties ``DailyBar`` and ``Quote``, then runs ``import_prices`` on it twice: into the
empty table (every bar new), and again (every bar unchanged, the re-import case). Reports each
run's wall time, rows per second and the peak resident memory of this process
(``resource.getrusage``: the maximum so far, so a later run's figure includes the earlier).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import string
import time
from pathlib import Path

from django_setup import ROOT, django_setup

LAST_DAY = datetime.date(2025, 12, 31)


def symbols(count: int) -> list[str]:
    """``count`` distinct symbols: AAAA, AAAB, ... (four letters, ticker format)."""
    letters = string.ascii_uppercase
    names = []
    for index in range(count):
        name = ""
        for _ in range(4):
            index, digit = divmod(index, 26)
            name = letters[digit] + name
        names.append(name)
    return names


def weekdays(years: int) -> list[datetime.date]:
    first = LAST_DAY.replace(year=LAST_DAY.year - years) + datetime.timedelta(days=1)
    days = (first + datetime.timedelta(days=offset) for offset in range((LAST_DAY - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def write_csv(path: Path, symbol_count: int, years: int) -> int:
    """Writes the file; returns its number of bars."""
    days = [day.isoformat() for day in weekdays(years)]
    rows = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as file:
        file.write("symbol,date,open,high,low,close,adj_close,volume\n")
        for number, symbol in enumerate(symbols(symbol_count)):
            rng = random.Random(number)
            price = rng.uniform(5, 500)
            buffer = io.StringIO()
            for index, day in enumerate(days):
                close = max(price * (1 + rng.gauss(0.0003, 0.02)), 0.01)
                high = max(price, close) * (1 + rng.random() * 0.01)
                low = min(price, close) * (1 - rng.random() * 0.01)
                # A tenth of the rows leave adj_close or volume empty, as some sources do.
                adj = "" if index % 10 == 3 else f"{close * 0.98:.4f}"
                volume = "" if index % 10 == 7 else str(rng.randrange(10_000, 50_000_000))
                buffer.write(f"{symbol},{day},{price:.4f},{high:.4f},{low:.4f},{close:.4f},{adj},{volume}\n")
                price = close
                rows += 1
            file.write(buffer.getvalue())
    return rows


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=5000, help="Symbols in the file (default 5000).")
    parser.add_argument("--years", type=int, default=10, help="Years of weekday bars per symbol (default 10).")
    parser.add_argument("--file", type=Path, default=ROOT / "var" / "prices_bench.csv", help="The CSV to write.")
    parser.add_argument("--once", action="store_true", help="Only the first import (skip the re-import).")
    args = parser.parse_args()
    django_setup()
    from django.core.management import call_command
    from django.db import connection

    from markets.models import DailyBar, Quote

    expected = args.symbols * len(weekdays(args.years))
    marker = args.file.with_suffix(".rows")
    if args.file.exists() and marker.exists() and marker.read_text() == f"{args.symbols} {args.years}":
        print(f"Reusing {args.file} ({expected:,} bars, {args.file.stat().st_size / 1e9:.2f} GB)")
    else:
        started = time.perf_counter()
        rows = write_csv(args.file, args.symbols, args.years)
        marker.write_text(f"{args.symbols} {args.years}")
        print(
            f"Wrote {args.file}: {rows:,} bars, {args.file.stat().st_size / 1e9:.2f} GB "
            f"in {time.perf_counter() - started:.0f} s"
        )
    print(f"peak RSS before importing: {peak_rss_mb():.0f} MB")
    print("load average (1, 5, 15 min): {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg()))

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {DailyBar._meta.db_table}, {Quote._meta.db_table}")
    runs = ["into an empty table"] if args.once else ["into an empty table", "again (every bar unchanged)"]
    for label in runs:
        started = time.perf_counter()
        call_command("import_prices", str(args.file))
        elapsed = time.perf_counter() - started
        print(
            f"import_prices {label}: {elapsed:.1f} s, {expected / elapsed:,.0f} rows/s, peak RSS {peak_rss_mb():.0f} MB"
        )
    print("load average (1, 5, 15 min): {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg()))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{DailyBar._meta.db_table}'))")
        print(f"{DailyBar._meta.db_table}: {DailyBar.objects.count():,} rows, {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
