"""The `mentions[]` of posts and comments: `{id, username}` of each user written as `@username`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from content.models import MAX_MENTIONS
from content.querysets import mention_list


class UserMentionSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True, help_text="As the user spells it now (mentions ignore case).")


MENTIONS_SCHEMA = UserMentionSerializer(
    many=True,
    read_only=True,
    help_text=(
        "Users in good standing written as `@username` (ignoring case), in order of first mention, "
        f"at most {MAX_MENTIONS}; never inside a link or an email address. A user suspended or deleted "
        "later drops out."
    ),
)


def mentions_of_row(row: Any) -> list[dict[str, str]]:
    """A post or comment loaded through its ``for_display`` (its ``mentioned_users``), as ``mentions[]``."""
    return mention_list(row.mentioned_users)
