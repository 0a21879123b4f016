"""The content admin. Posts and comments are hidden and deleted by moderators only, through
``moderation.services`` (with a reason, in the audit log): their ``is_hidden`` and ``deleted_at`` are
read-only here and rows are never deleted from the admin (that would skip the counters and the log);
``moderation.admin`` adds the moderation actions to these admins. ``purge_deleted_content`` removes
soft-deleted content for good.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from content.counters import POST_COUNTERS
from content.models import (
    Bookmark,
    Call,
    CallScoringWatermark,
    Comment,
    CommentMention,
    CommentReaction,
    HomeTimeline,
    HomeTimelineEntry,
    Media,
    Post,
    PostMention,
    PostReaction,
    PostTicker,
    Repost,
    RollupWatermark,
    Ticker,
    TickerHourlyMentions,
    WatchlistItem,
)
from content.timelines import timeline_build
from core.admin import ReadOnlyAdmin


@admin.register(Ticker)
class TickerAdmin(admin.ModelAdmin):
    list_display = ("symbol", "name", "is_listed", "post_count", "authors_count", "created_at")
    list_filter = ("is_listed",)
    search_fields = ("symbol", "name")
    readonly_fields = ("post_count", "authors_count")


class PostTickerInline(admin.TabularInline):
    model = PostTicker
    extra = 0
    fields = ("ticker", "position")
    raw_id_fields = ("ticker",)


class ReadOnlyInline(admin.TabularInline):
    """Mention rows follow the text (the services write them); never edited by hand."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PostMentionInline(ReadOnlyInline):
    model = PostMention
    fields = ("user", "position")
    readonly_fields = fields


class CommentMentionInline(ReadOnlyInline):
    model = CommentMention
    fields = ("user", "position")
    readonly_fields = fields


class MediaInline(admin.TabularInline):
    model = Media
    extra = 0
    fields = ("file", "content_type", "width", "height", "size", "position")
    readonly_fields = fields


