"""Precomputed home timelines: the following feed written on post, read by index (fan-out on write).

The following feed merged on read (``content.querysets.following_feed``) reads
three sources and merges them on every request. A home timeline instead keeps,
per user, the feed's candidates as rows of ``HomeTimelineEntry`` keyed exactly
like the feed ((time, kind, id), newest first), written when they happen:

- a new post goes to its author's and each follower's timeline, a plain
  repost to the reposter's followers' (``fan_out_post``, ``fan_out_repost``: on
  the task queue, so a post by someone with 10,000 followers costs its request
  nothing); a post a moderator shows again is fanned out again;
- a follow copies the followee's newest posts and reposts in
  (``follow_backfill``), an unfollow takes them out (``follow_prune``);
- a timeline is made on its user's first read (``timeline_build``), from the
  same sources as the merge, and only users who have one are fanned out to;
  ``timelines_drop_inactive`` drops those of users inactive for
  ``HOME_TIMELINE_INACTIVE_DAYS``, so the fan-out skips them until they return;
- ``timelines_trim`` cuts each timeline to ``HOME_TIMELINE_SIZE`` entries and
  records the key of the oldest one kept (the floor). Pages below the floor are
  read by the merge, which stays the reference the tests compare against.

Entries are candidates, not verdicts: the read applies every rule of the
merge to each one (the post visible to the viewer, its author and reposter in
good standing, not muted, not blocked, still followed). So hiding, muting,
suspending and their undoing need no rewrite, and an entry written by a
fan-out that raced an unfollow is never shown. Only what the rules cannot see
from the entry needs a write: new items (fan-out) and the follow graph
(backfill and prune).

Ordering of writes against the fan-out: a timeline row is committed before the
timeline is read from the database (when the read is not inside an outer
transaction), and the fan-out reads timeline rows after the post committed, so
a post committed meanwhile is caught by one or the other (inserts ignore
duplicates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User, in_good_standing
from content.models import VISIBLE, HomeTimeline, HomeTimelineEntry, Post, Repost
from content.querysets import FEED_POST, FEED_REPOST, FeedEntry, publicly_visible
from core.compiled import CompiledQuery
from core.ids import BIGINT_MAX
from core.keyset import keyset_filter
from social.models import Follow
from social.querysets import not_blocked_with, not_muted_by

ORDERING = ("-sort_time", "-kind", "-item_id")
# Read with each page of entries: the timeline's floor, and ``built_at`` to know it exists.
TIMELINE_FIELDS = ("built_at", "floor_time", "floor_kind", "floor_item")
INSERT_BATCH = 1_000
# Entries read per query while the rules drop some: a page rarely needs a second batch.
READ_BATCH_MIN = 60

Key = tuple[Any, int, int]
# A floor above every key: a timeline being built sends every read to the merge.
FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


def _key(entry: HomeTimelineEntry) -> Key:
    return (entry.sort_time, entry.kind, entry.item_id)


def _post_entry(user_id: int, post_id: int, created_at: Any) -> HomeTimelineEntry:
    return HomeTimelineEntry(user_id=user_id, sort_time=created_at, kind=FEED_POST, item_id=post_id, post_id=post_id)


def _repost_entry(user_id: int, repost_id: int, post_id: int, created_at: Any) -> HomeTimelineEntry:
    return HomeTimelineEntry(
        user_id=user_id,
        sort_time=created_at,
        kind=FEED_REPOST,
        item_id=repost_id,
        post_id=post_id,
        repost_id=repost_id,
    )


def _insert(entries: Iterable[HomeTimelineEntry]) -> None:
    HomeTimelineEntry.objects.bulk_create(entries, batch_size=INSERT_BATCH, ignore_conflicts=True)


# Reading


def _shown(viewer: Any) -> Q:
    """The merge's rules, on an entry: what ``following_feed`` would show ``viewer``."""
    follows = Follow.objects.filter(follower_id=viewer.pk)
    post_shown = (
        publicly_visible("post__") & not_blocked_with(viewer, "post__author") & not_muted_by(viewer, "post__author")
    )
    as_post = Q(kind=FEED_POST) & (
        Q(post__author_id=viewer.pk) | Q(Exists(follows.filter(following_id=OuterRef("post__author_id"))))
    )
    as_repost = (
        Q(kind=FEED_REPOST)
        & in_good_standing("repost__user__")
        & not_muted_by(viewer, "repost__user")
        & not_blocked_with(viewer, "repost__user")
        & Q(Exists(follows.filter(following_id=OuterRef("repost__user_id"))))
    )
    return post_shown & (as_post | as_repost)


