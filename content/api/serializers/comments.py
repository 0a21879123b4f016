"""Comments: how they are shown, and what creating one reads."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import AuthorSerializer
from content.api.serializers.mentions import MENTIONS_SCHEMA, mentions_of_row
from content.models import COMMENT_MAX_LENGTH, Comment
from core.serializers import IdField, ModelSerializer, StrictCharField

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
    mentions = serializers.SerializerMethodField()
    stats = CommentStatsSerializer(source="*", read_only=True)
    viewer = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "post_id",
            "parent_id",
            "author",
            "content",
            "mentions",
            "created_at",
            "updated_at",
            "stats",
            "viewer",
        ]
        read_only_fields = fields

    @extend_schema_field(MENTIONS_SCHEMA)
    def get_mentions(self, comment: Comment) -> list[dict[str, str]]:
        return mentions_of_row(comment)

    @extend_schema_field(CommentViewerSerializer)
    def get_viewer(self, comment: Comment) -> dict[str, bool]:
        flags = self.context.get("comment_flags") or {}
        return dict(flags.get(comment.pk, NOT_REACTED))


class CommentCreateSerializer(serializers.Serializer):
    content = StrictCharField(
        max_length=COMMENT_MAX_LENGTH,
        help_text=(
            f"1-{COMMENT_MAX_LENGTH} characters after trimming surrounding whitespace; `@username` mentions a user."
        ),
    )
    parent_id = IdField(
        required=False,
        allow_null=True,
        help_text="Reply to this comment; it must be a comment on the same post that you can see.",
    )
