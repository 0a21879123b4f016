from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from content.models import Post, Ticker, WatchlistItem


class TickerFactory(DjangoModelFactory):
    class Meta:
        model = Ticker
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in str(n))[:4])
    name = factory.LazyAttribute(lambda o: f"{o.symbol} Corp.")


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
