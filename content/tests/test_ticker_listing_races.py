"""Concurrency: distinct authors of an unlisted ticker are counted exactly (PostgreSQL only)."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from content.models import Ticker
from content.services.posts import post_create
from core.testing import postgres_only, race

pytestmark = postgres_only


def test_distinct_authors_posting_at_once_are_all_counted(settings):
    settings.TICKER_MIN_AUTHORS = 10  # below it every post recounts (past it, posts skip the count)
    authors = iter(UserFactory.create_batch(5))
    post_create(author=UserFactory(), content="$ZQX first")

    race(lambda: post_create(author=next(authors), content="$ZQX racing"), threads=5)

    ticker = Ticker.objects.get(symbol="ZQX")
    assert (ticker.post_count, ticker.authors_count) == (6, 6)


def test_the_first_mentions_of_a_new_symbol_at_once_are_all_counted(settings):
    settings.TICKER_MIN_AUTHORS = 10
    authors = iter(UserFactory.create_batch(4))

    race(lambda: post_create(author=next(authors), content="$ZQY brand new"), threads=4)

    ticker = Ticker.objects.get(symbol="ZQY")
    assert (ticker.is_listed, ticker.post_count, ticker.authors_count) == (False, 4, 4)
