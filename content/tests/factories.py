from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from content.models import Post, PostTicker, Ticker, WatchlistItem
from content.services.tickers import ticker_posts_recount


class TickerFactory(DjangoModelFactory):
    class Meta:
        model = Ticker
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in str(n))[:4])
    name = factory.LazyAttribute(lambda o: f"{o.symbol} Corp.")
    # A ticker as tests mostly mean one: on the reference list. Pass is_listed=False for a made-up symbol.
    is_listed = True


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

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
