"""Reads over content: who may see which posts, posts ready to show, tickers with their activity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import in_good_standing
from core.compiled import CompiledQuery, ids_of
from core.sqljson import json_rows
from social.querysets import not_blocked_with, not_muted_by

if TYPE_CHECKING:
    from content.models import Post, Ticker  # noqa: F401 - named in the generic bases below

SENTIMENT_WINDOW = timedelta(hours=24)


def publicly_visible(prefix: str = "") -> Q:
    """Posts (or comments) anyone may see, blocks aside: not deleted, not hidden by a moderator,
    by an author in good standing (``accounts.models.in_good_standing``).

    The one spelling of that rule: ``visible_to`` adds the viewer's blocks. ``prefix``
    reaches the post through a relation (``"post__"``).
    """
    shown = Q(**{f"{prefix}deleted_at__isnull": True, f"{prefix}is_hidden": False})
    return shown & in_good_standing(f"{prefix}author__")


# A PostTicker row (a mention) counts when its post is visible to everyone.
COUNTED_MENTION = publicly_visible("post__")


def discoverable(prefix: str = "") -> Q:
    """The tickers search and trending may show (``prefix`` reaches them through a relation, e.g. ``"ticker__"``).

    Listed symbols at once; any other symbol once ``TICKER_MIN_AUTHORS`` distinct active,
    unsuspended members have visible posts mentioning it (``Ticker.authors_count``). So typing
    ``$ANYTHING`` makes a ticker page and a link, but one account, or a handful of sock puppets,
    cannot put a made-up symbol in front of everyone; a real new listing that people talk about
    crosses the threshold within its first few posts.
    """
    return Q(**{f"{prefix}is_listed": True}) | Q(**{f"{prefix}authors_count__gte": settings.TICKER_MIN_AUTHORS})


def mention_count(queryset: models.QuerySet[Any]) -> Coalesce:
    """``COALESCE((SELECT COUNT(*) ... ), 0)``: a correlated count, one per outer row."""
    counted = queryset.order_by().values("ticker_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


class TickerQuerySet(models.QuerySet["Ticker"]):
    def discoverable(self) -> TickerQuerySet:
        """Tickers search and trending may show: see :func:`discoverable`."""
        return self.filter(discoverable())

    def with_stats(self, *, now: datetime | None = None) -> TickerQuerySet:
        """Annotates ``bullish_count``/``bearish_count``: visible posts tagged each way in the 24
        hours before ``now`` (``post_count``, over all time, is a counter on the row).

        Correlated subqueries over PostTicker (its copies of the post's time and
        sentiment, on the (ticker, created_at) index) joined to the post for
        visibility: one query for any number of tickers, and no join fan-out
        with whatever else the queryset filters on.
        """
        from content.models import PostTicker, Sentiment

        since = (now or timezone.now()) - SENTIMENT_WINDOW
        recent = PostTicker.objects.filter(COUNTED_MENTION, ticker_id=OuterRef("pk"), created_at__gte=since)
        return self.annotate(
            bullish_count=mention_count(recent.filter(sentiment=Sentiment.BULLISH)),
            bearish_count=mention_count(recent.filter(sentiment=Sentiment.BEARISH)),
        )

    def watched_by(self, user: Any) -> TickerQuerySet:
        """The user's watchlist, newest addition first, with ``watched_at``."""
        return (
            self.filter(watchers__user=user)
            .annotate(watched_at=F("watchers__created_at"), watch_id=F("watchers__id"))
            .order_by("-watched_at", "-watch_id")
        )


def mentions_of(model: type[models.Model], field: str) -> Subquery:
    """The users in good standing a post (or comment) mentions (``json_rows``): ``[[id, username,
    position], ...]``. A user suspended or deactivated later drops out here; a deleted user's rows
    are gone (CASCADE)."""
    mentions = model._default_manager.filter(in_good_standing("user__"))
    return json_rows(mentions, field, "user_id", "user__username", "position")


def mention_list(mentions: list[list[Any]] | None) -> list[dict[str, str]]:
    """What ``mentions_of`` read, as the API shows it: ``[{"id", "username"}]`` in order of first mention."""
    return [
        {"id": str(user_id), "username": username}
        for user_id, username, _position in sorted(mentions or (), key=lambda mention: mention[2])
    ]


VIEWER_FLAGS = ("reacted", "reposted", "bookmarked")