def _floor(timeline: HomeTimeline) -> Key | None:
    if timeline.floor_time is None:
        return None
    return (timeline.floor_time, timeline.floor_kind, timeline.floor_item)  # type: ignore[return-value]


def timeline_read(viewer: Any, *, cursor: Sequence[Any] | None, forward: bool, limit: int) -> list[FeedEntry] | None:
    """Up to ``limit`` entries of ``viewer``'s following feed after ``cursor`` (as ``following_feed``
    takes them), from their home timeline, made now if they have none; None when the page lies
    (partly) below the timeline's floor, where only the merge knows the feed.

    One query: the entries come with their timeline's floor (scalar subqueries on its primary key).
    Only when there are none does a second read tell an empty page from a missing timeline.
    """
    position = tuple(cursor) if cursor is not None else None
    rows = _entries_after(viewer, position, forward=forward, limit=limit)
    if rows and rows[0]["built_at"] is not None:
        first = rows[0]
        floor = None if first["floor_time"] is None else (first["floor_time"], first["floor_kind"], first["floor_item"])
    else:
        timeline = HomeTimeline.objects.filter(user_id=viewer.pk).first()
        if timeline is None:  # never made, or dropped (its entries may linger until the rebuild clears them)
            timeline = timeline_build(viewer.pk)
            rows = _entries_after(viewer, position, forward=forward, limit=limit)
        floor = _floor(timeline)
    if floor is not None and position is not None and position < floor:
        return None
    if forward and len(rows) < limit and floor is not None:
        return None  # the rest of this page is below the floor
    return [FeedEntry(row["sort_time"], row["kind"], row["item_id"], row["post_id"], _reposter(row)) for row in rows]


# The reposter's columns an entry is read with: what the API shows of them (``reposted_by``).
REPOSTER_FIELDS = ("id", "username", "display_name", "profile_picture")


def _reposter(row: dict[str, Any]) -> User | None:
    if row["repost__user__id"] is None:
        return None
    return User(**{field: row[f"repost__user__{field}"] for field in REPOSTER_FIELDS})


def _entries(
    viewer: Any, sort_time: datetime | None, item_id: int | None, kind: int | None, forward: bool, limit: int
) -> Any:
    """See ``_entries_after``."""
    timeline = HomeTimeline.objects.filter(user_id=viewer.pk)
    entries = (
        HomeTimelineEntry.objects.filter(user_id=viewer.pk)
        .filter(_shown(viewer))
        .annotate(**{field: Subquery(timeline.values(field)) for field in TIMELINE_FIELDS})
        .order_by(*(ORDERING if forward else [field.lstrip("-") for field in ORDERING]))
    )
    if sort_time is not None:
        entries = entries.filter(keyset_filter(ORDERING, (sort_time, kind, item_id), forward=forward))
    reposter = [f"repost__user__{field}" for field in REPOSTER_FIELDS]
    return entries.values("sort_time", "kind", "item_id", "post_id", *reposter, *TIMELINE_FIELDS)[:limit]


# Built and compiled once per shape and process (core.compiled): the rules cost more to build than to run.
_entries_compiled = CompiledQuery(_entries, shape=("kind", "forward", "limit"))


