"""Writing the mention rows of a new post or comment, from its text (``content.mentions``)."""

from __future__ import annotations

from django.db.models.functions import Lower

from accounts.models import User
from content.mentions import extract_mentions
from content.models import Comment, CommentMention, Post, PostMention


def mentioned_user_ids(text: str) -> list[int]:
    """The ids of the users in good standing that ``text`` mentions, in order of first mention.

    One query. Usernames are unique ignoring case (``user_username_unique_ci``, on ``Lower(username)``),
    so they are matched the same way; names of no such user, or of a suspended or deactivated one,
    are plain text.
    """
    usernames = [username.lower() for username in extract_mentions(text)]
    if not usernames:
        return []
    found = dict(
        User.objects.in_good_standing()
        .annotate(username_lower=Lower("username"))
        .filter(username_lower__in=usernames)
        .values_list("username_lower", "pk")
    )
    return [found[username] for username in usernames if username in found]


def post_mentions_write(post: Post) -> None:
    """The post's ``PostMention`` rows, one insert; the author's own mention is kept (it is text)."""
    PostMention.objects.bulk_create(
        PostMention(post=post, user_id=user_id, position=position)
        for position, user_id in enumerate(mentioned_user_ids(post.content))
    )


def comment_mentions_write(comment: Comment) -> None:
    """The comment's ``CommentMention`` rows, one insert; the author's own mention is kept (it is text)."""
    CommentMention.objects.bulk_create(
        CommentMention(comment=comment, user_id=user_id, position=position)
        for position, user_id in enumerate(mentioned_user_ids(comment.content))
    )