class PostQuerySet(models.QuerySet["Post"]):
    """Visibility rules and display loading for posts; every list and detail of posts starts here."""

    def visible_to(self, viewer: Any) -> PostQuerySet:
        """Posts the viewer may open: not deleted, not hidden by a moderator, by an active and
        unsuspended author, and no block between the author and the viewer (either way).

        Anonymous viewers (or None) see every such post. Mutes do not apply: a
        direct link to a muted author's post still works (see ``for_feed``).
        """
        return self.filter(publicly_visible()).filter(not_blocked_with(viewer))

    def for_feed(self, viewer: Any) -> PostQuerySet:
        """``visible_to`` minus the authors the viewer muted: feeds and ticker streams."""
        return self.visible_to(viewer).filter(not_muted_by(viewer))

    def for_display(self, viewer: Any) -> PostQuerySet:
        """Everything ``PostSerializer`` reads, in a fixed number of queries whatever the page size.

        The post row with its author, its tickers and media (``json_rows``: in the row); the
        prefetched poll (with results and the viewer's vote); the stats are counters on the row
        (``content.counters``); ``mentioned_users`` (``mentions_of``); and the quoted post, loaded
        the same way through ``visible_to(viewer)``, so it is None when the
        viewer may not see it (deleted, hidden, blocked). Viewer flags are a
        separate batch: ``post_viewer_flags``.
        """
        from content.models import Post

        quoted = Post.objects.visible_to(viewer)._displayable(viewer)
        return self._displayable(viewer).prefetch_related(Prefetch("quoted_post", queryset=quoted))

    def _displayable(self, viewer: Any) -> PostQuerySet:
        from content.models import PostMention
        from polls.models import Poll

        return (
            self.with_bodies()
            .select_related("call")
            .prefetch_related(Prefetch("poll", queryset=Poll.objects.with_results(viewer)))
            .annotate(mentioned_users=mentions_of(PostMention, "post_id"))
        )

    def with_bodies(self) -> PostQuerySet:
        """What ``PostBodySerializer`` reads: the author, and the tickers and media in the row
        (``json_rows``: ``[[symbol, position]]`` and ``[[file, content_type, width, height, position]]``)."""
        from content.models import Media, PostTicker

        return self.select_related("author").annotate(
            ticker_rows=json_rows(PostTicker.objects.all(), "post_id", "ticker_id", "position"),
            media_rows=json_rows(Media.objects.all(), "post_id", "file", "content_type", "width", "height", "position"),
        )


def post_viewer_flags(viewer: Any, post_ids: Iterable[int]) -> dict[int, dict[str, bool]]:
    """``{post_id: {reacted, reposted, bookmarked}}`` for a page of posts, in one query.

    One UNION of three index probes (the ``(post, user)`` unique constraints).
    Anonymous viewers get all-false flags without a query.
    """
    ids = ids_of(post_ids)
    flags = {pk: dict.fromkeys(VIEWER_FLAGS, False) for pk in ids}
    if not ids or not getattr(viewer, "is_authenticated", False):
        return flags
    for row in _viewer_flag_rows_compiled(viewer_id=viewer.pk, ids=ids):
        post_id, flag = row.values()
        flags[post_id][flag] = True
    return flags


def _viewer_flag_rows(viewer_id: int, ids: list[int]) -> models.QuerySet[Any]:
    """``(post_id, flag)`` rows of ``post_viewer_flags``: the one query behind the viewer flags."""
    from content.models import Bookmark, PostReaction, Repost

    return (
        PostReaction.objects.filter(user_id=viewer_id, post_id__in=ids)
        .values_list("post_id", Value("reacted", output_field=models.CharField()))
        .union(
            Repost.objects.filter(user_id=viewer_id, post_id__in=ids).values_list(
                "post_id", Value("reposted", output_field=models.CharField())
            ),
            Bookmark.objects.filter(user_id=viewer_id, post_id__in=ids).values_list(
                "post_id", Value("bookmarked", output_field=models.CharField())
            ),
            all=True,
        )
    )


_viewer_flag_rows_compiled = CompiledQuery(_viewer_flag_rows)


# The post's call (``content.calls``) as ``post_states`` reads it: null columns for a post that is no call.
CALL_STATE_FIELDS = tuple(
    f"call__{name}"
    for name in (
        "ticker_id",
        "direction",
        "status",
        "entry_date",
        "entry_price",
        *(f"{kind}_{horizon}" for kind in ("return", "hit") for horizon in ("1d", "1w", "1m")),
    )
)

