"""The checks every bar passes before it is written, whether it comes from a CSV file or a provider.

A bar is refused with a ``BarError`` saying what is wrong in words an operator can act on; the
CSV reader adds the file and line, the fetch the symbol. The database's check constraints say the
same (non-negative prices, the symbol's format), so a bar that slipped past these checks would
still be refused there, only less helpfully.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence

from django.utils import timezone

from markets.models import SYMBOL_FORMAT
from markets.services import Bar

SYMBOL_RE = re.compile(SYMBOL_FORMAT)
# A plain decimal number: no sign, no "nan"/"inf", no underscores or spaces (all of which float() accepts).
NUMBER_RE = re.compile(r"\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?")
INTEGER_RE = re.compile(r"\d{1,18}")
# Bars before this are surely a typo (the oldest US daily series start in the 1920s).
EARLIEST_DATE = datetime.date(1900, 1, 1)

HEADER = ("symbol", "date", "open", "high", "low", "close", "adj_close", "volume")


class BarError(ValueError):
    """A bar that may not be written; the message says why."""


def symbol_checked(symbol: str) -> str:
    """``symbol`` when it has the ticker format (``AAPL``, ``BRK.B``); else a ``BarError``."""
    if not SYMBOL_RE.fullmatch(symbol):
        raise BarError(f"symbol {symbol!r} is not a ticker symbol (1-5 capital letters, optionally .A or .AB)")
    return symbol


def date_checked(date: datetime.date) -> datetime.date:
    """``date`` when it is plausible for a daily bar: not before 1900, not after tomorrow (UTC)."""
    latest = timezone.now().date() + datetime.timedelta(days=1)
    if not EARLIEST_DATE <= date <= latest:
        raise BarError(f"date {date.isoformat()} is not between {EARLIEST_DATE.isoformat()} and {latest.isoformat()}")
    return date


def bar_checked(bar: Bar) -> Bar:
    """``bar`` when its values may be written: finite non-negative prices, high not below low, a
    non-negative integer volume; else a ``BarError`` naming the first fault."""
    symbol_checked(bar.symbol)
    date_checked(bar.date)
    for name in ("open", "high", "low", "close", "adj_close"):
        value = getattr(bar, name)
        if value is None and name == "adj_close":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BarError(f"{name} {value!r} is not a number")
        if not math.isfinite(value) or value < 0:
            raise BarError(f"{name} {value!r} is not a finite number >= 0")
    if bar.high < bar.low:
        raise BarError(f"high {bar.high!r} is below low {bar.low!r}")
    if bar.volume is not None and (isinstance(bar.volume, bool) or not isinstance(bar.volume, int)):
        raise BarError(f"volume {bar.volume!r} is not a whole number")
    if bar.volume is not None and not 0 <= bar.volume < 2**63:
        raise BarError(f"volume {bar.volume!r} is not a whole number >= 0")
    return bar


def _number(name: str, text: str) -> float:
    if not NUMBER_RE.fullmatch(text):
        raise BarError(f"{name} {text!r} is not a number >= 0")
    value = float(text)
    if not math.isfinite(value):
        raise BarError(f"{name} {text!r} is too large")
    return value


_NUMBER = NUMBER_RE.pattern.replace("(", "(?:")
# The six value fields of a row at once (one match instead of six): the common case of a good row.
_VALUES_RE = re.compile(
    rf"(?:{_NUMBER}),(?:{_NUMBER}),(?:{_NUMBER}),(?:{_NUMBER}),(?:{_NUMBER})?,(?:{INTEGER_RE.pattern})?"
)


def latest_date() -> datetime.date:
    """The latest date a bar may have: tomorrow in UTC (a provider a few hours ahead of us is no fault)."""
    return timezone.now().date() + datetime.timedelta(days=1)


def bar_parsed(
    fields: Sequence[str], known_symbols: set[str] | None = None, latest: datetime.date | None = None
) -> Bar:
    """The bar of one CSV row (``HEADER``'s eight fields, as text), checked; else a ``BarError``.

    ``adj_close`` and ``volume`` may be empty. This runs once per row of files of millions of
    rows, so the common case is cut short: ``known_symbols`` remembers the symbols already
    checked, ``latest`` is ``latest_date()`` computed once by the caller, and the six values are
    matched by one expression (the slow path then names the bad one).
    """
    if len(fields) != len(HEADER):
        raise BarError(f"expected {len(HEADER)} fields ({','.join(HEADER)}), got {len(fields)}")
    symbol, date_text, open_, high, low, close, adj_close, volume = fields
    if known_symbols is None or symbol not in known_symbols:
        symbol_checked(symbol)
        if known_symbols is not None:
            known_symbols.add(symbol)
    # fromisoformat also takes 20240102 and 2024-W01-2; only YYYY-MM-DD is a date here.
    if len(date_text) != 10 or date_text[4] != "-" or date_text[7] != "-":
        raise BarError(f"date {date_text!r} is not a date (YYYY-MM-DD)")
    try:
        date = datetime.date.fromisoformat(date_text)
    except ValueError:
        raise BarError(f"date {date_text!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= date <= (latest or latest_date()):
        date_checked(date)
    if not _VALUES_RE.fullmatch(",".join(fields[2:])):
        for name, text in zip(HEADER[2:6], fields[2:6], strict=True):
            _number(name, text)
        if adj_close:
            _number("adj_close", adj_close)
        raise BarError(f"volume {volume!r} is not a whole number >= 0")
    values = (float(open_), float(high), float(low), float(close), float(adj_close) if adj_close else 0.0)
    if not all(map(math.isfinite, values)):
        for name, text in zip(HEADER[2:7], fields[2:7], strict=True):
            if text:
                _number(name, text)
    if values[1] < values[2]:
        raise BarError(f"high {high} is below low {low}")
    return Bar(
        symbol,
        date,
        values[0],
        values[1],
        values[2],
        values[3],
        values[4] if adj_close else None,
        int(volume) if volume else None,
    )
