"""Daily price bars per symbol and the latest quote derived from them.

Symbols are plain strings in the ticker format (``AAPL``, ``BRK.B``), not keys of
``content.Ticker``: prices may arrive for symbols nobody has mentioned yet, and
``markets`` sits below ``content`` in the dependency order.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

SYMBOL_FORMAT = r"^[A-Z]{1,5}(\.[A-Z]{1,2})?$"
# Prices carry no currency in any source we read; every listed symbol we serve trades in dollars.
CURRENCY = "USD"


class DailyBar(models.Model):
    """One trading day of one symbol: open, high, low, close, the split- and dividend-adjusted close, volume.

    The dates a symbol has bars on are its trading days (weekends and holidays simply have none).
    """

    pk = models.CompositePrimaryKey("symbol", "date")
    symbol = models.CharField(max_length=8)
    date = models.DateField()
    open = models.FloatField()
    high = models.FloatField()
    low = models.FloatField()
    close = models.FloatField()
    adj_close = models.FloatField(null=True, blank=True, help_text="Adjusted close; empty when the source has none.")
    volume = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the bar was written or last changed (a re-import with the same values leaves it): "
        "score_calls rescans the calls whose bars changed since its last run.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(symbol__regex=SYMBOL_FORMAT), name="daily_bar_symbol_format"),
            models.CheckConstraint(
                condition=models.Q(open__gte=0, high__gte=0, low__gte=0, close__gte=0), name="daily_bar_prices_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(adj_close__isnull=True) | models.Q(adj_close__gte=0), name="daily_bar_adj_nonneg"
            ),
            models.CheckConstraint(
                condition=models.Q(volume__isnull=True) | models.Q(volume__gte=0), name="daily_bar_volume_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="daily_bar_updated_idx")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.date}"

    @property
    def price(self) -> float:
        """The price calls are scored on: the adjusted close, else the close."""
        return self.close if self.adj_close is None else self.adj_close


class Quote(models.Model):
    """A symbol's latest close and the one before it, derived from its two latest bars (``markets.quotes``)."""

    symbol = models.CharField(max_length=8, primary_key=True)
    last = models.FloatField()
    previous_close = models.FloatField(null=True, blank=True, help_text="Empty when the symbol has one bar.")
    as_of = models.DateField(help_text="The date of the latest bar.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(symbol__regex=SYMBOL_FORMAT), name="quote_symbol_format"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.last} ({self.as_of})"
