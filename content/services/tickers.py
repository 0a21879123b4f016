"""Ticker post counters: ``Ticker.post_count`` is the number of visible posts mentioning it.

A post counts while it is not deleted, not hidden by a moderator and its
author is active and not suspended (the rule of ``Post.objects.visible_to``
for an anonymous viewer). The services that change one of those facts adjust
the counters in the same transaction:

- ``post_create``: +1 for each ticker of the new post;
- ``post_delete``, ``post_set_hidden``: -1 / +1 when the post stops or starts counting;
- a suspension or its lifting changes many posts at once, so it recounts
  the user's tickers exactly (``ticker_posts_recount``).

``refresh_metrics`` recounts every ticker, which repairs any drift (rows made
outside the services, in the admin or by hand). Counter rows are locked in
symbol order, and always as the last write of a transaction, so two posts
sharing tickers (or a post and a suspension) cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, F

from content.models import PostTicker, Ticker
from content.querysets import COUNTED_MENTION


def _lock(symbols: Iterable[str]) -> list[str]:
    """Locks the tickers' rows in symbol order until the transaction ends; returns the symbols found."""
    return list(
        Ticker.objects.select_for_update()
        .filter(symbol__in=sorted(set(symbols)))
        .order_by("symbol")
        .values_list("symbol", flat=True)
    )


def ticker_counts_add(symbols: Iterable[str], delta: int) -> None:
    """Adds ``delta`` (+1 or -1) to the post count of each ticker; never below zero."""
    locked = _lock(symbols)
    if not locked:
        return
    rows = Ticker.objects.filter(symbol__in=locked)
    if delta < 0:
        rows = rows.filter(post_count__gte=-delta)
    rows.update(post_count=F("post_count") + delta)


def post_symbols(post_id: int) -> list[str]:
    return list(PostTicker.objects.filter(post_id=post_id).values_list("ticker_id", flat=True))


def ticker_posts_recount(symbols: Iterable[str] | None = None) -> int:
    """Sets the exact post count of the given tickers (all of them when None); returns how many rows changed.

    One grouped count over the visible mentions (a single pass over PostTicker
    joined to posts and authors, not one count per ticker: a correlated count
    per row made PostgreSQL rebuild the join for every ticker, minutes at 1M
    posts), then an UPDATE of only the rows whose count differs.
    """
    mentions = PostTicker.objects.filter(COUNTED_MENTION)
    tickers = Ticker.objects.all()
    if symbols is not None:
        wanted = _lock(symbols)
        if not wanted:
            return 0
        mentions = mentions.filter(ticker_id__in=wanted)
        tickers = tickers.filter(symbol__in=wanted)
    exact = dict(mentions.order_by().values("ticker_id").annotate(n=Count("*")).values_list("ticker_id", "n"))
    stale = [
        Ticker(symbol=symbol, post_count=exact.get(symbol, 0))
        for symbol, count in tickers.values_list("symbol", "post_count").iterator()
        if count != exact.get(symbol, 0)
    ]
    Ticker.objects.bulk_update(stale, ["post_count"], batch_size=500)
    return len(stale)


def author_tickers_recount(author_id: int) -> int:
    """Recounts every ticker the author ever mentioned: after a suspension or its lifting."""
    symbols = PostTicker.objects.filter(post__author_id=author_id).values_list("ticker_id", flat=True).distinct()
    return ticker_posts_recount(list(symbols))
