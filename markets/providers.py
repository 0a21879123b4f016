"""Where daily bars come from: a provider turns (symbols, start, end) into bars, one symbol at a time.

``MARKET_DATA_PROVIDER`` names the one ``fetch_prices`` and the scheduled refresh use:

- ``none``: fetches nothing (a deployment without market data);
- ``csv``: prices come only from files given to ``import_prices``; its provider reads such files,
  and, configured with none, fetches nothing either;
- ``tiingo``: Tiingo's end-of-day API (README, "Prices and market data", says why this one).

A provider reports each symbol as a ``Fetched``: its bars, or why there are none (an unknown
symbol, an error answer, data that is not what was promised). That never stops the run. What
does is ``ProviderUnavailable``: the key refused, the service not answering, the request budget
spent; the caller then lists the symbols not fetched.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote

import urllib3
from django.conf import settings
from django.core.cache import cache
from urllib3.util import Retry

from core.ratelimit import parse_rate
from markets.services import Bar
from markets.validation import HEADER, BarError, bar_parsed, latest_date

logger = logging.getLogger(__name__)

TIINGO_URL = "https://api.tiingo.com"
# Transport failures in a row after which the service counts as down (each has had its retries).
MAX_FAILURES_IN_A_ROW = 3


class Fetched(NamedTuple):
    """One symbol's answer: its bars in the range, or ``error`` saying why there are none."""

    symbol: str
    bars: list[Bar]
    error: str | None = None
    # The range holds a split or a dividend: the adjusted closes of all earlier days changed too.
    adjusted: bool = False


