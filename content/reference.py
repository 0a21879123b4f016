"""Reference data shipped with the code: US-listed symbols and their company names.

The shipped files (``content/data/README.md``) are the default reference list of listed symbols:
``load_tickers`` (or, for the rows that existed then, migration ``content.0006``) marks them listed
in the database, and a listed symbol nobody has mentioned yet is found from them without a row.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from content.cashtags import SYMBOL_RE
from content.models import Ticker

DATA = Path(__file__).resolve().parent / "data"
# Well-known stocks and ETFs, written by hand (the demo data set talks about these).
TICKERS_CSV = DATA / "tickers.csv"
# The other members of the main US indices, generated once (content/data/README.md).
INDEX_MEMBERS_CSV = DATA / "tickers_index_members.csv"
SHIPPED = (TICKERS_CSV, INDEX_MEMBERS_CSV)
NAME_MAX_LENGTH = Ticker._meta.get_field("name").max_length or 200


def read_tickers_csv(path: Path) -> dict[str, str]:
    """``{"AAPL": "Apple Inc.", ...}`` from a UTF-8 CSV file with a ``symbol,name`` header, in file order.

    Symbols are upper-cased and must have the shape of ``Ticker.symbol``; names are trimmed and at
    most 200 characters. A bad row raises ValueError naming its line; a symbol given twice keeps its
    last name.
    """
    tickers: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        if not {"symbol", "name"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: the first line must be the header `symbol,name`.")
        for row in reader:
            symbol, name = (row["symbol"] or "").strip().upper(), (row["name"] or "").strip()
            if not SYMBOL_RE.match(symbol):
                raise ValueError(f"{path}, line {reader.line_num}: {symbol!r} is not a ticker symbol.")
            if len(name) > NAME_MAX_LENGTH:
                raise ValueError(f"{path}, line {reader.line_num}: the name is over {NAME_MAX_LENGTH} characters.")
            tickers[symbol] = name
    return tickers


@cache
def well_known_tickers() -> dict[str, str]:
    """The hand-written part of the shipped list, ``{"AAPL": "Apple Inc.", ...}``; read once per process."""
    return read_tickers_csv(TICKERS_CSV)


@cache
def reference_tickers() -> dict[str, str]:
    """The whole shipped list: the well-known symbols, then the index members; read once per process.

    Treat the result as read-only: it is shared by every caller.
    """
    return {symbol: name for path in SHIPPED for symbol, name in read_tickers_csv(path).items()}
