"""How posts are shown (with their media, poll and quoted post) and what creating one reads."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import AuthorSerializer
from content.api.serializers.calls import CallSerializer
from content.api.serializers.mentions import MENTIONS_SCHEMA, mentions_of_row
from content.models import MAX_MEDIA_PER_POST, POST_MAX_LENGTH, Media, Post, Sentiment
from content.querysets import VIEWER_FLAGS
from core.serializers import IdField, ModelSerializer, StrictCharField
from core.sqljson import by_position
from polls.api.serializers import PollCreateSerializer, PollSerializer

__all__ = [
    "PollSerializer",
    "PostCreateSerializer",
    "PostSerializer",
]

NO_FLAGS = dict.fromkeys(VIEWER_FLAGS, False)


class MediaSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Media
        fields = ["url", "content_type", "width", "height"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, media: Media) -> str:
        return media_url(media.file.name or "", self.context.get("request"))


def media_url(name: str, request: Any) -> str:
    """Where a stored image is served: absolute when there is a request to build it from."""
    url = Media._meta.get_field("file").storage.url(name)  # type: ignore[attr-defined]
    return request.build_absolute_uri(url) if request is not None else url


class PostStatsSerializer(serializers.Serializer):
    reactions = serializers.IntegerField(source="reactions_count")
    comments = serializers.IntegerField(source="comments_count", help_text="Visible comments and replies.")
    reposts = serializers.IntegerField(source="reposts_count", help_text="Plain reposts.")
    quotes = serializers.IntegerField(source="quotes_count", help_text="Visible posts quoting this one.")
    bookmarks = serializers.IntegerField(source="bookmarks_count")


class PostViewerSerializer(serializers.Serializer):
    reacted = serializers.BooleanField(help_text="The viewer likes this post.")
    reposted = serializers.BooleanField(help_text="The viewer reposted it (plain repost).")
    bookmarked = serializers.BooleanField(help_text="The viewer bookmarked it.")


class PostBodySerializer(ModelSerializer):
    """The part of a post that is the same for every viewer and changes only with the post's or its
    author's ``updated_at``: what ``content.api.rendering`` caches. Posts must come from
    ``Post.objects.with_bodies()`` (or ``for_display``)."""

    id = StrictCharField(read_only=True)
    author = AuthorSerializer(read_only=True)
    tickers = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "author", "content", "tickers", "media", "sentiment", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "string"}, "description": "In order of first mention."})
    def get_tickers(self, post: Post) -> list[str]:
        return [symbol for symbol, _position in by_position(post.ticker_rows)]  # type: ignore[attr-defined]

    @extend_schema_field(MediaSerializer(many=True))
    def get_media(self, post: Post) -> list[dict[str, Any]]:
        request = self.context.get("request")
        return [
            {"url": media_url(name, request), "content_type": content_type, "width": width, "height": height}
            for name, content_type, width, height, _position in by_position(post.media_rows)  # type: ignore[attr-defined]
        ]


class QuotedPostSerializer(PostBodySerializer):
    """A post without its own quoted post: what a quote shows, one level deep."""

    # Posts must come from ``Post.objects.for_display(viewer)``; viewer flags from the context's
    # ``post_flags`` (``post_viewer_flags``; all false without it). The REST API renders the same
    # fields through ``content.api.rendering`` (a cached body and the viewer's state); this class
    # declares them for the schema and serves the streams and notifications.

    mentions = serializers.SerializerMethodField()
    poll = PollSerializer(read_only=True, allow_null=True)
    call = CallSerializer(
        read_only=True,
        allow_null=True,
        help_text="The call this post makes (it has a sentiment and a ticker: a call on its first ticker), "
        "with its scores; null otherwise.",
    )
    stats = PostStatsSerializer(source="*", read_only=True)
    viewer = serializers.SerializerMethodField()

    class Meta(PostBodySerializer.Meta):
        fields = [
            "id",
            "author",
            "content",
            "tickers",
            "mentions",
            "media",
            "poll",
            "sentiment",
            "call",
            "created_at",
            "updated_at",
            "stats",
            "viewer",
        ]
        read_only_fields = fields

    @extend_schema_field(MENTIONS_SCHEMA)
    def get_mentions(self, post: Post) -> list[dict[str, str]]:
        return mentions_of_row(post)

    @extend_schema_field(PostViewerSerializer)
    def get_viewer(self, post: Post) -> dict[str, bool]:
        flags = self.context.get("post_flags") or {}
        return dict(flags.get(post.pk, NO_FLAGS))


class PostSerializer(QuotedPostSerializer):
    """The contract's "post"; ``reposted_by`` is set on plain reposts in the following feed."""

    quoted_post = QuotedPostSerializer(
        read_only=True, allow_null=True, help_text="The quoted post; null if it is gone or not visible to you."
    )
    reposted_by = AuthorSerializer(
        read_only=True,
        allow_null=True,
        help_text="Who reposted it, when the post is in the following feed as a plain repost; else null.",
    )

    class Meta(QuotedPostSerializer.Meta):
        fields = [*QuotedPostSerializer.Meta.fields, "quoted_post", "reposted_by"]
        read_only_fields = fields


class PostCreateSerializer(serializers.Serializer):
    content = StrictCharField(
        max_length=POST_MAX_LENGTH,
        help_text=(
            f"1-{POST_MAX_LENGTH} characters after trimming; `$AAPL` or `#AAPL` tags a ticker, "
            "`@username` mentions a user."
        ),
    )
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False, allow_null=True)
    media_ids = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=MAX_MEDIA_PER_POST,
        help_text=f"Up to {MAX_MEDIA_PER_POST} of your uploads (`media/upload`) not yet on a post, in display order.",
    )
    poll = PollCreateSerializer(required=False, allow_null=True)
    quoted_post_id = IdField(
        required=False,
        allow_null=True,
        help_text="Quote this post: 400 if it does not exist or you cannot see it, 403 if a block stands between you.",
    )
