"""content's sections of the user's data export (``accounts.export``).

The user's posts (with tickers, mentions, media, poll and quoted post id) and comments (with mentions), their likes of
posts and comments, reposts, bookmarks and watchlist. Posts and comments they deleted are left
out (they are being purged); those a moderator hid are theirs still and come with ``hidden: true``.
Likes, reposts and bookmarks name the post or comment by id only: its content is its author's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count

from accounts.account_hooks import account_export_section_register
from accounts.export import EXPORT_CHUNK_SIZE, children_by, file_url
from accounts.models import User
from content.models import (
    Bookmark,
    Comment,
    CommentMention,
    CommentReaction,
    Media,
    Post,
    PostMention,
    PostReaction,
    PostTicker,
    Repost,
    WatchlistItem,
)
from content.querysets import mention_list, mentions_of
from polls.models import PollOption


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def posts(*, user: User) -> Iterator[dict[str, Any]]:
    """Four queries whatever the number of posts: the posts by id (with their mentions, a subquery),
    and their tickers, media and poll options ordered by post id, joined while streaming."""
    own = {"author": user, "deleted_at__isnull": True}
    tickers = (
        PostTicker.objects.filter(**{f"post__{key}": value for key, value in own.items()})
        .order_by("post_id", "position")
        .values_list("post_id", "ticker_id")
    )
    media_field = Media._meta.get_field("file")
    media = (
        Media.objects.filter(**{f"post__{key}": value for key, value in own.items()})
        .order_by("post_id", "position")
        .values_list("post_id", "file", "content_type", "width", "height")
    )
    options = (
        PollOption.objects.filter(**{f"poll__post__{key}": value for key, value in own.items()})
        .annotate(votes_count=Count("votes"))
        .order_by("poll__post__id", "position")
        .values_list("poll__post__id", "id", "text", "votes_count")
    )
    tickers_of = children_by(
        (post_id, {"symbol": symbol}) for post_id, symbol in tickers.iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    media_of = children_by(
        (post_id, {"url": file_url(media_field, name), "content_type": kind, "width": width, "height": height})  # type: ignore[arg-type]
        for post_id, name, kind, width, height in media.iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    options_of = children_by(
        (post_id, {"id": str(option_id), "text": text, "votes": votes})
        for post_id, option_id, text, votes in options.iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
    rows = (
        Post.objects.filter(**own)
        .annotate(mentioned_users=mentions_of(PostMention, "post_id"))
        .order_by("id")
        .values(
            "id",
            "content",
            "sentiment",
            "quoted_post_id",
            "poll_id",
            "poll__created_at",
            "poll__expires_at",
            "mentioned_users",
            "is_hidden",
            "created_at",
            "updated_at",
        )
    )
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        poll = None
        if row["poll_id"] is not None:
            poll_options = options_of(row["id"])
            poll = {
                "id": str(row["poll_id"]),
                "options": poll_options,
                "total_votes": sum(option["votes"] for option in poll_options),
                "created_at": row["poll__created_at"],
                "expires_at": row["poll__expires_at"],
            }
        yield {
            "id": str(row["id"]),
            "content": row["content"],
            "tickers": [ticker["symbol"] for ticker in tickers_of(row["id"])],
            "mentions": mention_list(row["mentioned_users"]),
            "sentiment": row["sentiment"],
            "poll": poll,
            "media": media_of(row["id"]),
            "quoted_post_id": _id(row["quoted_post_id"]),
            "hidden": row["is_hidden"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }


def comments(*, user: User) -> Iterator[dict[str, Any]]:
    rows = (
        Comment.objects.filter(author=user, deleted_at__isnull=True)
        .annotate(mentioned_users=mentions_of(CommentMention, "comment_id"))
        .order_by("id")
        .values("id", "post_id", "parent_id", "content", "mentioned_users", "is_hidden", "created_at", "updated_at")
    )
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield {
            "id": str(row["id"]),
            "post_id": str(row["post_id"]),
            "parent_id": _id(row["parent_id"]),
            "content": row["content"],
            "mentions": mention_list(row["mentioned_users"]),
            "hidden": row["is_hidden"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }


def _targets(queryset: Any, key: str) -> Iterator[dict[str, Any]]:
    """Rows naming one post or comment (``key``) and when."""
    rows = queryset.order_by("created_at", "id").values_list(key, "created_at")
    for target_id, created_at in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield {key: str(target_id), "created_at": created_at}


def post_likes(*, user: User) -> Iterator[dict[str, Any]]:
    return _targets(PostReaction.objects.filter(user=user), "post_id")


def comment_likes(*, user: User) -> Iterator[dict[str, Any]]:
    return _targets(CommentReaction.objects.filter(user=user), "comment_id")


def reposts(*, user: User) -> Iterator[dict[str, Any]]:
    return _targets(Repost.objects.filter(user=user), "post_id")


def bookmarks(*, user: User) -> Iterator[dict[str, Any]]:
    return _targets(Bookmark.objects.filter(user=user), "post_id")


def watchlist(*, user: User) -> Iterator[dict[str, Any]]:
    rows = WatchlistItem.objects.filter(user=user).order_by("created_at", "id").values_list("ticker_id", "created_at")
    for symbol, created_at in rows.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield {"symbol": symbol, "created_at": created_at}


def register() -> None:
    account_export_section_register("posts", posts)
    account_export_section_register("comments", comments)
    account_export_section_register("post_likes", post_likes)
    account_export_section_register("comment_likes", comment_likes)
    account_export_section_register("reposts", reposts)
    account_export_section_register("bookmarks", bookmarks)
    account_export_section_register("watchlist", watchlist)