class ProviderUnavailable(Exception):  # noqa: N818 (reads as what happened)
    """The run cannot go on: nothing more can be fetched now. ``wait``: seconds until it may (if known)."""

    def __init__(self, message: str, *, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class BudgetSpent(ProviderUnavailable):
    """The request budget (``MARKET_DATA_RATE_LIMIT``) of the current window is spent."""


class Provider(Protocol):
    name: str

    def fetch(self, symbols: Sequence[str], start: datetime.date, end: datetime.date) -> Iterator[Fetched]:
        """The bars of each of ``symbols`` from ``start`` to ``end`` (both included), one ``Fetched``
        per symbol in order; may raise ``ProviderUnavailable`` between two symbols."""
        ...


class NoProvider:
    """``MARKET_DATA_PROVIDER=none``: fetches nothing."""

    name = "none"

    def fetch(self, symbols: Sequence[str], start: datetime.date, end: datetime.date) -> Iterator[Fetched]:
        return iter(())


class CsvProvider:
    """Bars read from CSV files in the import format (``markets.importer`` has the all-or-nothing
    import with line numbers; this reads the same files for a fetch). A symbol with a bad row in
    range gets the row's fault as its error."""

    name = "csv"

    def __init__(self, files: Sequence[Path] = ()) -> None:
        self.files = list(files)

    def fetch(self, symbols: Sequence[str], start: datetime.date, end: datetime.date) -> Iterator[Fetched]:
        if not self.files:
            return
        wanted = set(symbols)
        bars: dict[str, dict[datetime.date, Bar]] = {symbol: {} for symbol in symbols}
        errors: dict[str, str] = {}
        latest = latest_date()
        for path in self.files:
            with path.open(newline="", encoding="utf-8-sig") as file:
                reader = csv.reader(file)
                if tuple(next(reader, ())) != HEADER:
                    raise ProviderUnavailable(f"{path.name}: the header must be {','.join(HEADER)}")
                for fields in reader:
                    if not fields or fields[0] not in wanted:
                        continue
                    try:
                        bar = bar_parsed(fields, latest=latest)
                    except BarError as error:
                        errors.setdefault(fields[0], f"{path.name}, line {reader.line_num}: {error}")
                        continue
                    if start <= bar.date <= end:
                        bars[bar.symbol][bar.date] = bar
        for symbol in symbols:
            if symbol in errors:
                yield Fetched(symbol, [], errors[symbol])
            else:
                yield Fetched(symbol, sorted(bars[symbol].values()))


class RequestBudget:
    """The provider's request budget: every rate of ``rates`` (``["50/h", "1000/d"]``) applies, each
    a fixed window counted in the shared cache, so all processes draw on one budget.

    ``take()`` counts one request. When a window is spent it waits for the next one if ``wait`` is
    true and that comes within ``max_wait`` seconds, and otherwise raises ``BudgetSpent``.
    """

    def __init__(
        self,
        rates: Sequence[str],
        *,
        scope: str,
        wait: bool = True,
        max_wait: float = 86400,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = [parse_rate(rate) for rate in rates]
        self.scope = scope
        self.wait = wait
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep

    def take(self) -> None:
        while True:
            wait = self._try()
            if wait is None:
                return
            if not self.wait or wait > self.max_wait:
                raise BudgetSpent(f"the request budget ({self.describe()}) is spent", wait=wait)
            logger.warning("Market data: request budget (%s) spent, waiting %.0f s", self.describe(), wait)
            self.sleep(wait)

    def describe(self) -> str:
        return ", ".join(f"{limit}/{period}s" for limit, period in self.limits)

    def _try(self) -> float | None:
        """Counts a request in every window; if one is over its limit, takes them all back and
        returns the seconds until that window ends."""
        now = self.clock()
        counted: list[str] = []
        for limit, period in self.limits:
            window = int(now // period)
            key = f"markets:budget:{self.scope}:{period}:{window}"
            cache.add(key, 0, timeout=period + 1)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=period + 1)
                count = 1
            counted.append(key)
            if count > limit:
                for done in counted:
                    with contextlib.suppress(ValueError):  # that window expired meanwhile
                        cache.decr(done)
                return max((window + 1) * period - now, 0.0)
        return None


class _BudgetRetry(Retry):
    """urllib3's retries (backoff, Retry-After), with every retried request taken from the budget."""

    budget: RequestBudget | None = None

    def increment(self, *args: Any, **kwargs: Any) -> _BudgetRetry:
        retry = super().increment(*args, **kwargs)  # raises MaxRetryError once retries run out
        if self.budget is not None:
            self.budget.take()
        return retry


class TiingoProvider:
    """Tiingo's end-of-day prices: ``GET {url}/tiingo/daily/{symbol}/prices?startDate=&endDate=``
    with the key in the ``Authorization: Token`` header (never in the URL, so never in a log line).

    Each request: ``timeout`` seconds to connect and per read; up to 3 retries on connection
    errors, 429 and 5xx, with exponential backoff (``backoff`` x 1, 2, 4 s; the first at once)
    or the answer's ``Retry-After`` (at most 60 s); every request, retries included, taken from
    the budget first.
    """

    name = "tiingo"

    def __init__(
        self,
        *,
        api_key: str,
        budget: RequestBudget,
        url: str | None = None,
        timeout: float = 10.0,
        backoff: float = 1.0,
    ) -> None:
        if not api_key:
            raise ProviderUnavailable("Tiingo needs an API key (MARKET_DATA_API_KEY)")
        self.url = (url or TIINGO_URL).rstrip("/")
        self.budget = budget
        retry_class = type("TiingoRetry", (_BudgetRetry,), {"budget": budget})
        self.retries = retry_class(
            total=3,
            connect=3,
            read=3,
            status=3,
            other=0,
            redirect=0,
            allowed_methods={"GET"},
            status_forcelist={429, 500, 502, 503, 504},
            backoff_factor=backoff,
            backoff_max=30,
            retry_after_max=60,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.http = urllib3.PoolManager(
            headers={"Authorization": f"Token {api_key}", "Accept": "application/json"},
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=self.retries,
            maxsize=1,
        )
        self._failures_in_a_row = 0

    def fetch(self, symbols: Sequence[str], start: datetime.date, end: datetime.date) -> Iterator[Fetched]:
        for symbol in symbols:
            yield self.fetch_one(symbol, start, end)

    def fetch_one(self, symbol: str, start: datetime.date, end: datetime.date) -> Fetched:
        self.budget.take()
        # Tiingo writes share classes with a hyphen: BRK-B for BRK.B.
        path = f"/tiingo/daily/{quote(symbol.replace('.', '-').lower())}/prices"
        try:
            response = self.http.request(
                "GET", self.url + path, fields={"startDate": start.isoformat(), "endDate": end.isoformat()}
            )
        except urllib3.exceptions.HTTPError as error:
            self._failures_in_a_row += 1
            reason = getattr(error, "reason", None) or error
            if self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                raise ProviderUnavailable(
                    f"Tiingo did not answer {self._failures_in_a_row} times in a row ({type(reason).__name__})"
                ) from error
            return Fetched(symbol, [], f"no answer ({type(reason).__name__})")
        self._failures_in_a_row = 0
        status = response.status
        if status in (401, 403):
            raise ProviderUnavailable(f"Tiingo refused the API key (HTTP {status})")
        if status == 429:
            retry_after = response.headers.get("Retry-After", "")
            # Tiingo's budgets are per hour and per day: without a Retry-After, try again in an hour.
            wait = float(retry_after) if retry_after.isdigit() else 3600.0
            raise BudgetSpent("Tiingo says its rate limit is reached (HTTP 429)", wait=wait)
        if status == 404:
            return Fetched(symbol, [], "unknown symbol")
        if status != 200:
            return Fetched(symbol, [], f"HTTP {status}")
        try:
            return self._parsed(symbol, json.loads(response.data))
        except (ValueError, TypeError, KeyError, AttributeError, BarError) as error:
            return Fetched(symbol, [], f"bad data ({error.__class__.__name__}: {str(error)[:200]})")

    @staticmethod
    def _parsed(symbol: str, rows: Any) -> Fetched:
        """Bars from Tiingo's JSON: ``[{"date": "2024-01-02T00:00:00.000Z", "open", "high", "low",
        "close", "adjClose", "volume", "divCash", "splitFactor", ...}]``."""
        if not isinstance(rows, list):
            raise TypeError(f"expected a list of daily prices, got {type(rows).__name__}")
        bars = []
        adjusted = False
        for row in rows:
            volume = row.get("volume")
            bars.append(
                Bar(
                    symbol,
                    datetime.date.fromisoformat(str(row["date"])[:10]),
                    row["open"],
                    row["high"],
                    row["low"],
                    row["close"],
                    row.get("adjClose"),
                    int(volume) if isinstance(volume, float) and volume.is_integer() else volume,
                )
            )
            adjusted = adjusted or row.get("splitFactor", 1) != 1 or bool(row.get("divCash", 0))
        return Fetched(symbol, bars, adjusted=adjusted)


def provider_from_settings(*, wait: bool = True) -> Provider:
    """The provider ``MARKET_DATA_PROVIDER`` names, with the budget of ``MARKET_DATA_RATE_LIMIT``;
    ``wait``: whether a spent budget waits for its next window (else ``BudgetSpent``)."""
    name = settings.MARKET_DATA_PROVIDER
    if name == "tiingo":
        budget = RequestBudget(settings.MARKET_DATA_RATE_LIMIT, scope="tiingo", wait=wait)
        return TiingoProvider(
            api_key=settings.MARKET_DATA_API_KEY,
            budget=budget,
            url=settings.MARKET_DATA_URL,
            timeout=settings.MARKET_DATA_TIMEOUT,
        )
    if name == "csv":
        return CsvProvider()
    return NoProvider()
