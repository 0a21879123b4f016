"""Reference data shipped with the code: well-known US-listed symbols and their company names."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

TICKERS_CSV = Path(__file__).resolve().parent / "data" / "tickers.csv"


@cache
def reference_tickers() -> dict[str, str]:
    """`{"AAPL": "Apple Inc.", ...}` in file order; read once per process.

    Treat the result as read-only: it is shared by every caller.
    """
    with TICKERS_CSV.open(encoding="utf-8", newline="") as file:
        return {row["symbol"]: row["name"] for row in csv.DictReader(file)}
