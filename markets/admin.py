"""Prices in the admin: each symbol's latest quote, read-only.

``DailyBar`` has no page: Django's admin refuses models with a composite primary key. Bars
are corrected by importing a corrected file (``import_prices``), which also rescores the calls.
"""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from markets.models import Quote


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    """Read-only: ``markets.services.quotes_refresh`` derives it from the bars after every write."""

    list_display = ("symbol", "last", "previous_close", "as_of")
    search_fields = ("symbol",)
    ordering = ("symbol",)
