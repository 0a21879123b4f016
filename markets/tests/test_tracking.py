"""markets.tracking: content tells markets which symbols to keep priced (content.market_hooks)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from content.market_hooks import tracked_symbols as content_tracked_symbols
from content.models import Post
from content.tests.factories import TickerFactory, WatchlistItemFactory, mention
from markets.tracking import tracked_symbols, tracked_symbols_register

pytestmark = pytest.mark.django_db


def test_tracked_symbols_are_those_mentioned_in_a_post_or_on_a_watchlist(django_assert_num_queries):
    mention(TickerFactory(symbol="NVDA"))
    hidden = mention(TickerFactory(symbol="AMD"))
    Post.objects.filter(pk=hidden.post_id).update(is_hidden=True)
    WatchlistItemFactory(ticker=TickerFactory(symbol="AAPL"))
    WatchlistItemFactory(ticker=TickerFactory(symbol="NVDA"))
    TickerFactory(symbol="IBM")  # listed, neither mentioned nor watched

    with django_assert_num_queries(1):
        assert tracked_symbols() == ["AAPL", "AMD", "NVDA"]


def test_without_a_source_asking_is_an_error():
    tracked_symbols_register(None)
    try:
        with pytest.raises(ImproperlyConfigured, match="No tracked-symbols source is registered"):
            tracked_symbols()
    finally:
        tracked_symbols_register(content_tracked_symbols)
