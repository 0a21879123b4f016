"""Factories and helpers for the post, feed and ticker stream tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import UserFactory
from content.models import Media, Post, PostTicker
from content.services.posts import ticker_symbols_ensure
from content.services.tickers import ticker_posts_recount
from core.testing import assert_problem  # noqa: F401 - re-exported to this package's tests

POST_FIELDS = {
    "id",
    "author",
    "content",
    "tickers",
    "media",
    "poll",
    "quoted_post",
    "sentiment",
    "created_at",
    "stats",
    "viewer",
    "reposted_by",
}
POLL_FIELDS = {"id", "options", "total_votes", "expires_at", "expired", "viewer_vote"}


class MediaFactory(DjangoModelFactory):
    class Meta:
        model = Media

    owner = factory.SubFactory(UserFactory)
    file = factory.Sequence(lambda n: f"post-media/2025/01/image-{n}.webp")
    content_type = "image/webp"
    width = 640
    height = 480
    size = 12345


def tag(post: Post, *symbols: str) -> Post:
    """Links ``post`` to ``symbols`` as the post service would (tickers made on first use)."""
    ticker_symbols_ensure(symbols)
    PostTicker.objects.bulk_create(
        PostTicker(post=post, ticker_id=symbol, position=position, created_at=post.created_at, sentiment=post.sentiment)
        for position, symbol in enumerate(symbols)
    )
    ticker_posts_recount(symbols)
    return post


def minutes_ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [post["id"] for post in response.json()["results"]]
