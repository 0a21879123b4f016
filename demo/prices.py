"""Made-up daily prices for the demo's tickers: a seeded geometric random walk per symbol.

Each symbol's walk is a function of the seed, the symbol and the list of trading days
only: its own `random.Random` draws a yearly drift (-10% to +25%), a yearly volatility
(15% to 70%; 10% to 25% for funds) and a starting price, then one daily log return a day
(normal, with the drift and volatility scaled to a day), so adding a symbol leaves every
other symbol's prices as they were. Trading days are the weekdays that are not one of the
few market holidays of `market_holidays`.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, timedelta

from markets.services import Bar

TRADING_DAYS_PER_YEAR = 252
DRIFT = (-0.10, 0.25)  # yearly, of the log price
VOLATILITY = (0.15, 0.70)  # yearly
FUND_VOLATILITY = (0.10, 0.25)  # index and bond funds move less
START_PRICE = (8.0, 600.0)  # drawn log-uniformly
VOLUME = (300_000, 15_000_000)  # a symbol's typical daily volume, drawn log-uniformly, times its `busy`


def market_holidays(year: int) -> set[date]:
    """The exchange holidays the demo skips: New Year's Day, Independence Day, Thanksgiving, Christmas.

    A short explicit list, not the full exchange calendar: only the dates themselves (no
    observed Friday or Monday when one falls on a weekend, which has no bar anyway).
    """
    november_first = date(year, 11, 1)
    thanksgiving = november_first + timedelta(days=(3 - november_first.weekday()) % 7 + 21)  # 4th Thursday
    return {date(year, 1, 1), date(year, 7, 4), thanksgiving, date(year, 12, 25)}


def trading_days(first: date, last: date) -> list[date]:
    """The weekdays from `first` to `last` (both included) that are not `market_holidays`."""
    holidays: set[date] = set()
    for year in range(first.year, last.year + 1):
        holidays |= market_holidays(year)
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def is_fund(name: str) -> bool:
    """Whether a ticker's name says it is an exchange-traded fund or trust (SPY, QQQ, TLT...)."""
    return "ETF" in name or "Trust" in name


def price_walk(*, seed: int, symbol: str, fund: bool, busy: float = 1.0, days: Sequence[date]) -> list[Bar]:
    """One bar per day of `days` (trading days, oldest first): the same arguments give the same bars.

    `busy` scales the volume (the names everyone talks about trade more).

    Prices are in cents, with low <= open, close <= high; `adj_close` is the close (the demo
    has no splits or dividends).
    """
    rng = random.Random(f"pageshare-demo-prices-{seed}-{symbol}")  # noqa: S311 (demo data, not secrets)
    drift = rng.uniform(*DRIFT) / TRADING_DAYS_PER_YEAR
    low_vol, high_vol = FUND_VOLATILITY if fund else VOLATILITY
    vol = rng.uniform(low_vol, high_vol) / math.sqrt(TRADING_DAYS_PER_YEAR)
    price = math.exp(rng.uniform(math.log(START_PRICE[0]), math.log(START_PRICE[1])))
    typical_volume = busy * math.exp(rng.uniform(math.log(VOLUME[0]), math.log(VOLUME[1])))
    gauss = rng.gauss
    bars = []
    for day in days:
        change = gauss(drift, vol)
        # The open gaps from the previous close by part of the day's move; the range
        # reaches past both open and close.
        open_ = price * math.exp(gauss(0.0, 0.3 * vol))
        price *= math.exp(change)
        close = round(price, 2)
        open_ = round(open_, 2)
        high = round(max(open_, close) * math.exp(abs(gauss(0.0, 0.5 * vol))), 2)
        low = round(min(open_, close) * math.exp(-abs(gauss(0.0, 0.5 * vol))), 2)
        # Busier on big moves.
        volume = int(typical_volume * math.exp(gauss(0.0, 0.3)) * (1 + 2 * abs(change) / vol) / 3)
        bars.append(Bar(symbol, day, open_, high, low, close, close, volume))
    return bars


class PriceBook:
    """Every symbol's bars over one calendar, and the move a call on it would be scored on."""

    def __init__(self, days: Sequence[date]) -> None:
        self.days = list(days)
        self.closes: dict[str, list[float]] = {}

    def add(self, bars: Sequence[Bar]) -> None:
        """Keep one symbol's bars (one per day of the calendar, in order)."""
        self.closes[bars[0].symbol] = [bar.close for bar in bars]

    def entry_index(self, day: date) -> int:
        """The index of the first trading day on or after `day` (len(days) when there is none)."""
        return bisect_left(self.days, day)

    def move(self, symbol: str, day: date, trading_days: int) -> float | None:
        """The close `trading_days` after the entry day of a post made on `day`, over the entry's close, less 1.

        None when the calendar ends before the exit or the symbol has no prices.
        """
        closes = self.closes.get(symbol)
        entry = self.entry_index(day)
        if closes is None or entry + trading_days >= len(closes):
            return None
        return closes[entry + trading_days] / closes[entry] - 1
