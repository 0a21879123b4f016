"""Notification groups as the API shows them: for the list, and for whoever pushes one elsewhere
(the streaming API's ``notification`` event, through ``group_payload``).

In ``api/`` because it renders with the API's serializers (only the HTTP layer imports DRF).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from content.models import Comment, Post
from content.querysets import post_viewer_flags
from content.querysets_comments import comment_viewer_flags
from notifications.api.serializers import NotificationGroupSerializer
from notifications.models import NotificationGroup
from notifications.preferences import hidden_types
from notifications.querysets import newest_actors
from social.querysets import relationships_for


def render_groups(groups: Sequence[NotificationGroup], viewer: Any, request: Any = None) -> list[dict[str, Any]]:
    """A page of the viewer's groups (from ``NotificationGroup.objects.shown_to``) as JSON-ready dicts.

    A fixed number of queries whatever the number and size of the groups: the
    newest actors (one windowed query), their relationship flags, the posts
    (``for_display``) with their flags, the comments with theirs.
    """
    actors = newest_actors(viewer, [group.pk for group in groups])
    post_ids = {group.post_id for group in groups if group.post_id is not None}
    comment_ids = {group.comment_id for group in groups if group.comment_id is not None}
    posts = Post.objects.for_display(viewer).in_bulk(post_ids) if post_ids else {}
    comments = Comment.objects.for_display(viewer).in_bulk(comment_ids) if comment_ids else {}
    flagged_posts = [*posts, *(post.quoted_post_id for post in posts.values() if post.quoted_post_id is not None)]
    users = {user.pk for shown in actors.values() for user in shown}
    for group in groups:
        group.shown_accounts = actors.get(group.pk, [])  # type: ignore[attr-defined]
        group.shown_post = posts.get(group.post_id) if group.post_id is not None else None  # type: ignore[attr-defined]
        group.shown_comment = comments.get(group.comment_id) if group.comment_id is not None else None  # type: ignore[attr-defined]
    context = {
        "request": request,
        "relationships": relationships_for(viewer, users),
        "post_flags": post_viewer_flags(viewer, flagged_posts),
        "comment_flags": comment_viewer_flags(viewer, comments),
    }
    return list(NotificationGroupSerializer(groups, many=True, context=context).data)


def group_payload(group_id: int, viewer: Any, request: Any = None) -> dict[str, Any] | None:
    """The notification group ``group_id`` exactly as ``GET notifications`` renders it for ``viewer``
    (its recipient), or None when the viewer is not shown it (gone, someone else's, its type switched
    off in the app, only muted/blocked actors left, its post no longer visible).

    Without ``request``, media and profile picture URLs are as the storage gives them (relative
    with local files): pass the request (or the socket's scope wrapped as one) for absolute URLs.
    """
    groups = list(NotificationGroup.objects.shown_to(viewer, hidden_types=hidden_types(viewer)).filter(pk=group_id))
    if not groups:
        return None
    return render_groups(groups, viewer, request)[0]