# What ``post_states`` reads for each post, besides the viewer flags (``VIEWER_FLAGS``).
POST_STATE_FIELDS = (
    "id",
    "quoted_post_id",
    "updated_at",
    "author_id",
    "author__updated_at",
    "reactions_count",
    "comments_count",
    "reposts_count",
    "quotes_count",
    "bookmarks_count",
    "poll_id",
    "poll__expires_at",
)


def _post_states(viewer: Any, ids: list[int]) -> models.QuerySet[Any]:
    """See ``post_states``."""
    from content.models import Bookmark, Post, PostMention, PostReaction, Repost
    from polls.querysets import option_rows, viewer_vote

    page = Post.objects.filter(id__in=ids)
    # One IN over a UNION, not ``id IN (...) OR id IN (quoted)``, which PostgreSQL reads with a Seq Scan.
    shown = page.values("id").union(page.values("quoted_post_id"), all=True)
    if viewer is None:
        flags: dict[str, Any] = {flag: Value(False, output_field=models.BooleanField()) for flag in VIEWER_FLAGS}
    else:
        flags = {
            flag: Exists(model._default_manager.filter(post_id=OuterRef("pk"), user_id=viewer.pk))
            for flag, model in zip(VIEWER_FLAGS, (PostReaction, Repost, Bookmark), strict=True)
        }
    return (
        Post.objects.visible_to(viewer)
        .filter(id__in=shown)
        .annotate(
            mentioned_users=mentions_of(PostMention, "post_id"),
            poll_options=option_rows(outer="poll_id"),
            poll_vote=viewer_vote(viewer, outer="poll_id"),
            **flags,
        )
        .order_by()
        .values(*POST_STATE_FIELDS, *CALL_STATE_FIELDS, "mentioned_users", "poll_options", "poll_vote", *VIEWER_FLAGS)
    )


_post_states_compiled = CompiledQuery(_post_states)


