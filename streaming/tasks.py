"""The streaming fan-out: a task per domain event (enqueued by ``streaming.receivers`` after the
commit), sending ids to the channel-layer groups (``streaming.groups``).

A task never renders: each socket's consumer re-reads the post for its viewer when the message
arrives (``streaming.api.rendering``), so visibility is checked at delivery time. Home-feed
events go only to followers who are connected (``streaming.presence``). Every task is
idempotent: a repeated run repeats the event, which clients treat as the same post (same id).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from content.models import Post, PostTicker, Repost
from content.querysets import publicly_visible
from core.tasks import task
from social.models import Follow
from streaming.groups import PUBLIC, send, send_many, ticker_group, user_group
from streaming.presence import BATCH, present_among


def _followers_of(user_ids: Iterable[int]) -> Iterator[int]:
    """The distinct followers of ``user_ids``, read in batches."""
    follows = (
        Follow.objects.filter(following_id__in=list(user_ids))
        .order_by("follower_id")
        .values_list("follower_id", flat=True)
        .distinct()
    )
    return follows.iterator(chunk_size=BATCH)


def _to_present_users(user_ids: Iterable[int], message: dict[str, Any]) -> int:
    groups = [user_group(user_id) for user_id in present_among(user_ids)]
    send_many(groups, message)
    return len(groups)


def _symbols(post_id: int) -> list[str]:
    return list(PostTicker.objects.filter(post_id=post_id).order_by("position").values_list("ticker_id", flat=True))


@task(name="streaming.tasks.publish_post")
def publish_post(*, post_id: int) -> None:
    """A new post: ``public``, each of its tickers' streams, and the home streams (``user``) of its
    author and of the author's connected followers. Nothing when it is no longer visible to anyone."""
    author_id = Post.objects.filter(publicly_visible(), pk=post_id).values_list("author_id", flat=True).first()
    if author_id is None:
        return
    message = {"type": "stream.post", "post_id": post_id, "repost_id": None, "author_id": author_id}
    send(PUBLIC, {**message, "stream": ["public"]})
    for symbol in _symbols(post_id):
        send(ticker_group(symbol), {**message, "stream": ["ticker", symbol]})
    _to_present_users([author_id, *_followers_of([author_id])], {**message, "stream": ["user"]})


@task(name="streaming.tasks.publish_repost")
def publish_repost(*, user_id: int, post_id: int) -> None:
    """A plain repost: the home streams of the reposter's connected followers (as the following feed
    shows it: the post with ``reposted_by``). Not the public or ticker streams, as on Mastodon."""
    repost = Repost.objects.filter(user_id=user_id, post_id=post_id).values_list("pk", "post__author_id").first()
    if repost is None:
        return
    repost_id, author_id = repost
    message = {
        "type": "stream.post",
        "stream": ["user"],
        "post_id": post_id,
        "repost_id": repost_id,
        "author_id": author_id,
        "reposter_id": user_id,
    }
    _to_present_users(_followers_of([user_id]), message)


@task(name="streaming.tasks.publish_delete")
def publish_delete(*, post_id: int) -> None:
    """A post deleted or hidden: ``delete`` to every stream that could have shown it (public, its
    tickers, its author and the connected followers of its author and of its reposters)."""
    post = Post.objects.filter(pk=post_id).values("author_id").first()
    if post is None:
        return
    message = {"type": "stream.delete", "post_id": post_id}
    send(PUBLIC, {**message, "stream": ["public"]})
    for symbol in _symbols(post_id):
        send(ticker_group(symbol), {**message, "stream": ["ticker", symbol]})
    reposters = list(Repost.objects.filter(post_id=post_id).values_list("user_id", flat=True))
    followers = _followers_of([post["author_id"], *reposters])
    _to_present_users([post["author_id"], *followers], {**message, "stream": ["user"]})


def filters_refresh(user_ids: Iterable[int]) -> None:
    """The users' sockets re-read whom they must not show (after a mute or block)."""
    send_many([user_group(user_id) for user_id in user_ids], {"type": "stream.refresh"})


def sockets_close(user_id: int) -> None:
    """The user's sockets close with 4001 (suspended or deleted)."""
    send(user_group(user_id), {"type": "stream.close"})


def notification_send(user_id: int, group_id: int) -> None:
    """A notification group got a new act: its recipient's sockets render and send it."""
    send(user_group(user_id), {"type": "stream.notification", "group_id": group_id})
