from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from core.commands import ServiceCommand
from markets.fetching import DEFAULT_DAYS, MAX_DAYS, FetchResult, prices_fetch

# Failed symbols listed by name in the summary; past this, only counted.
LISTED = 50


def symbol_list(value: str) -> list[str]:
    return [symbol.strip().upper() for symbol in value.split(",") if symbol.strip()]


class Command(ServiceCommand):
    help = (
        "Fetch daily price bars from the configured provider (MARKET_DATA_PROVIDER) for the last --days days, "
        "for --symbols or, by default, every tracked symbol (mentioned in a post or on a watchlist), stalest "
        "first. Each symbol is written as it arrives; an unknown symbol or bad data is listed and skipped. The "
        "provider's request budget (MARKET_DATA_RATE_LIMIT) is respected: when it is spent the command waits "
        "for the next window. With the provider none or csv there is nothing to fetch. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--symbols", type=symbol_list, default=None, help="Comma-separated symbols (default: the tracked ones)."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"Calendar days to fetch, ending today (default {DEFAULT_DAYS}; 1-{MAX_DAYS}; larger to backfill).",
        )

    def handle(self, *args: Any, symbols: list[str] | None, days: int, **options: Any) -> None:
        provider = settings.MARKET_DATA_PROVIDER
        if provider == "none":
            self.stdout.write("MARKET_DATA_PROVIDER is none: no market data provider, nothing fetched.")
            return
        if provider == "csv":
            self.stdout.write(
                "MARKET_DATA_PROVIDER is csv: prices come only from files given to import_prices, nothing fetched."
            )
            return
        started = time.monotonic()
        result = prices_fetch(symbols=symbols, days=days)
        self.stdout.write(summary(result, time.monotonic() - started))
        if result.stopped:
            raise CommandError(f"Stopped: {result.stopped}.")


def summary(result: FetchResult, seconds: float) -> str:
    counts = result.counts
    lines = [
        f"Fetched {result.fetched} of {result.symbols} symbols from {result.provider} "
        f"({result.start} to {result.end}): {counts.new:,} bars new, {counts.changed:,} changed, "
        f"{counts.unchanged:,} unchanged in {seconds:.1f}s."
    ]
    if result.failed:
        listed = [f"{symbol} ({reason})" for symbol, reason in list(result.failed.items())[:LISTED]]
        more = f" and {len(result.failed) - LISTED} more" if len(result.failed) > LISTED else ""
        lines.append(f"Skipped {len(result.failed)}: {', '.join(listed)}{more}.")
    if result.not_fetched:
        listed = result.not_fetched[:LISTED]
        more = f" and {len(result.not_fetched) - LISTED} more" if len(result.not_fetched) > LISTED else ""
        lines.append(f"Not fetched {len(result.not_fetched)}: {', '.join(listed)}{more}.")
    return "\n".join(lines)
