from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from content.counters import post_counters_recount
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
