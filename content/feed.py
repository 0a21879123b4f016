"""The feed: one page of a viewer's posts, by scope, ready to show.

``scope=all`` is every post the viewer may see minus muted authors, newest
first (``Post.objects.for_feed``). ``scope=following`` merges the viewer's own
posts, their followees' posts and their followees' plain reposts, each entry
keyed (time, kind, id): read from the viewer's precomputed home timeline
(``content.timelines``), or merged on read (``content.querysets.following_feed``)
where the timeline does not reach or timelines are off (``HOME_TIMELINES``). Both
page through ``core.keyset.keyset_page``, so cursors mean the same thing
as on every other list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings

from content.models import Post
from content.querysets import FeedEntry, following_feed
from content.timelines import timeline_read
from core.errors import Invalid
from core.keyset import Cursor, KeysetPage, keyset_page, queryset_page

FEED_ALL = "all"
FEED_FOLLOWING = "following"
FEED_SCOPES = (FEED_ALL, FEED_FOLLOWING)
# The sort keys: a post's (created_at, id); a following-feed entry's (sort_time, kind, item_id).
ALL_ORDERING = ("-created_at", "-id")
FOLLOWING_KEY_TYPES = (datetime, int, int)


def feed_page(viewer: Any, *, scope: str, cursor: str | None, limit: int) -> KeysetPage[Post] | KeysetPage[FeedEntry]:
    """Up to ``limit`` items of ``viewer``'s feed after ``cursor`` (as taken from a page's ``next`` or
    ``previous``), with the cursors of the pages around them: for ``scope=all`` posts (their ids and
    times: the API renders them by id), for ``scope=following`` ``FeedEntry`` items, where a plain
    repost is its post with ``reposted_by`` set to the reposter. ``Invalid`` naming ``scope`` or
    ``cursor`` when either is not one this feed can read.
    """
    if scope not in FEED_SCOPES:
        raise Invalid({"scope": f"One of: {', '.join(FEED_SCOPES)}."})
    if scope == FEED_ALL:
        position = Cursor.decode(cursor, types=len(ALL_ORDERING))
        posts = Post.objects.for_feed(viewer).only("id", "created_at")
        return queryset_page(posts, ordering=ALL_ORDERING, cursor=position, limit=limit)
    position = Cursor.decode(cursor, types=FOLLOWING_KEY_TYPES)
    return keyset_page(
        lambda after, count: _following_entries(
            viewer,
            cursor=None if after is None else after.values,
            forward=after is None or after.forward,
            limit=count,
        ),
        key=lambda entry: (entry.sort_time, entry.kind, entry.item_id),
        cursor=position,
        limit=limit,
    )


def _following_entries(viewer: Any, *, cursor: Sequence[Any] | None, forward: bool, limit: int) -> list[FeedEntry]:
    """From the viewer's home timeline (``content.timelines``) when timelines are on and the page
    lies above its floor; else merged on read (``following_feed``), the reference."""
    if settings.HOME_TIMELINES and getattr(viewer, "is_authenticated", False):
        entries = timeline_read(viewer, cursor=cursor, forward=forward, limit=limit)
        if entries is not None:
            return entries
    return following_feed(viewer, cursor=cursor, forward=forward, limit=limit)
