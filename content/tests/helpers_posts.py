"""Factories and helpers for the post, feed and ticker stream tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

import factory
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
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
    "mentions",
    "call",
    "media",
    "poll",
    "quoted_post",
    "sentiment",
    "created_at",
    "updated_at",
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


def stored_media(
    *, post: Post | None = None, owner: Any = None, position: int = 0, created_at: datetime | None = None
) -> Media:
    """A media row (on ``post``, or an unattached upload of ``owner``) with a real file in storage."""
    name = default_storage.save(f"post-media/test/{uuid.uuid4().hex}.jpg", ContentFile(b"\xff\xd8\xff fake jpeg"))
    return Media.objects.create(
        owner=owner or (post.author if post else cast(User, UserFactory())),
        post=post,
        position=position,
        file=name,
        content_type="image/jpeg",
        width=10,
        height=10,
        size=13,
        created_at=created_at or timezone.now(),
    )


def media_file_exists(media: Media) -> bool:
    return default_storage.exists(str(media.file.name))
