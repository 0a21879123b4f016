"""``fetch_prices`` and the scheduled refresh: the configured provider's bars into ``DailyBar``.

Symbols are fetched one at a time and each is written in its own transaction, so a run cut
short keeps what it fetched. A symbol the provider does not know, or whose data fails the checks
(``markets.validation``), is reported and skipped: bad data never stops a run. When the provider
becomes unavailable (key refused, service down, request budget spent) the run stops and lists
the symbols it did not get to.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from core.errors import Invalid
from markets.models import DailyBar, Quote
from markets.providers import BudgetSpent, Fetched, Provider, ProviderUnavailable, provider_from_settings
from markets.services import WRITE_BATCH, Bar, BarWriter, WriteCounts
from markets.tracking import tracked_symbols
from markets.validation import BarError, bar_checked, symbol_checked

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 10
MAX_DAYS = 366 * 30


@dataclass
class FetchResult:
    """What a fetch did. ``failed``: symbol → why it was skipped; ``not_fetched``: the symbols the
    run did not get to, because ``stopped`` (then ``retry_in`` seconds until it may go on, if known)."""

    provider: str
    start: datetime.date
    end: datetime.date
    symbols: int = 0
    fetched: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    failed: dict[str, str] = field(default_factory=dict)
    not_fetched: list[str] = field(default_factory=list)
    stopped: str | None = None
    retry_in: float | None = None
    budget_spent: bool = False


def symbols_to_refresh() -> list[str]:
    """The tracked symbols (``markets.tracking``), stalest first: those without a quote, then by the
    date of their latest bar. A run cut short by the budget thus leaves the freshest for later."""
    as_of = dict(Quote.objects.values_list("symbol", "as_of"))
    return sorted(tracked_symbols(), key=lambda symbol: (as_of.get(symbol) or datetime.date.min, symbol))


def prices_fetch(
    *,
    symbols: Sequence[str] | None = None,
    days: int = DEFAULT_DAYS,
    provider: Provider | None = None,
    wait_for_budget: bool = True,
) -> FetchResult:
    """Fetches the last ``days`` days (today included, UTC) of ``symbols`` (default: every tracked
    symbol, stalest first) from ``provider`` (default: the configured one) and writes them.

    A symbol whose range holds a split or a dividend is fetched again from its earliest stored
    bar: the provider's adjusted closes of every earlier day changed with it.
    """
    if not 1 <= days <= MAX_DAYS:
        raise Invalid({"days": f"Between 1 and {MAX_DAYS}."})
    if symbols is not None:
        bad = []
        for symbol in symbols:
            try:
                symbol_checked(symbol)
            except BarError:
                bad.append(symbol)
        if bad:
            raise Invalid({"symbols": f"Not ticker symbols: {', '.join(bad)}."})
    end = timezone.now().date()
    start = end - datetime.timedelta(days=days - 1)
    if provider is None and settings.MARKET_DATA_PROVIDER in ("none", "csv"):
        return FetchResult(provider=settings.MARKET_DATA_PROVIDER, start=start, end=end)
    wanted = list(dict.fromkeys(symbols if symbols is not None else symbols_to_refresh()))
    result = FetchResult(provider=provider.name if provider else settings.MARKET_DATA_PROVIDER, start=start, end=end)
    result.symbols = len(wanted)
    done = 0
    try:
        provider = provider or provider_from_settings(wait=wait_for_budget)
        for fetched in provider.fetch(wanted, start, end):
            done += 1
            if fetched.adjusted and fetched.error is None:
                fetched = _with_history(provider, fetched, start, end)
            _store(fetched, result)
    except ProviderUnavailable as error:
        result.stopped = str(error)
        result.retry_in = error.wait
        result.budget_spent = isinstance(error, BudgetSpent)
        result.not_fetched = wanted[done:]
        logger.warning("Market data: %s; %s symbols not fetched", error, len(result.not_fetched))
    return result


def _with_history(provider: Provider, fetched: Fetched, start: datetime.date, end: datetime.date) -> Fetched:
    """``fetched`` again from the symbol's earliest stored bar, when that is before ``start``."""
    earliest = DailyBar.objects.filter(symbol=fetched.symbol).aggregate(first=Min("date"))["first"]
    if earliest is None or earliest >= start:
        return fetched
    history = next(iter(provider.fetch([fetched.symbol], earliest, end)), None)
    if history is None or history.error is not None:
        logger.warning("Market data: %s: the history after a split or dividend could not be fetched", fetched.symbol)
        return fetched
    return history


def _store(fetched: Fetched, result: FetchResult) -> None:
    if fetched.error is not None:
        result.failed[fetched.symbol] = fetched.error
        return
    try:
        bars: list[Bar] = list({bar.date: bar_checked(bar) for bar in fetched.bars}.values())
    except BarError as error:
        result.failed[fetched.symbol] = f"bad data ({error})"
        return
    with transaction.atomic(), BarWriter() as writer:
        for offset in range(0, len(bars), WRITE_BATCH):
            writer.write(bars[offset : offset + WRITE_BATCH])
    result.fetched += 1
    result.counts += writer.counts
