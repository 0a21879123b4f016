from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from content.querysets import PostQuerySet, TickerQuerySet
from content.querysets_comments import CommentQuerySet
from core.fields import UpdatedAtField

POST_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH = 1000
MAX_TICKERS_PER_POST = 10
MAX_MEDIA_PER_POST = 4
# Users a post or a comment may mention (`@username`); later ones are plain text. See README "Mentions".
MAX_MENTIONS = 10

VISIBLE = models.Q(deleted_at__isnull=True, is_hidden=False)


class Sentiment(models.TextChoices):
    BULLISH = "bullish", "Bullish"
    BEARISH = "bearish", "Bearish"


class Ticker(models.Model):
    """A stock symbol (`AAPL`, `BRK.B`), made on its first mention or by `load_tickers`."""

    symbol = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(
        default=0,
        help_text="Visible posts mentioning it: kept by the post and moderation services, "
        "recounted exactly by `refresh_metrics`.",
    )
    is_listed = models.BooleanField(
        default=False,
        help_text="On the reference list of listed symbols (`load_tickers`): shown in search and trending at once. "
        "Any other symbol shows there only once `TICKER_MIN_AUTHORS` distinct members mention it.",
    )
    authors_count = models.PositiveIntegerField(
        default=0,
        help_text="Distinct active, unsuspended authors of visible posts mentioning it; kept for unlisted "
        "tickers only (listed ones need no threshold) by the post and moderation services and `refresh_metrics`.",
    )

    objects = TickerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(symbol__regex=r"^[A-Z]{1,5}(\.[A-Z]{1,2})?$"),
                name="ticker_symbol_format",
            ),
        ]
        indexes = [models.Index(fields=["name"], name="ticker_name_idx")]

    def __str__(self) -> str:
        return self.symbol

    @property
    def is_discoverable(self) -> bool:
        """Whether search and trending may show it (the rule of ``content.querysets.discoverable``)."""
        return self.is_listed or self.authors_count >= settings.TICKER_MIN_AUTHORS


