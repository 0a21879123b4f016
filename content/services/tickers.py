"""Ticker counters: ``Ticker.post_count`` is the number of visible posts mentioning it, and
``Ticker.authors_count`` (unlisted tickers only) the number of distinct authors of those posts.

A post counts while it is not deleted, not hidden by a moderator and its
author is active and not suspended (the rule of ``Post.objects.visible_to``
for an anonymous viewer). The services that change one of those facts adjust
the counters in the same transaction:

- ``post_create``: +1 for each ticker of the new post;
- ``post_delete``, ``post_set_hidden``: -1 / +1 when the post stops or starts counting;
- a suspension or its lifting changes many posts at once, so it recounts
  the user's tickers exactly (``ticker_posts_recount``).

``authors_count`` decides whether an unlisted ticker shows in search and
trending (``content.querysets.discoverable``: ``TICKER_MIN_AUTHORS`` distinct
authors). It is recounted from the mentions, under the ticker's row lock, by
each of those services; a new post skips the recount for a ticker already at
the threshold (a new post can only add authors, so it stays shown, and a busy
unlisted ticker does not cost a count per post). So the stored count never
exceeds the true one and is on the same side of the threshold. Listed
tickers need no count and are left alone.

``refresh_metrics`` recounts every ticker, which repairs any drift (rows made
outside the services, in the admin or by hand). Counter rows are locked in
symbol order, and always as the last write of a transaction, so two posts
sharing tickers (or a post and a suspension) cannot deadlock. The lock also
serialises the author recounts: a transaction that waited for it counts, in
a new statement, the mentions the one before it committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from content.models import PostTicker, Ticker
from content.querysets import COUNTED_MENTION


def _lock(symbols: Iterable[str]) -> dict[str, tuple[bool, int]]:
    """Locks the tickers' rows in symbol order until the transaction ends.

    Returns ``{symbol: (is_listed, authors_count)}`` of the rows found.
    """
    rows = (
        Ticker.objects.select_for_update()
        .filter(symbol__in=sorted(set(symbols)))
        .order_by("symbol")
        .values_list("symbol", "is_listed", "authors_count")
    )
    return {symbol: (listed, authors) for symbol, listed, authors in rows}


def ticker_counts_add(symbols: Iterable[str], delta: int) -> None:
    """Adds ``delta`` (+1 or -1) to the post count of each ticker (never below zero) and recounts
    the authors of the unlisted ones."""
    locked = _lock(symbols)
    if not locked:
        return
    rows = Ticker.objects.filter(symbol__in=locked)
    if delta < 0:
        rows = rows.filter(post_count__gte=-delta)
    rows.update(post_count=F("post_count") + delta)
    threshold = settings.TICKER_MIN_AUTHORS
    _authors_recount(
        [symbol for symbol, (listed, authors) in locked.items() if not listed and (delta < 0 or authors < threshold)]
    )


def _authors_recount(symbols: Sequence[str]) -> None:
    """Sets the exact ``authors_count`` of these (locked) tickers: one UPDATE, one correlated count each."""
    if not symbols:
        return
    authors = (
        PostTicker.objects.filter(COUNTED_MENTION, ticker_id=OuterRef("symbol"))
        .order_by()
        .values("ticker_id")
        .annotate(n=Count("post__author_id", distinct=True))
        .values("n")
    )
    Ticker.objects.filter(symbol__in=symbols).update(
        authors_count=Coalesce(Subquery(authors, output_field=IntegerField()), Value(0))
    )


def post_symbols(post_id: int) -> list[str]:
    return list(PostTicker.objects.filter(post_id=post_id).values_list("ticker_id", flat=True))


def ticker_posts_recount(symbols: Iterable[str] | None = None) -> int:
    """Sets the exact post count of the given tickers (all of them when None), and the exact
    authors count of the unlisted ones; returns how many rows changed.

    One grouped count over the visible mentions (a single pass over PostTicker
    joined to posts and authors, not one count per ticker: a correlated count
    per row made PostgreSQL rebuild the join for every ticker, minutes at 1M
    posts), one grouped count of distinct authors over the unlisted tickers'
    mentions only, then an UPDATE of only the rows whose counts differ.
    """
    mentions = PostTicker.objects.filter(COUNTED_MENTION)
    tickers = Ticker.objects.all()
    if symbols is not None:
        wanted = list(_lock(symbols))
        if not wanted:
            return 0
        mentions = mentions.filter(ticker_id__in=wanted)
        tickers = tickers.filter(symbol__in=wanted)
    posts = dict(mentions.order_by().values("ticker_id").annotate(n=Count("*")).values_list("ticker_id", "n"))
    authors = dict(
        mentions.filter(ticker__is_listed=False)
        .order_by()
        .values("ticker_id")
        .annotate(n=Count("post__author_id", distinct=True))
        .values_list("ticker_id", "n")
    )
    stale = []
    for symbol, post_count, listed, authors_count in tickers.values_list(
        "symbol", "post_count", "is_listed", "authors_count"
    ).iterator():
        exact = (posts.get(symbol, 0), authors_count if listed else authors.get(symbol, 0))
        if (post_count, authors_count) != exact:
            stale.append(Ticker(symbol=symbol, post_count=exact[0], authors_count=exact[1]))
    Ticker.objects.bulk_update(stale, ["post_count", "authors_count"], batch_size=500)
    return len(stale)


def author_tickers_recount(author_id: int) -> int:
    """Recounts every ticker the author ever mentioned: after a suspension or its lifting."""
    symbols = PostTicker.objects.filter(post__author_id=author_id).values_list("ticker_id", flat=True).distinct()
    return ticker_posts_recount(list(symbols))


@dataclass(frozen=True)
class TickersLoaded:
    symbols: int
    created: int
    listed: int
    renamed: int


@transaction.atomic
def tickers_load(*, names: Mapping[str, str]) -> TickersLoaded:
    """Loads a reference list ``{symbol: company name}``: every symbol gets a row, listed and named.

    Missing rows are created; existing ones are marked listed and take the list's name when it
    has one (an empty name keeps the row's). Idempotent: a second run changes nothing. Symbols
    not on the list are left as they are (the list may be a partial one, new listings say).
    ``ignore_conflicts`` and the conditional UPDATE make it safe next to posts creating the same
    symbols: a row made concurrently is listed by the UPDATE.
    """
    existing = dict(Ticker.objects.values_list("symbol", "name").iterator())
    missing = [
        Ticker(symbol=symbol, name=name, is_listed=True) for symbol, name in names.items() if symbol not in existing
    ]
    Ticker.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
    symbols = list(names)
    listed = 0
    for start in range(0, len(symbols), 500):
        chunk = symbols[start : start + 500]
        listed += Ticker.objects.filter(symbol__in=chunk, is_listed=False).update(is_listed=True)
    renamed = [
        Ticker(symbol=symbol, name=names[symbol])
        for symbol, name in existing.items()
        if symbol in names and names[symbol] and names[symbol] != name
    ]
    Ticker.objects.bulk_update(renamed, ["name"], batch_size=500)
    return TickersLoaded(symbols=len(names), created=len(missing), listed=listed, renamed=len(renamed))
