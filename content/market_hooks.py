"""What content tells markets (``markets.tracking``): the symbols worth keeping priced."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from content.models import PostTicker, Ticker, WatchlistItem


def tracked_symbols() -> list[str]:
    """Tickers mentioned in any post (deleted and hidden ones too: they may be shown again) or
    on anyone's watchlist. One probe per ticker on the ticker-first indexes of both tables."""
    return list(
        Ticker.objects.filter(
            Q(Exists(PostTicker.objects.filter(ticker=OuterRef("pk"))))
            | Q(Exists(WatchlistItem.objects.filter(ticker=OuterRef("pk"))))
        )
        .order_by("symbol")
        .values_list("symbol", flat=True)
    )
