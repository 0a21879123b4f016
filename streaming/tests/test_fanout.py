"""The fan-out task: home-feed events only to followers who are connected, read in batches."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from content.services.posts import post_create
from social.models import Follow
from streaming import presence, tasks
from streaming.presence import presence_key
from streaming.tests.helpers import member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    messages: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(tasks, "send", lambda group, message: messages.append((group, message)))
    monkeypatch.setattr(
        tasks, "send_many", lambda groups, message: messages.extend((group, message) for group in groups)
    )
    return messages


def test_post_goes_to_public_its_tickers_and_only_connected_followers(sent: list[Any]) -> None:
    author, online, offline = member(), member(), member()
    Follow.objects.create(follower=online, following=author)
    Follow.objects.create(follower=offline, following=author)
    cache.set(presence_key(online.pk), 1, 60)

    post = post_create(author=author, content="$NVDA and $AMD")  # enqueued after the commit, run eagerly

    message = {"type": "stream.post", "post_id": post.pk, "repost_id": None, "author_id": author.pk}
    assert sent == [
        ("public", {**message, "stream": ["public"]}),
        ("ticker.NVDA", {**message, "stream": ["ticker", "NVDA"]}),
        ("ticker.AMD", {**message, "stream": ["ticker", "AMD"]}),
        (f"user.{online.pk}", {**message, "stream": ["user"]}),
    ]


def test_followers_presence_is_read_in_batches(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    author = member()
    followers = [member(username=f"fan_{n}", email=f"fan{n}@example.com") for n in range(5)]
    Follow.objects.bulk_create(Follow(follower=fan, following=author) for fan in followers)
    for fan in followers[::2]:
        cache.set(presence_key(fan.pk), 1, 60)
    post = post_create(author=author, content="Hello")
    sent.clear()
    reads: list[int] = []

    class CountingCache:
        def get_many(self, keys: list[str]) -> dict[str, Any]:
            reads.append(len(keys))
            return cache.get_many(keys)

    monkeypatch.setattr(presence, "cache", CountingCache())
    monkeypatch.setattr(presence, "BATCH", 2)

    tasks.publish_post(post_id=post.pk)

    assert reads == [2, 2, 2]  # the author and 5 followers, 2 keys a read
    assert sorted(group for group, _ in sent if group.startswith("user.")) == sorted(
        f"user.{fan.pk}" for fan in followers[::2]
    )


def test_hidden_post_is_not_published(sent: list[Any]) -> None:
    post = post_create(author=member(), content="Soon hidden")
    sent.clear()
    post.is_hidden = True
    post.save(update_fields=["is_hidden"])

    tasks.publish_post(post_id=post.pk)

    assert sent == []