def _entries_after(viewer: Any, position: Key | None, *, forward: bool, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` entries the viewer is shown after ``position``, with ``TIMELINE_FIELDS``."""
    sort_time, kind, item_id = position if position is not None else (None, None, None)
    # Only kinds 0 and 1 exist, so a (forged) cursor's other kind is the same place as the edge of
    # the nearest one: the kind picks the SQL and must not make a plan per value.
    if kind is not None and kind > FEED_POST:
        kind, item_id = FEED_POST, BIGINT_MAX
    elif kind is not None and kind < FEED_REPOST:
        kind, item_id = FEED_REPOST, -BIGINT_MAX
    return _entries_compiled(
        viewer=viewer, sort_time=sort_time, item_id=item_id, kind=kind, forward=forward, limit=limit
    )


# Building, trimming, dropping


def _candidates(user_id: int, *, limit: int, followees: Sequence[int] | None = None) -> list[HomeTimelineEntry]:
    """The newest ``limit`` candidates of ``user_id``'s feed, newest first: the visible posts and plain
    reposts of ``followees`` and, when that is None, of everyone they follow and their own posts."""
    order = ("-created_at", "-id")
    followed: Any = (
        followees if followees is not None else Follow.objects.filter(follower_id=user_id).values("following_id")
    )
    visible = Post.objects.filter(VISIBLE).order_by(*order)
    sources = [visible.filter(author_id__in=followed)]
    if followees is None:
        sources.append(visible.filter(author_id=user_id))
    entries = [
        _post_entry(user_id, pk, created_at)
        for posts in sources
        for pk, created_at in posts.values_list("id", "created_at")[:limit]
    ]
    reposts = Repost.objects.filter(user_id__in=followed).order_by(*order)
    entries += [
        _repost_entry(user_id, pk, post_id, created_at)
        for pk, post_id, created_at in reposts.values_list("id", "post_id", "created_at")[:limit]
    ]
    entries.sort(key=_key, reverse=True)
    return entries[:limit]


def timeline_get_or_build(user_id: int) -> HomeTimeline:
    """The user's home timeline; made from the database when they have none (their first read, or
    the first since it was dropped for inactivity)."""
    timeline = HomeTimeline.objects.filter(user_id=user_id).first()
    return timeline if timeline is not None else timeline_build(user_id)


def timeline_build(user_id: int) -> HomeTimeline:
    """Makes (or remakes) ``user_id``'s home timeline from the database: the newest
    ``HOME_TIMELINE_SIZE`` candidates, the floor at the last of them when there may be more."""
    size = settings.HOME_TIMELINE_SIZE
    # Committed first (unless an outer transaction holds it), so every fan-out from now on writes
    # here; until the entries are in, its floor is above every key, so reads go to the merge.
    timeline = HomeTimeline(
        user_id=user_id, floor_time=FAR_FUTURE, floor_kind=FEED_POST, floor_item=0, built_at=timezone.now()
    )
    # An INSERT that keeps a row made meanwhile, then the row set to building either way: no savepoint.
    HomeTimeline.objects.bulk_create([timeline], ignore_conflicts=True)
    HomeTimeline.objects.filter(user_id=user_id).update(
        floor_time=FAR_FUTURE, floor_kind=FEED_POST, floor_item=0, built_at=timeline.built_at
    )
    with transaction.atomic():
        # Old entries out before the read: an entry a fan-out writes after this stays.
        HomeTimelineEntry.objects.filter(user_id=user_id).delete()
        entries = _candidates(user_id, limit=size)
        _insert(entries)
        if len(entries) >= size:
            floor = _key(entries[-1])
            timeline.floor_time, timeline.floor_kind, timeline.floor_item = floor
            _below(user_id, floor).delete()
        else:
            timeline.floor_time = timeline.floor_kind = timeline.floor_item = None
        timeline.save(update_fields=["floor_time", "floor_kind", "floor_item"])
    return timeline


def _below(user_id: int, key: Key) -> Any:
    return HomeTimelineEntry.objects.filter(user_id=user_id).filter(keyset_filter(ORDERING, key, forward=True))


def _floor_raise(timeline: HomeTimeline, key: Key) -> None:
    """Raises the timeline's floor to ``key`` (never lowers it) and drops the entries below it."""
    locked = HomeTimeline.objects.select_for_update().get(pk=timeline.pk)
    current = _floor(locked)
    if current is not None and current >= key:
        return
    timeline.floor_time, timeline.floor_kind, timeline.floor_item = key
    timeline.save(update_fields=["floor_time", "floor_kind", "floor_item"])
    _below(timeline.pk, key).delete()


@transaction.atomic
def timeline_trim(user_id: int) -> bool:
    """Cuts ``user_id``'s timeline to ``HOME_TIMELINE_SIZE`` entries; True when it cut any."""
    size = settings.HOME_TIMELINE_SIZE
    timeline = HomeTimeline.objects.select_for_update().filter(user_id=user_id).first()
    if timeline is None:
        return False
    last = (
        HomeTimelineEntry.objects.filter(user_id=user_id)
        .order_by(*ORDERING)
        .values_list("sort_time", "kind", "item_id")[size - 1 : size]
    )
    edge = list(last)
    if not edge or not _below(user_id, edge[0]).exists():
        return False
    _floor_raise(timeline, edge[0])
    return True


def timelines_trim() -> int:
    """Cuts every timeline that grew past ``HOME_TIMELINE_SIZE`` (with 25% slack, so a timeline is
    cut about once per quarter of its size in new entries); returns how many were cut."""
    slack = settings.HOME_TIMELINE_SIZE + settings.HOME_TIMELINE_SIZE // 4
    grown = (
        HomeTimelineEntry.objects.values("user_id").annotate(n=Count("*")).filter(n__gt=slack).values_list("user_id")
    )
    return sum(timeline_trim(user_id) for (user_id,) in grown)


def timelines_drop_inactive() -> int:
    """Drops the timelines of users not seen for ``HOME_TIMELINE_INACTIVE_DAYS`` (never seen: since
    their timeline was made); the fan-out skips them, and their next read makes a new one."""
    since = timezone.now() - timedelta(days=settings.HOME_TIMELINE_INACTIVE_DAYS)
    idle = HomeTimeline.objects.filter(
        Q(user__last_active_at__lt=since) | Q(user__last_active_at__isnull=True, built_at__lt=since)
    )
    dropped = 0
    for user_id in list(idle.values_list("user_id", flat=True)):
        with transaction.atomic():
            HomeTimeline.objects.filter(user_id=user_id).delete()
            HomeTimelineEntry.objects.filter(user_id=user_id).delete()
        dropped += 1
    return dropped


# Writing what happened


def _keepers_among(user_ids: Iterable[int]) -> list[int]:
    return list(HomeTimeline.objects.filter(user_id__in=list(user_ids)).values_list("user_id", flat=True))


def _followers_with_timelines(user_id: int) -> Iterable[list[int]]:
    """Ids of ``user_id``'s followers who keep a timeline, a batch at a time (ascending ids)."""
    followers = Follow.objects.filter(following_id=user_id, follower__home_timeline__isnull=False)
    last = 0
    while batch := list(
        followers.filter(follower_id__gt=last)
        .order_by("follower_id")
        .values_list("follower_id", flat=True)[:INSERT_BATCH]
    ):
        yield batch
        last = batch[-1]


def fan_out_post(post_id: int) -> int:
    """Writes the post into its author's timeline and their followers' (who keep one); returns how many.

    Idempotent: an entry already there is kept. A post no longer visible is not written (its
    restoring fans it out again)."""
    post = Post.objects.filter(VISIBLE, pk=post_id).values_list("author_id", "created_at").first()
    if post is None:
        return 0
    author_id, created_at = post
    written = 0
    for user_ids in [_keepers_among([author_id]), *_followers_with_timelines(author_id)]:
        _insert(_post_entry(user_id, post_id, created_at) for user_id in user_ids)
        written += len(user_ids)
    return written


def fan_out_repost(*, user_id: int, post_id: int) -> int:
    """Writes ``user_id``'s plain repost of ``post_id`` into their followers' timelines (who keep one);
    returns how many. Nothing when the repost was undone meanwhile."""
    repost = Repost.objects.filter(user_id=user_id, post_id=post_id).values_list("pk", "created_at").first()
    if repost is None:
        return 0
    repost_id, created_at = repost
    reposter_id = user_id
    written = 0
    for user_ids in _followers_with_timelines(reposter_id):
        _insert(_repost_entry(user_id, repost_id, post_id, created_at) for user_id in user_ids)
        written += len(user_ids)
    return written


def follow_backfill(follower_id: int, following_id: int) -> int:
    """Copies the followee's newest posts and reposts into the follower's timeline (if they keep one
    and still follow). Only above the floor; when the followee has more than a timeline holds, the
    floor rises to the oldest copied, below which the merge reads. Returns the entries copied."""
    if not Follow.objects.filter(follower_id=follower_id, following_id=following_id).exists():
        return 0
    size = settings.HOME_TIMELINE_SIZE
    with transaction.atomic():
        timeline = HomeTimeline.objects.select_for_update().filter(user_id=follower_id).first()
        if timeline is None:
            return 0
        entries = _candidates(follower_id, limit=size, followees=[following_id])
        floor = _floor(timeline)
        kept = [entry for entry in entries if floor is None or _key(entry) > floor]
        _insert(kept)
        if len(entries) >= size:
            _floor_raise(timeline, _key(entries[-1]))
    return len(kept)


def follow_prune(follower_id: int, following_id: int) -> int:
    """Takes the unfollowed user's posts and reposts out of the follower's timeline (unless followed
    again meanwhile). The read checks the follow anyway; this keeps timelines small."""
    if Follow.objects.filter(follower_id=follower_id, following_id=following_id).exists():
        return 0
    deleted, _ = (
        HomeTimelineEntry.objects.filter(user_id=follower_id)
        .filter(Q(kind=FEED_POST, post__author_id=following_id) | Q(kind=FEED_REPOST, repost__user_id=following_id))
        .delete()
    )
    return deleted