class Post(models.Model):
    """A short post; soft-deleted by its author or staff, hidden by moderators."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    content = models.TextField()
    sentiment = models.CharField(max_length=7, choices=Sentiment.choices, null=True, blank=True)
    quoted_post = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes")
    poll = models.OneToOneField("polls.Poll", on_delete=models.SET_NULL, null=True, blank=True, related_name="post")
    tickers = models.ManyToManyField(Ticker, through="PostTicker", related_name="posts")
    created_at = models.DateTimeField(default=timezone.now)
    # Moved by save() and by the services' update() writes that change the post (delete, hide);
    # never by likes, reposts or bookmarks, which are other rows.
    updated_at = UpdatedAtField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator; reversible.")
    # Kept by the services in the transaction that adds or removes what they count
    # (content.counters; ``recount_counters`` repairs drift). Never move updated_at.
    reactions_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0, help_text="Visible comments and replies.")
    reposts_count = models.PositiveIntegerField(default=0, help_text="Plain reposts.")
    quotes_count = models.PositiveIntegerField(default=0, help_text="Visible posts quoting this one.")
    bookmarks_count = models.PositiveIntegerField(default=0)

    objects = PostQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(content=""), name="post_content_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(quoted_post=models.F("id")),
                name="post_not_quoting_itself",
            ),
        ]
        indexes = [
            # feed scope=all and GET posts, newest first, visible rows only
            models.Index(fields=["-created_at", "-id"], condition=VISIBLE, name="post_visible_recent_idx"),
            # GET posts?author= and the following feed
            models.Index(fields=["author", "-created_at", "-id"], condition=VISIBLE, name="post_author_recent_idx"),
            models.Index(fields=["quoted_post"], name="post_quoted_idx"),
            models.Index(fields=["deleted_at"], condition=models.Q(deleted_at__isnull=False), name="post_deleted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.content[:40]}"

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and not self.is_hidden


class PostTicker(models.Model):
    """A ticker mentioned in a post; `position` keeps the order of first mention."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_tickers")
    ticker = models.ForeignKey(Ticker, on_delete=models.CASCADE, related_name="post_tickers")
    position = models.PositiveSmallIntegerField()
    # Copies of the post's, so the ticker stream and trending read one index.
    created_at = models.DateTimeField(default=timezone.now)
    sentiment = models.CharField(max_length=7, choices=Sentiment.choices, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "ticker"], name="post_ticker_once"),
            models.UniqueConstraint(fields=["post", "position"], name="post_ticker_position_unique"),
            models.CheckConstraint(
                condition=models.Q(position__lt=MAX_TICKERS_PER_POST), name="post_ticker_position_range"
            ),
        ]
        indexes = [
            # tickers/{symbol}/posts, newest first
            models.Index(fields=["ticker", "-created_at", "-post"], name="post_ticker_stream_idx"),
            # trending's hourly roll-up: every mention in a time range. Only the time: with the ticker
            # as a second column PostgreSQL chose this index for one ticker's recent mentions too
            # (the 24-hour sentiment counts) and scanned the whole range, 124 ms instead of 15.
            models.Index(fields=["created_at"], name="post_ticker_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} ${self.ticker_id}"


class PostMention(models.Model):
    """A user written as `@username` in a post; `position` keeps the order of first mention.

    Written by the post service with the post, in its transaction, before `post_published` is sent.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="post_mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_mentions")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="post_mention_once"),
            models.UniqueConstraint(fields=["post", "position"], name="post_mention_position_unique"),
            models.CheckConstraint(condition=models.Q(position__lt=MAX_MENTIONS), name="post_mention_position_range"),
        ]
        # posts mentioning user X, newest first (post ids grow with time)
        indexes = [models.Index(fields=["user", "-post"], name="post_mention_user_idx")]

    def __str__(self) -> str:
        return f"{self.post_id} @{self.user_id}"


class Comment(models.Model):
    """A comment on a post, or a reply to another comment through `parent`."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    content = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    # Moved by save() and by the services' update() writes that change the comment (delete, hide,
    # erase); never by likes.
    updated_at = UpdatedAtField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator; reversible.")

    objects = CommentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(content=""), name="comment_content_not_empty"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="comment_not_own_parent"),
        ]
        indexes = [
            # posts/{id}/comments, oldest first
            models.Index(fields=["post", "created_at", "id"], condition=VISIBLE, name="comment_post_thread_idx"),
            models.Index(fields=["author", "-created_at"], name="comment_author_recent_idx"),
            models.Index(fields=["parent"], name="comment_parent_idx"),
            # purge_deleted_content: comments deleted long enough ago
            models.Index(
                fields=["deleted_at"], condition=models.Q(deleted_at__isnull=False), name="comment_deleted_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.content[:40]}"

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and not self.is_hidden


class CommentMention(models.Model):
    """A user written as `@username` in a comment; `position` keeps the order of first mention.

    Written by the comment service with the comment, in its transaction, before `comment_published` is sent.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="comment_mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_mentions")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["comment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_mention_once"),
            models.UniqueConstraint(fields=["comment", "position"], name="comment_mention_position_unique"),
            models.CheckConstraint(
                condition=models.Q(position__lt=MAX_MENTIONS), name="comment_mention_position_range"
            ),
        ]
        # comments mentioning user X, newest first
        indexes = [models.Index(fields=["user", "-comment"], name="comment_mention_user_idx")]

    def __str__(self) -> str:
        return f"{self.comment_id} @{self.user_id}"


class PostReaction(models.Model):
    """A like on a post (toggled)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_reactions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_reaction_once")]
        indexes = [models.Index(fields=["user", "post"], name="post_reaction_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} likes post {self.post_id}"


class CommentReaction(models.Model):
    """A like on a comment (toggled)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reactions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="comment_reaction_once")]
        indexes = [models.Index(fields=["user", "comment"], name="comment_reaction_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} likes comment {self.comment_id}"


class Repost(models.Model):
    """A plain repost: the post shows in the reposter's followers' feeds."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reposts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reposts")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="repost_once")]
        indexes = [
            # the following feed reads each followed user's reposts, newest first
            models.Index(fields=["user", "-created_at", "-id"], name="repost_user_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} reposted {self.post_id}"


class Bookmark(models.Model):
    """A post a user saved for later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="bookmark_once")]
        indexes = [
            # GET bookmarks, newest bookmark first
            models.Index(fields=["user", "-created_at", "-id"], name="bookmark_user_recent_idx"),
            models.Index(fields=["post"], name="bookmark_post_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} bookmarked {self.post_id}"


class Media(models.Model):
    """An uploaded image; attached to at most one post by its owner, removed if never attached."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="media")
    position = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="post-media/%Y/%m/", max_length=255)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes, after re-encoding.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(condition=models.Q(position__lt=MAX_MEDIA_PER_POST), name="media_position_range"),
            models.UniqueConstraint(
                fields=["post", "position"], condition=models.Q(post__isnull=False), name="media_post_position_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["post", "position"], name="media_post_idx"),
            # the clean-up of uploads never attached to a post
            models.Index(fields=["created_at"], condition=models.Q(post__isnull=True), name="media_unattached_idx"),
        ]

    def __str__(self) -> str:
        return self.file.name or f"media {self.pk}"


class WatchlistItem(models.Model):
    """A ticker on a user's watchlist."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist")
    ticker = models.ForeignKey(Ticker, on_delete=models.CASCADE, related_name="watchers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticker"], name="watchlist_once")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="watchlist_user_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.ticker_id}"


class TickerHourlyMentions(models.Model):
    """Mentions of a ticker in one hour (a roll-up kept by ``content.trending.hourly_mentions_refresh``,
    which `refresh_metrics` runs), so trending reads a few hundred rows instead of every post."""

    ticker = models.ForeignKey(Ticker, on_delete=models.CASCADE, related_name="hourly_mentions")
    hour = models.DateTimeField()
    mentions = models.PositiveIntegerField(default=0)
    authors = models.PositiveIntegerField(default=0)
    bullish = models.PositiveIntegerField(default=0)
    bearish = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "ticker hourly mentions"
        constraints = [models.UniqueConstraint(fields=["ticker", "hour"], name="hourly_mentions_once")]
        indexes = [models.Index(fields=["hour", "ticker"], name="hourly_mentions_hour_idx")]

    def __str__(self) -> str:
        return f"{self.ticker_id} @ {self.hour:%Y-%m-%d %H:00}"


class RollupWatermark(models.Model):
    """The hours a roll-up table is known to be complete for: ``[complete_from, complete_until)``."""

    name = models.CharField(max_length=50, unique=True)
    complete_from = models.DateTimeField(null=True, blank=True)
    complete_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(complete_from__isnull=True, complete_until__isnull=True)
                | models.Q(complete_from__lt=models.F("complete_until")),
                name="rollup_watermark_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: [{self.complete_from}, {self.complete_until})"


class HomeTimeline(models.Model):
    """A user's precomputed following feed is kept while this row exists (``content.timelines``).

    New posts and reposts are fanned out only to users who have one; it is made on the
    user's first read of the feed and dropped when they have been inactive for
    ``HOME_TIMELINE_INACTIVE_DAYS``. ``floor_*`` is the feed key of the oldest entry kept
    when the timeline was cut to ``HOME_TIMELINE_SIZE``: below it entries may be missing,
    and pages there are read from the database (merge on read). All three null: complete.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="home_timeline"
    )
    floor_time = models.DateTimeField(null=True, blank=True)
    floor_kind = models.PositiveSmallIntegerField(null=True, blank=True)
    floor_item = models.BigIntegerField(null=True, blank=True)
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(floor_time__isnull=True, floor_kind__isnull=True, floor_item__isnull=True)
                | models.Q(floor_time__isnull=False, floor_kind__isnull=False, floor_item__isnull=False),
                name="home_timeline_floor_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"home timeline of {self.user_id}"


class HomeTimelineEntry(models.Model):
    """A candidate of a user's following feed: a post (own or a followee's) or a followee's plain repost.

    Written by the fan-out regardless of visibility; the read applies the feed's rules
    (visibility, mutes, blocks, still following) to each entry, so a later hide, mute or
    suspension needs no rewrite and its undoing brings the entry back.
    """

    # Indexed by the unique key below, which leads with it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The feed key (content.querysets.FeedEntry): (sort_time, kind, item_id), newest first.
    sort_time = models.DateTimeField()
    kind = models.PositiveSmallIntegerField()
    item_id = models.BigIntegerField()
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Most entries are posts: only the reposts' rows are indexed (home_timeline_repost_idx).
    repost = models.ForeignKey(
        Repost, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            # A key names one item, so this is also "each item once per timeline"; it is the read's index.
            models.UniqueConstraint(fields=["user", "sort_time", "kind", "item_id"], name="home_timeline_entry_once"),
        ]
        indexes = [
            models.Index(fields=["post"], name="home_timeline_post_idx"),
            models.Index(fields=["repost"], condition=models.Q(repost__isnull=False), name="home_timeline_repost_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}/{self.item_id}"


class CallStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SCORED = "scored", "Scored"
    VOID = "void", "Void"


# The horizons a call is scored at, by name: trading days after the entry day.
CALL_HORIZONS = {"1d": 1, "1w": 5, "1m": 21}
# A call whose ticker has no price within this many calendar days after the post is void.
CALL_ENTRY_WINDOW_DAYS = 5


class Call(models.Model):
    """A visible post with a sentiment and a ticker: a call on its first ticker, scored by ``content.calls``.

    Written with the post (and removed when it is deleted or hidden, so its call leaves
    every record); the scores are filled in by ``score_calls`` from ``markets.DailyBar``.
    The post's author and date are copied here so that records and the leaderboard read
    this table alone.
    """

    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="call")
    # Indexed by the composite indexes below, which lead with them.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calls", db_index=False)
    ticker = models.ForeignKey(Ticker, on_delete=models.CASCADE, related_name="calls", db_index=False)
    direction = models.CharField(max_length=7, choices=Sentiment.choices)
    created_at = models.DateTimeField(help_text="The post's.")
    posted_on = models.DateField(help_text="The post's UTC date: the entry is the first trading day on or after it.")
    entry_deadline = models.DateField(
        help_text=f"posted_on + {CALL_ENTRY_WINDOW_DAYS} days: with no price by then the call is void."
    )
    status = models.CharField(max_length=7, choices=CallStatus.choices, default=CallStatus.PENDING)
    entry_date = models.DateField(null=True, blank=True)
    entry_price = models.FloatField(null=True, blank=True)
    return_1d = models.FloatField(null=True, blank=True)
    return_1w = models.FloatField(null=True, blank=True)
    return_1m = models.FloatField(null=True, blank=True)
    hit_1d = models.BooleanField(null=True, blank=True)
    hit_1w = models.BooleanField(null=True, blank=True)
    hit_1m = models.BooleanField(null=True, blank=True)
    exit_date_1m = models.DateField(
        null=True, blank=True, help_text="The 1m exit's date: a later price change cannot move this call."
    )
    scored_at = models.DateTimeField(null=True, blank=True, help_text="When the 1m horizon was scored.")
    updated_at = models.DateTimeField(default=timezone.now, help_text="When score_calls last changed the row.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=CallStatus.PENDING)
                | models.Q(status=CallStatus.VOID, entry_date__isnull=True)
                | models.Q(status=CallStatus.SCORED, hit_1m__isnull=False),
                name="call_status_consistent",
            ),
        ]
        indexes = [
            # users/{id}/calls, newest first
            models.Index(fields=["author", "-created_at", "-post"], name="call_author_recent_idx"),
            # the leaderboard's window: every call since a date
            models.Index(fields=["posted_on"], name="call_posted_idx"),
            # score_calls: the calls of the symbols whose bars changed
            models.Index(fields=["ticker", "posted_on"], name="call_ticker_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.direction} ${self.ticker_id}"


class CallScoringWatermark(models.Model):
    """How far ``score_calls`` has read the price bars: every bar changed after ``bars_seen_until`` is new to it."""

    name = models.CharField(max_length=50, unique=True)
    bars_seen_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.bars_seen_until}"