def post_states(viewer: Any, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{post_id: state}`` for the posts ``ids`` and the posts they quote, as far as the viewer may
    see them (``visible_to``): the part of each shown post that changes or depends on the viewer.

    A state holds ``POST_STATE_FIELDS`` (``updated_at`` and ``author__updated_at`` version what
    does not change: the author, content, tickers and media), the counters, the mentions
    (``mentioned_users``), the poll (``poll_options``: ``polls.querysets.option_rows``; ``poll_vote``,
    the viewer's) and the viewer flags. One query for both levels of posts, compiled once per
    page size (``core.compiled``). A post missing from the answer is not visible to the viewer.
    """
    page = ids_of(ids)
    if not page:
        return {}
    viewer_or_none = viewer if getattr(viewer, "is_authenticated", False) else None
    return {row["id"]: row for row in _post_states_compiled(viewer=viewer_or_none, ids=page)}


# The following feed: the viewer's own posts, their followees' posts, and their
# followees' plain reposts. An item's key is (sort_time, kind, item_id), newest
# first: a post is (created_at, 1, post id), a repost (created_at, 0, repost id).
# Keys are unique and never change, so keyset paging neither repeats nor skips.
FEED_POST = 1
FEED_REPOST = 0


@dataclass(frozen=True)
class FeedEntry:
    """One item of the following feed: a post, or a plain repost of ``post_id`` by ``reposted_by``."""

    sort_time: datetime
    kind: int
    item_id: int
    post_id: int
    reposted_by: Any = None

    @property
    def pk(self) -> int:
        """The post the entry shows: a feed page's rows read like posts (``reposted_by`` aside)."""
        return self.post_id


def _after(kind: int, cursor: Sequence[Any] | None, *, forward: bool) -> Q:
    """Rows of one source (all of ``kind``) strictly after ``cursor`` = (time, kind, id).

    Forward is older (descending keys). The leading ``time <=`` (``>=``) bound is
    redundant but lets the database range-scan the (…, created_at, id) index.
    """
    if cursor is None:
        return Q()
    time, cursor_kind, item_id = cursor
    if forward:
        bound = Q(created_at__lte=time)
        if kind < cursor_kind:
            return bound
        if kind > cursor_kind:
            return Q(created_at__lt=time)
        return bound & (Q(created_at__lt=time) | Q(created_at=time, id__lt=item_id))
    bound = Q(created_at__gte=time)
    if kind > cursor_kind:
        return bound
    if kind < cursor_kind:
        return Q(created_at__gt=time)
    return bound & (Q(created_at__gt=time) | Q(created_at=time, id__gt=item_id))


def reposts_for_feed(viewer: Any) -> models.QuerySet[Any]:
    """Plain reposts the viewer's following feed may show: the post as ``for_feed`` would show it, and
    a reposter in good standing whom the viewer neither muted nor blocks (either way)."""
    from content.models import Repost

    return (
        Repost.objects.filter(in_good_standing("user__"))
        .filter(not_muted_by(viewer, "user"), not_blocked_with(viewer, "user"))
        .filter(publicly_visible("post__"))
        .filter(not_blocked_with(viewer, "post__author"), not_muted_by(viewer, "post__author"))
    )


def _followed_reposts(
    viewer: Any,
    followees: models.QuerySet[Any],
    *,
    cursor: Sequence[Any] | None,
    forward: bool,
    limit: int,
    within: Q,
) -> list[FeedEntry]:
    """Up to ``limit`` visible reposts by the followees after ``cursor``, in feed order.

    Ordering every followee's reposts with their joins and visibility probes
    costs as much as all of them together; so the next ``batch`` keys are cut
    first on ``repost_user_recent_idx`` alone (an index-only top-N), and only
    those are joined and filtered, by id. Should filtering leave fewer than
    ``limit`` out of a full batch, the next batch is read.
    ``within`` bounds the time range that can still reach the page.
    """
    from content.models import Repost

    order = ("-created_at", "-id") if forward else ("created_at", "id")
    batch = max(3 * limit, 60)
    entries: list[FeedEntry] = []
    position = cursor
    while True:
        # The batch's keys first, as literals for the next query: given the batch as a subquery,
        # PostgreSQL joined every repost to the rules before applying it (2 s at 134,000 reposts).
        candidates = list(
            Repost.objects.filter(user_id__in=Subquery(followees))
            .filter(_after(FEED_REPOST, position, forward=forward))
            .filter(within)
            .order_by(*order)
            .values_list("created_at", "id")[:batch]
        )
        if not candidates:
            return entries
        visible = (
            reposts_for_feed(viewer)
            .filter(id__in=[pk for _, pk in candidates])
            .select_related("user")
            .order_by(*order)[: limit - len(entries)]
        )
        entries += [FeedEntry(r.created_at, FEED_REPOST, r.pk, r.post_id, r.user) for r in visible]
        if len(entries) >= limit or len(candidates) < batch:
            return entries
        # Filtering dropped some of a full batch: read on after its last key.
        position = (candidates[-1][0], FEED_REPOST, candidates[-1][1])


def following_feed(viewer: Any, *, cursor: Sequence[Any] | None, forward: bool, limit: int) -> list[FeedEntry]:
    """Up to ``limit`` entries of ``viewer``'s following feed after ``cursor``, in feed order
    (newest first when ``forward``, oldest first otherwise).

    Three sources, each read newest first on its own index and cut at ``limit``
    before a merge in Python: the viewer's own posts and the followees' posts
    (``post_author_recent_idx``), and the followees' reposts
    (``repost_user_recent_idx``). Posts follow the ``for_feed`` rules; a repost
    shows only while its post would, and its reposter is active, unmuted and
    unblocked. A post reposted by several followees appears once per repost
    (each is its own event, with its own ``reposted_by``).
    """
    from content.models import Post
    from social.models import Follow

    order = ("-created_at", "-id") if forward else ("created_at", "id")
    followees = Follow.objects.filter(follower_id=viewer.pk).values("following_id")
    posts = Post.objects.for_feed(viewer).filter(_after(FEED_POST, cursor, forward=forward)).order_by(*order)
    # One walk of the visible posts' index, newest first, for the viewer's own and the followees'.
    mine_or_followed = Q(author_id=viewer.pk) | Q(author_id__in=Subquery(followees))
    written = posts.filter(mine_or_followed).values_list("created_at", "id")[:limit]
    entries = [FeedEntry(created_at, FEED_POST, pk, pk) for created_at, pk in written]
    entries.sort(key=lambda entry: (entry.sort_time, entry.kind, entry.item_id), reverse=forward)
    # With a full page of posts, a repost can only reach the page if it sorts
    # before the last of them; at equal times posts come first (kind 1 > 0) going
    # forward. Without this bound the reposts query would read and sort every
    # repost of every followee (a sequential scan at a million posts).
    within = Q()
    if len(entries) >= limit:
        edge = entries[limit - 1].sort_time
        within = Q(created_at__gt=edge) if forward else Q(created_at__lte=edge)
    entries += _followed_reposts(viewer, followees, cursor=cursor, forward=forward, limit=limit, within=within)
    entries.sort(key=lambda entry: (entry.sort_time, entry.kind, entry.item_id), reverse=forward)
    return entries[:limit]
