"""How comments and the interaction answers (likes, reposts, bookmarks) are shown and read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import AuthorSerializer
from content.models import COMMENT_MAX_LENGTH, POST_MAX_LENGTH, Comment
from core.serializers import ModelSerializer, StrictCharField

MAX_ID = 2**63 - 1
NOT_REACTED = {"reacted": False}


class CommentStatsSerializer(serializers.Serializer):
    reactions = serializers.IntegerField(source="reactions_count", help_text="Likes on the comment.")


class CommentViewerSerializer(serializers.Serializer):
    reacted = serializers.BooleanField(help_text="The viewer likes this comment (false when anonymous).")


class CommentSerializer(ModelSerializer):
    """A comment; the queryset must come from ``Comment.objects.for_display()`` and the
    context carry ``comment_flags`` from ``comment_viewer_flags`` (else every flag is false)."""

    id = StrictCharField(read_only=True)
    post_id = StrictCharField(read_only=True)
    parent_id = StrictCharField(
        read_only=True,
        allow_null=True,
        help_text=(
            "The comment this one replies to, or null. Replies are listed flat with the other comments; "
            "the parent may no longer be listed (deleted, hidden, or by a user blocked either way)."
        ),
    )
    author = AuthorSerializer(read_only=True)
    stats = CommentStatsSerializer(source="*", read_only=True)
    viewer = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "post_id", "parent_id", "author", "content", "created_at", "updated_at", "stats", "viewer"]
        read_only_fields = fields

    @extend_schema_field(CommentViewerSerializer)
    def get_viewer(self, comment: Comment) -> dict[str, bool]:
        flags = self.context.get("comment_flags") or {}
        return dict(flags.get(comment.pk, NOT_REACTED))


class CommentCreateSerializer(serializers.Serializer):
    content = StrictCharField(
        max_length=COMMENT_MAX_LENGTH,
        help_text=f"1-{COMMENT_MAX_LENGTH} characters after trimming surrounding whitespace.",
    )
    parent_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Reply to this comment; it must be a comment on the same post that you can see.",
    )


class RepostCreateSerializer(serializers.Serializer):
    content = StrictCharField(
        required=False,
        allow_null=True,
        max_length=POST_MAX_LENGTH,
        help_text=(
            "Absent or null: a plain repost. Present: a quote, a new post of 1-"
            f"{POST_MAX_LENGTH} characters (after trimming) quoting this one."
        ),
    )


class ReactionResultSerializer(serializers.Serializer):
    reacted = serializers.BooleanField(help_text="Whether you like it now.")
    count = serializers.IntegerField(help_text="Likes now, yours included.")


class RepostResultSerializer(serializers.Serializer):
    reposted = serializers.BooleanField(help_text="Always true: you have reposted the post.")
    count = serializers.IntegerField(help_text="Plain reposts of the post now, yours included.")


class BookmarkResultSerializer(serializers.Serializer):
    bookmarked = serializers.BooleanField(help_text="Always true: the post is in your bookmarks.")
    count = serializers.IntegerField(help_text="Bookmarks of the post now, yours included.")


class ReactionRequestSerializer(serializers.Serializer):
    reacted = serializers.BooleanField(
        required=False,
        help_text=(
            "Absent: a toggle. `true` likes and `false` unlikes, whatever the state was (idempotent: safe to retry)."
        ),
    )
