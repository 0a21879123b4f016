"""A user's watchlist of tickers: adding and removing symbols.

Kept out of a ``content/services.py`` only so the post services can grow
there independently; the functions follow the same rules (keyword-only,
typed, atomic, errors naming the field).
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from accounts.models import User
from content.models import Ticker, WatchlistItem
from content.services.posts import ticker_symbols_ensure
from core.errors import Invalid

WATCHLIST_MAX = 200
# The same shape as the `ticker_symbol_format` constraint on Ticker.symbol.
SYMBOL_RE = re.compile(r"^[A-Z]{1,5}(\.[A-Z]{1,2})?\Z")
INVALID_SYMBOL = "A ticker symbol is 1-5 letters with an optional class (BRK.B); a leading $ or # is ignored."


def symbol_normalise(raw: str) -> str | None:
    """``" $aapl"`` → ``"AAPL"``; None when it is not a valid symbol."""
    symbol = raw.strip()
    if symbol[:1] in ("$", "#"):
        symbol = symbol[1:]
    symbol = symbol.upper()
    return symbol if SYMBOL_RE.match(symbol) else None


@transaction.atomic
def watchlist_add(*, user: User, symbol: str) -> tuple[WatchlistItem, bool]:
    """Adds a ticker (made on first use) to the user's watchlist; ``created`` is False if it was there.

    Race-safe: the ticker's primary key and the ``watchlist_once`` constraint
    decide, so concurrent adds of the same symbol yield one row and no error.
    """
    normalised = symbol_normalise(symbol)
    if normalised is None:
        raise Invalid({"symbol": [INVALID_SYMBOL]})
    # Serialises one user's adds, so two concurrent ones cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    existing = WatchlistItem.objects.filter(user=user, ticker_id=normalised).first()
    if existing is not None:
        return existing, False
    if WatchlistItem.objects.filter(user=user).count() >= WATCHLIST_MAX:
        raise Invalid({"symbol": [f"A watchlist holds at most {WATCHLIST_MAX} tickers; remove one first."]})
    ticker_symbols_ensure([normalised])  # listed and named when on the reference list, as a post would make it
    ticker = Ticker.objects.get(symbol=normalised)
    try:
        with transaction.atomic():
            return WatchlistItem.objects.create(user=user, ticker=ticker), True
    except IntegrityError:
        # Added by a concurrent request since we looked (no row lock on SQLite).
        return WatchlistItem.objects.get(user=user, ticker=ticker), False


@transaction.atomic
def watchlist_remove(*, user: User, symbol: str) -> bool:
    """Removes a ticker from the user's watchlist; False if it was not on it."""
    normalised = symbol_normalise(symbol)
    if normalised is None:
        return False
    deleted, _ = WatchlistItem.objects.filter(user=user, ticker_id=normalised).delete()
    return deleted > 0