class SoftDeletedContentAdmin(admin.ModelAdmin):
    """Hiding and deleting are moderation actions: read-only fields here, no delete view nor "delete selected"."""

    readonly_fields = ("is_hidden", "deleted_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(SoftDeletedContentAdmin):
    list_display = ("id", "author", "short_content", "sentiment", "created_at", "is_hidden", "deleted_at")
    list_filter = ("is_hidden", "sentiment", ("deleted_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("content", "author__username")
    raw_id_fields = ("author", "quoted_post", "poll")
    date_hierarchy = "created_at"
    list_select_related = ("author",)
    inlines = [PostTickerInline, PostMentionInline, MediaInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Counters are the services' (content.counters); `recount_counters` repairs them.
        return (*super().get_readonly_fields(request, obj), *POST_COUNTERS)

    @admin.display(description="content")
    def short_content(self, obj: Post) -> str:
        return obj.content[:80]


@admin.register(Comment)
class CommentAdmin(SoftDeletedContentAdmin):
    list_display = ("id", "author", "post", "short_content", "created_at", "is_hidden", "deleted_at")
    list_filter = ("is_hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("content", "author__username")
    raw_id_fields = ("author", "post", "parent")
    list_select_related = ("author",)
    inlines = [CommentMentionInline]

    @admin.display(description="content")
    def short_content(self, obj: Comment) -> str:
        return obj.content[:80]


@admin.register(PostReaction)
class PostReactionAdmin(admin.ModelAdmin):
    list_display = ("user", "post", "created_at")
    search_fields = ("user__username",)
    list_filter = ("created_at",)
    raw_id_fields = ("user", "post")


@admin.register(CommentReaction)
class CommentReactionAdmin(admin.ModelAdmin):
    list_display = ("user", "comment", "created_at")
    search_fields = ("user__username",)
    list_filter = ("created_at",)
    raw_id_fields = ("user", "comment")


@admin.register(Repost)
class RepostAdmin(admin.ModelAdmin):
    list_display = ("user", "post", "created_at")
    search_fields = ("user__username",)
    list_filter = ("created_at",)
    raw_id_fields = ("user", "post")


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ("user", "post", "created_at")
    search_fields = ("user__username",)
    list_filter = ("created_at",)
    raw_id_fields = ("user", "post")


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "post", "content_type", "width", "height", "size", "created_at")
    list_filter = ("content_type", ("post", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("owner__username", "file")
    raw_id_fields = ("owner", "post")


@admin.register(WatchlistItem)
class WatchlistItemAdmin(admin.ModelAdmin):
    list_display = ("user", "ticker", "created_at")
    search_fields = ("user__username", "ticker__symbol")
    list_filter = ("created_at",)
    raw_id_fields = ("user", "ticker")


@admin.register(PostTicker)
class PostTickerAdmin(admin.ModelAdmin):
    list_display = ("ticker", "post", "position", "sentiment", "created_at")
    list_filter = ("sentiment", "created_at")
    search_fields = ("ticker__symbol",)
    raw_id_fields = ("post", "ticker")


class MentionAdmin(admin.ModelAdmin):
    """Read-only: the post and comment services write mention rows from the text."""

    search_fields = ("user__username",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PostMention)
class PostMentionAdmin(MentionAdmin):
    list_display = ("user", "post", "position")
    raw_id_fields = ("user", "post")
    list_select_related = ("user",)


@admin.register(CommentMention)
class CommentMentionAdmin(MentionAdmin):
    list_display = ("user", "comment", "position")
    raw_id_fields = ("user", "comment")
    list_select_related = ("user",)


@admin.register(TickerHourlyMentions)
class TickerHourlyMentionsAdmin(admin.ModelAdmin):
    list_display = ("ticker", "hour", "mentions", "authors", "bullish", "bearish")
    search_fields = ("ticker__symbol",)
    list_filter = ("hour",)
    raw_id_fields = ("ticker",)
    ordering = ("-hour",)


@admin.register(RollupWatermark)
class RollupWatermarkAdmin(admin.ModelAdmin):
    """Read-only: ``content.trending.hourly_mentions_refresh`` keeps it. Deleting a row is safe (trending then
    computes live until the next refresh)."""

    list_display = ("name", "complete_from", "complete_until", "updated_at")
    readonly_fields = ("name", "complete_from", "complete_until", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RollupWatermark | None = None) -> bool:
        return False


@admin.register(HomeTimeline)
class HomeTimelineAdmin(ReadOnlyAdmin):
    """The users whose following feed is precomputed (``content.timelines``); rebuilding one is always
    safe (it is remade from the database, as on the user's first read)."""

    list_display = ("user", "built_at", "floor_time", "floor_kind", "floor_item")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    ordering = ("-built_at",)
    actions = ["rebuild"]

    @admin.action(description="Rebuild from the database", permissions=["view"])
    def rebuild(self, request: HttpRequest, queryset: Any) -> None:
        user_ids = list(queryset.values_list("user_id", flat=True))
        for user_id in user_ids:
            timeline_build(user_id)
        self.message_user(request, f"Rebuilt {len(user_ids)} home timeline(s).")


@admin.register(HomeTimelineEntry)
class HomeTimelineEntryAdmin(ReadOnlyAdmin):
    """A timeline's candidates, newest first; which are shown is decided when the feed is read."""

    list_display = ("user", "sort_time", "kind", "item_id", "post")
    search_fields = ("user__username",)
    list_select_related = ("user", "post")
    raw_id_fields = ("user", "post", "repost")
    ordering = ("user", "-sort_time", "-kind", "-item_id")


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    """Read-only: the post service writes calls and ``score_calls`` scores them (README "Calls")."""

    list_display = ("post", "author", "ticker", "direction", "posted_on", "status", "return_1m", "hit_1m")
    list_filter = ("status", "direction")
    search_fields = ("ticker__symbol", "author__username")
    list_select_related = ("post", "author")
    raw_id_fields = ("post", "author", "ticker")
    ordering = ("-created_at",)


@admin.register(CallScoringWatermark)
class CallScoringWatermarkAdmin(ReadOnlyAdmin):
    """Read-only: ``score_calls`` keeps it (``--rebuild`` rescores every call whatever it says)."""

    list_display = ("name", "bars_seen_until", "updated_at")
