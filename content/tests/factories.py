from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from accounts.tests.factories import UserFactory
from content.counters import post_counters_recount
from content.models import Call, CallStatus, Post, PostTicker, Sentiment, Ticker, WatchlistItem
from content.services.tickers import ticker_posts_recount


class TickerFactory(DjangoModelFactory):
    class Meta:
        model = Ticker
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in str(n))[:4])
    name = factory.LazyAttribute(lambda o: f"{o.symbol} Corp.")
    # A ticker as tests mostly mean one: on the reference list. Pass is_listed=False for a made-up symbol.
    is_listed = True


class CountedFactory(DjangoModelFactory):
    """Recounts the counters of the post a row counts towards (``content.counters``), as the
    services would have moved them: ``_counted_post`` names that post's id on the new row."""

    class Meta:
        abstract = True

    _counted_post = "post_id"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        row = super()._create(model_class, *args, **kwargs)
        post_counters_recount([getattr(row, cls._counted_post)] if getattr(row, cls._counted_post) else [])
        return row


class PostFactory(CountedFactory):
    class Meta:
        model = Post

    _counted_post = "quoted_post_id"

    author = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"Thinking about the market, take {n}.")


class WatchlistItemFactory(DjangoModelFactory):
    class Meta:
        model = WatchlistItem

    user = factory.SubFactory(UserFactory)
    ticker = factory.SubFactory(TickerFactory)


def mention(ticker: Ticker, *, hours_ago: float = 1, sentiment: str | None = None, **post_fields: Any) -> PostTicker:
    """A post made ``hours_ago`` hours ago tagging ``ticker``, with PostTicker's copies of its time and
    sentiment, and the ticker's ``post_count`` recounted as the services keep it."""
    at = timezone.now() - timedelta(hours=hours_ago)
    post = cast(Post, PostFactory(created_at=at, sentiment=sentiment, **post_fields))
    link = PostTicker.objects.create(post=post, ticker=ticker, position=0, created_at=at, sentiment=sentiment)
    ticker_posts_recount([ticker.symbol])
    return link


def stored_call(
    *,
    author: Any = None,
    symbol: str = "NVDA",
    direction: str = "bullish",
    posted_at: datetime | None = None,
    status: str | None = None,
    returns: Sequence[float | None] = (None, None, None),
    hits: Sequence[bool | None] | None = None,
    **post_fields: Any,
) -> Call:
    """A call written with explicit values, as ``score_calls`` would leave it, on a new post tagging
    ``symbol`` first (the author's ``posts_count`` counted as the post service counts it).

    ``returns`` and ``hits`` are at 1d, 1w and 1m; the hits default to what the returns say for
    ``direction`` (no move is a miss). The status defaults to scored once the 1m return is known,
    else pending; a void call has no entry.
    """
    posted_at = posted_at or timezone.now() - timedelta(days=40)
    if author is not None:
        post_fields["author"] = author
    post = cast(
        Post,
        PostFactory(sentiment=direction, created_at=posted_at, content=f"${symbol} looks {direction}", **post_fields),
    )
    ticker = cast(Ticker, TickerFactory(symbol=symbol))
    PostTicker.objects.create(post=post, ticker=ticker, position=0, created_at=posted_at, sentiment=direction)
    User.objects.filter(pk=post.author_id).update(posts_count=F("posts_count") + 1)
    if hits is None:
        hits = [None if r is None else (r > 0 if direction == Sentiment.BULLISH else r < 0) for r in returns]
    status = status or (CallStatus.SCORED if returns[2] is not None else CallStatus.PENDING)
    scored = status == CallStatus.SCORED
    posted_on = posted_at.astimezone(UTC).date()
    return Call.objects.create(
        post=post,
        author_id=post.author_id,
        ticker=ticker,
        direction=direction,
        created_at=posted_at,
        posted_on=posted_on,
        entry_deadline=posted_on + timedelta(days=5),
        status=status,
        entry_date=None if status == CallStatus.VOID else posted_on,
        entry_price=None if status == CallStatus.VOID else 100.0,
        **{f"return_{h}": r for h, r in zip(("1d", "1w", "1m"), returns, strict=True)},
        **{f"hit_{h}": hit for h, hit in zip(("1d", "1w", "1m"), hits, strict=True)},
        exit_date_1m=posted_on + timedelta(days=30) if scored else None,
        scored_at=timezone.now() if scored else None,
    )
