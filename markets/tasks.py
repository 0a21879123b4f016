"""The markets app's background work (core.tasks): the daily price refresh, sent by celery beat."""

from __future__ import annotations

import logging
import math

from django.conf import settings

from core.tasks import task
from markets.fetching import prices_fetch

logger = logging.getLogger(__name__)

# Calendar days each refresh fetches again: a long weekend, and the provider's late corrections.
REFRESH_DAYS = 7


@task(name="markets.tasks.refresh_prices")
def refresh_prices(symbols: list[str] | None = None) -> None:
    """Fetches the last ``REFRESH_DAYS`` days of ``symbols`` (default: every tracked symbol, stalest
    first) from the configured provider; nothing with the provider none or csv (idempotent).

    It never waits for the request budget: when the budget is spent it sends itself again, for the
    symbols left, for when the window ends (on a broker; run eagerly it leaves them for the next day).
    """
    if settings.MARKET_DATA_PROVIDER in ("none", "csv"):
        logger.info("Prices not refreshed: MARKET_DATA_PROVIDER is %s", settings.MARKET_DATA_PROVIDER)
        return
    result = prices_fetch(symbols=symbols, days=REFRESH_DAYS, wait_for_budget=False)
    logger.info(
        "Refreshed prices of %s of %s symbols from %s: %s bars new, %s changed; %s skipped (%s); %s not fetched",
        result.fetched,
        result.symbols,
        result.provider,
        result.counts.new,
        result.counts.changed,
        len(result.failed),
        ", ".join(f"{symbol}: {reason}" for symbol, reason in list(result.failed.items())[:20]),
        len(result.not_fetched),
    )
    if result.not_fetched and result.budget_spent and result.retry_in is not None:
        if refresh_prices.app.conf.task_always_eager:
            logger.warning("Request budget spent: %s symbols left for the next refresh", len(result.not_fetched))
            return
        refresh_prices.apply_async(kwargs={"symbols": result.not_fetched}, countdown=math.ceil(result.retry_in) + 1)
