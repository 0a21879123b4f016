"""The watchlist: what adding a ticker reads (the list is a list of tickers)."""

from __future__ import annotations

from rest_framework import serializers

from core.serializers import StrictCharField


class WatchlistAddSerializer(serializers.Serializer):
    symbol = StrictCharField(
        max_length=16,
        help_text="A ticker symbol such as `AAPL` or `BRK.B`; a leading `$` or `#` is ignored, case does not matter.",
    )
